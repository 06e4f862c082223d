//! The unified social credit code (统一社会信用代码) of GB 32100-2015.
//!
//! Eighteen characters: registration authority (1), organisation type (1), administrative
//! division (6 digits), organisation code (9, itself carrying a GB 11714 check character) and a
//! final check character. The final check is a weighted sum modulo 31 over a 31-character
//! alphabet: since 31 is prime and no weight is a multiple of it, any single substituted
//! character changes the sum, so every one-character typo is caught.

use std::fmt;

/// The 31 characters GB 32100-2015 allows (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31 for positions 1..=17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the eight body characters of the organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A validated unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a unified social credit code has 18 characters, got {0}")]
    Length(usize),
    #[error("character {position} ('{found}') is not allowed in a unified social credit code")]
    Character { position: usize, found: char },
    #[error(
        "characters 3 to 8 of a unified social credit code are the administrative division code and must be digits"
    )]
    Division,
    #[error("the organisation code check character (position 17) does not match")]
    OrganisationCheck,
    #[error("the check character (position 18) does not match: expected '{expected}'")]
    Check { expected: char },
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|v| v as u32)
}

/// The GB 11714 check character over the eight body characters of an organisation code.
fn organisation_check(body: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in body.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    })
}

fn final_check(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    Some(ALPHABET[((31 - sum % 31) % 31) as usize])
}

impl Uscc {
    /// Validates a code; surrounding whitespace is ignored and lower case is accepted.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code = input.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let chars = code.chars().count();
        if chars != 18 || bytes.len() != 18 {
            return Err(UsccError::Length(chars));
        }
        for (i, &c) in bytes.iter().enumerate() {
            if value(c).is_none() {
                return Err(UsccError::Character {
                    position: i + 1,
                    found: c as char,
                });
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(UsccError::Division);
        }
        let expected = final_check(&bytes[..17]).ok_or(UsccError::Division)?;
        if bytes[17] != expected {
            return Err(UsccError::Check {
                expected: expected as char,
            });
        }
        if organisation_check(&bytes[8..16]) != Some(bytes[16]) {
            return Err(UsccError::OrganisationCheck);
        }
        Ok(Self(code))
    }

    /// Builds a valid code from its parts, computing both check characters.
    ///
    /// `prefix` is the registration authority and organisation type (e.g. `"91"` for an
    /// enterprise registered with market regulation), `division` the six-digit administrative
    /// division code, `organisation` the eight body characters of the organisation code.
    pub fn assemble(prefix: &str, division: &str, organisation: &str) -> Result<Self, UsccError> {
        let mut code = format!("{prefix}{division}{organisation}");
        if code.len() != 16 {
            return Err(UsccError::Length(code.len() + 2));
        }
        let org =
            organisation_check(organisation.as_bytes()).ok_or(UsccError::OrganisationCheck)?;
        code.push(org as char);
        let check = final_check(code.as_bytes()).ok_or(UsccError::Division)?;
        code.push(check as char);
        Self::parse(&code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_published_code() {
        // The code printed on a sample business licence in the GB 32100-2015 commentary.
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn rejects_wrong_length_and_letters_outside_the_alphabet() {
        assert_eq!(Uscc::parse("9135010").unwrap_err(), UsccError::Length(7));
        assert!(matches!(
            Uscc::parse("91350100M000100I43"),
            Err(UsccError::Character { position: 16, .. })
        ));
        assert!(matches!(
            Uscc::parse("91350100M000100Y44"),
            Err(UsccError::Check { .. })
        ));
    }

    fn valid_code() -> impl Strategy<Value = Uscc> {
        ("[159Y][123]", "3[0-9]{5}", "[0-9A-HJ-NP-RTUWY]{8}")
            .prop_filter_map("organisation check outside the alphabet", |(p, d, o)| {
                Uscc::assemble(&p, &d, &o).ok()
            })
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(code in valid_code()) {
            let parsed = Uscc::parse(code.as_str()).unwrap();
            prop_assert_eq!(&parsed, &code);
            prop_assert_eq!(Uscc::parse(&code.as_str().to_ascii_lowercase()).unwrap(), code);
        }

        #[test]
        fn every_single_character_corruption_is_rejected(code in valid_code(), position in 0usize..18, replacement in any::<char>()) {
            let original: Vec<char> = code.as_str().chars().collect();
            prop_assume!(original[position] != replacement.to_ascii_uppercase());
            let mut corrupted = original.clone();
            corrupted[position] = replacement;
            let corrupted: String = corrupted.into_iter().collect();
            prop_assert!(Uscc::parse(&corrupted).is_err(), "{} accepted", corrupted);
        }

        #[test]
        fn every_substitution_within_the_alphabet_is_rejected(code in valid_code(), position in 0usize..18, index in 0usize..31) {
            let mut bytes = code.as_str().as_bytes().to_vec();
            prop_assume!(bytes[position] != ALPHABET[index]);
            bytes[position] = ALPHABET[index];
            let corrupted = String::from_utf8(bytes).unwrap();
            prop_assert!(Uscc::parse(&corrupted).is_err(), "{} accepted", corrupted);
        }
    }
}
