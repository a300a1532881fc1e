//! Access tokens: compact JWS signed with Ed25519 (`EdDSA`), with the signing key's `kid` in
//! the header. `jsonwebtoken` builds and checks them with the algorithm pinned: a header naming
//! any other algorithm (`none` and `HS256` included) is refused before the signature is looked
//! at.
//!
//! [`TokenKeys`] holds what one process needs: the private key where tokens are issued, and the
//! public keys it trusts. On AWS the auth function publishes its public key in the table
//! ([`SigningKeyStore`]) and the other functions read it from there, so only the auth function
//! can mint tokens; locally one process does both.

use super::signing_key::{TokenSigner, install_provider};
use super::{AuthConfig, AuthError};
use crate::ports::{PublishedKey, SigningKeyStore};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};
/// The `typ` claim of access tokens; other kinds of token are refused where access is needed.
pub const ACCESS_TOKEN_TYPE: &str = "access";
/// Seconds of clock skew tolerated on `exp` and `iat`.
const LEEWAY_SECS: i64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Username.
    pub sub: String,
    /// The account's id, so a re-created account does not accept old tokens.
    pub uid: String,
    /// The account's token version when issued.
    pub ver: u32,
    /// Token type.
    pub typ: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// How often an instance that signs says again that it does, so its key stays trusted.
const REPUBLISH_EVERY: Duration = Duration::hours(1);
/// Least time between two reads of the published keys caused by unknown `kid`s, so tokens with
/// made-up `kid`s cost at most one small read per interval and instance. Short, because a key
/// published just after such a read is not trusted until the next one.
const MIN_REFRESH_INTERVAL: Duration = Duration::seconds(2);

/// The keys of one process: the signing key where tokens are issued, and the public keys that
/// verify them.
pub struct TokenKeys {
    signer: Option<TokenSigner>,
    store: Option<Arc<dyn SigningKeyStore>>,
    state: Mutex<KeyState>,
}

#[derive(Default)]
struct KeyState {
    /// Trusted keys by `kid`, with the time after which each stops being trusted (`None`:
    /// this process's own key).
    trusted: HashMap<String, (DecodingKey, Option<OffsetDateTime>)>,
    last_refresh: Option<OffsetDateTime>,
    last_published: Option<OffsetDateTime>,
}

impl TokenKeys {
    /// One process that signs and verifies with its own key only (the local server).
    pub fn own(signer: TokenSigner) -> Self {
        Self::build(Some(signer), None)
    }

    /// Signs with `signer` and publishes its public key in `store` before the first token and
    /// hourly after; verifies with its own key and every published one (so tokens signed
    /// before a key rotation stay valid until they expire). The auth function on AWS.
    pub fn publishing(signer: TokenSigner, store: Arc<dyn SigningKeyStore>) -> Self {
        Self::build(Some(signer), Some(store))
    }

    /// Verifies with the keys published in `store`; signs nothing (the uploads and analyses
    /// functions on AWS).
    pub fn verifying(store: Arc<dyn SigningKeyStore>) -> Self {
        Self::build(None, Some(store))
    }

