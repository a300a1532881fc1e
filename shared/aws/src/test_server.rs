//! Starting a local AWS-compatible server for tests: on a free 127.0.0.1 port, stopped by a
//! small shell watchdog when the test process ends, with its output in a log file under the
//! temp dir.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the server (`$1`, then its arguments) until the test process (`$2`) or the server
/// itself ends.
const WATCHDOG: &str = r#"
server="$1"; parent="$2"; shift 2
"$server" "$@" &
m=$!
trap 'kill "$m" 2>/dev/null' EXIT INT TERM
while kill -0 "$parent" 2>/dev/null && kill -0 "$m" 2>/dev/null; do sleep 0.5; done
"#;

/// Starts `binary` with the arguments `args(port)` gives for a free port, waits until it
/// listens, and returns `http://127.0.0.1:{port}`.
///
/// # Errors
/// A message naming the log file when the server does not start within 60 s.
pub(crate) fn launch(
    binary: &Path,
    name: &str,
    args: impl FnOnce(u16) -> Vec<String>,
) -> Result<String, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?
        .port();
    let log_path = std::env::temp_dir().join(format!("facelens-{name}-{port}.log"));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg(format!("facelens-{name}"))
        .arg(binary)
        .arg(std::process::id().to_string())
        .args(args(port))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(format!("http://127.0.0.1:{port}"));
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} exited ({status}) before listening; see {}",
                binary.display(),
                log_path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "{} did not listen on port {port} within 60 s; see {}",
        binary.display(),
        log_path.display()
    ))
}
