//! English phrasing shared by messages that name several things.

/// "A", "A and B", "A, B and C": the names in order, as a sentence lists them.
pub fn and_list<S: AsRef<str>>(names: &[S]) -> String {
    joined(names, "and")
}

/// "A", "A or B", "A, B or C": alternatives, as a sentence offers them.
pub fn or_list<S: AsRef<str>>(names: &[S]) -> String {
    joined(names, "or")
}

/// The reason a person gives for an exceptional step, trimmed: it goes into the audit
/// trail, so it must say something (at least 5 characters) and stay readable (at most
/// 500). `why` finishes "Say why …", as the refusal asks for it.
pub fn audit_reason(reason: &str, why: &str) -> Result<String, crate::AppError> {
    let reason = reason.trim();
    match reason.chars().count() {
        0..5 => Err(crate::AppError::invalid(
            "reason",
            format!("Say why {why} (at least 5 characters), for the audit trail."),
        )),
        5..=500 => Ok(reason.to_owned()),
        _ => Err(crate::AppError::invalid(
            "reason",
            "Keep the reason to 500 characters or fewer.",
        )),
    }
}

fn joined<S: AsRef<str>>(names: &[S], conjunction: &str) -> String {
    match names {
        [] => String::new(),
        [only] => only.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{and_list, audit_reason, or_list};
    use crate::AppError;

    #[test]
    fn a_reason_says_something_and_stays_readable() {
        assert_eq!(audit_reason("  typo fixed ", "x").unwrap(), "typo fixed");
        let short = audit_reason(" abc ", "the client moves back");
        assert!(
            matches!(&short, Err(AppError::InvalidInput { field, message })
                if field == "reason" && message == "Say why the client moves back (at least 5 characters), for the audit trail."),
            "{short:?}"
        );
        assert!(audit_reason(&"é".repeat(500), "x").is_ok());
        assert!(audit_reason(&"é".repeat(501), "x").is_err());
    }

    #[test]
    fn names_are_listed_as_a_sentence_would() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["Compeo"]), "Compeo");
        assert_eq!(and_list(&["Compeo", "PeoPayGo"]), "Compeo and PeoPayGo");
        assert_eq!(
            and_list(&["Cornerstone", "PeoPayGo", "Compeo", "CoGuardHR"]),
            "Cornerstone, PeoPayGo, Compeo and CoGuardHR"
        );
        assert_eq!(
            or_list(&["the Owner", "an Accountant"]),
            "the Owner or an Accountant"
        );
    }
}
