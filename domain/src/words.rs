//! English phrasing shared by messages that name several things.

/// "A", "A and B", "A, B and C": the names in order, as a sentence lists them.
pub fn and_list<S: AsRef<str>>(names: &[S]) -> String {
    joined(names, "and")
}

/// "A", "A or B", "A, B or C": alternatives, as a sentence offers them.
pub fn or_list<S: AsRef<str>>(names: &[S]) -> String {
    joined(names, "or")
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
    use super::{and_list, or_list};

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
