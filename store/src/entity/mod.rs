//! sea-orm entities, one per table, in sea-orm-cli's compact format. They mirror the
//! migrations exactly and hold no behaviour: rules live in the use-case modules.

pub mod audit_event;
pub mod brand;
pub mod caller_proof;
pub mod client;
pub mod client_pin;
pub mod contact;
pub mod deployment_mark;
pub mod message;
pub mod pin_link;
pub mod session;
pub mod staff_passkey;
pub mod staff_recovery_code;
pub mod staff_user;
pub mod two_step_code;
pub mod verification;
pub mod webauthn_ceremony;

/// A fixed set's column holds the name the rest of the product knows it by, so rows
/// written before the sets became types read back unchanged.
#[cfg(test)]
mod stored_names {
    use sea_orm::ActiveEnum;
    use strum::IntoEnumIterator;

    fn stored_as_named<T>()
    where
        T: ActiveEnum<Value = String> + IntoEnumIterator + Into<&'static str> + Copy,
    {
        for value in T::iter() {
            let name: &'static str = value.into();
            assert_eq!(value.to_value(), name);
            assert!(T::try_from_value(&name.to_owned()).is_ok());
        }
        assert!(T::try_from_value(&"no_such_value".to_owned()).is_err());
    }

    #[test]
    fn in_every_column() {
        use janus_domain::*;
        stored_as_named::<audit::AuditAction>();
        stored_as_named::<audit::AuditOutcome>();
        stored_as_named::<contact::ContactRole>();
        stored_as_named::<dashboard::EnrollmentStage>();
        stored_as_named::<messages::Channel>();
        stored_as_named::<messages::MessageKind>();
        stored_as_named::<security::DeliveryStatus>();
        stored_as_named::<security::LinkPurpose>();
        stored_as_named::<security::VerifyMethod>();
        stored_as_named::<staff::StaffRole>();
        stored_as_named::<staff::second_factor::SignInStep>();
        stored_as_named::<throttle::ThrottleBucket>();
    }
}
