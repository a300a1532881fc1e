//! New passwords, checked as NIST SP 800-63B asks: 8 to 128 characters, any characters
//! allowed, no composition rules, and passwords known from breach lists refused.

use super::{ValidationError, common_passwords};
use crate::secret::Secret;

/// A password that a person chose and that passed the policy. The text is wrapped in
/// [`Secret`] so it never reaches a log.
#[derive(Debug, Clone)]
pub struct NewPassword(Secret<String>);

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters a password may have.
pub const MAX_PASSWORD_CHARS: usize = 128;

impl NewPassword {
    /// Checks a chosen password against the policy.
    ///
    /// # Errors
    /// A [`ValidationError`] saying why the password is refused.
    pub fn parse(raw: &str, username: Option<&str>) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if len < MIN_PASSWORD_CHARS {
            return Err(ValidationError(format!(
                "password must be at least {MIN_PASSWORD_CHARS} characters long"
            )));
        }
        if len > MAX_PASSWORD_CHARS {
            return Err(ValidationError(format!(
                "password must be at most {MAX_PASSWORD_CHARS} characters long"
            )));
        }
        let folded = raw.to_lowercase();
        if common_passwords::contains(&folded) {
            return Err(ValidationError(
                "this password is too common; choose another".into(),
            ));
        }
        if username.is_some_and(|name| folded.contains(&name.to_lowercase())) {
            return Err(ValidationError(
                "password must not contain the username".into(),
            ));
        }
        Ok(Self(Secret::new(raw.to_owned())))
    }

    /// The password text, for hashing.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn long_random_passwords_are_accepted(pw in "[a-zA-Z0-9 !@#%^&*]{12,128}") {
            prop_assume!(!common_passwords::contains(&pw.to_lowercase()));
            prop_assert!(NewPassword::parse(&pw, None).is_ok());
        }

        #[test]
        fn short_passwords_are_refused(pw in ".{0,7}") {
            prop_assert!(NewPassword::parse(&pw, None).is_err());
        }

        #[test]
        fn over_long_passwords_are_refused(pw in "[a-z]{129,200}") {
            prop_assert!(NewPassword::parse(&pw, None).is_err());
        }
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert!(NewPassword::parse("password123", None).is_err());
        assert!(NewPassword::parse("PassWord123", None).is_err());
        assert!(NewPassword::parse("qwertyuiop", None).is_err());
    }

    #[test]
    fn passwords_holding_the_username_are_refused() {
        assert!(NewPassword::parse("alice-is-great-2026", Some("alice")).is_err());
        assert!(NewPassword::parse("correct horse battery", Some("alice")).is_ok());
    }

    #[test]
    fn unicode_counts_characters_not_bytes() {
        assert!(NewPassword::parse("ééééééé", None).is_err());
        assert!(NewPassword::parse("ééééééééé", None).is_ok());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let pw = NewPassword::parse("a secret phrase here", None).expect("valid");
        assert!(!format!("{pw:?}").contains("secret"));
    }
}
