//! The analysis worker's input: an SQS event (arbitrary JSON, read as
//! `aws_lambda_events::sqs::SqsEvent` as the Lambda runtime does) whose message bodies are S3
//! event notifications, read by `facelens_lambda::s3_event::parse_body` into object keys; and
//! the key decoding on its own, against a reference.
//!
//! (The worker's crate links the AWS SDK and the models; its parsing lives in
//! `facelens-lambda` so that it can be fuzzed without them.)
//!
//! Must hold: no panic; an accepted notification names at least one key; each key is exactly
//! the percent-decoding of what the record said (`+` a space, `%` followed by two hexadecimal
//! digits, nothing else); encoding any key and decoding it gives the key back.

#![no_main]

use aws_lambda_events::event::sqs::SqsEvent;
use facelens_lambda::s3_event::{S3Message, decode_key, parse_body};
use libfuzzer_sys::fuzz_target;

/// A straightforward percent-decoding to compare with.
fn reference_decode(key: &str) -> Option<String> {
    let bytes = key.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// How S3 writes a key into a notification.
fn encode(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        match b {
            b' ' => out.push('+'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    assert_eq!(decode_key(text), reference_decode(text), "{text:?}");
    assert_eq!(decode_key(&encode(text)).as_deref(), Some(text));

    let check_body = |body: &str| {
        if let Ok(S3Message::Objects(keys)) = parse_body(body) {
            assert!(!keys.is_empty());
            let raw: serde_json::Value = serde_json::from_str(body).expect("accepted as JSON");
            let records = raw["Records"].as_array().expect("records");
            assert_eq!(records.len(), keys.len());
            for (record, key) in records.iter().zip(&keys) {
                let encoded = record["s3"]["object"]["key"].as_str().expect("a key");
                assert_eq!(reference_decode(encoded).as_ref(), Some(key));
            }
        }
    };

    // The input as one message body, and as a whole SQS event.
    check_body(text);
    if let Ok(event) = serde_json::from_str::<SqsEvent>(text) {
        for message in &event.records {
            if let Some(body) = message.body.as_deref() {
                check_body(body);
            }
        }
    }
});
