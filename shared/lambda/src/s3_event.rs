//! The S3 event notifications the analysis worker receives as SQS message bodies (which object
//! keys they name), and the schedule's sweep of abandoned uploads.
//!
//! Kept here, free of the AWS SDK and the models, so that the parsing of these untrusted bodies
//! can be tested and fuzzed on its own (`fuzz/fuzz_targets/s3_event.rs`).

use serde::Deserialize;

/// What an SQS message body from an S3 event notification asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Message {
    /// The `s3:TestEvent` S3 sends when notifications are set up: nothing to do.
    TestEvent,
    /// The decoded keys of the objects the records name, in order (never empty).
    Objects(Vec<String>),
    /// The stack's schedule (an EventBridge rule whose input is [`SWEEP_EVENT`]): fail the
    /// analyses whose photo never arrived.
    SweepAbandoned,
}

/// The `Event` of the message the stack's schedule puts on the queue.
pub const SWEEP_EVENT: &str = "facelens:SweepAbandonedUploads";

/// Reads the body of an SQS message carrying an S3 event notification.
///
/// Read leniently: only each record's `s3.object.key` is needed (S3-compatible servers leave
/// out fields such as `userIdentity`). Keys arrive URL-encoded with `+` for a space and are
/// returned decoded.
///
/// # Errors
/// A message for the logs when the body is not JSON, not an S3 notification, has no records,
/// or names a key that is not validly encoded.
pub fn parse_body(body: &str) -> Result<S3Message, String> {
    let notification: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    match notification.get("Event").and_then(|e| e.as_str()) {
        Some("s3:TestEvent") => return Ok(S3Message::TestEvent),
        Some(SWEEP_EVENT) => return Ok(S3Message::SweepAbandoned),
        _ => {}
    }
    let event: S3Notification = serde_json::from_value(notification)
        .map_err(|e| format!("the body is not an S3 notification: {e}"))?;
    if event.records.is_empty() {
        return Err("the S3 notification has no records".into());
    }
    event
        .records
        .iter()
        .map(|record| {
            let key = &record.s3.object.key;
            decode_key(key).ok_or_else(|| format!("malformed object key {key:?}"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(S3Message::Objects)
}

/// Decodes an object key as S3 notifications carry it: URL-encoded, with `+` for a space.
///
/// `None` when a `%` is not followed by two hexadecimal digits or the bytes are not UTF-8.
#[must_use]
pub fn decode_key(key: &str) -> Option<String> {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let &[hi, lo] = bytes.get(i + 1..i + 3)? else {
                    return None;
                };
                out.push((hex_value(hi)? << 4) | hex_value(lo)?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The value of one hexadecimal digit.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// The part of an S3 event notification the worker reads: each record's object key.
#[derive(Deserialize)]
struct S3Notification {
    #[serde(rename = "Records", default)]
    records: Vec<S3Record>,
}

#[derive(Deserialize)]
struct S3Record {
    s3: S3Entity,
}

#[derive(Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(Deserialize)]
struct S3Object {
    key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_encoded_keys_when_decoded_then_as_stored() {
        assert_eq!(
            decode_key("uploads%2Fann%2Fa+b.jpg").as_deref(),
            Some("uploads/ann/a b.jpg")
        );
        assert_eq!(
            decode_key("plain/key.jpg").as_deref(),
            Some("plain/key.jpg")
        );
        assert_eq!(decode_key("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode_key("bad%2"), None);
        assert_eq!(decode_key("bad%zz"), None);
        assert_eq!(decode_key("bad%C3"), None, "not UTF-8");
    }

    /// Found while writing the decoding oracle of the `s3_event` fuzz target:
    /// `u8::from_str_radix` takes a leading `+`, so `%+1` used to decode to the byte 1 instead
    /// of being refused.
    #[test]
    fn given_a_sign_in_an_escape_when_decoded_then_refused() {
        assert_eq!(decode_key("a%+1.jpg"), None);
        assert_eq!(decode_key("a%-1.jpg"), None);
        assert_eq!(decode_key("a%+f"), None);
    }

    #[test]
    fn given_bodies_when_parsed_then_keys_or_reasons() {
        let body = r#"{"Records":[{"s3":{"object":{"key":"uploads/ann/a%20b.jpg"}}},
            {"s3":{"object":{"key":"x+y.png"}}}]}"#;
        assert_eq!(
            parse_body(body),
            Ok(S3Message::Objects(vec![
                "uploads/ann/a b.jpg".into(),
                "x y.png".into()
            ]))
        );
        assert_eq!(
            parse_body(r#"{"Event":"s3:TestEvent","Bucket":"b"}"#),
            Ok(S3Message::TestEvent)
        );
        assert_eq!(
            parse_body(r#"{"Event":"facelens:SweepAbandonedUploads"}"#),
            Ok(S3Message::SweepAbandoned)
        );
        for refused in [
            "",
            "not json",
            "[]",
            r#"{"Records":[]}"#,
            r#"{}"#,
            r#"{"Records":[{"s3":{}}]}"#,
            r#"{"Records":[{"s3":{"object":{"key":"a%zz"}}}]}"#,
        ] {
            assert!(parse_body(refused).is_err(), "{refused}");
        }
    }
}
