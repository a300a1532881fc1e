//! facelens-tests
