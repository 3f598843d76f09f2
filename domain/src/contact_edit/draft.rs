//! A contact as staff type it on the lead card: each field checked, and kept in the form
//! it is stored and compared in.

use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::contact::{ContactRole, normalize_e164, normalize_email};
use crate::dashboard::ContactView;

/// A contact's name has at most this many characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A contact as staff typed it, checked and in stored form: the email lower-cased, the
/// mobile in E.164 (`None` when left empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDraft {
    pub name: String,
    pub role: ContactRole,
    pub email: String,
    pub mobile_phone: Option<String>,
}

impl ContactDraft {
    /// Checks each field, naming the one that is wrong.
    pub fn parse(
        name: &str,
        role: ContactRole,
        email: &str,
        mobile: &str,
    ) -> Result<Self, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("name", "enter the contact's name"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::invalid(
                "name",
                format!("a name has at most {MAX_NAME_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "name",
                "a name cannot contain control characters",
            ));
        }
        let email = normalize_email("email", email)?;
        let mobile_phone = match mobile.trim() {
            "" => None,
            typed => Some(normalize_e164("mobile", typed)?),
        };
        Ok(Self {
            name: name.to_owned(),
            role,
            email,
            mobile_phone,
        })
    }

    pub fn of(view: &ContactView) -> Self {
        Self {
            name: view.name.clone(),
            role: view.role,
            email: view.email.clone(),
            mobile_phone: view.mobile_phone.clone(),
        }
    }

    /// "Rachel Cohen (Owner)".
    pub fn who(&self) -> String {
        format!("{} ({})", self.name, self.role.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> ContactDraft {
        ContactDraft::parse(
            "Rachel Cohen",
            ContactRole::Owner,
            "Rachel@Example.com",
            "+1 (614) 555-0155",
        )
        .unwrap()
    }

    #[test]
    fn drafts_are_checked_field_by_field_and_stored_normalized() {
        let k = owner();
        assert_eq!(k.email, "rachel@example.com");
        assert_eq!(k.mobile_phone.as_deref(), Some("+16145550155"));
        assert_eq!(
            ContactDraft::parse("Sam", ContactRole::Accountant, "s@example.com", " ")
                .unwrap()
                .mobile_phone,
            None
        );
        let field = |r: Result<ContactDraft, AppError>| match r {
            Err(AppError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let role = ContactRole::Owner;
        assert_eq!(field(ContactDraft::parse("  ", role, "a@b.co", "")), "name");
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            field(ContactDraft::parse(&long, role, "a@b.co", "")),
            "name"
        );
        assert_eq!(
            field(ContactDraft::parse("A\u{7}", role, "a@b.co", "")),
            "name"
        );
        assert_eq!(field(ContactDraft::parse("A", role, "nope", "")), "email");
        assert_eq!(
            field(ContactDraft::parse("A", role, "a@b.co", "555")),
            "mobile"
        );
    }
}
