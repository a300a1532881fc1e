//! facelens-local
