//! Accounts and sign-in: the use cases behind the auth routes.

mod accounts;
mod api_tokens;
mod console;
mod deletion;
pub use accounts::BootstrapOutcome;
pub mod argon2id;
mod error;
mod face;
pub mod jwt;
mod login;
mod passwords;
mod random;
mod sign_up;
pub mod signing_key;
mod throttle;

pub use api_tokens::{
    API_TOKEN_PREFIX, Caller, DEFAULT_API_TOKEN_DAYS, IssuedApiToken, MAX_API_TOKEN_DAYS,
    MAX_API_TOKENS,
};
pub use error::AuthError;
pub use jwt::{Claims, TokenKeys};
pub use login::LoginOutcome;
pub use sign_up::{AdmittedSignUp, SignUpPolicy};
pub use signing_key::{MIN_SECRET_BYTES, PublicKey, TokenSigner};
pub use throttle::{ThrottleKey, ThrottlePolicy, ThrottleRules};

use crate::clock::Clock;
use crate::domain::User;
use crate::ports::{AuditLog, Mailer, OneTimeTokenStore, PasswordHasher, ThrottleStore, UserStore};
use std::sync::{Arc, OnceLock};
use time::Duration;

/// Rules of the auth use cases, fixed at start-up.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `iss` of issued tokens.
    pub issuer: String,
    /// `aud` of issued tokens.
    pub audience: String,
    /// How long an access token lives.
    pub token_ttl: Duration,
    /// How long a "forgot password" link lives.
    pub reset_ttl: Duration,
    /// How long the link in a welcome email lives.
    pub welcome_ttl: Duration,
    /// How sign-ins and reset requests are slowed down.
    pub throttle: ThrottleRules,
    /// Whether admins may enrol a face and sign in with it (off: admins use their password).
    pub admin_face_sign_in: bool,
    /// How long `POST /api/auth/forgot` and `POST /api/auth/register` take to answer, whether
    /// or not the email belongs to an account: the emails are made and sent in the background
    /// meanwhile.
    pub quiet_answer_time: std::time::Duration,
    /// Whether people may create their own account.
    pub sign_up: SignUpPolicy,
    /// How long the confirmation link of a sign-up lives; an account still unconfirmed after
    /// it gives up its name and email to the next sign-up.
    pub confirm_ttl: Duration,
    /// Base URL of the web client, for links in emails.
    pub public_url: String,
}

impl AuthConfig {
    /// The defaults: 8 h tokens, 10 min reset links, 24 h welcome and confirmation links, the
    /// default [`ThrottleRules`], 1 s to answer a reset request or a sign-up, invite-only.
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            issuer: "facelens".into(),
            audience: "facelens-api".into(),
            token_ttl: Duration::hours(8),
            reset_ttl: Duration::minutes(10),
            welcome_ttl: Duration::hours(24),
            throttle: ThrottleRules::default(),
            admin_face_sign_in: false,
            quiet_answer_time: std::time::Duration::from_secs(1),
            sign_up: SignUpPolicy::default(),
            confirm_ttl: Duration::hours(24),
            public_url: public_url.into().trim_end_matches('/').to_owned(),
        }
    }
}

/// The adapters the auth use cases need.
#[derive(Clone)]
pub struct AuthPorts {
    /// Accounts.
    pub users: Arc<dyn UserStore>,
    /// Reset and welcome tokens.
    pub tokens: Arc<dyn OneTimeTokenStore>,
    /// Sign-in audit.
    pub audit: Arc<dyn AuditLog>,
    /// Throttle counters.
    pub throttle: Arc<dyn ThrottleStore>,
    /// Account emails.
    pub mailer: Arc<dyn Mailer>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl AuthPorts {
    /// The ports of one store that keeps accounts, tokens, the audit and the throttle
    /// counters (the embedded database, or the DynamoDB table), with the system clock.
    pub fn on_store<S>(
        store: Arc<S>,
        mailer: Arc<dyn Mailer>,
        hasher: Arc<dyn PasswordHasher>,
    ) -> Self
    where
        S: UserStore + OneTimeTokenStore + AuditLog + ThrottleStore + 'static,
    {
        Self {
            users: store.clone(),
            tokens: store.clone(),
            audit: store.clone(),
            throttle: store,
            mailer,
            hasher,
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// The auth use cases.
pub struct AuthService {
    ports: AuthPorts,
    keys: TokenKeys,
    config: AuthConfig,
    /// A hash verified against when the user is unknown, so timing does not reveal who exists.
    /// Made on the first sign-in rather than at start-up: one argon2id hash is most of a
    /// Lambda's cold start otherwise.
    decoy_hash: OnceLock<String>,
    /// Erases the data of deleted accounts; `None` where accounts are never deleted.
    purge: Option<Arc<crate::analysis::PurgeService>>,
    /// Enrolled faces and the engine that compares them; `None` where faces are no way in.
    faces: Option<Arc<dyn crate::faces::FaceVault>>,
    /// Counts sign-ins by method and outcome; `None` where nobody reads them.
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

impl AuthService {
    /// Builds the service. Nothing is hashed yet: the decoy password is hashed by the first
    /// sign-in (see [`AuthService::login`]).
    pub fn new(ports: AuthPorts, keys: TokenKeys, config: AuthConfig) -> Self {
        Self {
            ports,
            keys,
            config,
            decoy_hash: OnceLock::new(),
            purge: None,
            faces: None,
            metrics: None,
        }
    }

    /// Also counts every sign-in attempt in `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The decoy hash, made once from a random password. Two first sign-ins at once may both
    /// make one; the first stored wins and both are equally good.
    async fn decoy_hash(&self) -> Result<String, AuthError> {
        if let Some(hash) = self.decoy_hash.get() {
            return Ok(hash.clone());
        }
        let made = self.ports.hasher.hash(random::token()).await?;
        Ok(self.decoy_hash.get_or_init(|| made).clone())
    }

    /// The rules in force.
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Checks a session token and returns its live account ([`AuthService::authenticate_caller`]
    /// takes API tokens too).
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] for a bad, expired or revoked token, or a deleted account.
    async fn authenticate(&self, token: &str) -> Result<User, AuthError> {
        let now = self.ports.clock.now();
        let claims = self.keys.verify(token, &self.config, now).await?;
        let username = crate::domain::Username::parse(&claims.sub)
            .map_err(|_| AuthError::Unauthorized("token subject is not a username"))?;
        let user = self
            .ports
            .users
            .get(&username)
            .await?
            .ok_or(AuthError::Unauthorized("account no longer exists"))?;
        if user.id.to_string() != claims.uid || user.token_version != claims.ver {
            return Err(AuthError::Unauthorized("token has been revoked"));
        }
        Ok(user)
    }
}
