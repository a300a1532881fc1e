//! facelens-vision
