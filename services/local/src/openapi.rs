//! The local server's OpenAPI document: every service's routes and the ones only this server
//! has (signed object URLs, the database snapshot, the metrics).

use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;

/// The routes of this server alone.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    crate::object_routes::upload,
    crate::object_routes::download,
    crate::backup_route::backup,
    crate::metrics::metrics
))]
struct LocalApi;

/// The document `GET /api/openapi.json` answers on the local server.
pub fn document() -> OpenApi {
    let mut doc = facelens_api::openapi::document();
    doc.merge(LocalApi::openapi());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The document itself is served outside it.
    const SELF: (&str, &str) = ("get", "/api/openapi.json");
    /// The routes only the local server has.
    const LOCAL_ONLY: [&str; 3] = ["/objects/{key}", "/api/admin/backup", "/metrics"];

    /// Every `(method, path)` a `.route(...)` call registers in the Rust files under `dir`.
    fn routes_in(dir: &Path, found: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                routes_in(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                // Test modules (this one scans for the call itself) come last in a file.
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                routes_of(code, found);
            }
        }
    }

    fn routes_of(text: &str, found: &mut BTreeSet<(String, String)>) {
        let mut rest = text;
        while let Some(at) = rest.find(".route(") {
            let call = &rest[at + ".route(".len()..];
            let mut depth = 1;
            let end = call
                .char_indices()
                .find_map(|(i, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    (depth == 0).then_some(i)
                })
                .expect("a closed call");
            let args = &call[..end];
            rest = &call[end..];
            let Some(path) = args.split('"').nth(1) else {
                continue;
            };
            let path = path.replace("{*", "{");
            for method in ["get", "post", "put", "delete", "patch"] {
                let token = format!("{method}(");
                let used = args.match_indices(&token).any(|(i, _)| {
                    i == 0
                        || !args[..i]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if used {
                    found.insert((method.to_owned(), path.clone()));
                }
            }
        }
    }

    fn operations(doc: &OpenApi) -> BTreeSet<(String, String)> {
        let json = serde_json::to_value(doc).expect("JSON");
        let mut found = BTreeSet::new();
        for (path, item) in json["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("an item").keys() {
                found.insert((method.clone(), path.clone()));
            }
        }
        found
    }

    #[test]
    fn every_route_of_the_code_is_in_the_document_and_nothing_else() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut routes = BTreeSet::new();
        routes_in(&root.join("shared/api/src"), &mut routes);
        routes_in(&root.join("services/local/src"), &mut routes);
        assert!(routes.len() > 30, "the scan finds the routes: {routes:?}");
        assert!(routes.remove(&(SELF.0.to_owned(), SELF.1.to_owned())));
        let documented = operations(&document());
        let missing: Vec<_> = routes.difference(&documented).collect();
        let stale: Vec<_> = documented.difference(&routes).collect();
        assert!(
            missing.is_empty(),
            "routes the document does not describe: {missing:?}"
        );
        assert!(stale.is_empty(), "operations no route answers: {stale:?}");
    }

    #[test]
    fn the_lambdas_document_is_the_same_without_the_local_routes() {
        let local: BTreeSet<_> = operations(&document())
            .into_iter()
            .filter(|(_, path)| !LOCAL_ONLY.contains(&path.as_str()))
            .collect();
        assert_eq!(operations(&facelens_api::openapi::document()), local);
    }

    #[test]
    fn the_route_scan_reads_chained_methods_and_skips_handler_names() {
        let mut found = BTreeSet::new();
        routes_of(
            r#"Router::new().route("/a/{id}", get(one::get).delete(one::delete))
               .route(
                   "/b/{*key}",
                   post(b::post),
               )"#,
            &mut found,
        );
        let pairs: Vec<(&str, &str)> = found
            .iter()
            .map(|(m, p)| (m.as_str(), p.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("delete", "/a/{id}"),
                ("get", "/a/{id}"),
                ("post", "/b/{key}")
            ]
        );
    }
}
