//! Throttling of guesses without lockout.
//!
//! Each guarded attempt (a sign-in, a "forgot password" request) is counted against several
//! keys, for example the pair (username, client address) and the client address alone. Every
//! key has a [`ThrottlePolicy`]: a few attempts are free, then each needs a wait after the last
//! that doubles up to a cap. Nothing is ever locked: a stranger guessing `admin`'s password
//! from one address slows down only the pairs that include that address, so `admin` signing in
//! from anywhere else is not held back.
//!
//! The count is raised *before* the work it guards, by compare-and-swap on every key at once
//! ([`ThrottleStore::swap`]), so parallel attempts cannot all pass one check; an attempt the
//! throttle refuses is not counted, so waiting it out always works.

use super::{AuthError, AuthService};
use crate::domain::{Email, Username};
use crate::ports::{StoreError, ThrottleCounter, ThrottleWrite};
use std::net::IpAddr;
use time::Duration;

/// How often a compare-and-swap is retried when other attempts keep changing the counters.
const MAX_RACES: usize = 8;

/// The waits of one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts that need no wait.
    pub free: u32,
    /// The wait after the first attempt past the free ones; each further attempt doubles it.
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// A counter idle this long starts again from zero (and may be forgotten by the store).
    pub forget_after: Duration,
}

impl ThrottlePolicy {
    /// The wait after the last of `count` counted attempts before the next is allowed.
    pub fn delay(&self, count: u32) -> Duration {
        if count < self.free {
            return Duration::ZERO;
        }
        let doublings = (count - self.free).min(30);
        let delay = self.first_delay * 2_f64.powi(doublings as i32);
        delay.min(self.max_delay)
    }
}

/// The policies in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// Sign-ins of one name from one client address.
    pub sign_in_per_name_and_client: ThrottlePolicy,
    /// Failed sign-ins from one client address, whatever the name.
    pub sign_in_per_client: ThrottlePolicy,
    /// "Forgot password" requests for one email.
    pub forgot_per_email: ThrottlePolicy,
    /// "Forgot password" requests from one client address.
    pub forgot_per_client: ThrottlePolicy,
    /// Sign-ups giving one email.
    pub sign_up_per_email: ThrottlePolicy,
    /// Sign-ups from one client address, whatever the name and email.
    pub sign_up_per_client: ThrottlePolicy,
}

impl Default for ThrottleRules {
    /// Sign-in: 5 free guesses per name and address, then 1 s doubling to 15 min; 20 per
    /// address over all names, then the same. Forgot: 3 per email, then 1 min doubling to
    /// 1 h; 10 per address, then 10 s doubling to 1 h. Sign-up: as forgot. Counters idle for
    /// a day (forgot, sign-up) or an hour (sign-in) start again.
    fn default() -> Self {
        let sign_in = |free| ThrottlePolicy {
            free,
            first_delay: Duration::SECOND,
            max_delay: Duration::minutes(15),
            forget_after: Duration::HOUR,
        };
        let per_email = ThrottlePolicy {
            free: 3,
            first_delay: Duration::MINUTE,
            max_delay: Duration::HOUR,
            forget_after: Duration::DAY,
        };
        let per_client = ThrottlePolicy {
            free: 10,
            first_delay: Duration::seconds(10),
            max_delay: Duration::HOUR,
            forget_after: Duration::DAY,
        };
        Self {
            sign_in_per_name_and_client: sign_in(5),
            sign_in_per_client: sign_in(20),
            forgot_per_email: per_email,
            forgot_per_client: per_client,
            sign_up_per_email: per_email,
            sign_up_per_client: per_client,
        }
    }
}

/// What a counter counts. Built only from validated values, so no input can make one key
/// collide with or sort inside another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottleKey {
    /// Sign-ins of a name from an address.
    SignIn(Username, IpAddr),
    /// Failed sign-ins from an address.
    SignInClient(IpAddr),
    /// Reset requests for an email.
    Forgot(Email),
    /// Reset requests from an address.
    ForgotClient(IpAddr),
    /// Sign-ups giving an email.
    SignUp(Email),
    /// Sign-ups from an address.
    SignUpClient(IpAddr),
}

impl ThrottleKey {
    /// The key in the store: a kind prefix, then the validated parts separated by `|`, a
    /// character neither a username, an email nor an address may hold. Addresses are
    /// grouped as [`address_bucket`] says.
    pub fn store_key(&self) -> String {
        match self {
            ThrottleKey::SignIn(name, ip) => format!("signin|{name}|{}", address_bucket(*ip)),
            ThrottleKey::SignInClient(ip) => format!("signin-client|{}", address_bucket(*ip)),
            ThrottleKey::Forgot(email) => format!("forgot|{email}"),
            ThrottleKey::ForgotClient(ip) => format!("forgot-client|{}", address_bucket(*ip)),
            ThrottleKey::SignUp(email) => format!("signup|{email}"),
            ThrottleKey::SignUpClient(ip) => format!("signup-client|{}", address_bucket(*ip)),
        }
    }
}

/// The unit an address is counted in: an IPv4 address (also when written as IPv4-mapped
/// IPv6), or an IPv6 /64, the block one subscriber usually holds, so rotating through the
/// addresses of one's own /64 does not reset the count.
pub fn address_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{network}/64")
            }
        },
    }
}

