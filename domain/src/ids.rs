//! Row ids as types. A client's id, a contact's and a staff member's are all integers in
//! the database, but they are never interchangeable: passing a contact id where a client
//! id belongs must not compile. Each id is a newtype over the column's `i32`; on the wire
//! (serde) and in text (`Display`, `FromStr`) it is the bare number, so addresses such as
//! `/clients/12` and the server functions' JSON are unchanged. With the `db` feature the
//! store keeps them in its columns directly (sea-orm's `DeriveValueType`).
//!
//! ```compile_fail
//! use janus_domain::ids::{ClientId, ContactId};
//! fn lead_card(_client: ClientId) {}
//! lead_card(ContactId(1)); // a contact's id is not a client's
//! ```
//!
//! ```
//! use janus_domain::ids::ClientId;
//! fn lead_card(_client: ClientId) {}
//! lead_card(ClientId(1));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! row_ids {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "db", derive(sea_orm::DeriveValueType))]
        pub struct $name(pub i32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map(Self)
            }
        }
    )*};
}

row_ids! {
    /// One of the brands (Cornerstone, PeoPayGo, …) a client belongs to.
    BrandId,
    /// A client business: the lead card's subject.
    ClientId,
    /// One person at a client (owner, payroll contact, …).
    ContactId,
    /// A staff member (agent or admin).
    StaffId,
    /// One email or SMS in the outbox.
    MessageId,
    /// A setup or reset link.
    PinLinkId,
    /// A one-time 2-step code.
    TwoStepCodeId,
    /// *Prove it's us* words sent to a contact.
    CallerProofId,
    /// A successful verification of a client.
    VerificationId,
    /// One line of the audit trail.
    AuditEventId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_the_bare_number_on_the_wire_and_in_text() {
        assert_eq!(serde_json::to_string(&ClientId(12)).unwrap(), "12");
        assert_eq!(
            serde_json::from_str::<ContactId>("7").unwrap(),
            ContactId(7)
        );
        assert_eq!(StaffId(3).to_string(), "3");
        assert_eq!("42".parse::<ClientId>(), Ok(ClientId(42)));
        assert!("4x".parse::<ClientId>().is_err());
        assert!(serde_json::from_str::<ClientId>("\"12\"").is_err());
    }
}
