//! The function's configuration, typed and checked once at cold start.

use anyhow::{Context, bail};
use facelens_core::secret::Secret;
#[cfg(feature = "embedded")]
use std::path::PathBuf;

/// Where accounts, tokens and the audit live, and where emails go.
#[derive(Debug, Clone)]
pub enum Storage {
    /// DynamoDB table `table_name`; emails through SESv2; the photos of deleted accounts
    /// erased from `bucket_name`.
    DynamoDb {
        /// `FACELENS_TABLE_NAME`.
        table_name: String,
        /// `FACELENS_BUCKET_NAME`.
        bucket_name: String,
    },
    /// The embedded database and an `.eml` outbox under `data_dir` (`FACELENS_DATA_DIR`;
    /// builds with the `embedded` feature only).
    #[cfg(feature = "embedded")]
    Embedded {
        /// Directory of the database file and the `outbox/` folder.
        data_dir: PathBuf,
    },
}

pub use facelens_lambda::JwtSecretSource;

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accounts store and mail transport.
    pub storage: Storage,
    /// The site's URL for links in emails (`FACELENS_PUBLIC_URL`).
    pub public_url: String,
    /// Sender of account emails (`FACELENS_MAIL_FROM`); on AWS a verified SES identity.
    pub mail_from: String,
    /// The secret the token signing key is derived from.
    pub jwt_secret: JwtSecretSource,
    /// First admin `(username, email, password)` when no account exists (`FACELENS_ADMIN_*`).
    pub first_admin: Option<(String, String, Secret<String>)>,
    /// The Rekognition collection of enrolled faces (`FACELENS_FACE_COLLECTION`, with
    /// DynamoDB only); without it, faces are no way in.
    pub face_collection: Option<String>,
    /// Whether admins may sign in with a face (`FACELENS_ADMIN_FACE_SIGN_IN=true`; off by
    /// default: admins keep their password).
    pub admin_face_sign_in: bool,
    /// Who may create an account (`FACELENS_SIGN_UP`: `invite-only`, the default, or `open`).
    pub sign_up: facelens_core::auth::SignUpPolicy,
}

