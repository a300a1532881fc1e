//! Black box: the operator's console. `facelens backup` copies a running server's data
//! directory (database snapshot through the server, photos, secrets) and `facelens restore`
//! puts it in place for a new server, which then shows the same accounts, photos and enrolled
//! face; `facelens users` lists, creates and resets accounts of a stopped server.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use facelens_tests::api::{ApiClient, USER_PASSWORD, admin, new_user};
use facelens_tests::{ADMIN_PASSWORD, Options, Server, binary, photos};
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;
use std::process::Output;

/// Runs `facelens ARGS...` and returns its output.
fn facelens(args: &[&str]) -> Output {
    std::process::Command::new(binary())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("facelens runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[tokio::test]
async fn a_running_server_is_backed_up_and_restored_into_a_working_server() {
    let server = Server::start();
    let admin = admin(&server).await;
    let rita = new_user(&server, &admin, "rita").await;
    let portrait = photos::fixture("face-bare.jpg");
    let (kept, _) = rita
        .upload("kept.jpg", "image/jpeg", portrait.clone())
        .await;
    assert_eq!(rita.wait_for(&kept).await["status"], "done");
    let capture = format!("data:image/jpeg;base64,{}", STANDARD.encode(&portrait));
    let (status, body) = rita
        .send("PUT", "/api/me/face", Some(json!({ "capture": capture })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Through a proxy, only an admin may ask for a snapshot; rita may not.
    let proxied = |token: &str| {
        reqwest::Client::new()
            .post(server.url("/api/admin/backup"))
            .header("x-forwarded-for", "203.0.113.7")
            .bearer_auth(token.to_owned())
            .send()
    };
    let refused = proxied(rita.token.as_deref().expect("a token"))
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let allowed = proxied(admin.token.as_deref().expect("a token"))
        .await
        .expect("answers");
    assert_eq!(allowed.status(), StatusCode::CREATED);

    // Backed up while the server runs: the database comes from the server itself.
    let data_dir = server.data_dir();
    let place = tempfile::tempdir().expect("dir");
    let backup_dir = place.path().join("backup");
    let out = facelens(&[
        "backup",
        path(&backup_dir),
        "--data-dir",
        path(data_dir.path()),
        "--server",
        &server.base_url,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The photo, its annotated copy and its thumbnail.
    assert!(stdout(&out).contains("3 objects"), "{}", stdout(&out));
    // A later photo is not in the backup.
    let (later, _) = rita
        .upload("later.jpg", "image/jpeg", portrait.clone())
        .await;
    assert_eq!(rita.wait_for(&later).await["status"], "done");
    // A backup never writes over another.
    let again = facelens(&[
        "backup",
        path(&backup_dir),
        "--data-dir",
        path(data_dir.path()),
        "--server",
        &server.base_url,
    ]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    // Restored into a new data directory, a new server has rita, her photo and her face.
    let restored = std::sync::Arc::new(tempfile::tempdir().expect("dir"));
    let out = facelens(&[
        "restore",
        path(&backup_dir),
        "--data-dir",
        path(restored.path()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = Server::start_with(Options {
        data_dir: Some(std::sync::Arc::clone(&restored)),
        ..Options::default()
    });
    let mut rita = ApiClient::new(&second.base_url);
    rita.sign_in("rita", USER_PASSWORD).await;
    let (_, history) = rita.send("GET", "/api/analyses", None).await;
    assert_eq!(history["counts"]["all"], 1, "{history}");
    assert_eq!(history["items"][0]["id"], kept.as_str(), "{history}");
    let result = rita.wait_for(&kept).await;
    let (status, bytes) = rita
        .fetch(result["imageUrl"].as_str().expect("an image URL"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, portrait, "the photo came back whole");
    let (_, face) = rita.send("GET", "/api/me/face", None).await;
    assert_eq!(face["enrolled"], true, "the sealed face opens: {face}");

    // A folder that is not a backup is refused, and so is backing up a folder with no database.
    let empty = tempfile::tempdir().expect("dir");
    let out = facelens(&[
        "restore",
        path(empty.path()),
        "--data-dir",
        path(restored.path()),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a readable backup"),
        "{}",
        stderr(&out)
    );
    let out = facelens(&[
        "backup",
        path(&place.path().join("nothing")),
        "--data-dir",
        path(empty.path()),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no database"), "{}", stderr(&out));

    // Restoring over a data directory that holds a database needs --force, and never while
    // its server runs.
    let out = facelens(&[
        "restore",
        path(&backup_dir),
        "--data-dir",
        path(restored.path()),
    ]);
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = facelens(&[
        "restore",
        path(&backup_dir),
        "--data-dir",
        path(restored.path()),
        "--force",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("stop its server"), "{}", stderr(&out));
}

#[tokio::test]
async fn accounts_are_listed_created_and_reset_at_the_console_of_a_stopped_server() {
    let server = Server::start();
    let data_dir = server.data_dir();
    let dir = path(data_dir.path()).to_owned();
    let busy = facelens(&["users", "list", "--data-dir", &dir]);
    assert!(!busy.status.success());
    assert!(
        stderr(&busy).contains("stop the server"),
        "{}",
        stderr(&busy)
    );
    drop(server.kill_hard());

    let list = facelens(&["users", "list", "--data-dir", &dir]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(stdout(&list).contains("admin"), "{}", stdout(&list));

    let created = facelens(&[
        "users",
        "create",
        "bea",
        "--email",
        "bea@example.com",
        "--data-dir",
        &dir,
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    let one_time = |out: &Output| {
        stdout(out)
            .rsplit(": ")
            .next()
            .expect("a password")
            .trim()
            .to_owned()
    };
    let bea_password = one_time(&created);
    let taken = facelens(&[
        "users",
        "create",
        "bea",
        "--email",
        "b2@example.com",
        "--data-dir",
        &dir,
    ]);
    assert!(!taken.status.success(), "{}", stdout(&taken));
    let reset = facelens(&["users", "reset-password", "admin", "--data-dir", &dir]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    let admin_password = one_time(&reset);
    let nobody = facelens(&["users", "reset-password", "nobody", "--data-dir", &dir]);
    assert!(!nobody.status.success());
    let list = facelens(&["users", "list", "--data-dir", &dir]);
    assert!(stdout(&list).contains("bea"), "{}", stdout(&list));

    // The server sees both: bea and the admin sign in with their one-time passwords and
    // must change them first; the admin's old password is gone.
    let server = Server::start_with(Options {
        data_dir: Some(data_dir),
        ..Options::default()
    });
    for (name, password) in [("bea", &bea_password), ("admin", &admin_password)] {
        let mut client = ApiClient::new(&server.base_url);
        client.sign_in(name, password).await;
        let (status, body) = client.send("GET", "/api/analyses", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert_eq!(body["error"]["code"], "password_change_required");
    }
    let (status, _) = ApiClient::new(&server.base_url)
        .send(
            "POST",
            "/api/auth/login",
            Some(json!({ "username": "admin", "password": ADMIN_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
