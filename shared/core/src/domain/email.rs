//! Email addresses, validated to the shape `local@domain.tld` and lowercased so that uniqueness
//! holds whatever case a person types.

use super::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A plausible, normalised email address (at most 254 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates and normalises an email address.
    ///
    /// # Errors
    /// A [`ValidationError`] saying what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        let invalid = || ValidationError("email must look like name@example.com".into());
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']);
        if domain_ok && local_ok {
            Ok(Self(email))
        } else {
            Err(invalid())
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
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
        fn plausible_addresses_are_accepted(local in "[a-z0-9._+-]{1,30}", host in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
            let raw = format!("{local}@{host}.{tld}");
            let parsed = Email::parse(&raw).expect("valid");
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }

        #[test]
        fn case_is_normalised(local in "[a-z]{1,10}", host in "[a-z]{1,10}") {
            let raw = format!("{}@{}.COM", local.to_uppercase(), host);
            let parsed = Email::parse(&raw).expect("valid");
            prop_assert_eq!(parsed.as_str(), format!("{local}@{host}.com"));
        }

        #[test]
        fn text_without_at_is_refused(text in "[a-z0-9.]{0,40}") {
            prop_assert!(Email::parse(&text).is_err());
        }
    }

    #[test]
    fn odd_shapes_are_refused() {
        for bad in [
            "a@b",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "a@-x.com",
            "a@x..com",
            "<a>@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
