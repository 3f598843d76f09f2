//! How long each field a request carries may be. Checked on every server function's
//! arguments before any work (the server's `bounded_fields` layer answers 422), so a
//! megabyte "email" is never hashed, looked up, throttled or written to the audit trail.
//! The bounds are far above anything a person types and well below what costs us.

/// The longest value, in characters, the field named `field` may hold.
pub fn max_chars(field: &str) -> usize {
    match field {
        // RFC 5321's limit on a forward path, as every mail system enforces it.
        "email" => 254,
        "password" | "current_password" => crate::staff::MAX_PASSWORD_CHARS,
        // Names are trimmed and held to 100 by their own rule, which says so kindly.
        "name" => 200,
        "next" => 2048,
        "search" => 200,
        // A setup link's token is 43 characters by default, 86 at the largest setting.
        "token" => 128,
        "pin" | "confirm" => 16,
        // A 6-digit authenticator code, or a 24-character recovery code typed with its
        // dashes or spaces.
        "code" => 40,
        "session" => crate::staff::sessions::SESSION_ID_CHARS,
        // A WebAuthn answer (its attestation object holds a public key and, at most, a
        // certificate chain) as JSON, and the id of the ceremony it answers.
        "credential" => 16_384,
        "ceremony" => 64,
        "reason" => 500,
        "client_id" | "contact_id" | "id" | "whose" | "page" => 20,
        "tab" | "role" | "purpose" | "change" | "brand" | "slug" => 40,
        // A field no function takes is dropped by the decoder; bounded all the same.
        _ => 256,
    }
}

/// The first field of `fields` longer than its bound, as the refusal to answer with.
pub fn check_field_lengths<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), crate::AppError> {
    for (field, value) in fields {
        let max = max_chars(field);
        // Bytes bound characters from above: most values are short ASCII, counted at once.
        if value.len() > max && value.chars().count() > max {
            return Err(crate::AppError::invalid(
                field.chars().take(40).collect::<String>(),
                format!("at most {max} characters"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_is_held_to_its_bound() {
        let long_email = format!("{}@example.com", "a".repeat(250));
        let refused = check_field_lengths([("email", long_email.as_str())]).unwrap_err();
        assert_eq!(refused.to_string(), "email: at most 254 characters");
        assert!(check_field_lengths([("email", "a@example.com"), ("next", "/clients/3")]).is_ok());
        // Characters, not bytes: a 6-digit PIN in another script is still 6 characters.
        assert!(check_field_lengths([("pin", "٠١٢٣٤٥")]).is_ok());
        let unknown = "x".repeat(257);
        assert!(check_field_lengths([("anything", unknown.as_str())]).is_err());
    }
}
