//! facelens
fn main() {}
