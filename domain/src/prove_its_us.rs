//! *Prove it's us*: the client checks that a caller is really from the PEO. Asking for a
//! PIN is exactly what a fraudster posing as us would do, so staff can first send the
//! contact's email and mobile on file three words, and read the same words aloud. Only
//! someone who can make our system message the addresses on file knows them.
//!
//! The words are an adjective, a noun and a number from short lists of words that are
//! easy to say on a phone and hard to mishear: 64 × 64 × 16 = 65,536 phrases. That is
//! plenty for a proof that lives for one call: a fraudster cannot try phrases on the client.

/// Adjectives, each distinct in sound from the others.
pub const ADJECTIVES: [&str; 64] = [
    "amber", "brave", "bright", "calm", "clever", "copper", "crisp", "curly", "daring", "dusty",
    "eager", "early", "fancy", "fluffy", "gentle", "giant", "golden", "happy", "hidden", "honest",
    "humble", "icy", "jolly", "lively", "lucky", "mellow", "mighty", "misty", "modern", "noble",
    "olive", "orange", "patient", "polite", "proud", "purple", "quick", "quiet", "rapid", "rosy",
    "royal", "rusty", "sandy", "shiny", "silver", "simple", "sleepy", "smooth", "snowy", "solid",
    "spicy", "steady", "sunny", "swift", "tidy", "tiny", "velvet", "vivid", "warm", "wild",
    "windy", "witty", "woolly", "zesty",
];

/// Nouns: animals and things everyone can picture.
pub const NOUNS: [&str; 64] = [
    "anchor", "apple", "badger", "banjo", "beacon", "bison", "button", "cactus", "camel", "canyon",
    "castle", "cello", "comet", "cricket", "dolphin", "dragon", "eagle", "falcon", "feather",
    "forest", "fox", "garden", "glacier", "harbor", "hedgehog", "island", "jaguar", "kettle",
    "koala", "ladder", "lantern", "lemon", "lizard", "magnet", "maple", "meadow", "mitten",
    "monkey", "needle", "otter", "owl", "panda", "parrot", "pebble", "pepper", "pillow", "pirate",
    "planet", "pumpkin", "rabbit", "river", "rocket", "saddle", "salmon", "tiger", "tractor",
    "tulip", "turtle", "violin", "walnut", "whale", "willow", "window", "zebra",
];

/// Numbers that sound unlike one another ("thirteen" and "thirty" are left out).
pub const NUMBERS: [&str; 16] = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "forty", "fifty", "hundred", "thousand",
];

/// The phrase for three random numbers (any values; each is taken modulo its list).
pub fn phrase(picks: [u32; 3]) -> String {
    let pick = |list: &[&'static str], n: u32| list[n as usize % list.len()];
    format!(
        "{} {} {}",
        pick(&ADJECTIVES, picks[0]),
        pick(&NOUNS, picks[1]),
        pick(&NUMBERS, picks[2])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_word_is_distinct_plain_and_lower_case() {
        let all: Vec<&str> = ADJECTIVES
            .iter()
            .chain(&NOUNS)
            .chain(&NUMBERS)
            .copied()
            .collect();
        assert_eq!(
            all.iter().collect::<HashSet<_>>().len(),
            all.len(),
            "no word twice"
        );
        assert!(
            all.iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        );
    }

    #[test]
    fn a_phrase_is_an_adjective_a_noun_and_a_number() {
        assert_eq!(phrase([0, 17, 5]), "amber falcon seven");
        assert_eq!(phrase([64, 64 + 17, 16 + 5]), "amber falcon seven");
        let phrases: HashSet<String> = (0..64u32)
            .flat_map(|a| (0..64u32).map(move |n| phrase([a, n, a ^ n])))
            .collect();
        assert_eq!(phrases.len(), 64 * 64);
    }
}
