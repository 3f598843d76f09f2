//! Changing a client's contacts from the lead card, and which changes guard the business.
//!
//! The classic takeover is to talk an agent into changing the Owner's email address, then
//! have a PIN reset link sent to it. So a change that touches who speaks for the business
//! (adding or removing an Owner or Authorized Representative, or changing one's role,
//! email or mobile) is a sensitive action of its own, tells the addresses it replaces, and
//! ends any verification of that person.

mod draft;
pub use draft::{ContactDraft, MAX_NAME_CHARS};

use crate::AppError;
#[cfg(test)]
use crate::contact::ContactRole;
use crate::contact::{mask_email, mask_phone};
use crate::words::and_list;

/// One change to a client's contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactEdit {
    Add(ContactDraft),
    Edit {
        before: ContactDraft,
        after: ContactDraft,
    },
    Remove(ContactDraft),
}

/// Where a change's notice goes, and what it says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousAddresses {
    pub name: String,
    pub email: String,
    pub mobile_phone: Option<String>,
    /// A sentence for the notice: "Your email address on file for Riverside Bakery was
    /// changed."
    pub what: String,
}

impl ContactEdit {
    fn speaks_for_business(draft: &ContactDraft) -> bool {
        draft.role.may_manage_pin()
    }

    /// Whether the change touches someone who speaks for the business (see the module's
    /// comment). A name alone is not guarded: no message goes anywhere new because of it.
    pub fn is_guarded(&self) -> bool {
        match self {
            Self::Add(k) | Self::Remove(k) => Self::speaks_for_business(k),
            Self::Edit { before, after } => {
                (Self::speaks_for_business(before) || Self::speaks_for_business(after))
                    && (before.role != after.role
                        || before.email != after.email
                        || before.mobile_phone != after.mobile_phone)
            }
        }
    }

    /// Whether the change is guarded for a client of a brand in (or out of) the PIN
    /// workflow's scope. The stage plays no part: moving a client back to New Lead must not
    /// open the way to an unguarded change of its Owner.
    pub fn is_guarded_for(&self, brand_in_scope: bool) -> bool {
        brand_in_scope && self.is_guarded()
    }

    /// Whether someone who could not speak for the business now can.
    pub fn promotes(&self) -> bool {
        matches!(self, Self::Edit { before, after }
            if !before.role.may_manage_pin() && after.role.may_manage_pin())
    }

    /// Whether the email address is new where links may go: a contact added, an address
    /// changed, or a contact promoted to speak for the business. Messages to it wait out the
    /// cooling-off period.
    pub fn new_email(&self) -> bool {
        match self {
            Self::Add(_) => true,
            Self::Edit { before, after } => before.email != after.email || self.promotes(),
            Self::Remove(_) => false,
        }
    }

    /// Whether the mobile number is new, as [`Self::new_email`] says of the address.
    pub fn new_mobile(&self) -> bool {
        match self {
            Self::Add(k) => k.mobile_phone.is_some(),
            Self::Edit { before, after } => {
                after.mobile_phone.is_some()
                    && (before.mobile_phone != after.mobile_phone || self.promotes())
            }
            Self::Remove(_) => false,
        }
    }

    /// Whether a verification of this contact stops holding: it proved a person at a role
    /// and addresses that are no longer on file.
    pub fn ends_verification(&self) -> bool {
        match self {
            Self::Add(_) => false,
            Self::Remove(_) => true,
            Self::Edit { before, after } => {
                before.role != after.role
                    || before.email != after.email
                    || before.mobile_phone != after.mobile_phone
            }
        }
    }

    /// What changed, for the audit trail: addresses masked, since the card shows them.
    pub fn detail(&self) -> String {
        match self {
            Self::Add(k) => format!(
                "added {}, {}{}",
                k.who(),
                mask_email(&k.email),
                k.mobile_phone
                    .as_deref()
                    .map(|m| format!(", {}", mask_phone(m)))
                    .unwrap_or_default()
            ),
            Self::Remove(k) => format!("removed {}", k.who()),
            Self::Edit { before, after } => {
                let mut changes = Vec::new();
                if before.name != after.name {
                    changes.push(format!("name {} → {}", before.name, after.name));
                }
                if before.role != after.role {
                    changes.push(format!(
                        "role {} → {}",
                        before.role.label(),
                        after.role.label()
                    ));
                }
                if before.email != after.email {
                    changes.push(format!(
                        "email {} → {}",
                        mask_email(&before.email),
                        mask_email(&after.email)
                    ));
                }
                if before.mobile_phone != after.mobile_phone {
                    let shown = |m: &Option<String>| m.as_deref().map_or("none".into(), mask_phone);
                    changes.push(format!(
                        "mobile {} → {}",
                        shown(&before.mobile_phone),
                        shown(&after.mobile_phone)
                    ));
                }
                if changes.is_empty() {
                    format!("{}: nothing changed", after.who())
                } else {
                    format!("{}: {}", before.who(), changes.join("; "))
                }
            }
        }
    }

