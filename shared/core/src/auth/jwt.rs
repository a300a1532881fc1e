//! Access tokens: compact JWS with HS256 only. The algorithm is pinned: a header naming any
//! other algorithm (`none` included) is refused before the signature is looked at.

use super::{AuthConfig, AuthError};
use crate::secret::Secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;

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

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
}

/// The HMAC key. At least 32 bytes, as RFC 7518 asks for HS256.
#[derive(Debug, Clone)]
pub struct JwtKeys {
    secret: Secret<Vec<u8>>,
}

/// Fewest bytes a signing secret may have.
pub const MIN_SECRET_BYTES: usize = 32;

impl JwtKeys {
    /// Wraps a secret.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the secret is shorter than [`MIN_SECRET_BYTES`].
    pub fn new(secret: Vec<u8>) -> Result<Self, AuthError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AuthError::Internal(format!(
                "the JWT secret must be at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        Ok(Self {
            secret: Secret::new(secret),
        })
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(self.secret.expose())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// Signs claims into a compact token.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the claims cannot be serialised.
    pub fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        let header = Header {
            alg: "HS256".into(),
            typ: Some("JWT".into()),
        };
        let internal = |e: serde_json::Error| AuthError::Internal(e.to_string());
        let header = serde_json::to_vec(&header).map_err(internal)?;
        let body = serde_json::to_vec(claims).map_err(internal)?;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(body)
        );
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Ok(format!("{signing_input}.{signature}"))
    }

    /// Verifies signature, algorithm, expiry, issuer, audience and type.
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] naming the first check that failed.
    pub fn verify(
        &self,
        token: &str,
        config: &AuthConfig,
        now: OffsetDateTime,
    ) -> Result<Claims, AuthError> {
        let bad = AuthError::Unauthorized;
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(sig_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("token is not a compact JWT"));
        };
        let header: Header = decode_json(header_b64).ok_or(bad("token header is unreadable"))?;
        if header.alg != "HS256" {
            return Err(bad("token algorithm is not allowed"));
        }
        let signature = URL_SAFE_NO_PAD
            .decode(sig_b64)
            .map_err(|_| bad("token signature is unreadable"))?;
        let mut mac = self.mac();
        mac.update(header_b64.as_bytes());
        mac.update(b".");
        mac.update(claims_b64.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| bad("token signature is invalid"))?;
        let claims: Claims = decode_json(claims_b64).ok_or(bad("token claims are unreadable"))?;
        let now = now.unix_timestamp();
        if claims.exp + LEEWAY_SECS <= now {
            return Err(bad("token has expired"));
        }
        if claims.iat - LEEWAY_SECS > now {
            return Err(bad("token is not valid yet"));
        }
        if claims.iss != config.issuer {
            return Err(bad("token issuer is wrong"));
        }
        if claims.aud != config.audience {
            return Err(bad("token audience is wrong"));
        }
        if claims.typ != ACCESS_TOKEN_TYPE {
            return Err(bad("token type is wrong"));
        }
        Ok(claims)
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn keys() -> JwtKeys {
        JwtKeys::new(vec![7u8; 32]).expect("long enough")
    }

    #[test]
    fn a_signed_token_verifies() {
        let now = OffsetDateTime::now_utc();
        let token = keys().sign(&claims(now.unix_timestamp())).expect("signs");
        let back = keys().verify(&token, &config(), now).expect("verifies");
        assert_eq!(back.sub, "alice");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(JwtKeys::new(vec![1u8; 31]).is_err());
    }

    #[test]
    fn each_check_refuses_its_case() {
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
        for (claims, expected) in cases {
            let token = keys().sign(&claims).expect("signs");
            let err = keys().verify(&token, &config(), now).expect_err(expected);
            assert!(
                err.to_string().contains(expected),
                "{err} should say {expected}"
            );
        }
    }

    #[test]
    fn another_key_or_alg_none_is_refused() {
        let now = OffsetDateTime::now_utc();
        let token = keys().sign(&claims(now.unix_timestamp())).expect("signs");
        let other = JwtKeys::new(vec![8u8; 32]).expect("long enough");
        assert!(other.verify(&token, &config(), now).is_err());

        let body = token.split('.').nth(1).expect("claims part");
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        for forged in [
            format!("{none_header}.{body}."),
            format!("{none_header}.{body}"),
        ] {
            let err = keys()
                .verify(&forged, &config(), now)
                .expect_err("alg none");
            assert!(matches!(err, AuthError::Unauthorized(_)));
        }
    }
}
