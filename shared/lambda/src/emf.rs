//! CloudWatch metrics in the embedded metric format: one JSON log line per batch whose `_aws`
//! member tells CloudWatch Logs which of its numbers are metrics, so the functions publish
//! metrics without calling the CloudWatch API. Namespace `Facelens`, one dimension
//! (`Function`); dashboards and alarms read them from there.

use facelens_core::metrics::PhotoCounts;
use serde_json::{Value, json};

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
}