    fn build(signer: Option<TokenSigner>, store: Option<Arc<dyn SigningKeyStore>>) -> Self {
        install_provider();
        let mut state = KeyState::default();
        if let Some(signer) = &signer {
            let own = signer.public_key();
            state
                .trusted
                .insert(own.kid().to_owned(), (own.decoding_key(), None));
        }
        Self {
            signer,
            store,
            state: Mutex::new(state),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, KeyState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long a published key stays trusted after its last publication: long enough for
    /// every token it signed before its signer stopped republishing to expire.
    fn trust_for(config: &AuthConfig) -> Duration {
        config.token_ttl + REPUBLISH_EVERY + Duration::seconds(LEEWAY_SECS)
    }

    /// Signs claims into a compact token, publishing the public key first when it is due.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when this process holds no signing key, or the key cannot be
    /// published.
    pub async fn sign(
        &self,
        claims: &Claims,
        config: &AuthConfig,
        now: OffsetDateTime,
    ) -> Result<String, AuthError> {
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| AuthError::Internal("this function does not issue tokens".into()))?;
        if let Some(store) = &self.store {
            let due = self
                .state()
                .last_published
                .is_none_or(|at| now - at >= REPUBLISH_EVERY);
            if due {
                let published = PublishedKey {
                    key: signer.public_key().clone(),
                    seen_at: now,
                };
                store
                    .publish(&published, now + Self::trust_for(config))
                    .await?;
                self.state().last_published = Some(now);
            }
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(signer.public_key().kid().to_owned());
        jsonwebtoken::encode(&header, claims, signer.encoding_key())
            .map_err(|e| AuthError::Internal(format!("signing a token: {e}")))
    }

    /// Verifies signature, algorithm, key, expiry, issuer, audience and type.
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] naming the first check that failed; [`AuthError::Internal`]
    /// when the published keys cannot be read.
    pub async fn verify(
        &self,
        token: &str,
        config: &AuthConfig,
        now: OffsetDateTime,
    ) -> Result<Claims, AuthError> {
        let bad = AuthError::Unauthorized;
        if token.split('.').count() != 3 {
            return Err(bad("token is not a compact JWT"));
        }
        // An algorithm `jsonwebtoken` does not know (`none` among them) fails here.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| bad("token header is unreadable or its algorithm is not allowed"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(bad("token algorithm is not allowed"));
        }
        let kid = header.kid.ok_or(bad("token names no key"))?;
        let key = match self.trusted(&kid, now) {
            Some(key) => key,
            None => {
                self.refresh(config, now).await?;
                self.trusted(&kid, now).ok_or(bad("token key is unknown"))?
            }
        };
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation(config)).map_err(
            |e| match e.kind() {
                ErrorKind::InvalidSignature => bad("token signature is invalid"),
                ErrorKind::ExpiredSignature => bad("token has expired"),
                ErrorKind::InvalidIssuer => bad("token issuer is wrong"),
                ErrorKind::InvalidAudience => bad("token audience is wrong"),
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    bad("token algorithm is not allowed")
                }
                _ => bad("token claims are unreadable"),
            },
        )?;
        let claims = data.claims;
        if claims.iat - LEEWAY_SECS > now.unix_timestamp() {
            return Err(bad("token is not valid yet"));
        }
        if claims.typ != ACCESS_TOKEN_TYPE {
            return Err(bad("token type is wrong"));
        }
        Ok(claims)
    }

    fn trusted(&self, kid: &str, now: OffsetDateTime) -> Option<DecodingKey> {
        let state = self.state();
        let (key, until) = state.trusted.get(kid)?;
        until.is_none_or(|until| now < until).then(|| key.clone())
    }

    /// Reads the published keys again, at most once per [`MIN_REFRESH_INTERVAL`].
    async fn refresh(&self, config: &AuthConfig, now: OffsetDateTime) -> Result<(), AuthError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        {
            let mut state = self.state();
            if state
                .last_refresh
                .is_some_and(|at| now - at < MIN_REFRESH_INTERVAL)
            {
                return Ok(());
            }
            state.last_refresh = Some(now);
        }
        let published = store.published().await?;
        let trust_for = Self::trust_for(config);
        let mut state = self.state();
        for entry in published {
            let until = entry.seen_at + trust_for;
            if until <= now {
                continue;
            }
            let slot = state
                .trusted
                .entry(entry.key.kid().to_owned())
                .or_insert_with(|| (entry.key.decoding_key(), Some(until)));
            if let (_, Some(known)) = slot {
                *known = (*known).max(until);
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("signer", &self.signer)
            .field("publishes", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

/// The checks `jsonwebtoken` makes: EdDSA only, `exp` required and checked with the leeway,
/// issuer and audience exact.
fn validation(config: &AuthConfig) -> Validation {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.leeway = LEEWAY_SECS.unsigned_abs();
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::StoreError;
    use async_trait::async_trait;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn config() -> AuthConfig {
        AuthConfig::new("http://localhost")
    }

    fn claims(now: i64) -> Claims {
        Claims {
            sub: "alice".into(),
            uid: "id".into(),
            ver: 0,
            typ: ACCESS_TOKEN_TYPE.into(),
            iss: "facelens".into(),
            aud: "facelens-api".into(),
            iat: now,
            exp: now + 3600,
        }
    }

    fn signer(byte: u8) -> TokenSigner {
        TokenSigner::from_secret(&[byte; 32]).expect("long enough")
    }

    /// Published keys in memory, counting reads.
    #[derive(Default)]
    struct Published {
        keys: Mutex<Vec<PublishedKey>>,
        reads: AtomicUsize,
    }

    #[async_trait]
    impl SigningKeyStore for Published {
        async fn publish(
            &self,
            key: &PublishedKey,
            _keep_until: OffsetDateTime,
        ) -> Result<(), StoreError> {
            let mut keys = self.keys.lock().expect("lock");
            keys.retain(|k| k.key.kid() != key.key.kid());
            keys.push(key.clone());
            Ok(())
        }

        async fn published(&self) -> Result<Vec<PublishedKey>, StoreError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.keys.lock().expect("lock").clone())
        }
    }

    #[tokio::test]
    async fn a_signed_token_verifies_and_names_its_key() {
        let now = OffsetDateTime::now_utc();
        let keys = TokenKeys::own(signer(7));
        let token = keys
            .sign(&claims(now.unix_timestamp()), &config(), now)
            .await
            .expect("signs");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(signer(7).public_key().kid()));
        let back = keys.verify(&token, &config(), now).await.expect("verifies");
        assert_eq!(back.sub, "alice");
    }

    #[tokio::test]
    async fn each_check_refuses_its_case() {
        let now = OffsetDateTime::now_utc();
        let t = now.unix_timestamp();
        let cases: Vec<(Claims, &str)> = vec![
            (
                Claims {
                    exp: t - 60,
                    ..claims(t)
                },
                "expired",
            ),
            (
                Claims {
                    iat: t + 600,
                    ..claims(t)
                },
                "not valid yet",
            ),
            (
                Claims {
                    iss: "evil".into(),
                    ..claims(t)
                },
                "issuer",
            ),
            (
                Claims {
                    aud: "other".into(),
                    ..claims(t)
                },
                "audience",
            ),
            (
                Claims {
                    typ: "refresh".into(),
                    ..claims(t)
                },
                "type",
            ),
        ];
        let keys = TokenKeys::own(signer(7));
        for (claims, expected) in cases {
            let token = keys.sign(&claims, &config(), now).await.expect("signs");
            let err = keys
                .verify(&token, &config(), now)
                .await
                .expect_err(expected);
            assert!(
                err.to_string().contains(expected),
                "{err} should say {expected}"
            );
        }
    }

    #[tokio::test]
    async fn another_key_alg_none_hs256_and_a_missing_kid_are_refused() {
        let now = OffsetDateTime::now_utc();
        let keys = TokenKeys::own(signer(7));
        let token = keys
            .sign(&claims(now.unix_timestamp()), &config(), now)
            .await
            .expect("signs");
        let other = TokenKeys::own(signer(8));
        let err = other
            .verify(&token, &config(), now)
            .await
            .expect_err("another key");
        assert!(err.to_string().contains("unknown"), "{err}");

        let body = token.split('.').nth(1).expect("claims part");
        let kid = signer(7).public_key().kid().to_owned();
        let header = |alg: &str, kid: Option<&str>| {
            let json = match kid {
                Some(kid) => format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{kid}"}}"#),
                None => format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
            };
            URL_SAFE_NO_PAD.encode(json)
        };
        // HS256 keyed with the public key: the classic algorithm confusion.
        let hs256 = {
            use hmac::{Hmac, Mac};
            let signing_input = format!("{}.{body}", header("HS256", Some(&kid)));
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(
                &URL_SAFE_NO_PAD
                    .decode(signer(7).public_key().x())
                    .expect("x"),
            )
            .expect("any key length");
            mac.update(signing_input.as_bytes());
            let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
            format!("{signing_input}.{sig}")
        };
        let signature = token.split('.').nth(2).expect("signature");
        for (forged, expected) in [
            (
                format!("{}.{body}.", header("none", Some(&kid))),
                "algorithm",
            ),
            (format!("{}.{body}", header("none", None)), "JWT"),
            (hs256, "algorithm"),
            (
                format!("{}.{body}.{signature}", header("EdDSA", None)),
                "names no key",
            ),
        ] {
            let err = keys
                .verify(&forged, &config(), now)
                .await
                .expect_err(expected);
            assert!(
                matches!(&err, AuthError::Unauthorized(m) if m.contains(expected)),
                "{err} should say {expected}"
            );
        }
    }

    #[tokio::test]
    async fn a_verifying_function_trusts_what_the_signer_published_and_cannot_sign() {
        let now = OffsetDateTime::now_utc();
        let store = Arc::new(Published::default());
        let auth = TokenKeys::publishing(signer(7), store.clone());
        let uploads = TokenKeys::verifying(store.clone());
        let token = auth
            .sign(&claims(now.unix_timestamp()), &config(), now)
            .await
            .expect("signs");
        assert_eq!(store.keys.lock().expect("lock").len(), 1);
        uploads
            .verify(&token, &config(), now)
            .await
            .expect("published key verifies");
        let err = uploads
            .sign(&claims(now.unix_timestamp()), &config(), now)
            .await
            .expect_err("no signing key");
        assert!(matches!(err, AuthError::Internal(_)));
    }

    #[tokio::test]
    async fn after_a_rotation_old_tokens_verify_until_their_key_goes_stale() {
        let start = OffsetDateTime::now_utc();
        let store = Arc::new(Published::default());
        let old = TokenKeys::publishing(signer(7), store.clone());
        // Lives longer than any real token, so only the key's staleness can refuse it.
        let long_lived = Claims {
            exp: (start + Duration::days(2)).unix_timestamp(),
            ..claims(start.unix_timestamp())
        };
        let old_token = old
            .sign(&long_lived, &config(), start)
            .await
            .expect("signs");
        // The secret changes; new instances sign with the new key.
        let later = start + Duration::minutes(5);
        let new = TokenKeys::publishing(signer(8), store.clone());
        new.sign(&claims(later.unix_timestamp()), &config(), later)
            .await
            .expect("signs");
        new.verify(&old_token, &config(), later)
            .await
            .expect("the old key is still published");
        // Nobody republished the old key for longer than a token lives.
        let stale = start + TokenKeys::trust_for(&config()) + Duration::seconds(1);
        let fresh = TokenKeys::verifying(store.clone());
        let err = fresh
            .verify(&old_token, &config(), stale)
            .await
            .expect_err("stale key");
        assert!(err.to_string().contains("unknown"), "{err}");
    }

    #[tokio::test]
    async fn unknown_kids_read_the_store_at_most_once_per_interval() {
        let now = OffsetDateTime::now_utc();
        let store = Arc::new(Published::default());
        let uploads = TokenKeys::verifying(store.clone());
        let stranger = TokenKeys::own(signer(9));
        let token = stranger
            .sign(&claims(now.unix_timestamp()), &config(), now)
            .await
            .expect("signs");
        for _ in 0..50 {
            assert!(uploads.verify(&token, &config(), now).await.is_err());
        }
        assert_eq!(store.reads.load(Ordering::SeqCst), 1);
        let later = now + MIN_REFRESH_INTERVAL;
        assert!(uploads.verify(&token, &config(), later).await.is_err());
        assert_eq!(store.reads.load(Ordering::SeqCst), 2);
    }
}
