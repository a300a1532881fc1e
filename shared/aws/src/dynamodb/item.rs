//! Reading and writing plain attributes; a malformed item is a store failure, not a panic.

use aws_sdk_dynamodb::types::AttributeValue;
use facelens_core::ports::StoreError;
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One item as the SDK holds it.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// An instant as an RFC 3339 string attribute.
pub(crate) fn instant(at: OffsetDateTime) -> Result<AttributeValue, StoreError> {
    at.format(&Rfc3339)
        .map(AttributeValue::S)
        .map_err(|e| StoreError::Unavailable(format!("formatting an instant: {e}")))
}

/// The partition and sort key of an item.
pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        (super::keys::PK.to_owned(), s(pk)),
        (super::keys::SK.to_owned(), s(sk)),
    ])
}

fn malformed(name: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "malformed item: attribute {name:?} missing or mistyped"
    ))
}

/// A string attribute of an item.
pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(malformed(name)),
    }
}

/// A boolean attribute of an item.
pub(crate) fn get_bool(item: &Item, name: &str) -> Result<bool, StoreError> {
    match item.get(name) {
        Some(AttributeValue::Bool(v)) => Ok(*v),
        _ => Err(malformed(name)),
    }
}

/// A number attribute of an item.
pub(crate) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().map_err(|_| malformed(name)),
        _ => Err(malformed(name)),
    }
}

/// An RFC 3339 instant attribute of an item.
pub(crate) fn get_instant(item: &Item, name: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(get_s(item, name)?, &Rfc3339).map_err(|_| malformed(name))
}

/// Parses a validated domain value stored as a string attribute.
pub(crate) fn get_parsed<T, E>(
    item: &Item,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(get_s(item, name)?).map_err(|_| malformed(name))
}
