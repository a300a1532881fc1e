//! An s3s-fs server for tests, from `scripts/aws-test-setup.sh`: a real S3-compatible server
//! that verifies SigV4 signatures, presigned ones included, which moto does not. One server
//! per test process, its buckets under a temp dir.

use crate::{Aws, S3Objects};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The access key the server accepts.
pub const ACCESS_KEY: &str = "AKFACELENSTEST";
/// The secret key the server accepts.
pub const SECRET_KEY: &str = "SKFACELENSTESTSECRET";

/// A running s3s-fs server.
#[derive(Debug)]
pub struct S3sFs {
    endpoint: String,
    root: PathBuf,
}

static SERVER: OnceLock<S3sFs> = OnceLock::new();

/// The s3s-fs server of this test process, started on first use.
///
/// # Panics
/// When `s3s-fs` is not installed (the message says to run `scripts/aws-test-setup.sh`) or
/// does not start.
pub fn server() -> &'static S3sFs {
    SERVER.get_or_init(|| start().unwrap_or_else(|problem| panic!("{problem}")))
}

impl S3sFs {
    /// `http://127.0.0.1:{port}`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// An AWS configuration pointed at this server with its keys.
    pub async fn aws(&self) -> Aws {
        Aws::for_endpoint(&self.endpoint, "us-east-1", ACCESS_KEY, SECRET_KEY).await
    }

    /// A new, empty bucket (a folder of the server's root), and the photo store on it.
    ///
    /// # Panics
    /// When the folder cannot be made.
    pub async fn bucket(&self, aws: &Aws) -> S3Objects {
        let name = format!("facelens-test-{}", uuid::Uuid::new_v4().simple());
        std::fs::create_dir_all(self.root.join(&name)).expect("bucket folder");
        aws.s3_objects(name)
    }
}

fn binary() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = var("FACELENS_S3S_FS") {
        return Some(PathBuf::from(path));
    }
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|cache| {
            cache
                .join("facelens")
                .join("s3s-fs")
                .join("bin")
                .join("s3s-fs")
        })
        .filter(|path| path.is_file())
}

fn start() -> Result<S3sFs, String> {
    let binary = binary().ok_or(
        "s3s-fs not found: run `bash scripts/aws-test-setup.sh` first \
         (or set FACELENS_S3S_FS to an s3s-fs binary)",
    )?;
    let root = std::env::temp_dir().join(format!("facelens-s3s-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(|e| format!("creating {}: {e}", root.display()))?;
    let dir = root.display().to_string();
    let endpoint = crate::test_server::launch(&binary, "s3s-fs", |port| {
        [
            "--access-key",
            ACCESS_KEY,
            "--secret-key",
            SECRET_KEY,
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            &dir,
        ]
        .map(str::to_owned)
        .into()
    })?;
    Ok(S3sFs { endpoint, root })
}
