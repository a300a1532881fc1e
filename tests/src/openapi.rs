//! Every answer the black-box tests get through [`crate::api::ApiClient`] is checked against
//! the OpenAPI document the server serves (`GET /api/openapi.json`): the status must be one the
//! operation documents, and a JSON body must match its schema, with no property the schema
//! does not name. This is a small validator for the JSON Schema subset the document uses
//! (`$ref`, `oneOf`/`anyOf`/`allOf`, `type` with `null`, `enum`, objects, arrays).

use serde_json::Value;

/// The operation of `doc` that answers `method` on `path` (no query), with its path template.
fn operation<'d>(doc: &'d Value, method: &str, path: &str) -> Option<(&'d str, &'d Value)> {
    let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
    let paths = doc["paths"].as_object()?;
    paths.iter().find_map(|(template, item)| {
        let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
        let fits = parts.len() == wanted.len()
            && parts
                .iter()
                .zip(&wanted)
                .all(|(t, w)| t.starts_with('{') || t == w);
        let op = item.get(method.to_ascii_lowercase())?;
        fits.then_some((template.as_str(), op))
    })
}

/// Checks one answer; `Err` says what does not match.
///
/// # Errors
/// An undocumented operation or status, or a body that breaks its schema.
pub fn check_answer(
    doc: &Value,
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let path = path.split('?').next().unwrap_or(path);
    let Some((template, op)) = operation(doc, method, path) else {
        return Err(format!("{method} {path} is not in the OpenAPI document"));
    };
    let Some(answer) = op["responses"].get(status.to_string()) else {
        return Err(format!(
            "{method} {template} answered {status}, which the document does not list"
        ));
    };
    match answer["content"]["application/json"].get("schema") {
        Some(schema) => validate(doc, schema, body, "$")
            .map_err(|e| format!("{method} {template} {status}: {e}")),
        None if body.is_null() => Ok(()),
        None => Err(format!(
            "{method} {template} {status}: a JSON body the document does not describe: {body}"
        )),
    }
}

fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| format!("{at}: unsupported $ref {reference}"))?;
        return validate(doc, &doc["components"]["schemas"][name], value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let errors: Vec<String> = options
                .iter()
                .filter_map(|o| validate(doc, o, value, at).err())
                .collect();
            if errors.len() == options.len() {
                return Err(format!(
                    "{at}: matches none of {key}: {}",
                    errors.join("; ")
                ));
            }
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            validate(doc, part, value, at)?;
        }
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.iter().any(|t| is_type(value, t)) {
            return Err(format!("{at}: {value} is not {}", types.join(" or ")));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(object), Some(properties)) = (
        value.as_object(),
        schema.get("properties").and_then(Value::as_object),
    ) {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: the required {name} is missing"));
            }
        }
        for (name, field) in object {
            match properties.get(name) {
                Some(property) => validate(doc, property, field, &format!("{at}.{name}"))?,
                None if schema.get("additionalProperties").is_some() => {}
                None => return Err(format!("{at}: {name} is not in the schema")),
            }
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, schema, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": { "/api/things/{id}": { "get": { "responses": {
                "200": { "content": { "application/json": { "schema":
                    { "$ref": "#/components/schemas/Thing" } } } },
                "404": {}
            } } } },
            "components": { "schemas": { "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": { "type": "string" },
                    "size": { "type": ["integer", "null"] },
                    "kind": { "oneOf": [{ "type": "null" }, { "enum": ["a", "b"] }] }
                }
            } } }
        })
    }

    #[test]
    fn answers_are_held_to_their_operation_status_and_schema() {
        let d = doc();
        let ok = |body: Value| check_answer(&d, "GET", "/api/things/7", 200, &body);
        assert_eq!(ok(json!({ "name": "x", "size": 3, "kind": "a" })), Ok(()));
        assert_eq!(ok(json!({ "name": "x", "size": null })), Ok(()));
        for bad in [
            json!({ "size": 3 }),
            json!({ "name": 3 }),
            json!({ "name": "x", "size": 1.5 }),
            json!({ "name": "x", "kind": "c" }),
            json!({ "name": "x", "extra": true }),
        ] {
            assert!(ok(bad.clone()).is_err(), "{bad}");
        }
        assert_eq!(
            check_answer(&d, "GET", "/api/things/7", 404, &Value::Null),
            Ok(())
        );
        assert!(check_answer(&d, "GET", "/api/things/7", 500, &Value::Null).is_err());
        assert!(check_answer(&d, "POST", "/api/things/7", 200, &Value::Null).is_err());
        assert!(check_answer(&d, "GET", "/api/other", 200, &Value::Null).is_err());
    }
}
