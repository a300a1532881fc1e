//! Counters of what the service does, for operators: photos analysed by outcome, faces and
//! masked faces, low-confidence alerts, analysis time, sign-ins by method and outcome. Kept in
//! memory per process; the local server serves them as Prometheus text (`GET /metrics`).
//! Nothing personal is counted: no names, no addresses, only totals.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How a photo's analysis ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoOutcome {
    /// Analysed.
    Done,
    /// Unusable (not an image, too many pixels, ...): failed for the person, done for us.
    Rejected,
    /// Our side failed; the job is retried.
    Failed,
}

/// The counters. Cheap to update from many tasks at once.
#[derive(Debug, Default)]
pub struct Metrics {
    photos_done: AtomicU64,
    photos_rejected: AtomicU64,
    photos_failed: AtomicU64,
    faces: AtomicU64,
    masked: AtomicU64,
    alerts: AtomicU64,
    analysis_micros: AtomicU64,
    sign_ins: Mutex<BTreeMap<(String, bool, String), u64>>,
}

/// The photo counters at one moment; two of them give what happened in between.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoCounts {
    /// Photos analysed.
    pub done: u64,
    /// Photos refused as unusable.
    pub rejected: u64,
    /// Analyses that failed on our side (retried).
    pub failed: u64,
    /// Faces found.
    pub faces: u64,
    /// Of them, masked.
    pub masked: u64,
    /// Low-confidence alerts raised.
    pub alerts: u64,
    /// Microseconds spent analysing.
    pub micros: u64,
}

impl PhotoCounts {
    /// What happened since `earlier`.
    #[must_use]
    pub fn since(self, earlier: PhotoCounts) -> PhotoCounts {
        PhotoCounts {
            done: self.done.saturating_sub(earlier.done),
            rejected: self.rejected.saturating_sub(earlier.rejected),
            failed: self.failed.saturating_sub(earlier.failed),
            faces: self.faces.saturating_sub(earlier.faces),
            masked: self.masked.saturating_sub(earlier.masked),
            alerts: self.alerts.saturating_sub(earlier.alerts),
            micros: self.micros.saturating_sub(earlier.micros),
        }
    }
}

impl Metrics {
    /// The photo counters now.
    pub fn photos(&self) -> PhotoCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        PhotoCounts {
            done: get(&self.photos_done),
            rejected: get(&self.photos_rejected),
            failed: get(&self.photos_failed),
            faces: get(&self.faces),
            masked: get(&self.masked),
            alerts: get(&self.alerts),
            micros: get(&self.analysis_micros),
        }
    }

    /// One photo's analysis ended with `outcome` after `took`; `faces` and `masked` when done.
    pub fn photo(&self, outcome: PhotoOutcome, faces: usize, masked: usize, took: Duration) {
        let counter = match outcome {
            PhotoOutcome::Done => &self.photos_done,
            PhotoOutcome::Rejected => &self.photos_rejected,
            PhotoOutcome::Failed => &self.photos_failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.faces.fetch_add(faces as u64, Ordering::Relaxed);
        self.masked.fetch_add(masked as u64, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.analysis_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// A low-confidence alert was raised.
    pub fn alert(&self) {
        self.alerts.fetch_add(1, Ordering::Relaxed);
    }

    /// A sign-in attempt with `method` ended with `success` for `reason` (`ok`,
    /// `bad_credentials`, `throttled`, ...).
    pub fn sign_in(&self, method: &str, success: bool, reason: &str) {
        let mut counts = self
            .sign_ins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *counts
            .entry((method.to_owned(), success, reason.to_owned()))
            .or_default() += 1;
    }

    /// Sign-in attempts so far, by (method, success, reason).
    pub fn sign_ins(&self) -> BTreeMap<(String, bool, String), u64> {
        self.sign_ins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Every counter in the Prometheus text exposition format (version 0.0.4).
    pub fn prometheus(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut family = |name: &str, help: &str, kind: &str, samples: &[(String, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        // Counters far below 2^53: the conversions to f64 are exact.
        #[allow(clippy::cast_precision_loss)]
        let n = |c: &AtomicU64| get(c) as f64;
        family(
            "facelens_photos_analysed_total",
            "Photos whose analysis ended, by outcome.",
            "counter",
            &[
                ("{outcome=\"done\"}".into(), n(&self.photos_done)),
                ("{outcome=\"rejected\"}".into(), n(&self.photos_rejected)),
                ("{outcome=\"failed\"}".into(), n(&self.photos_failed)),
            ],
        );
        family(
            "facelens_faces_total",
            "Faces found in analysed photos.",
            "counter",
            &[(String::new(), n(&self.faces))],
        );
        family(
            "facelens_masked_faces_total",
            "Faces found wearing a mask.",
            "counter",
            &[(String::new(), n(&self.masked))],
        );
        family(
            "facelens_low_confidence_alerts_total",
            "Alerts raised for faces detected with low confidence.",
            "counter",
            &[(String::new(), n(&self.alerts))],
        );
        #[allow(clippy::cast_precision_loss)]
        let seconds = get(&self.analysis_micros) as f64 / 1e6;
        family(
            "facelens_analysis_seconds_total",
            "Time spent analysing photos (divide by facelens_photos_analysed_total for the mean).",
            "counter",
            &[(String::new(), seconds)],
        );
        let sign_ins: Vec<(String, f64)> = self
            .sign_ins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|((method, success, reason), count)| {
                #[allow(clippy::cast_precision_loss)]
                let count = *count as f64;
                (
                    format!(
                        "{{method=\"{method}\",success=\"{success}\",reason=\"{}\"}}",
                        escape(reason)
                    ),
                    count,
                )
            })
            .collect();
        family(
            "facelens_sign_ins_total",
            "Sign-in attempts by method and outcome.",
            "counter",
            &sign_ins,
        );
        out
    }
}

/// A label value as the exposition format writes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_out_as_prometheus_text() {
        let metrics = Metrics::default();
        metrics.photo(PhotoOutcome::Done, 3, 1, Duration::from_millis(250));
        metrics.photo(PhotoOutcome::Done, 2, 2, Duration::from_millis(250));
        metrics.photo(PhotoOutcome::Rejected, 0, 0, Duration::from_millis(10));
        metrics.alert();
        metrics.sign_in("password", false, "bad_credentials");
        metrics.sign_in("password", false, "bad_credentials");
        metrics.sign_in("face", true, "ok");
        let text = metrics.prometheus();
        for line in [
            "# TYPE facelens_photos_analysed_total counter",
            "facelens_photos_analysed_total{outcome=\"done\"} 2",
            "facelens_photos_analysed_total{outcome=\"rejected\"} 1",
            "facelens_photos_analysed_total{outcome=\"failed\"} 0",
            "facelens_faces_total 5",
            "facelens_masked_faces_total 3",
            "facelens_low_confidence_alerts_total 1",
            "facelens_analysis_seconds_total 0.51",
            "facelens_sign_ins_total{method=\"password\",success=\"false\",reason=\"bad_credentials\"} 2",
            "facelens_sign_ins_total{method=\"face\",success=\"true\",reason=\"ok\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from:\n{text}"
            );
        }
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
