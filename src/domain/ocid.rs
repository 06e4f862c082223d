//! Open Contracting IDs: a tender's ocid is a registered prefix and the tender's number.
//!
//! The Open Contracting Partnership assigns each publisher a prefix, `ocds-` and six letters
//! or digits. Ganbridge's default, `ocds-gnbrdg`, is its own and not registered: a real
//! deployment registers its prefix and sets it (`GANBRIDGE_OCID_PREFIX`). An ocid, once
//! given, never changes; the prefix applies to tenders posted from then on.

use std::fmt;

/// A validated ocid prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcidPrefix(String);

impl OcidPrefix {
    pub const DEFAULT: &'static str = "ocds-gnbrdg";

    pub fn parse(value: &str) -> Result<OcidPrefix, String> {
        let rest = value.strip_prefix("ocds-").unwrap_or_default();
        if rest.len() == 6
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            Ok(OcidPrefix(value.to_owned()))
        } else {
            Err(format!(
                "'{value}' is not an ocid prefix: `ocds-` and six lowercase letters or digits"
            ))
        }
    }

    /// The ocid of tender number `id`.
    pub fn ocid(&self, id: i64) -> String {
        format!("{}-{id:06}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for OcidPrefix {
    fn default() -> Self {
        OcidPrefix(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for OcidPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_ocds_and_six_characters() {
        assert_eq!(
            OcidPrefix::parse("ocds-gnbrdg").unwrap().ocid(7),
            "ocds-gnbrdg-000007"
        );
        assert!(OcidPrefix::parse("ocds-a1b2c3").is_ok());
        for bad in [
            "",
            "ocds-",
            "ocds-ABCDEF",
            "ocds-abcde",
            "ocds-abcdefg",
            "xxxx-abcdef",
        ] {
            assert!(OcidPrefix::parse(bad).is_err(), "{bad}");
        }
    }
}
