//! CloudWatch metrics in the embedded metric format: one JSON log line per batch whose `_aws`
//! member tells CloudWatch Logs which of its numbers are metrics, so the functions publish
//! metrics without calling the CloudWatch API. Namespace `Facelens`, one dimension
//! (`Function`); dashboards and alarms read them from there.

use facelens_core::metrics::PhotoCounts;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The namespace of every Facelens metric.
pub const NAMESPACE: &str = "Facelens";

/// The EMF line for what the analysis worker did in one batch (`None` when it did nothing):
/// `PhotosAnalysed`, `PhotosRejected`, `AnalysisFailures`, `Faces`, `MaskedFaces`,
/// `LowConfidenceAlerts`, and `AnalysisMilliseconds` (the mean over the batch's photos).
pub fn photo_metrics(function: &str, timestamp_ms: u64, delta: PhotoCounts) -> Option<Value> {
    let photos = delta.done + delta.rejected + delta.failed;
    if photos == 0 {
        return None;
    }
    // Counts far below 2^53: the conversion to f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    let mean_ms = delta.micros as f64 / 1000.0 / photos as f64;
    let counts = [
        ("PhotosAnalysed", delta.done),
        ("PhotosRejected", delta.rejected),
        ("AnalysisFailures", delta.failed),
        ("Faces", delta.faces),
        ("MaskedFaces", delta.masked),
        ("LowConfidenceAlerts", delta.alerts),
    ];
    let mut metrics: Vec<Value> = counts
        .iter()
        .map(|(name, _)| json!({ "Name": name, "Unit": "Count" }))
        .collect();
    metrics.push(json!({ "Name": "AnalysisMilliseconds", "Unit": "Milliseconds" }));
    let mut line = json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": metrics,
            }],
        },
        "Function": function,
        "AnalysisMilliseconds": mean_ms,
    });
    for (name, value) in counts {
        line[name] = json!(value);
    }
    Some(line)
}

/// The EMF lines for sign-in attempts: one line per method and outcome that changed, with
/// `SignIns` (a count) under the dimensions `Function`, `Method` and `Outcome` (`ok`, or the
/// reason of a failure such as `bad_credentials` or `throttled`).
pub fn sign_in_metrics(
    function: &str,
    timestamp_ms: u64,
    before: &BTreeMap<(String, bool, String), u64>,
    after: &BTreeMap<(String, bool, String), u64>,
) -> Vec<Value> {
    after
        .iter()
        .filter_map(|(key, count)| {
            let delta = count.saturating_sub(before.get(key).copied().unwrap_or(0));
            (delta > 0).then(|| {
                let (method, _, reason) = key;
                json!({
                    "_aws": {
                        "Timestamp": timestamp_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": NAMESPACE,
                            "Dimensions": [["Function", "Method", "Outcome"]],
                            "Metrics": [{ "Name": "SignIns", "Unit": "Count" }],
                        }],
                    },
                    "Function": function,
                    "Method": method,
                    "Outcome": reason,
                    "SignIns": delta,
                })
            })
        })
        .collect()
}

/// Milliseconds since the epoch, for EMF's `Timestamp`.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_becomes_one_emf_line_and_an_idle_one_none() {
        let delta = PhotoCounts {
            done: 3,
            rejected: 1,
            failed: 0,
            faces: 7,
            masked: 2,
            alerts: 1,
            micros: 2_000_000,
        };
        let line = photo_metrics("analysis-worker", 1_700_000_000_000, delta).expect("a line");
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "Facelens");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        let names: Vec<&str> = directive["Metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .filter_map(|m| m["Name"].as_str())
            .collect();
        // Every metric the directive names is a number of the line, as EMF requires.
        for name in &names {
            assert!(line[name].is_number(), "{name}");
        }
        assert_eq!(names.len(), 7);
        assert_eq!(
            (&line["Faces"], &line["MaskedFaces"]),
            (&json!(7), &json!(2))
        );
        assert_eq!(line["AnalysisMilliseconds"], json!(500.0));
        assert_eq!(line["Function"], "analysis-worker");
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000_u64);
        assert!(photo_metrics("analysis-worker", 0, PhotoCounts::default()).is_none());
    }

    #[test]
    fn sign_ins_become_one_line_per_method_and_outcome_that_changed() {
        let key = |m: &str, ok: bool, r: &str| (m.to_owned(), ok, r.to_owned());
        let before = BTreeMap::from([(key("password", true, "ok"), 4)]);
        let after = BTreeMap::from([
            (key("password", true, "ok"), 4),
            (key("password", false, "bad_credentials"), 2),
            (key("face", true, "ok"), 1),
        ]);
        let lines = sign_in_metrics("auth", 5, &before, &after);
        let seen: Vec<(&str, &str, u64)> = lines
            .iter()
            .map(|l| {
                (
                    l["Method"].as_str().unwrap_or_default(),
                    l["Outcome"].as_str().unwrap_or_default(),
                    l["SignIns"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [("face", "ok", 1), ("password", "bad_credentials", 2)]
        );
        assert_eq!(
            lines[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Function", "Method", "Outcome"]])
        );
    }
}
