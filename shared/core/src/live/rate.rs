//! A token bucket per key, in memory: event posting is limited per session, per process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys not seen for this long are forgotten when the map grows.
const IDLE: Duration = Duration::from_secs(600);
/// The map is swept of idle keys when it holds this many.
const SWEEP_AT: usize = 10_000;

/// Allows `burst` requests at once per key, refilled at `per_second`.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter of `burst` requests refilled at `per_second`.
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self {
            burst: f64::from(burst),
            per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request for `key` at `now`: `Ok` when allowed, otherwise the wait in whole
    /// seconds (at least 1) before the next one is.
    ///
    /// # Errors
    /// The seconds to wait.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE);
        }
        let (tokens, seen) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        let refilled = *tokens + now.duration_since(*seen).as_secs_f64() * self.per_second;
        *tokens = refilled.min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) / self.per_second;
            // The wait is a few seconds at most; the cast cannot truncate anything that matters.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_one_per_second() {
        let limiter = RateLimiter::new(3, 1.0);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("s", start), Ok(()));
        }
        assert_eq!(limiter.take("s", start), Err(1));
        assert_eq!(limiter.take("other", start), Ok(()));
        assert_eq!(
            limiter.take("s", start + Duration::from_millis(1_100)),
            Ok(())
        );
        assert!(
            limiter
                .take("s", start + Duration::from_millis(1_200))
                .is_err()
        );
    }
}
