//! The validated newtypes every body field goes through (`facelens_core::domain`): usernames,
//! emails and new passwords, with arbitrary text.
//!
//! Must hold: no panic; a parsed username is 3 to 32 characters of `a-z0-9._-` (so never a
//! control character, `\0` or `|`, which store keys use as separators) and parsing it again
//! gives it back (idempotent); an email is at most 254 bytes, lowercase, with one `@`, no
//! whitespace or control character, and idempotent; a new password is 8 to 128 characters and
//! never contains the username.

#![no_main]

use facelens_core::domain::{Email, NewPassword, Username};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line can be a username for the password check, the rest a password.
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));

    for raw in [text, first, rest] {
        if let Ok(name) = Username::parse(raw) {
            let s = name.as_str();
            assert!((3..=32).contains(&s.len()), "{s:?}");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
                "{s:?}"
            );
            assert!(s.starts_with(|c: char| c.is_ascii_alphanumeric()), "{s:?}");
            assert!(!s.chars().any(char::is_control));
            assert_eq!(Username::parse(s).as_ref(), Ok(&name), "not idempotent");
            // Serde goes through the same check.
            let json = serde_json::to_string(&name).expect("serialises");
            assert_eq!(
                serde_json::from_str::<Username>(&json).ok().as_ref(),
                Some(&name)
            );
        }

        if let Ok(email) = Email::parse(raw) {
            let s = email.as_str();
            assert!(s.len() <= 254, "{s:?}");
            assert_eq!(s.matches('@').count(), 1, "{s:?}");
            assert!(
                !s.chars().any(|c| c.is_control() || c.is_whitespace()),
                "{s:?}"
            );
            assert_eq!(s, s.to_lowercase());
            assert_eq!(Email::parse(s).as_ref(), Ok(&email), "not idempotent");
        }
    }

    let name = Username::parse(first).ok();
    let checked = NewPassword::parse(rest, name.as_ref().map(Username::as_str));
    let unchecked = NewPassword::parse(rest, None);
    if let Ok(password) = &checked {
        let chars = password.expose().chars().count();
        assert!((8..=128).contains(&chars), "{chars} characters");
        assert!(unchecked.is_ok(), "the username can only refuse more");
        if let Some(name) = &name {
            let folded = password.expose().to_lowercase();
            assert!(!folded.contains(name.as_str()), "contains the username");
        }
    }
});