impl AuthService {
    /// Counts one attempt against every key, or refuses it (uncounted) while any key still
    /// has to wait.
    ///
    /// # Errors
    /// [`AuthError::Throttled`] with the longest wait of the keys.
    pub(crate) async fn count_attempt(
        &self,
        keys: &[(ThrottleKey, ThrottlePolicy)],
    ) -> Result<(), AuthError> {
        let store_keys: Vec<String> = keys.iter().map(|(k, _)| k.store_key()).collect();
        for _ in 0..MAX_RACES {
            let now = self.ports.clock.now();
            let current = self.ports.throttle.read(&store_keys).await?;
            let mut wait = Duration::ZERO;
            let mut writes = Vec::with_capacity(keys.len());
            for ((key, (_, policy)), counter) in store_keys.iter().zip(keys).zip(current) {
                let live = counter.filter(|c| now - c.last_at < policy.forget_after);
                if let Some(c) = live {
                    wait = wait.max(c.last_at + policy.delay(c.count) - now);
                }
                writes.push(ThrottleWrite {
                    key: key.clone(),
                    expected: counter.map(|c| c.version),
                    new: Some(ThrottleCounter {
                        count: live.map_or(0, |c| c.count).saturating_add(1),
                        last_at: now,
                        version: counter.map_or(1, |c| c.version + 1),
                    }),
                    expires_at: now + policy.forget_after,
                });
            }
            if wait > Duration::ZERO {
                return Err(throttled(wait));
            }
            match self.ports.throttle.swap(&writes).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict(_)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        // Counters changing under us this often means a flood of parallel attempts.
        Err(throttled(Duration::SECOND))
    }

    /// The keys a sign-in (or a password confirmation) is counted against: the name from this
    /// address, and the address alone.
    pub(crate) fn sign_in_keys(
        &self,
        name: &Username,
        client: IpAddr,
    ) -> [(ThrottleKey, ThrottlePolicy); 2] {
        let rules = self.config.throttle;
        [
            (
                ThrottleKey::SignIn(name.clone(), client),
                rules.sign_in_per_name_and_client,
            ),
            (ThrottleKey::SignInClient(client), rules.sign_in_per_client),
        ]
    }

    /// After a successful sign-in: forgets the failures of the name from this address, and
    /// takes this attempt back off the address's own counter (which counts failures). Best
    /// effort: a lost race leaves the counter as high as it was, never lower than it should be.
    pub(crate) async fn release_sign_in(&self, name: &Username, client: IpAddr) {
        let [(pair, _), (address, address_policy)] = self.sign_in_keys(name, client);
        let keys = [pair.store_key(), address.store_key()];
        for _ in 0..MAX_RACES {
            let now = self.ports.clock.now();
            let Ok(current) = self.ports.throttle.read(&keys).await else {
                return;
            };
            let mut writes = Vec::new();
            if let Some(c) = current[0] {
                writes.push(ThrottleWrite {
                    key: keys[0].clone(),
                    expected: Some(c.version),
                    new: None,
                    expires_at: now,
                });
            }
            if let Some(c) = current[1] {
                writes.push(ThrottleWrite {
                    key: keys[1].clone(),
                    expected: Some(c.version),
                    new: Some(ThrottleCounter {
                        count: c.count.saturating_sub(1),
                        last_at: c.last_at,
                        version: c.version + 1,
                    }),
                    expires_at: c.last_at + address_policy.forget_after,
                });
            }
            match self.ports.throttle.swap(&writes).await {
                Err(StoreError::Conflict(_)) => continue,
                Ok(()) | Err(_) => return,
            }
        }
    }
}

fn throttled(wait: Duration) -> AuthError {
    let millis = wait.whole_milliseconds().max(1);
    let retry_after_secs = u64::try_from((millis + 999) / 1000).unwrap_or(u64::MAX);
    AuthError::Throttled { retry_after_secs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_free_then_double_up_to_the_cap() {
        let policy = ThrottleRules::default().sign_in_per_name_and_client;
        let delays: Vec<i64> = (0..16).map(|n| policy.delay(n).whole_seconds()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
        );
        assert_eq!(policy.delay(u32::MAX), Duration::minutes(15));
    }

    #[test]
    fn keys_of_different_kinds_and_parts_never_collide() {
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let v6: IpAddr = "2001:db8::1".parse().expect("ip");
        let admin = Username::parse("admin").expect("name");
        let keys = [
            ThrottleKey::SignIn(admin.clone(), ip).store_key(),
            ThrottleKey::SignIn(admin, v6).store_key(),
            ThrottleKey::SignInClient(ip).store_key(),
            ThrottleKey::Forgot(Email::parse("admin@example.com").expect("email")).store_key(),
            ThrottleKey::ForgotClient(ip).store_key(),
            ThrottleKey::SignUp(Email::parse("admin@example.com").expect("email")).store_key(),
            ThrottleKey::SignUpClient(ip).store_key(),
        ];
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        assert!(keys.iter().all(|k| !k.chars().any(char::is_control)));
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client_and_mapped_ipv4_is_ipv4() {
        let bucket = |s: &str| address_bucket(s.parse().expect("ip"));
        assert_eq!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:2:ffff::9"));
        assert_ne!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:3::1"));
        assert_eq!(bucket("::ffff:192.0.2.7"), bucket("192.0.2.7"));
        assert_eq!(bucket("192.0.2.7"), "192.0.2.7");
    }
}