impl Config {
    /// Reads the environment (see the crate docs for every variable).
    ///
    /// # Errors
    /// When no token signing secret is configured, or, with `FACELENS_TABLE_NAME`, when
    /// `FACELENS_BUCKET_NAME`, `FACELENS_MAIL_FROM` or `FACELENS_PUBLIC_URL` is missing.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from `lookup` (the environment in [`Config::from_env`]).
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let storage = match var("FACELENS_TABLE_NAME") {
            Some(table_name) => Storage::DynamoDb {
                table_name,
                bucket_name: var("FACELENS_BUCKET_NAME").context(
                    "FACELENS_BUCKET_NAME must be set when FACELENS_TABLE_NAME is (deleting an account erases its photos)",
                )?,
            },
            #[cfg(feature = "embedded")]
            None => Storage::Embedded {
                data_dir: var("FACELENS_DATA_DIR")
                    .map_or_else(|| PathBuf::from("/tmp/facelens"), PathBuf::from),
            },
            #[cfg(not(feature = "embedded"))]
            None => bail!(
                "FACELENS_TABLE_NAME must be set: this build has no embedded store (build with --features embedded)"
            ),
        };
        let on_aws = matches!(storage, Storage::DynamoDb { .. });
        let required_on_aws = |name: &str, local_default: &str| match var(name) {
            Some(value) => Ok(value),
            None if on_aws => bail!("{name} must be set when FACELENS_TABLE_NAME is"),
            None => Ok(local_default.to_owned()),
        };
        let jwt_secret = JwtSecretSource::from_lookup(&lookup)?;
        let first_admin = var("FACELENS_ADMIN_PASSWORD").map(|password| {
            (
                var("FACELENS_ADMIN_USERNAME").unwrap_or_else(|| "admin".into()),
                var("FACELENS_ADMIN_EMAIL").unwrap_or_else(|| "admin@facelens.local".into()),
                Secret::new(password),
            )
        });
        let face_collection = var("FACELENS_FACE_COLLECTION");
        if face_collection.is_some() && !on_aws {
            bail!(
                "FACELENS_FACE_COLLECTION needs FACELENS_TABLE_NAME (the face records live there)"
            );
        }
        let admin_face_sign_in = match var("FACELENS_ADMIN_FACE_SIGN_IN").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                bail!("FACELENS_ADMIN_FACE_SIGN_IN must be true or false, not {other:?}")
            }
        };
        let sign_up = var("FACELENS_SIGN_UP")
            .map(|text| text.parse())
            .transpose()
            .map_err(|reason: String| anyhow::anyhow!("FACELENS_SIGN_UP: {reason}"))?
            .unwrap_or_default();
        Ok(Self {
            sign_up,
            face_collection,
            admin_face_sign_in,
            public_url: required_on_aws("FACELENS_PUBLIC_URL", "http://localhost:3000")
                .context("links in emails")?,
            mail_from: required_on_aws("FACELENS_MAIL_FROM", "Facelens <no-reply@facelens.local>")
                .context("the sender of account emails")?,
            storage,
            jwt_secret,
            first_admin,
        })
    }

    /// Whether this configuration talks to AWS (DynamoDB, SES or Secrets Manager).
    pub fn needs_aws(&self) -> bool {
        matches!(self.storage, Storage::DynamoDb { .. }) || self.jwt_secret.needs_aws()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn given_the_infra_environment_when_read_then_dynamodb_and_secrets_manager() {
        let config = config(&[
            ("FACELENS_TABLE_NAME", "facelens-table"),
            ("FACELENS_BUCKET_NAME", "facelens-bucket"),
            (
                "FACELENS_JWT_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:1:secret:jwt",
            ),
            ("FACELENS_MAIL_FROM", "Facelens <no-reply@example.com>"),
            ("FACELENS_PUBLIC_URL", "https://facelens.example.com"),
        ])
        .expect("valid");

        assert!(
            matches!(&config.storage, Storage::DynamoDb { table_name, bucket_name } if table_name == "facelens-table" && bucket_name == "facelens-bucket")
        );
        assert!(
            matches!(&config.jwt_secret, JwtSecretSource::SecretsManager(arn) if arn.ends_with(":jwt"))
        );
        assert!(config.needs_aws());
        assert!(config.first_admin.is_none());
        assert_eq!(config.face_collection, None);
        assert!(!config.admin_face_sign_in);
        assert_eq!(
            config.sign_up,
            facelens_core::auth::SignUpPolicy::InviteOnly
        );
    }

    #[test]
    fn given_a_face_collection_when_read_then_faces_are_a_way_in_on_dynamodb_only() {
        let aws = [
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_JWT_SECRET", "s".repeat(32).leak() as &str),
            ("FACELENS_MAIL_FROM", "Facelens <no-reply@example.com>"),
            ("FACELENS_PUBLIC_URL", "https://facelens.example.com"),
            ("FACELENS_FACE_COLLECTION", "facelens-faces"),
            ("FACELENS_ADMIN_FACE_SIGN_IN", "true"),
        ];
        let read = config(&aws).expect("valid");
        assert_eq!(read.face_collection.as_deref(), Some("facelens-faces"));
        let mut open = aws.to_vec();
        open.push(("FACELENS_SIGN_UP", "open"));
        assert_eq!(
            config(&open).expect("valid").sign_up,
            facelens_core::auth::SignUpPolicy::Open
        );
        open.pop();
        open.push(("FACELENS_SIGN_UP", "yes"));
        let refused = config(&open).expect_err("refused");
        assert!(
            format!("{refused:#}").contains("invite-only or open"),
            "{refused:#}"
        );
        assert!(read.admin_face_sign_in);
        let mut wrong = aws;
        wrong[6] = ("FACELENS_ADMIN_FACE_SIGN_IN", "yes");
        assert!(config(&wrong).is_err());
        let embedded = config(&[
            ("FACELENS_JWT_SECRET", "s".repeat(32).as_str()),
            ("FACELENS_FACE_COLLECTION", "facelens-faces"),
        ]);
        assert!(embedded.is_err(), "the records need the table");
    }

    #[test]
    fn given_only_a_jwt_secret_when_read_then_the_embedded_mode_with_local_defaults() {
        let config = config(&[("FACELENS_JWT_SECRET", "s".repeat(32).as_str())]).expect("valid");

        assert!(
            matches!(&config.storage, Storage::Embedded { data_dir } if data_dir == &PathBuf::from("/tmp/facelens"))
        );
        assert!(!config.needs_aws());
        assert_eq!(config.public_url, "http://localhost:3000");
    }

    #[test]
    fn given_a_table_without_a_sender_when_read_then_refused() {
        let err = config(&[
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_JWT_SECRET_ARN", "arn"),
            ("FACELENS_PUBLIC_URL", "https://x.example.com"),
        ])
        .expect_err("refused");

        assert!(format!("{err:#}").contains("FACELENS_MAIL_FROM"), "{err:#}");
    }

    #[test]
    fn given_a_table_without_a_bucket_when_read_then_refused() {
        let err = config(&[
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_JWT_SECRET_ARN", "arn"),
            ("FACELENS_MAIL_FROM", "Facelens <no-reply@example.com>"),
            ("FACELENS_PUBLIC_URL", "https://x.example.com"),
        ])
        .expect_err("refused");

        assert!(
            format!("{err:#}").contains("FACELENS_BUCKET_NAME"),
            "{err:#}"
        );
    }

    #[test]
    fn given_no_jwt_key_when_read_then_refused_naming_both_variables() {
        let err = config(&[]).expect_err("refused");

        let text = format!("{err:#}");
        assert!(
            text.contains("FACELENS_JWT_SECRET_ARN") && text.contains("FACELENS_JWT_SECRET "),
            "{text}"
        );
    }

    #[test]
    fn given_a_config_when_debug_printed_then_secrets_are_redacted() {
        let config = config(&[
            (
                "FACELENS_JWT_SECRET",
                "a-very-secret-key-of-32-bytes-or-more",
            ),
            ("FACELENS_ADMIN_PASSWORD", "correct horse battery"),
        ])
        .expect("valid");

        let text = format!("{config:?}");
        assert!(
            !text.contains("a-very-secret") && !text.contains("horse"),
            "{text}"
        );
    }
}
