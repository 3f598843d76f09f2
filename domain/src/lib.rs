//! The rules of Janus Enrollment that do not touch the outside world.
//!
//! Everything here compiles for the server and for the WebAssembly front end, so a
//! rule (a role's meaning, what a valid phone number is, how a search is paged) is
//! written once and enforced identically on both sides. Time is always a parameter:
//! nothing in this crate reads a clock.

/// Declares a fixed set that is stored in a column. Its list (`iter()`) and its name
/// (`<&str>::from`, `FromStr`) are strum's, its wire form serde's and, with the `db`
/// feature, its column sea-orm's; all three are the snake_case of the variant, written
/// here once so they cannot drift apart (the `names_agree` tests below and
/// `store/src/entity/mod.rs` check it).
macro_rules! stored_set {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::serde::Serialize, ::serde::Deserialize,
            ::strum::EnumIter, ::strum::IntoStaticStr, ::strum::EnumString,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[cfg_attr(feature = "db", derive(sea_orm::DeriveActiveEnum))]
        #[cfg_attr(
            feature = "db",
            sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
        )]
        pub enum $name { $($body)* }
    };
}

pub mod audit;
pub mod authority;
pub mod clock;
pub mod contact;
pub mod contact_edit;
pub mod cooling_off;
pub mod dashboard;
pub mod enrollment;
pub mod error;
pub mod ids;
pub mod limits;
pub mod live;
pub mod messages;
pub mod pin;
pub mod prove_its_us;
pub mod secret;
pub mod security;
pub mod settings;
pub mod staff;
pub mod throttle;
pub mod url;
pub mod verification;
pub mod words;

pub use clock::Clock;
pub use error::AppError;
pub use secret::Secret;

/// Every fixed set goes by one name everywhere: the same in JSON, in forms and addresses
/// (serde), in text (strum) and, on the server, in its column (checked in the store).
#[cfg(test)]
mod names_agree {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;
    use std::str::FromStr;
    use strum::IntoEnumIterator;

    fn agree<T>()
    where
        T: IntoEnumIterator
            + Serialize
            + DeserializeOwned
            + FromStr
            + Into<&'static str>
            + PartialEq
            + Debug
            + Copy,
    {
        for value in T::iter() {
            let name: &'static str = value.into();
            assert_eq!(serde_json::to_value(value).unwrap(), name, "{value:?}");
            assert_eq!(serde_json::from_value::<T>(name.into()).unwrap(), value);
            assert!(
                T::from_str(name).is_ok_and(|parsed| parsed == value),
                "{name}"
            );
        }
        assert!(T::from_str("no-such-value").is_err());
        assert!(serde_json::from_value::<T>("no-such-value".into()).is_err());
    }

    #[test]
    fn in_every_fixed_set() {
        agree::<crate::audit::AuditAction>();
        agree::<crate::audit::AuditOutcome>();
        agree::<crate::authority::SensitiveAction>();
        agree::<crate::security::VerificationEnd>();
        agree::<crate::contact::ContactRole>();
        agree::<crate::dashboard::DashboardTab>();
        agree::<crate::dashboard::EnrollmentStage>();
        agree::<crate::messages::Channel>();
        agree::<crate::messages::MessageKind>();
        agree::<crate::security::DeliveryStatus>();
        agree::<crate::security::LinkPurpose>();
        agree::<crate::security::VerifyMethod>();
        agree::<crate::staff::StaffChange>();
        agree::<crate::staff::StaffRole>();
        agree::<crate::staff::second_factor::SignInStep>();
        agree::<crate::throttle::ThrottleBucket>();
    }
}
