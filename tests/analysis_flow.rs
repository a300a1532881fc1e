//! Black box: photos from upload to history on the real server, the unhappy paths of uploads,
//! uploads by URL with the SSRF guard, finding a person in a group photo, and a crash
//! mid-analysis.

use facelens_tests::api::{ApiClient, admin, new_user};
use facelens_tests::{Options, Server, photos};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Faces come in reading order: no face comes after one it stands a whole face height above
/// (rows go top to bottom), and a face next in the list at about the same height (centres less
/// than half a face height apart) is further right.
fn assert_reading_order(faces: &Value) {
    let boxes: Vec<(f64, f64, f64)> = faces
        .as_array()
        .expect("faces")
        .iter()
        .map(|f| {
            let b = &f["box"];
            let v = |k: &str| b[k].as_f64().expect("box side");
            (v("left"), v("top") + v("height") / 2.0, v("height"))
        })
        .collect();
    assert!(boxes.len() >= 2, "a group photo");
    for (i, &(_, cy0, h0)) in boxes.iter().enumerate() {
        for &(_, cy1, _) in &boxes[i + 1..] {
            assert!(cy1 > cy0 - h0, "a later face is a row above: {boxes:?}");
        }
    }
    for pair in boxes.windows(2) {
        let ((x0, cy0, h0), (x1, cy1, h1)) = (pair[0], pair[1]);
        if (cy1 - cy0).abs() < 0.5 * h0.min(h1) {
            assert!(x1 > x0, "not left to right within a row: {boxes:?}");
        }
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn photos_go_from_upload_to_history_and_away() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "uma").await;

    let (faces_id, put) = user
        .upload("people.jpg", "image/jpeg", photos::with_faces())
        .await;
    assert_eq!(put, StatusCode::OK);
    let (empty_id, _) = user
        .upload("wall.png", "image/png", photos::png_without_faces())
        .await;

    let faces = user.wait_for(&faces_id).await;
    assert_eq!(faces["status"], "done", "{faces}");
    assert!(faces["faceCount"].as_u64().expect("count") >= 1, "{faces}");
    let face = &faces["faces"][0];
    for side in ["left", "top", "width", "height"] {
        let v = face["box"][side].as_f64().expect("box side");
        assert!((0.0..=1.0).contains(&v), "{side} = {v}");
    }
    assert!(face["mask"]["masked"].is_boolean());
    assert!(
        face["attributes"].is_null(),
        "the local detector gives no attributes"
    );
    let category = faces["category"].as_str().expect("category").to_owned();
    assert_ne!(category, "no_faces");

    let (status, annotated) = user
        .fetch(faces["annotatedUrl"].as_str().expect("url"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        &annotated[..3],
        &[0xFF, 0xD8, 0xFF],
        "annotated image is a JPEG"
    );
    let (status, original) = user.fetch(faces["imageUrl"].as_str().expect("url")).await;
    assert_eq!((status, original), (StatusCode::OK, photos::with_faces()));
    assert_reading_order(&faces["faces"]);
    // Each face's number sits in a tag at its box's corner: white digits on the box colour.
    let annotated = image::load_from_memory(&annotated)
        .expect("decodes")
        .to_rgb8();
    let (w, h) = annotated.dimensions();
    for face in faces["faces"].as_array().expect("faces") {
        let corner = |side: &str, size: u32| {
            (face["box"][side].as_f64().expect("side") * f64::from(size)) as u32
        };
        let (x, y) = (corner("left", w), corner("top", h));
        let whites = (x..(x + 12).min(w))
            .flat_map(|px| (y..(y + 16).min(h)).map(move |py| (px, py)))
            .filter(|&(px, py)| annotated.get_pixel(px, py).0.iter().all(|c| *c > 200))
            .count();
        assert!(whites > 0, "no number tag at {x},{y}");
    }

    let empty = user.wait_for(&empty_id).await;
    assert_eq!(
        (
            empty["status"].as_str(),
            empty["category"].as_str(),
            empty["faceCount"].as_u64()
        ),
        (Some("done"), Some("no_faces"), Some(0))
    );

    // History: newest first, each in its list, counts per tab.
    let (_, all) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(ids(&all), [empty_id.clone(), faces_id.clone()]);
    assert_eq!(all["counts"]["all"], 2);
    assert_eq!(all["counts"]["noFaces"], 1);
    let (_, none) = user
        .send("GET", "/api/analyses?category=no_faces", None)
        .await;
    assert_eq!(ids(&none), [empty_id.as_str()]);
    let (_, theirs) = user
        .send("GET", &format!("/api/analyses?category={category}"), None)
        .await;
    assert_eq!(ids(&theirs), [faces_id.as_str()]);
    assert!(all["items"][1]["thumbnailUrl"].is_string());

    // Paging by cursor.
    let (_, first) = user.send("GET", "/api/analyses?limit=1", None).await;
    assert_eq!(ids(&first), [empty_id.as_str()]);
    let cursor = first["nextCursor"].as_str().expect("a next page");
    let (_, second) = user
        .send(
            "GET",
            &format!("/api/analyses?limit=1&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(ids(&second), [faces_id.as_str()]);
    assert!(second["nextCursor"].is_null());
    let (status, body) = user
        .send("GET", "/api/analyses?cursor=bm90LW91cnM", None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input"))
    );
    let (status, _) = user
        .send("GET", "/api/analyses?category=purple", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another user sees none of it.
    let other = new_user(&server, &admin, "otto").await;
    for (method, path) in [
        ("GET", format!("/api/analyses/{faces_id}")),
        ("DELETE", format!("/api/analyses/{faces_id}")),
    ] {
        let (status, body) = other.send(method, &path, None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{method} {path}"
        );
    }
    let (_, other_list) = other.send("GET", "/api/analyses", None).await;
    assert!(ids(&other_list).is_empty());
    let anonymous = ApiClient::new(&server.base_url);
    assert_eq!(
        anonymous.send("GET", "/api/analyses", None).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Delete removes the record and the images.
    assert_eq!(
        user.send("DELETE", &format!("/api/analyses/{faces_id}"), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        user.send("GET", &format!("/api/analyses/{faces_id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        user.fetch(faces["annotatedUrl"].as_str().expect("url"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, after) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(after["counts"]["all"], 1);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_reasons_and_bad_photos_fail_readably() {
    let server = Server::start();
    let user = admin(&server).await;
    let cases = [
        (
            json!({ "filename": "a.gif", "contentType": "image/gif", "size": 10 }),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
        ),
        (
            json!({ "filename": "a.jpg", "contentType": "image/jpeg", "size": 16 * 1024 * 1024 }),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            json!({ "filename": "a.jpg", "contentType": "image/jpeg", "size": 0 }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "filename": "a.jpg", "contentType": "image/jpeg" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "filename": "a.jpg", "contentType": "image/jpeg", "size": "big" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "filename": "", "contentType": "image/jpeg", "size": 10 }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = user.send("POST", "/api/uploads", Some(body.clone())).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }

    // The signature binds type, length and key.
    let bytes = photos::without_faces(32, 32);
    let (_, ticket) = user
        .send(
            "POST",
            "/api/uploads",
            Some(json!({ "filename": "a.jpg", "contentType": "image/jpeg", "size": bytes.len() })),
        )
        .await;
    let http = reqwest::Client::new();
    let url = ticket["url"].as_str().expect("url").to_owned();
    let wrong_type = http
        .put(&url)
        .header("Content-Type", "image/png")
        .body(bytes.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong_type.status(), StatusCode::FORBIDDEN);
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"extra");
    let wrong_length = http
        .put(&url)
        .header("Content-Type", "image/jpeg")
        .body(longer)
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong_length.status(), StatusCode::FORBIDDEN);
    let tampered = url.replace("signature=", "signature=00");
    let forged = http
        .put(&tampered)
        .header("Content-Type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let later = url.replace("expires=", "expires=9");
    let extended = http
        .put(&later)
        .header("Content-Type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(
        extended.status(),
        StatusCode::FORBIDDEN,
        "a changed expiry breaks the signature"
    );
    let unsigned = url.split('?').next().expect("path").to_owned();
    let no_signature = http
        .put(&unsigned)
        .header("Content-Type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .expect("answers");
    assert_eq!(no_signature.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        user.put_ticket(&ticket, bytes).await,
        StatusCode::OK,
        "the untouched ticket works"
    );

    // Bytes that are not what they claim end as failed analyses that say why.
    let mut truncated = photos::without_faces(400, 300);
    truncated.truncate(truncated.len() / 3);
    let bad = [
        (
            "notes.jpg",
            "image/jpeg",
            b"this is plain text, not a photo".to_vec(),
            "JPEG, PNG or WebP",
        ),
        ("cut.jpg", "image/jpeg", truncated, "truncated or corrupt"),
        (
            "flood.png",
            "image/png",
            photos::pixel_flood(),
            "megapixels",
        ),
    ];
    for (name, kind, bytes, says) in bad {
        let (id, put) = user.upload(name, kind, bytes).await;
        assert_eq!(put, StatusCode::OK);
        let result = user.wait_for(&id).await;
        assert_eq!(result["status"], "failed", "{name}: {result}");
        let reason = result["failureReason"].as_str().expect("a reason");
        assert!(
            reason.contains(says),
            "{name}: {reason:?} should say {says:?}"
        );
    }
}

/// Serves one photo over HTTP on 127.0.0.1 (and a redirect to it) for the from-url tests.
async fn photo_server(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let head = if request.starts_with("GET /redirect") {
                    "HTTP/1.1 302 Found\r\nLocation: /photo.jpg\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                };
                let _ = socket.write_all(head.as_bytes()).await;
                if !request.starts_with("GET /redirect") {
                    let _ = socket.write_all(&body).await;
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn photos_by_url_are_fetched_and_private_addresses_refused() {
    let photo_site = photo_server(photos::with_faces()).await;

    let trusting = Server::start_with(Options {
        allow_private_urls: true,
        ..Options::default()
    });
    let user = admin(&trusting).await;
    for path in ["/photo.jpg", "/redirect"] {
        let (status, body) = user
            .send(
                "POST",
                "/api/uploads/from-url",
                Some(json!({ "url": format!("{photo_site}{path}") })),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{path}: {body}");
        let result = user
            .wait_for(body["analysisId"].as_str().expect("id"))
            .await;
        assert_eq!(result["status"], "done", "{result}");
        assert!(result["faceCount"].as_u64().expect("count") >= 1);
    }

    let guarded = Server::start();
    let user = admin(&guarded).await;
    for url in [
        format!("{photo_site}/photo.jpg"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]/x.jpg".to_owned(),
        "http://10.0.0.8/x.jpg".to_owned(),
        "http://localhost/x.jpg".to_owned(),
        "file:///etc/passwd".to_owned(),
        "ftp://example.com/x.jpg".to_owned(),
        "not a url".to_owned(),
    ] {
        let (status, body) = user
            .send("POST", "/api/uploads/from-url", Some(json!({ "url": url })))
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("url_refused")),
            "{url}: {body}"
        );
        assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    // Plain words, and never the address the name resolved to.
    for (url, says) in [
        (
            "http://10.0.0.8/x.jpg",
            "That address is inside a private network, so Facelens will not fetch it",
        ),
        (
            "http://localhost/x.jpg",
            "That address is this server itself, so Facelens will not fetch it",
        ),
        (
            "ftp://example.com/x.jpg",
            "Facelens fetches only web addresses that start with http:// or https://",
        ),
    ] {
        let (_, body) = user
            .send("POST", "/api/uploads/from-url", Some(json!({ "url": url })))
            .await;
        assert_eq!(body["error"]["message"], says, "{url}");
    }
    let (_, history) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(
        history["counts"]["all"], 0,
        "refused URLs leave nothing behind"
    );
}

#[tokio::test]
async fn an_analysis_interrupted_by_kill_9_finishes_after_restart() {
    let server = Server::start();
    let user = admin(&server).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let (id, put) = user
            .upload(&format!("p{n}.jpg"), "image/jpeg", photos::with_faces())
            .await;
        assert_eq!(put, StatusCode::OK);
        ids.push(id);
    }
    // The uploads are acknowledged, so they are durable; kill the server before it can finish.
    let data_dir = server.kill_hard();

    let restarted = Server::start_with(Options {
        data_dir: Some(data_dir),
        ..Options::default()
    });
    let user = admin(&restarted).await;
    for id in &ids {
        let result = user.wait_for(id).await;
        assert_eq!(result["status"], "done", "{result}");
    }
    let (_, history) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(history["counts"]["all"], 4);
}

#[tokio::test]
async fn a_person_is_found_in_a_group_photo_and_unusable_references_are_refused() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "finn").await;

    // The reference: a portrait cut from the group photo's source.
    let (portrait, _) = user
        .upload(
            "portrait.jpg",
            "image/jpeg",
            photos::fixture("face-bare.jpg"),
        )
        .await;
    assert_eq!(user.wait_for(&portrait).await["status"], "done");
    let (group, put) = user
        .upload_compared(
            "group.jpg",
            "image/jpeg",
            photos::with_faces(),
            Some(&portrait),
        )
        .await;
    assert_eq!(put, StatusCode::OK);
    let result = user.wait_for(&group).await;
    assert_eq!(result["status"], "done", "{result}");
    assert_eq!(result["reference"], portrait.as_str());
    let faces = result["faces"].as_array().expect("faces");
    assert!(faces.len() >= 3, "{result}");
    let same: Vec<&Value> = faces
        .iter()
        .filter(|f| f["likeness"]["samePerson"] == true)
        .collect();
    assert_eq!(
        same.len(),
        1,
        "one face of the group is the portrait's: {result}"
    );
    assert_eq!(result["matchCount"], 1);
    let best = faces
        .iter()
        .map(|f| f["likeness"]["similarity"].as_f64().expect("a similarity"))
        .fold(f64::MIN, f64::max);
    assert_eq!(same[0]["likeness"]["similarity"].as_f64(), Some(best));
    // The history lists it as a comparison.
    let (_, history) = user.send("GET", "/api/analyses", None).await;
    let item = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == group.as_str())
        .expect("listed");
    assert_eq!(item["reference"], portrait.as_str(), "{item}");
    assert_eq!(item["matchCount"], 1, "{item}");

    // The same person with a mask on is found too, and the same face of the group.
    let (masked, _) = user
        .upload(
            "masked.jpg",
            "image/jpeg",
            photos::fixture("face-masked.jpg"),
        )
        .await;
    assert_eq!(user.wait_for(&masked).await["status"], "done");
    let (again, _) = user
        .upload_compared(
            "group.jpg",
            "image/jpeg",
            photos::with_faces(),
            Some(&masked),
        )
        .await;
    let by_mask = user.wait_for(&again).await;
    assert_eq!(by_mask["matchCount"], 1, "{by_mask}");
    let found = |r: &Value| {
        r["faces"]
            .as_array()
            .expect("faces")
            .iter()
            .position(|f| f["likeness"]["samePerson"] == true)
    };
    assert_eq!(found(&by_mask), found(&result), "the same face: {by_mask}");

    // References that cannot be compared with are refused before anything is recorded.
    let (no_face, _) = user
        .upload("coffee.jpg", "image/jpeg", photos::fixture("no-face.jpg"))
        .await;
    assert_eq!(user.wait_for(&no_face).await["status"], "done");
    let (_, pending_ticket) = user
        .send(
            "POST",
            "/api/uploads",
            Some(json!({ "filename": "later.jpg", "contentType": "image/jpeg", "size": 100 })),
        )
        .await;
    let pending = pending_ticket["analysisId"].as_str().expect("id");
    let other = new_user(&server, &admin, "olga").await;
    let (others, _) = other
        .upload("olga.jpg", "image/jpeg", photos::fixture("face-bare.jpg"))
        .await;
    assert_eq!(other.wait_for(&others).await["status"], "done");
    let (_, before) = user.send("GET", "/api/analyses", None).await;
    for (reference, why) in [
        (json!(no_face), "has no face"),
        (json!(pending), "still being analysed"),
        (json!(others), "not one of your analyses"),
        (
            json!("0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10"),
            "not one of your analyses",
        ),
    ] {
        for (path, form) in [
            (
                "/api/uploads",
                json!({ "filename": "g.jpg", "contentType": "image/jpeg", "size": 100,
                        "reference": reference }),
            ),
            (
                "/api/uploads/from-url",
                json!({ "url": "http://127.0.0.1:9/g.jpg", "reference": reference }),
            ),
        ] {
            let (status, body) = user.send("POST", path, Some(form)).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{path} {reference}: {body}"
            );
            assert_eq!(body["error"]["code"], "invalid_input", "{body}");
            let message = body["error"]["message"].as_str().expect("a message");
            assert!(message.contains(why), "{path} {reference}: {message}");
        }
    }
    let (status, body) = user
        .send(
            "POST",
            "/api/uploads",
            Some(
                json!({ "filename": "g.jpg", "contentType": "image/jpeg", "size": 100,
                         "reference": "not an id" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, after) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(before["counts"], after["counts"], "nothing was recorded");
}

#[tokio::test]
async fn an_upload_whose_photo_never_arrives_fails_once_its_url_expires() {
    // URLs work 2 s; the grace is 1 s; the sweep runs every second.
    let server = Server::start_with(Options {
        upload_url_seconds: Some(2),
        ..Options::default()
    });
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "abe").await;
    let form = |name: &str, size: usize| json!({ "filename": name, "contentType": "image/jpeg", "size": size });
    let (status, policy) = user.send("GET", "/api/uploads/policy", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        policy,
        json!({ "maxBytes": 15 * 1024 * 1024, "types": ["image/jpeg", "image/png", "image/webp"], "urlSeconds": 2 })
    );
    let (status, abandoned) = user
        .send("POST", "/api/uploads", Some(form("lost.jpg", 1234)))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let abandoned_id = abandoned["analysisId"].as_str().expect("id").to_owned();
    let photo = photos::with_faces();
    let (arrived_id, put) = user.upload("kept.jpg", "image/jpeg", photo).await;
    assert_eq!(put, StatusCode::OK);

    let (_, pending) = user
        .send("GET", &format!("/api/analyses/{abandoned_id}"), None)
        .await;
    assert_eq!(pending["status"], "pending", "the URL still works");
    let failed = user.wait_for(&abandoned_id).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["failureReason"]
            .as_str()
            .is_some_and(|r| r.starts_with("the photo never arrived")),
        "{failed}"
    );
    // Too late now: the URL has expired, so the photo cannot revive the record.
    assert_ne!(
        user.put_ticket(&abandoned, vec![0xFF; 1234]).await,
        StatusCode::OK
    );
    assert_eq!(user.wait_for(&arrived_id).await["status"], "done");
    let (_, history) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(history["counts"]["all"], 2, "{history}");
}

#[tokio::test]
async fn a_script_analyses_a_photo_in_one_request_as_a_body_or_a_form() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "scripta").await;
    let other = new_user(&server, &admin, "otto").await;

    // The photo as the body: the result comes back at once, and is the one the history keeps.
    let (status, result, location) = user
        .send_bytes("/api/analyses", "image/jpeg", photos::with_faces())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    assert_eq!(result["status"], "done", "{result}");
    let faces = result["faceCount"].as_u64().expect("count");
    assert!(faces >= 2, "the group photo's faces: {result}");
    assert_eq!(
        result["faces"].as_array().map(Vec::len),
        Some(faces as usize)
    );
    let id = result["id"].as_str().expect("id").to_owned();
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/analyses/{id}").as_str())
    );
    let (status, again) = user.send("GET", &format!("/api/analyses/{id}"), None).await;
    assert_eq!(
        (status, &again["faceCount"]),
        (StatusCode::OK, &result["faceCount"])
    );
    let (_, page) = user.send("GET", "/api/analyses", None).await;
    assert!(ids(&page).contains(&id));
    // Someone else can neither read it nor find it.
    let (status, _) = other
        .send("GET", &format!("/api/analyses/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // As a form (`curl -F file=@team.jpg`): the file's name is kept; other fields are ignored.
    let (form_type, form) =
        facelens_tests::api::photo_form("file", "team.jpg", &photos::with_faces());
    let (status, result, _) = user.send_bytes("/api/analyses", &form_type, form).await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    assert_eq!(
        (result["filename"].as_str(), result["faceCount"].as_u64()),
        (Some("team.jpg"), Some(faces))
    );

    // Not waiting: 202 with the id to poll, which then finishes like any upload.
    let (status, accepted, location) = user
        .send_bytes(
            "/api/analyses?wait=0",
            "image/png",
            photos::png_without_faces(),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let id = accepted["analysisId"].as_str().expect("id");
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/analyses/{id}").as_str())
    );
    let done = user.wait_for(id).await;
    assert_eq!(
        (&done["status"], &done["faceCount"]),
        (&json!("done"), &json!(0))
    );

    // The unhappy paths, each with a JSON reason and nothing stored.
    let (_, before) = user.send("GET", "/api/analyses", None).await;
    let (status, body, _) = user
        .send_bytes("/api/analyses", "text/plain", b"hello".to_vec())
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("why")
            .contains("image/jpeg")
    );
    let (status, body, _) = user
        .send_bytes(
            "/api/analyses",
            "image/jpeg",
            b"not a photo at all".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (form_type, form) =
        facelens_tests::api::photo_form("photo", "a.jpg", &photos::with_faces());
    let (status, body, _) = user.send_bytes("/api/analyses", &form_type, form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("why")
            .contains("`file`")
    );
    let (status, body, _) = user
        .send_bytes("/api/analyses?wait=60", "image/jpeg", photos::with_faces())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, policy) = user.send("GET", "/api/uploads/policy", None).await;
    let max = policy["maxBytes"].as_u64().expect("limit") as usize;
    let mut huge = photos::with_faces();
    huge.resize(max + 1, 0);
    let (status, body, _) = user.send_bytes("/api/analyses", "image/jpeg", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("why")
            .contains("POST /api/uploads")
    );
    let stranger = facelens_tests::api::ApiClient::new(&server.base_url);
    let (status, _, _) = stranger
        .send_bytes("/api/analyses", "image/jpeg", photos::with_faces())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, after) = user.send("GET", "/api/analyses", None).await;
    assert_eq!(
        ids(&after),
        ids(&before),
        "a refused photo leaves no analysis"
    );
}

#[tokio::test]
async fn a_personal_api_token_analyses_and_reads_results_and_nothing_else_until_revoked() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "tess").await;
    let other = new_user(&server, &admin, "ollie").await;

    let (status, made) = user
        .send(
            "POST",
            "/api/me/tokens",
            Some(json!({"name": "nightly", "days": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let token = made["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("flt_tess."), "{token}");
    let id = made["id"].as_str().expect("id").to_owned();
    let created = time::OffsetDateTime::parse(
        made["createdAt"].as_str().expect("created"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    let expires = time::OffsetDateTime::parse(
        made["expiresAt"].as_str().expect("expires"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    assert_eq!(expires - created, time::Duration::days(30));
    // Listed by name, never with its secret or hash; nobody else sees it.
    let (_, listed) = user.send("GET", "/api/me/tokens", None).await;
    assert_eq!(listed["tokens"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["tokens"][0]["name"], "nightly");
    assert!(!listed.to_string().contains(&token[token.len() - 64..]));
    assert!(listed["tokens"][0].get("hash").is_none());
    let (_, theirs) = other.send("GET", "/api/me/tokens", None).await;
    assert_eq!(theirs["tokens"], json!([]));
    let (status, _) = other
        .send("DELETE", &format!("/api/me/tokens/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The token analyses photos and reads the results, as its owner.
    let mut script = facelens_tests::api::ApiClient::new(&server.base_url);
    script.token = Some(token.clone());
    let (status, result, _) = script
        .send_bytes("/api/analyses", "image/jpeg", photos::with_faces())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let analysis = result["id"].as_str().expect("id").to_owned();
    let (status, page) = script.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&page).contains(&analysis));
    let (_, owners) = user.send("GET", "/api/analyses", None).await;
    assert!(ids(&owners).contains(&analysis), "the photo is its owner's");
    let (status, _) = script
        .send("GET", &format!("/api/analyses/{analysis}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = script.send("GET", "/api/uploads/policy", None).await;
    assert_eq!(status, StatusCode::OK);

    // Nothing else: not the account, not other tokens, not deleting, not the admin's routes.
    for (method, path, body) in [
        ("GET", "/api/me".to_owned(), None),
        (
            "POST",
            "/api/me/tokens".to_owned(),
            Some(json!({"name": "more"})),
        ),
        ("GET", "/api/me/tokens".to_owned(), None),
        (
            "PUT",
            "/api/me/password".to_owned(),
            Some(json!({"currentPassword": "x", "newPassword": "a much longer password 42"})),
        ),
        ("DELETE", format!("/api/analyses/{analysis}"), None),
        ("POST", "/api/auth/logout".to_owned(), None),
    ] {
        let (status, body) = script.send(method, &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert_eq!(
            body["error"]["code"], "api_token_not_allowed",
            "{method} {path}"
        );
    }
    let (status, _) = user
        .send("GET", &format!("/api/analyses/{analysis}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the refused delete deleted nothing");

    // A token with another secret, or a made-up one, is refused.
    let mut forged = facelens_tests::api::ApiClient::new(&server.base_url);
    let flipped = if token.ends_with('0') { '1' } else { '0' };
    forged.token = Some(format!("{}{flipped}", &token[..token.len() - 1]));
    let (status, _) = forged.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    forged.token = Some(format!("flt_ollie.{id}.{}", "ab".repeat(32)));
    let (status, _) = forged.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bad requests say why.
    let (status, body) = user
        .send("POST", "/api/me/tokens", Some(json!({"name": " "})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = user
        .send(
            "POST",
            "/api/me/tokens",
            Some(json!({"name": "long", "days": 400})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Revoked, it stops at once.
    let (status, _) = user
        .send("DELETE", &format!("/api/me/tokens/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = script.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = user
        .send("DELETE", &format!("/api/me/tokens/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
