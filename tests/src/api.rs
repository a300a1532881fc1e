//! A small JSON client for the black-box tests.

use crate::{ADMIN_PASSWORD, Server, mail_field};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// Talks to one server as one signed-in person.
pub struct ApiClient {
    base_url: String,
    http: Client,
    /// The bearer token.
    pub token: Option<String>,
}

impl ApiClient {
    /// A client for `base_url`, not signed in.
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            http: Client::new(),
            token: None,
        }
    }

    /// Sends JSON (or nothing) and returns the status and the JSON answer (`Null` if none).
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let verb = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(verb, format!("{}{path}", self.base_url));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("server answers");
        let (status, body, _) = self.checked(method, path, res).await;
        (status, body)
    }

    /// The status, JSON body (`Null` if none) and `Location` of an answer, after checking
    /// the answer against the server's OpenAPI document.
    async fn checked(
        &self,
        method: &str,
        path: &str,
        res: reqwest::Response,
    ) -> (StatusCode, Value, Option<String>) {
        let status = res.status();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().expect("text").to_owned());
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        let doc = self.document().await;
        if let Err(mismatch) =
            crate::openapi::check_answer(doc, method, path, status.as_u16(), &body)
        {
            panic!("the answer breaks the OpenAPI document: {mismatch}");
        }
        (status, body, location)
    }

    /// Sends `body` as it is with `content_type` (a photo, or a form made by [`photo_form`])
    /// and returns the status, the JSON answer and the `Location` header. The answer is
    /// checked against the OpenAPI document as [`ApiClient::send`] checks it.
    pub async fn send_bytes(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value, Option<String>) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.expect("server answers");
        self.checked("POST", path, res).await
    }

    /// The server's OpenAPI document, read once per test binary (every test server is the
    /// same binary).
    async fn document(&self) -> &'static Value {
        static DOCUMENT: tokio::sync::OnceCell<Value> = tokio::sync::OnceCell::const_new();
        DOCUMENT
            .get_or_init(|| async {
                self.http
                    .get(format!("{}/api/openapi.json", self.base_url))
                    .send()
                    .await
                    .expect("the server answers")
                    .json()
                    .await
                    .expect("the OpenAPI document is JSON")
            })
            .await
    }

    /// Signs in and keeps the token.
    pub async fn sign_in(&mut self, username: &str, password: &str) {
        let (status, body) = self
            .send(
                "POST",
                "/api/auth/login",
                Some(json!({ "username": username, "password": password })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign-in of {username}: {body}");
        self.token = body["token"].as_str().map(str::to_owned);
    }

    /// Presigns and uploads a photo as the browser does; returns the analysis id and the
    /// status of the PUT.
    pub async fn upload(
        &self,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (String, StatusCode) {
        self.upload_compared(filename, content_type, bytes, None)
            .await
    }

    /// As [`ApiClient::upload`], with every face compared with the largest face of the
    /// analysis `reference`.
    pub async fn upload_compared(
        &self,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
        reference: Option<&str>,
    ) -> (String, StatusCode) {
        let form = json!({
            "filename": filename,
            "contentType": content_type,
            "size": bytes.len(),
            "reference": reference,
        });
        let (status, ticket) = self.send("POST", "/api/uploads", Some(form)).await;
        assert_eq!(status, StatusCode::CREATED, "presign: {ticket}");
        let put = self.put_ticket(&ticket, bytes).await;
        (ticket["analysisId"].as_str().expect("id").to_owned(), put)
    }

    /// Sends bytes to a presigned ticket with exactly the headers it names.
    pub async fn put_ticket(&self, ticket: &Value, bytes: Vec<u8>) -> StatusCode {
        let url = ticket["url"].as_str().expect("url");
        let mut req = self.http.put(url).body(bytes);
        for (name, value) in ticket["headers"].as_object().expect("headers") {
            req = req.header(name, value.as_str().expect("header value"));
        }
        req.send().await.expect("object store answers").status()
    }

    /// Polls an analysis until it is no longer pending (at most 60 s).
    pub async fn wait_for(&self, id: &str) -> Value {
        for _ in 0..600 {
            let (status, body) = self.send("GET", &format!("/api/analyses/{id}"), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if body["status"] != "pending" {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("analysis {id} still pending after 60 s");
    }

    /// GETs an absolute URL (a signed image URL) and returns status and bytes.
    pub async fn fetch(&self, url: &str) -> (StatusCode, Vec<u8>) {
        let res = self.http.get(url).send().await.expect("answers");
        let status = res.status();
        (status, res.bytes().await.expect("bytes").to_vec())
    }
}

/// A client signed in as the first admin.
pub async fn admin(server: &Server) -> ApiClient {
    let mut client = ApiClient::new(&server.base_url);
    client.sign_in("admin", ADMIN_PASSWORD).await;
    client
}

/// Creates a user and returns a client signed in as them, past the first-login change (their
/// password is then [`USER_PASSWORD`]).
pub async fn new_user(server: &Server, admin: &ApiClient, name: &str) -> ApiClient {
    let email = format!("{name}@example.com");
    let (status, _) = admin
        .send(
            "POST",
            "/api/users",
            Some(json!({ "username": name, "email": email })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let one_time = mail_field(&server.last_mail_to(&email), "One-time password: ");
    let mut client = ApiClient::new(&server.base_url);
    client.sign_in(name, &one_time).await;
    let (status, body) = client
        .send(
            "PUT",
            "/api/me/password",
            Some(json!({ "currentPassword": one_time, "newPassword": USER_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    client.token = body["token"].as_str().map(str::to_owned);
    client
}

/// The password of the users [`new_user`] makes.
pub const USER_PASSWORD: &str = "a long test passphrase";

/// A `multipart/form-data` body with a `note` text field and `bytes` as the field `field`
/// (file name `filename`), and its content type, written out by hand as a browser's form
/// or `curl -F` sends it.
pub fn photo_form(field: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "facelens-test-boundary-7d93";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom a script\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
