//! Black box: deleting an account, by an admin or by its holder, takes every photo, annotated
//! image, thumbnail, record and count of it off the real server, and a new account of the same
//! name starts empty.

use facelens_tests::api::{ApiClient, USER_PASSWORD as PASSWORD, admin, new_user};
use facelens_tests::{Server, photos};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Uploads two photos and waits for both results.
async fn two_analysed_photos(user: &ApiClient) {
    let (faces, _) = user
        .upload("people.jpg", "image/jpeg", photos::with_faces())
        .await;
    let (empty, _) = user
        .upload("wall.png", "image/png", photos::png_without_faces())
        .await;
    for id in [faces, empty] {
        assert_eq!(user.wait_for(&id).await["status"], "done");
    }
}

/// The files under `<data-dir>/objects` that belong to `owner`.
fn files_of(server: &Server, owner: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&server.data_dir().path().join("objects"), &mut found);
    found.retain(|p| p.components().any(|c| c.as_os_str() == owner));
    found
}

fn empty_history(page: &Value) {
    assert_eq!(page["items"], json!([]), "{page}");
    assert_eq!(
        page["counts"],
        json!({ "all": 0, "noFaces": 0, "allMasked": 0, "noneMasked": 0, "someMasked": 0 }),
        "{page}"
    );
}

#[tokio::test]
async fn a_deleted_account_leaves_nothing_and_its_name_starts_empty() {
    let server = Server::start();
    let admin = admin(&server).await;
    let vera = new_user(&server, &admin, "vera").await;
    two_analysed_photos(&vera).await;
    assert_eq!(
        files_of(&server, "vera").len(),
        6,
        "two photos, two annotated images, two thumbnails: {:?}",
        files_of(&server, "vera")
    );

    let (status, body) = admin.send("DELETE", "/api/users/vera", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    assert_eq!(files_of(&server, "vera"), Vec::<PathBuf>::new());
    let (status, _) = vera.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let again = new_user(&server, &admin, "vera").await;
    let (status, page) = again.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::OK);
    empty_history(&page);
}

#[tokio::test]
async fn a_person_deletes_their_own_account_with_their_password() {
    let server = Server::start();
    let admin = admin(&server).await;
    let walt = new_user(&server, &admin, "walt").await;
    two_analysed_photos(&walt).await;

    let (status, body) = walt
        .send("DELETE", "/api/me", Some(json!({ "password": "wrong" })))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert_eq!(files_of(&server, "walt").len(), 6);

    let (status, body) = walt
        .send("DELETE", "/api/me", Some(json!({ "password": PASSWORD })))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(files_of(&server, "walt"), Vec::<PathBuf>::new());
    let (status, _) = walt.send("GET", "/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, users) = admin.send("GET", "/api/users", None).await;
    assert!(!users.to_string().contains("\"walt\""), "{users}");

    let again = new_user(&server, &admin, "walt").await;
    let (_, page) = again.send("GET", "/api/analyses", None).await;
    empty_history(&page);
}