    /// Whom a guarded edit or removal tells, at the addresses it replaces: the person's
    /// old email and mobile, so a takeover reaches the real owner. `None` for an addition
    /// or a promotion (the store tells the others who speak for the business) and for
    /// unguarded changes.
    pub fn previous_addresses(&self, business: &str) -> Option<PreviousAddresses> {
        if !self.is_guarded() || self.promotes() {
            return None;
        }
        let (before, what) = match self {
            Self::Add(_) => return None,
            Self::Remove(k) => (
                k,
                format!(
                    "You were removed as {} from the contacts of {business}.",
                    k.role.label()
                ),
            ),
            Self::Edit { before, after } => {
                let mut changed = Vec::new();
                if before.email != after.email {
                    changed.push("email address".to_owned());
                }
                if before.mobile_phone != after.mobile_phone {
                    changed.push("mobile number".to_owned());
                }
                if before.role != after.role {
                    changed.push(format!("role (now {})", after.role.label()));
                }
                let verb = if changed.len() == 1 { "was" } else { "were" };
                (
                    before,
                    format!(
                        "Your {} on file for {business} {verb} changed.",
                        and_list(&changed)
                    ),
                )
            }
        };
        Some(PreviousAddresses {
            name: before.name.clone(),
            email: before.email.clone(),
            mobile_phone: before.mobile_phone.clone(),
            what,
        })
    }

    /// The notice's sentence to the others who speak for the business when one is added,
    /// or promoted to speak for it.
    pub fn addition_notice(&self, business: &str) -> Option<String> {
        match self {
            Self::Add(k) if self.is_guarded() => Some(format!(
                "{} was added as {} to the contacts of {business}.",
                k.name,
                k.role.label()
            )),
            Self::Edit { before, after } if self.promotes() => Some(format!(
                "{} is now {} in the contacts of {business} (was {}).",
                after.name,
                after.role.label(),
                before.role.label()
            )),
            _ => None,
        }
    }
}

/// How a guarded change was allowed, as its audit entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeAllowed {
    /// The authority table's verification: its summary, and who it verified.
    Verified {
        summary: String,
        contact_id: Option<crate::ids::ContactId>,
    },
    /// An admin, without that verification, wrote down why.
    AdminReason(String),
}

impl ChangeAllowed {
    pub fn detail(&self) -> String {
        match self {
            Self::Verified { summary, .. } => format!("authorized by {summary}"),
            Self::AdminReason(reason) => format!("admin, without verification: {reason}"),
        }
    }
}

/// Whether a guarded change may go ahead: the verification the authority table asks for
/// (`judged`, from [`crate::authority::Authority::judge`]), or an admin's written `reason`.
/// An agent without the verification is refused with what is missing; so is an admin who
/// gave no reason, told that one would do.
pub fn allow_guarded_change(
    judged: Result<&crate::security::VerificationView, String>,
    actor_is_admin: bool,
    reason: &str,
) -> Result<ChangeAllowed, AppError> {
    match judged {
        Ok(v) => Ok(ChangeAllowed::Verified {
            summary: v.summary(),
            contact_id: v.contact_id,
        }),
        Err(missing) if !actor_is_admin => Err(AppError::VerificationRequired(missing)),
        Err(missing) if reason.trim().is_empty() => Err(AppError::VerificationRequired(format!(
            "{missing} As an admin, you may instead write down why the change cannot wait."
        ))),
        Err(_) => crate::words::audit_reason(
            reason,
            "the change cannot wait for the Owner's or an Authorized Representative's verification",
        )
        .map(ChangeAllowed::AdminReason),
    }
}

