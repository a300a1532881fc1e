//! Recorded Rekognition replies for tests (`tests/fixtures/rekognition/`, their sources in that
//! folder's README): each file holds the `status`, the `headers` and the JSON `body` of one
//! reply, turned here into the HTTP response a replaying SDK client gives back.

use aws_smithy_types::body::SdkBody;
use serde_json::Value;

/// The reply recorded in `tests/fixtures/rekognition/{name}.json` of this crate.
///
/// # Panics
/// When the fixture is missing or malformed: a broken test fixture.
pub fn rekognition_reply(name: &str) -> http::Response<SdkBody> {
    let path = format!(
        "{}/tests/fixtures/rekognition/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixture: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    let status = fixture["status"].as_u64().expect("a status") as u16;
    let mut response = http::Response::builder().status(status);
    for (name, value) in fixture["headers"].as_object().expect("headers") {
        response = response.header(name.as_str(), value.as_str().expect("a text header"));
    }
    response
        .body(SdkBody::from(fixture["body"].to_string()))
        .expect("a valid response")
}
