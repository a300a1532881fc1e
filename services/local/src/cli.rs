//! Command-line interface.

use clap::{Args, Parser, Subcommand};
use facelens_core::auth::SignUpPolicy;
use std::path::PathBuf;

/// Facelens on one machine.
#[derive(Debug, Parser)]
#[command(name = "facelens", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server with every service, the web client and embedded adapters.
    Serve(ServeArgs),
    /// Analyse photos on disk with the same pipeline, no server: prints a table.
    Analyze(AnalyzeArgs),
    /// Check the database of a stopped server: integrity, and jobs left in its queue.
    CheckDb(CheckDbArgs),
    /// Compare the face of one photo with every face of another (two portraits, or a person
    /// and a group photo).
    Compare(CompareArgs),
    /// Copy the data directory (database, photos, secrets) into a new folder, while the
    /// server runs or not; the copy is itself a data directory.
    Backup(BackupArgs),
    /// Put a backup in place of a stopped server's data directory.
    Restore(RestoreArgs),
    /// List, create and reset accounts at the console of a stopped server.
    Users(UsersArgs),
}

/// Options of `facelens backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The new folder to write (missing or empty).
    pub dir: PathBuf,
    /// The data directory to back up.
    #[arg(long, default_value = ".facelens")]
    pub data_dir: PathBuf,
    /// The running server that holds the database, asked for a snapshot when the file is in
    /// use.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub server: String,
}

/// Options of `facelens restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup's folder.
    pub dir: PathBuf,
    /// The data directory to restore into (its server must be stopped).
    #[arg(long, default_value = ".facelens")]
    pub data_dir: PathBuf,
    /// Replace the database and the photos already in the data directory.
    #[arg(long)]
    pub force: bool,
}

/// Options of `facelens users`.
#[derive(Debug, Clone, Args)]
pub struct UsersArgs {
    /// The data directory of a stopped server.
    #[arg(long, default_value = ".facelens", global = true)]
    pub data_dir: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// Account commands.
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Every account: name, role, email, whether its password is a one-time one, created.
    List,
    /// A new account with a one-time password, printed once.
    Create {
        /// Its name.
        username: String,
        /// Its email.
        #[arg(long)]
        email: String,
        /// An admin rather than a user.
        #[arg(long)]
        admin: bool,
    },
    /// A new one-time password for an account (every session of it ends), printed once.
    ResetPassword {
        /// The account's name.
        username: String,
    },
}

/// Options of `facelens compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// The photo of the person (its largest face is used).
    pub reference: PathBuf,
    /// The photo to search for that person.
    pub photo: PathBuf,
    /// Cosine similarity at or above which two faces are the same person.
    #[arg(long, default_value_t = 0.45)]
    pub threshold: f32,
    /// Model and size options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Options of `facelens check-db`.
#[derive(Debug, Clone, Args)]
pub struct CheckDbArgs {
    /// The data directory of the server (which must not be running).
    #[arg(long, default_value = ".facelens")]
    pub data_dir: PathBuf,
}

/// Options shared by everything that runs the analysis pipeline.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// Folder holding the ONNX models (`make models` fills it).
    #[arg(long, env = "FACELENS_MODELS_DIR", default_value = "models")]
    pub models_dir: PathBuf,
    /// Photos with more pixels than this are refused before decoding.
    #[arg(long, default_value_t = 40)]
    pub max_megapixels: u64,
}

/// Options of `facelens analyze`.
#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// Photos to analyse.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write each annotated photo into this folder.
    #[arg(long)]
    pub annotate: Option<PathBuf>,
    /// Model and size options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Options of `facelens serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Where the database, the objects and the email outbox live (created if missing).
    #[arg(long, default_value = ".facelens")]
    pub data_dir: PathBuf,
    /// The built web client to serve at `/`.
    #[arg(long, default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// The site's address as people reach it, for links in emails (default: the listen address).
    #[arg(long, env = "FACELENS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Name of the first admin, created when there are no users.
    #[arg(long, env = "FACELENS_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Email of the first admin.
    #[arg(
        long,
        env = "FACELENS_ADMIN_EMAIL",
        default_value = "admin@facelens.local"
    )]
    pub admin_email: String,
    /// Sender of account emails.
    #[arg(
        long,
        env = "FACELENS_MAIL_FROM",
        default_value = "Facelens <no-reply@facelens.local>"
    )]
    pub mail_from: String,
    /// Largest photo accepted, in megabytes (15: the most Rekognition reads from S3).
    #[arg(long, default_value_t = 15)]
    pub max_upload_mb: u64,
    /// How long a presigned upload URL works, in seconds; an analysis whose photo has not
    /// arrived by then (and a grace period of half that, at most 5 minutes) fails.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub upload_url_seconds: u64,
    /// Faces detected with less confidence than this percentage raise an alert.
    #[arg(long, default_value_t = 50.0)]
    pub alert_below: f32,
    /// Let admins enrol a face and sign in with it (off: admins sign in with their password).
    #[arg(long, env = "FACELENS_ADMIN_FACE_SIGN_IN")]
    pub admin_face_sign_in: bool,
    /// Who may create an account: `invite-only` (admins do) or `open` (anyone, on the
    /// sign-up page, confirming the email before signing in).
    #[arg(
        long,
        env = "FACELENS_SIGN_UP",
        default_value = "invite-only",
        value_name = "POLICY"
    )]
    pub sign_up: SignUpPolicy,
    /// Analysis workers (each runs one photo at a time).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Let uploads by URL reach loopback and private addresses. For tests only: this turns
    /// the guard against server-side request forgery off.
    #[arg(long, env = "FACELENS_ALLOW_PRIVATE_URLS", hide = true)]
    pub allow_private_urls: bool,
    /// Model and size options.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}
