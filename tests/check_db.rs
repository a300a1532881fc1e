//! Black box: `facelens check-db` passes the database a `kill -9` left behind, and refuses to
//! check one a running server holds.

use facelens_tests::api::ApiClient;
use facelens_tests::{ADMIN_PASSWORD, Options, Server, binary, photos};
use reqwest::StatusCode;
use std::path::Path;
use std::process::Output;

fn check_db(data_dir: &Path) -> Output {
    std::process::Command::new(binary())
        .arg("check-db")
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("facelens check-db runs")
}

#[tokio::test]
async fn the_database_left_by_kill_9_passes_the_integrity_check() {
    let server = Server::start();
    let mut user = ApiClient::new(&server.base_url);
    user.sign_in("admin", ADMIN_PASSWORD).await;
    for n in 0..3 {
        let (_, put) = user
            .upload(&format!("p{n}.jpg"), "image/jpeg", photos::with_faces())
            .await;
        assert_eq!(put, StatusCode::OK);
    }
    let data_dir = server.kill_hard();

    let checked = check_db(data_dir.path());
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(out.contains("integrity: ok"), "{out}");
    assert!(out.contains("jobs dead-lettered: 0"), "{out}");

    let restarted = Server::start_with(Options {
        data_dir: Some(data_dir.clone()),
        ..Options::default()
    });
    let held = check_db(data_dir.path());
    assert!(
        !held.status.success(),
        "a running server's file is not checked"
    );
    assert!(
        String::from_utf8_lossy(&held.stderr).contains("is a server still using"),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
    drop(restarted);
}
