//! Usernames: 3 to 32 characters of `a-z`, `0-9`, `.`, `_` and `-`, starting with a letter or a
//! digit. Input is trimmed and lowercased so `Alice` and `alice` are one account.

use super::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid, normalised username.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Validates and normalises a username.
    ///
    /// # Errors
    /// A [`ValidationError`] saying what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim().to_lowercase();
        let len = name.chars().count();
        if !(3..=32).contains(&len) {
            return Err(ValidationError(
                "username must be 3 to 32 characters long".into(),
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ValidationError(
                "username must start with a letter or a digit".into(),
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ValidationError(
                "username may contain only letters, digits, '.', '_' and '-'".into(),
            ));
        }
        Ok(Self(name))
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn valid_names_round_trip(name in "[a-z0-9][a-z0-9._-]{2,31}") {
            let parsed = Username::parse(&name).expect("valid name");
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn case_and_spaces_are_normalised(name in "[a-z0-9][a-z0-9._-]{2,31}") {
            let shouted = format!("  {}  ", name.to_uppercase());
            let parsed = Username::parse(&shouted).expect("valid");
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn any_other_character_is_refused(prefix in "[a-z]{2,10}", bad in "[!#$%&'()*+,/:;<=>?@\\[\\]^`{|}~]|[à-ÿ]") {
            let candidate = format!("{prefix}{bad}");
            prop_assert!(Username::parse(&candidate).is_err());
        }

        #[test]
        fn wrong_lengths_are_refused(name in "[a-z]{33,60}|[a-z]{0,2}") {
            prop_assert!(Username::parse(&name).is_err());
        }
    }

    #[test]
    fn must_start_with_letter_or_digit() {
        assert!(Username::parse("_alice").is_err());
        assert!(Username::parse(".bob").is_err());
        assert!(Username::parse("7of9").is_ok());
    }
}
