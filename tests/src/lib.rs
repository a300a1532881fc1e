//! The black-box harness: starts the real `facelens` binary (`facelens serve --port 0`) with a
//! fresh data directory, waits for the address it prints, and reads its email outbox.
//! `make test` builds the binary first; `FACELENS_BIN` points elsewhere if needed.

pub mod api;
pub mod openapi;
pub mod photos;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The first admin's password in every test server.
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// A running `facelens serve`, killed when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    child: Child,
    data_dir: std::sync::Arc<tempfile::TempDir>,
}

/// How to start a server.
#[derive(Default)]
pub struct Options {
    /// Reuse the data directory of an earlier server (to restart it).
    pub data_dir: Option<std::sync::Arc<tempfile::TempDir>>,
    /// Let uploads by URL reach 127.0.0.1 (for the test's own photo server).
    pub allow_private_urls: bool,
    /// Let admins enrol a face and sign in with it (`--admin-face-sign-in`).
    pub admin_face_sign_in: bool,
    /// Let people create their own account (`--sign-up open`).
    pub open_sign_up: bool,
    /// How long presigned upload URLs work (`--upload-url-seconds`; the server's default when
    /// `None`).
    pub upload_url_seconds: Option<u64>,
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the binary is: `FACELENS_BIN`, else beside this test's own build directory.
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("FACELENS_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let bin = profile_dir.join("facelens");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --all-targets` first (make test does)",
        bin.display()
    );
    bin
}

impl Server {
    /// Starts a server with a first admin `admin` / [`ADMIN_PASSWORD`].
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    /// Starts a server with options.
    pub fn start_with(options: Options) -> Self {
        let data_dir = options
            .data_dir
            .unwrap_or_else(|| std::sync::Arc::new(tempfile::tempdir().expect("temp dir")));
        let mut command = Command::new(binary());
        command
            .args(["serve", "--port", "0", "--web-dir", "no-web-client"])
            .arg("--models-dir")
            .arg(workspace_root().join("models"))
            .arg("--data-dir")
            .arg(data_dir.path());
        if options.allow_private_urls {
            command.arg("--allow-private-urls");
        }
        if options.admin_face_sign_in {
            command.arg("--admin-face-sign-in");
        }
        if options.open_sign_up {
            command.args(["--sign-up", "open"]);
        }
        if let Some(seconds) = options.upload_url_seconds {
            command.arg("--upload-url-seconds").arg(seconds.to_string());
        }
        let mut child = command
            .env("FACELENS_ADMIN_USERNAME", "admin")
            .env("FACELENS_ADMIN_EMAIL", "admin@example.com")
            .env("FACELENS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("facelens starts");
        let stdout = child.stdout.take().expect("stdout");
        let base_url = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("facelens listening on ")
                    .map(str::to_owned)
            })
            .expect("the server prints its address");
        Self {
            base_url,
            child,
            data_dir,
        }
    }

    /// The data directory, to restart a server on it.
    pub fn data_dir(&self) -> std::sync::Arc<tempfile::TempDir> {
        std::sync::Arc::clone(&self.data_dir)
    }

    /// Ends the process with SIGKILL, as a crash would.
    pub fn kill_hard(mut self) -> std::sync::Arc<tempfile::TempDir> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::sync::Arc::clone(&self.data_dir)
    }

    /// An absolute URL for a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The newest email in the outbox addressed to `to`, with transfer encoding undone.
    pub fn last_mail_to(&self, to: &str) -> String {
        self.mails_to(to).pop().expect("an email to this address")
    }

    /// The emails in the outbox addressed to `to`, oldest first, with transfer encoding
    /// undone.
    pub fn mails_to(&self, to: &str) -> Vec<String> {
        let outbox = self.data_dir.path().join("outbox");
        let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(outbox)
            .expect("outbox exists")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| {
                let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                let text = std::fs::read_to_string(e.path()).ok()?;
                Some((modified, text.replace("=\r\n", "").replace("=3D", "=")))
            })
            .filter(|(_, text)| text.contains(&format!("To: {to}")))
            .collect();
        mails.sort();
        mails.into_iter().map(|(_, text)| text).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value after `label` on its line of an email.
pub fn mail_field(mail: &str, label: &str) -> String {
    mail.lines()
        .find_map(|line| line.strip_prefix(label))
        .expect("label in the email")
        .trim()
        .to_owned()
}

/// The token of the `#/reset?token=` link in an email.
pub fn mail_link_token(mail: &str) -> String {
    let start = mail.find("token=").expect("a link in the email") + "token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}
