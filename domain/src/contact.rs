//! Client contacts: their roles and what a valid address looks like.

use crate::AppError;

stored_set! {
    /// A contact's role at the client business. Only the first two may receive a PIN setup or
    /// reset link, because only they can speak for the business. Ordered as staff look for
    /// them: those who speak for the business first.
    #[derive(PartialOrd, Ord)]
    pub enum ContactRole {
        Owner,
        AuthorizedRepresentative,
        PayrollContact,
        HrContact,
        Accountant,
    }
}

impl ContactRole {
    /// The name staff know the role by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::AuthorizedRepresentative => "Authorized Representative",
            Self::PayrollContact => "Payroll Contact",
            Self::HrContact => "HR Contact",
            Self::Accountant => "Accountant",
        }
    }

    /// The role as a sentence names one holder of it: "the Owner", "an Accountant".
    pub fn with_article(self) -> &'static str {
        match self {
            Self::Owner => "the Owner",
            Self::AuthorizedRepresentative => "an Authorized Representative",
            Self::PayrollContact => "a Payroll Contact",
            Self::HrContact => "an HR Contact",
            Self::Accountant => "an Accountant",
        }
    }

    /// Whether a PIN setup or reset link may be sent to a contact with this role.
    pub fn may_manage_pin(self) -> bool {
        matches!(self, Self::Owner | Self::AuthorizedRepresentative)
    }
}

/// The form an email address is compared in (accounts, device cookies, throttle keys):
/// trimmed and lower-cased, whatever else it holds.
pub fn email_key(raw: &str) -> String {
    raw.trim().to_ascii_lowercase()
}

/// Lower-cases and trims an email address, refusing what cannot be delivered to.
///
/// Deliberately modest: one `@`, a non-empty local part, a dotted domain of letters,
/// digits and hyphens, no spaces, at most 254 characters (RFC 5321's path limit).
pub fn normalize_email(field: &str, raw: &str) -> Result<String, AppError> {
    let email = email_key(raw);
    let refuse = |why: &str| Err(AppError::invalid(field, why));
    if email.is_empty() {
        return refuse("enter an email address");
    }
    if email.len() > 254 {
        return refuse("an email address has at most 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return refuse("an email address needs an @, as in name@example.com");
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return refuse("this is not a valid email address");
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("an email address cannot contain spaces");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return refuse("the part after @ must be a domain such as example.com");
    }
    Ok(email)
}

/// Accepts a mobile number in E.164 form (`+` then 8 to 15 digits, no leading zero),
/// tolerating the spaces, dashes, dots and brackets people type.
pub fn normalize_e164(field: &str, raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if !trimmed.starts_with('+') {
        return Err(AppError::invalid(
            field,
            "a mobile number must start with + and the country code, as in +1 555 010 0199",
        ));
    }
    let mut digits = String::with_capacity(16);
    for c in trimmed[1..].chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(AppError::invalid(
                    field,
                    "a mobile number may contain only digits after the +",
                ));
            }
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(AppError::invalid(
            field,
            "a mobile number has 8 to 15 digits after the + and no leading 0",
        ));
    }
    Ok(format!("+{digits}"))
}

/// Why messages cannot reach a contact whose CRM record holds these addresses: an email
/// address or mobile number no transport would accept. Checked before anything is queued,
/// so a bad record is refused with the reason instead of failing later in the outbox.
pub fn address_problem(name: &str, email: &str, mobile: Option<&str>) -> Option<String> {
    let reason = |e: AppError| match e {
        AppError::InvalidInput { message, .. } => message,
        other => other.to_string(),
    };
    if let Err(e) = normalize_email("email", email) {
        return Some(format!(
            "{name}'s email address \"{email}\" cannot receive messages ({}). Correct it in the CRM first.",
            reason(e)
        ));
    }
    if let Some(mobile) = mobile
        && let Err(e) = normalize_e164("mobile", mobile)
    {
        return Some(format!(
            "{name}'s mobile number \"{mobile}\" cannot receive text messages ({}). Correct it in the CRM first.",
            reason(e)
        ));
    }
    None
}

/// An email address with most of its local part hidden: `a•••z@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let chars: Vec<char> = local.chars().collect();
            let shown = match chars.as_slice() {
                [] => String::new(),
                [one] => format!("{one}•••"),
                [first, .., last] => format!("{first}•••{last}"),
            };
            format!("{shown}@{domain}")
        }
        None => "•••".into(),
    }
}

/// A phone number with all but its last four digits hidden: `•••• 0155`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("•••• {tail}")
}

/// An E.164 number as people read it: `+1 614-555-0155` for North America, otherwise the
/// stored form.
pub fn display_phone(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(d) if d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit()) => {
            format!("+1 {}-{}-{}", &d[..3], &d[3..6], &d[6..])
        }
        _ => e164.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn only_owner_and_authorized_representative_manage_the_pin() {
        let allowed: Vec<_> = ContactRole::iter().filter(|r| r.may_manage_pin()).collect();
        assert_eq!(
            allowed,
            [ContactRole::Owner, ContactRole::AuthorizedRepresentative]
        );
    }

    #[test]
    fn emails_are_normalised_or_refused_with_a_reason() {
        assert_eq!(
            normalize_email("email", "  Ana.Lopez@Example.COM ").unwrap(),
            "ana.lopez@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana @example.com",
            "a@b@c.com",
            "ana@-x.com",
        ] {
            let err = normalize_email("email", bad).unwrap_err();
            assert!(
                matches!(err, AppError::InvalidInput { ref field, .. } if field == "email"),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn bad_addresses_are_named_with_the_reason() {
        assert_eq!(
            address_problem("Ana", "ana@x.example", Some("+15550100199")),
            None
        );
        assert_eq!(address_problem("Ana", "ana@x.example", None), None);
        let email = address_problem("Ana", "ana@", None).unwrap();
        assert!(email.starts_with("Ana's email address \"ana@\""), "{email}");
        let phone = address_problem("Ana", "ana@x.example", Some("555-0199")).unwrap();
        assert!(
            phone.contains("mobile number \"555-0199\"") && phone.contains("country code"),
            "{phone}"
        );
    }

    #[test]
    fn destinations_are_masked() {
        assert_eq!(mask_email("ana.lopez@example.com"), "a•••z@example.com");
        assert_eq!(mask_email("a@example.com"), "a•••@example.com");
        assert_eq!(mask_phone("+16145550155"), "•••• 0155");
        assert_eq!(mask_phone("12"), "•••• 12");
    }

    #[test]
    fn north_american_numbers_are_grouped_for_reading() {
        assert_eq!(display_phone("+16145550155"), "+1 614-555-0155");
        assert_eq!(display_phone("+442071838750"), "+442071838750");
    }

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(
            normalize_e164("mobile", "+1 (555) 010-0199").unwrap(),
            "+15550100199"
        );
        for bad in [
            "5550100199",
            "+0123456789",
            "+1 555",
            "+1555010019912345",
            "+1 555 O10 0199",
            "+",
        ] {
            assert!(normalize_e164("mobile", bad).is_err(), "{bad}");
        }
    }
}
