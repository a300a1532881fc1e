//! Fixtures: the two stores behind the same ports, and sample records.

use facelens_core::analysis::ports::{AnalysisStore, PurgeQueue};
use facelens_core::domain::{Email, Role, User, Username};
use facelens_core::live::ports::LiveStore;
use facelens_core::ports::{AuditLog, OneTimeTokenStore, ThrottleStore, UserStore};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// One adapter seen through its ports.
pub struct Stores {
    pub users: Arc<dyn UserStore>,
    pub tokens: Arc<dyn OneTimeTokenStore>,
    pub audit: Arc<dyn AuditLog>,
    pub throttle: Arc<dyn ThrottleStore>,
    pub analyses: Arc<dyn AnalysisStore>,
    pub purges: Arc<dyn PurgeQueue>,
    pub live: Arc<dyn LiveStore>,
    _dir: Option<tempfile::TempDir>,
}

/// The embedded store in a fresh temp dir.
pub async fn local() -> Stores {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = facelens_local::LocalDb::open(&dir.path().join("db.redb")).expect("open redb");
    Stores {
        users: Arc::new(db.clone()),
        tokens: Arc::new(db.clone()),
        audit: Arc::new(db.clone()),
        analyses: Arc::new(db.clone()),
        purges: Arc::new(db.clone()),
        live: Arc::new(db.clone()),
        throttle: Arc::new(db),
        _dir: Some(dir),
    }
}

/// DynamoDB on a fresh table of the moto server.
pub async fn dynamodb() -> Stores {
    let moto = facelens_aws::moto::server();
    let aws = moto.aws().await;
    let db = moto.table(&aws).await;
    Stores {
        users: Arc::new(db.clone()),
        tokens: Arc::new(db.clone()),
        audit: Arc::new(db.clone()),
        analyses: Arc::new(db.clone()),
        purges: Arc::new(db.clone()),
        live: Arc::new(db.clone()),
        throttle: Arc::new(db),
        _dir: None,
    }
}

/// Runs each named case (an `async fn(&Stores)`) as two tests: `on_local_db` and
/// `on_dynamodb`.
macro_rules! on_both_adapters {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                #[tokio::test]
                async fn on_local_db() {
                    super::$case(&crate::support::local().await).await;
                }

                #[tokio::test]
                async fn on_dynamodb() {
                    super::$case(&crate::support::dynamodb().await).await;
                }
            }
        )*
    };
}
pub(crate) use on_both_adapters;

/// An account with a placeholder hash (stores never look inside it).
pub fn user(name: &str, role: Role) -> User {
    User {
        api_tokens: Vec::new(),
        id: Uuid::new_v4(),
        username: Username::parse(name).expect("valid username"),
        email: email(&format!("{name}@example.com")),
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$placeholder${name}"),
        token_version: 0,
        must_change_password: true,
        awaiting_confirmation: false,
        created_at: now(),
    }
}

/// A valid email.
pub fn email(text: &str) -> Email {
    Email::parse(text).expect("valid email")
}

/// A valid username.
pub fn name(text: &str) -> Username {
    Username::parse(text).expect("valid username")
}

/// Now, to the microsecond (both stores keep more; this keeps failure messages short).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond())
        .expect("a valid microsecond")
}
