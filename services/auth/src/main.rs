//! facelens-auth
fn main() {}
