//! facelens-core
