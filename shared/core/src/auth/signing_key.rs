//! The Ed25519 keys of access tokens: the private half ([`TokenSigner`]), held only where
//! tokens are issued, and the public half ([`PublicKey`]) that every function verifies with.
//!
//! `jsonwebtoken` builds and checks the tokens; its cryptography is a provider of ours that
//! knows one algorithm, EdDSA, on `ed25519-dalek`. Its bundled RustCrypto provider would
//! also bring RSA (with the unfixed Marvin timing advisory), P-256 and P-384, none of which
//! Facelens uses: this way they are neither built nor linked.

use super::AuthError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::signature::{Error as SignatureError, Signer, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};
use std::fmt;

/// Fewest bytes of the secret a signing key is derived from.
pub const MIN_SECRET_BYTES: usize = 32;

/// Domain separation: the same secret used for something else yields another key.
const KEY_DERIVATION_LABEL: &[u8] = b"facelens access-token signing key (Ed25519) v1\0";

/// RFC 8410's PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An Ed25519 public key that verifies access tokens, named by its `kid`: the RFC 7638
/// thumbprint of its JWK, so the name follows from the key and cannot be chosen apart from it.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kid: String,
    bytes: [u8; 32],
}

impl PublicKey {
    /// The key from its 32 bytes.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the bytes are not a valid Ed25519 point.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, AuthError> {
        VerifyingKey::from_bytes(&bytes)
            .map_err(|_| AuthError::Internal("not an Ed25519 public key".into()))?;
        let jwk = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(bytes)
        );
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()));
        Ok(Self { kid, bytes })
    }

    /// The key from its JWK `x` (base64url, no padding), as [`PublicKey::x`] writes it.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when `x` is not 32 base64url bytes of a valid point.
    pub fn from_x(x: &str) -> Result<Self, AuthError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(x)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| AuthError::Internal("a public key is not 32 base64url bytes".into()))?;
        Self::from_bytes(bytes)
    }

    /// The key's name in token headers.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key as a JWK's `x` (base64url, no padding).
    pub fn x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes)
    }

    pub(crate) fn decoding_key(&self) -> DecodingKey {
        DecodingKey::from_ed_der(&self.bytes)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.kid)
    }
}

/// The private key that signs access tokens. `Debug` shows only the public key's `kid`.
pub struct TokenSigner {
    encoding: EncodingKey,
    public: PublicKey,
}

impl TokenSigner {
    /// Derives the key pair from a secret (SHA-256 of a label and the secret is the Ed25519
    /// seed), so an operator keeps one random secret and rotates it like any other.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the secret is shorter than [`MIN_SECRET_BYTES`].
    pub fn from_secret(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AuthError::Internal(format!(
                "the token signing secret must be at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        install_provider();
        let seed: [u8; 32] = Sha256::new()
            .chain_update(KEY_DERIVATION_LABEL)
            .chain_update(secret)
            .finalize()
            .into();
        let public =
            PublicKey::from_bytes(SigningKey::from_bytes(&seed).verifying_key().to_bytes())?;
        let mut pkcs8 = PKCS8_ED25519_PREFIX.to_vec();
        pkcs8.extend_from_slice(&seed);
        Ok(Self {
            encoding: EncodingKey::from_ed_der(&pkcs8),
            public,
        })
    }

    /// The public half, which verifies what this key signs.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSigner({})", self.public.kid)
    }
}

/// Makes our EdDSA-only provider `jsonwebtoken`'s, once per process.
pub(crate) fn install_provider() {
    // Fails only when a provider is installed already; the only one this crate installs is ours.
    let _ = EDDSA_ONLY.install_default();
}

static EDDSA_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

fn refuse() -> JwtError {
    ErrorKind::InvalidAlgorithm.into()
}

fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, JwtError> {
    if *alg != Algorithm::EdDSA {
        return Err(refuse());
    }
    let seed = key
        .as_bytes()
        .strip_prefix(&PKCS8_ED25519_PREFIX[..])
        .and_then(|seed| <[u8; 32]>::try_from(seed).ok())
        .ok_or_else(|| JwtError::from(ErrorKind::InvalidEddsaKey))?;
    Ok(Box::new(EdSigner(SigningKey::from_bytes(&seed))))
}

fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, JwtError> {
    if *alg != Algorithm::EdDSA {
        return Err(refuse());
    }
    let bytes = key
        .try_get_as_bytes()
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| JwtError::from(ErrorKind::InvalidEddsaKey))?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
    Ok(Box::new(EdVerifier(key)))
}

struct EdSigner(SigningKey);

impl Signer<Vec<u8>> for EdSigner {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        Ok(self.0.sign(msg).to_bytes().to_vec())
    }
}

impl JwtSigner for EdSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

struct EdVerifier(VerifyingKey);

impl Verifier<Vec<u8>> for EdVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), SignatureError> {
        let signature = Signature::from_slice(signature).map_err(|_| SignatureError::new())?;
        // Strict: refuses the malleable and small-order forms plain `verify` lets through.
        self.0
            .verify_strict(msg, &signature)
            .map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for EdVerifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_from_the_secret() {
        let a = TokenSigner::from_secret(&[7u8; 32]).expect("long enough");
        let b = TokenSigner::from_secret(&[7u8; 32]).expect("long enough");
        let c = TokenSigner::from_secret(&[8u8; 32]).expect("long enough");
        assert_eq!(a.public_key(), b.public_key());
        assert_ne!(a.public_key().kid(), c.public_key().kid());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenSigner::from_secret(&[1u8; 31]).is_err());
    }

    #[test]
    fn a_public_key_survives_its_jwk_form() {
        let signer = TokenSigner::from_secret(&[9u8; 40]).expect("long enough");
        let back = PublicKey::from_x(&signer.public_key().x()).expect("parses");
        assert_eq!(&back, signer.public_key());
        assert!(PublicKey::from_x("c2hvcnQ").is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let signer = TokenSigner::from_secret(&[7u8; 32]).expect("long enough");
        let shown = format!("{signer:?}");
        assert_eq!(shown, format!("TokenSigner({})", signer.public_key().kid()));
    }
}
