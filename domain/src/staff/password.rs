//! The rules a new staff password must meet. Length follows NIST SP 800-63B §3.1.1.2 (at
//! least 8, allow at least 64, no composition rules); we ask 12 of staff accounts. A
//! password must also not contain the person's own name or email, and, on the server, must
//! score at least 3 of 4 with zxcvbn, which knows common passwords, words, dates and
//! keyboard patterns (ASVS 6.2.4, 6.2.11, 6.2.12). zxcvbn's dictionaries are large, so they
//! are compiled only with the `strength` feature, which the browser bundle leaves out.

use crate::AppError;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The least zxcvbn score (0–4) a new password may have: 3 is "safely unguessable"
/// against an offline attack on a slow hash.
pub const MIN_STRENGTH_SCORE: u8 = 3;
/// Parts of a name or email shorter than this are too common to refuse (a "Li" or "jo").
const MIN_PERSONAL_CHARS: usize = 3;

/// The length rule alone: what the browser can say while the person types.
pub fn check_password_length(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("use at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The words of a person's name and email that their password must not contain, lower
/// case: each name word, the name run together, the email and its part before the `@`.
pub fn personal_words(name: &str, email: &str) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let name = name.trim().to_lowercase();
    let mut words: Vec<String> = name.split_whitespace().map(str::to_owned).collect();
    words.push(name.split_whitespace().collect());
    words.extend([local, email]);
    words.retain(|w| w.chars().count() >= MIN_PERSONAL_CHARS);
    words.sort();
    words.dedup();
    words
}

/// Refuses a password that contains the person's own name or email (ignoring case).
pub fn check_not_personal(password: &str, name: &str, email: &str) -> Result<(), AppError> {
    let typed = password.to_lowercase();
    if personal_words(name, email)
        .iter()
        .any(|word| typed.contains(word.as_str()))
    {
        return Err(AppError::invalid(
            "password",
            "do not use your own name or email in your password",
        ));
    }
    Ok(())
}

/// Every rule for a new password of the account named `name` with `email`: length, not
/// personal, and a zxcvbn score of at least [`MIN_STRENGTH_SCORE`]. A refusal says what
/// zxcvbn found wrong, when it says.
#[cfg(feature = "strength")]
pub fn check_new_password(password: &str, name: &str, email: &str) -> Result<(), AppError> {
    check_password_length(password)?;
    check_not_personal(password, name, email)?;
    let words = personal_words(name, email);
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) >= MIN_STRENGTH_SCORE {
        return Ok(());
    }
    let advice = estimate.feedback().and_then(|f| {
        f.warning()
            .map(|w| w.to_string())
            .or_else(|| f.suggestions().first().map(|s| s.to_string()))
    });
    let mut message = "this password is too easy to guess".to_owned();
    if let Some(advice) = advice {
        message = format!("{message}: {}", advice.trim_end_matches('.'));
    }
    Err(AppError::invalid(
        "password",
        format!("{message}. A few unrelated words together make a strong one."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_bounds() {
        assert!(check_password_length("short").is_err());
        assert!(check_password_length("twelve chars").is_ok());
        assert!(check_password_length(&"x".repeat(129)).is_err());
    }

    #[test]
    fn a_password_with_ones_own_name_or_email_is_refused() {
        let (name, email) = ("Avery Morgan", "amorgan@janus.example");
        for password in [
            "avery-harbor-lantern",
            "lantern MORGAN harbor",
            "averymorgan-2026!",
            "harbor-amorgan-lantern",
        ] {
            assert!(
                check_not_personal(password, name, email).is_err(),
                "{password}"
            );
        }
        assert!(check_not_personal("harbor-lantern-7412", name, email).is_ok());
        // Two letters are too common a part to refuse.
        assert!(check_not_personal("jo-harbor-lantern", "Jo Li", "jo@x.example").is_ok());
    }

    #[cfg(feature = "strength")]
    #[test]
    fn the_strength_gate_refuses_guessable_passwords_and_says_why() {
        let (name, email) = ("Avery Morgan", "amorgan@janus.example");
        for weak in [
            "password1234",
            "qwertyuiop12",
            "aaaaaaaaaaaa",
            "123456789012",
        ] {
            let refused = check_new_password(weak, name, email).unwrap_err();
            assert!(
                refused.to_string().contains("too easy to guess"),
                "{weak}: {refused}"
            );
        }
        for strong in ["harbor-lantern-7412", "copper kettle morning"] {
            assert_eq!(check_new_password(strong, name, email), Ok(()), "{strong}");
        }
        assert!(check_new_password("short", name, email).is_err());
        assert!(check_new_password("averymorgan-harbor-7412", name, email).is_err());
    }
}
