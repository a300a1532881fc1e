//! The `PhotoFetcher` adapter. Server-side request forgery is the risk of fetching what a user
//! names, so every hop is checked before a connection is made:
//! - only `http` and `https`;
//! - the host is resolved here, every address it resolves to must be public (no loopback,
//!   private, link-local such as 169.254.169.254, multicast, documentation or otherwise
//!   reserved ranges, IPv4 and IPv6, IPv4-mapped included), and the connection goes to the
//!   addresses that were checked (no second lookup an attacker could rebind);
//! - redirects are followed by hand, at most five, each checked the same way;
//! - connect and total time limits, and the size limit enforced while the body streams.

mod addresses;

pub use addresses::is_public;

use async_trait::async_trait;
use facelens_core::analysis::ports::{FetchError, PhotoFetcher};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use url::Url;

/// Most redirects followed.
const MAX_REDIRECTS: usize = 5;

/// Fetches over HTTP(S) with the guard.
#[derive(Debug, Clone)]
pub struct GuardedFetcher {
    connect_timeout: Duration,
    total_timeout: Duration,
    allow_private: bool,
}

impl Default for GuardedFetcher {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
            allow_private: false,
        }
    }
}

impl GuardedFetcher {
    /// A fetcher that also allows private and loopback addresses. For tests and trusted local
    /// set-ups only; never on a server reachable by others.
    pub fn allowing_private_addresses() -> Self {
        Self {
            allow_private: true,
            ..Self::default()
        }
    }

    async fn checked_addresses(&self, url: &Url) -> Result<Vec<SocketAddr>, FetchError> {
        let refused = FetchError::Refused;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused(
                "Facelens fetches only web addresses that start with http:// or https://".into(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| refused("That address names no site".into()))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| refused("That address names no port".into()))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<SocketAddr> =
            match bare.parse::<IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, port)],
                Err(_) => tokio::time::timeout(
                    self.connect_timeout,
                    tokio::net::lookup_host((bare, port)),
                )
                .await
                .map_err(|_| {
                    FetchError::Unreachable(format!("Looking up {host} took too long; try again"))
                })?
                .map_err(|_| {
                    FetchError::Unreachable(format!("No site is called {host}; check the address"))
                })?
                .collect(),
            };
        if addresses.is_empty() {
            return Err(FetchError::Unreachable(format!(
                "No site is called {host}; check the address"
            )));
        }
        if let Some(bad) = addresses
            .iter()
            .find(|a| !self.allow_private && !is_public(a.ip()))
        {
            return Err(refused(addresses::refusal(bad.ip()).into()));
        }
        Ok(addresses)
    }

    async fn read_limited(
        mut response: reqwest::Response,
        max_bytes: u64,
    ) -> Result<Vec<u8>, FetchError> {
        let too_large = || {
            FetchError::TooLarge(format!(
                "The photo at that address is larger than {:.1} MB",
                max_bytes as f64 / 1_048_576.0
            ))
        };
        if response.content_length().is_some_and(|len| len > max_bytes) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| {
            FetchError::Unreachable("The photo stopped downloading part way; try again".into())
        })? {
            if body.len() as u64 + chunk.len() as u64 > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[async_trait]
impl PhotoFetcher for GuardedFetcher {
    async fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        let mut url = Url::parse(url.trim()).map_err(|_| {
            FetchError::Refused(
                "That is not a web address (one looks like https://example.com/photo.jpg)".into(),
            )
        })?;
        let started = tokio::time::Instant::now();
        for _ in 0..=MAX_REDIRECTS {
            let addresses = self.checked_addresses(&url).await?;
            let host = url.host_str().unwrap_or_default().to_owned();
            let remaining = self
                .total_timeout
                .checked_sub(started.elapsed())
                .ok_or_else(|| {
                    FetchError::Unreachable("The site took too long to answer".into())
                })?;
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .resolve_to_addrs(&host, &addresses)
                .connect_timeout(self.connect_timeout)
                .timeout(remaining)
                .user_agent("Facelens photo fetcher")
                .build()
                .map_err(|e| FetchError::Unreachable(format!("cannot start the download: {e}")))?;
            let response = client.get(url.clone()).send().await.map_err(|e| {
                if e.is_timeout() {
                    FetchError::Unreachable("The site took too long to answer".into())
                } else {
                    FetchError::Unreachable("The site at that address could not be reached".into())
                }
            })?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        FetchError::Unreachable(
                            "The site sent us elsewhere without saying where".into(),
                        )
                    })?;
                url = url.join(location).map_err(|_| {
                    FetchError::Refused(
                        "That address sends us to something that is not a web address".into(),
                    )
                })?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Unreachable(format!(
                    "The site answered {} instead of a photo",
                    status.as_u16()
                )));
            }
            return Self::read_limited(response, max_bytes).await;
        }
        Err(FetchError::Refused(format!(
            "That address sends us on more than {MAX_REDIRECTS} times"
        )))
    }
}