/// Refuses a change that would leave the client with nobody who speaks for the business:
/// someone must remain to receive PIN links. `remaining` counts the Owners and Authorized
/// Representatives the client would have after the change.
pub fn check_someone_speaks_for_business(
    edit: &ContactEdit,
    remaining: usize,
) -> Result<(), AppError> {
    let leaving = match edit {
        ContactEdit::Remove(k) if k.role.may_manage_pin() => Some(k),
        ContactEdit::Edit { before, after }
            if before.role.may_manage_pin() && !after.role.may_manage_pin() =>
        {
            Some(before)
        }
        _ => None,
    };
    match leaving {
        Some(k) if remaining == 0 => Err(AppError::invalid(
            "contact",
            format!(
                "{} is the last Owner or Authorized Representative of this client. Add another first: someone must be able to speak for the business.",
                k.name
            ),
        )),
        _ => Ok(()),
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

    fn payroll() -> ContactDraft {
        ContactDraft::parse(
            "Sam Ortiz",
            ContactRole::PayrollContact,
            "sam@example.com",
            "",
        )
        .unwrap()
    }

    #[test]
    fn what_touches_who_speaks_for_the_business_is_guarded() {
        let o = owner();
        let p = payroll();
        assert!(ContactEdit::Add(o.clone()).is_guarded());
        assert!(!ContactEdit::Add(p.clone()).is_guarded());
        assert!(ContactEdit::Remove(o.clone()).is_guarded());
        assert!(!ContactEdit::Remove(p.clone()).is_guarded());
        let edit = |after: ContactDraft| ContactEdit::Edit {
            before: o.clone(),
            after,
        };
        let renamed = ContactDraft {
            name: "Rachel Cohen-Levi".into(),
            ..o.clone()
        };
        assert!(!edit(renamed).is_guarded(), "a name alone is not guarded");
        let new_email = ContactDraft {
            email: "evil@example.net".into(),
            ..o.clone()
        };
        assert!(edit(new_email.clone()).is_guarded());
        assert!(edit(new_email).new_email());
        let demoted = ContactDraft {
            role: ContactRole::Accountant,
            ..o.clone()
        };
        assert!(edit(demoted).is_guarded());
        // Promoting someone to Owner is guarded too: they would receive PIN links.
        let promoted = ContactEdit::Edit {
            before: p.clone(),
            after: ContactDraft {
                role: ContactRole::Owner,
                ..p.clone()
            },
        };
        assert!(promoted.is_guarded() && promoted.ends_verification());
        assert!(promoted.is_guarded_for(true) && !promoted.is_guarded_for(false));
        // Its addresses become ones links may go to: they start cooling off, and the
        // others who speak for the business hear of it, not the promoted person.
        assert!(
            promoted.new_email() && !promoted.new_mobile(),
            "no mobile on file"
        );
        assert_eq!(promoted.previous_addresses("Riverside Bakery"), None);
        assert_eq!(
            promoted.addition_notice("Riverside Bakery").as_deref(),
            Some(
                "Sam Ortiz is now Owner in the contacts of Riverside Bakery (was Payroll Contact)."
            )
        );
        let payroll_email = ContactEdit::Edit {
            before: p.clone(),
            after: ContactDraft {
                email: "new@example.com".into(),
                ..p
            },
        };
        assert!(!payroll_email.is_guarded());
        assert!(
            payroll_email.ends_verification(),
            "a code verified the old address"
        );
    }

    #[test]
    fn the_notice_goes_to_the_addresses_replaced() {
        let o = owner();
        let edit = ContactEdit::Edit {
            before: o.clone(),
            after: ContactDraft {
                email: "evil@example.net".into(),
                mobile_phone: Some("+15550100199".into()),
                ..o.clone()
            },
        };
        let to = edit.previous_addresses("Riverside Bakery").unwrap();
        assert_eq!(to.email, "rachel@example.com");
        assert_eq!(to.mobile_phone.as_deref(), Some("+16145550155"));
        assert_eq!(
            to.what,
            "Your email address and mobile number on file for Riverside Bakery were changed."
        );
        assert_eq!(
            edit.detail(),
            "Rachel Cohen (Owner): email r•••l@example.com → e•••l@example.net; mobile •••• 0155 → •••• 0199"
        );
        let removed = ContactEdit::Remove(o.clone());
        assert_eq!(
            removed.previous_addresses("Riverside Bakery").unwrap().what,
            "You were removed as Owner from the contacts of Riverside Bakery."
        );
        let added = ContactEdit::Add(o);
        assert_eq!(added.previous_addresses("Riverside Bakery"), None);
        assert_eq!(
            added.addition_notice("Riverside Bakery").as_deref(),
            Some("Rachel Cohen was added as Owner to the contacts of Riverside Bakery.")
        );
    }

    #[test]
    fn a_guarded_change_needs_the_verification_or_an_admin_with_a_reason() {
        let missing =
            || Err("Changing an Owner needs the Owner; nobody is verified now.".to_owned());
        assert!(matches!(
            allow_guarded_change(missing(), false, "the owner asked by letter"),
            Err(AppError::VerificationRequired(m)) if !m.contains("admin")
        ));
        assert!(matches!(
            allow_guarded_change(missing(), true, "  "),
            Err(AppError::VerificationRequired(m)) if m.ends_with("write down why the change cannot wait.")
        ));
        assert!(matches!(
            allow_guarded_change(missing(), true, "abc"),
            Err(AppError::InvalidInput { field, .. }) if field == "reason"
        ));
        let allowed =
            allow_guarded_change(missing(), true, " signed letter from the owner ").unwrap();
        assert_eq!(
            allowed.detail(),
            "admin, without verification: signed letter from the owner"
        );
    }

    #[test]
    fn the_last_who_speaks_for_the_business_stays() {
        let o = owner();
        let removed = ContactEdit::Remove(o.clone());
        assert!(check_someone_speaks_for_business(&removed, 0).is_err());
        assert!(check_someone_speaks_for_business(&removed, 1).is_ok());
        let demoted = ContactEdit::Edit {
            before: o.clone(),
            after: ContactDraft {
                role: ContactRole::HrContact,
                ..o
            },
        };
        assert!(check_someone_speaks_for_business(&demoted, 0).is_err());
        assert!(check_someone_speaks_for_business(&ContactEdit::Remove(payroll()), 0).is_ok());
    }
}
