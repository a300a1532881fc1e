//! facelens-api
