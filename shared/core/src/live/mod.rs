//! The live mask check: a browser analyses camera frames itself and reports, per session, the
//! people it counted and the violations it saw (a face unmasked for longer than the camera's
//! limit). The server keeps sessions, violations (with an optional snapshot), per-hour
//! statistics and per-camera settings, and alerts admins when a camera sees too many
//! violations in a window.

mod mail;
mod model;
pub mod ports;
mod rate;
mod service;

pub use mail::MailAdmins;
pub use model::{
    AlertRule, Camera, CameraName, EventBatch, HourBucket, LiveSession, LiveSessionId,
    NewViolation, StatsPeriod, Violation,
};
pub use rate::RateLimiter;
pub use service::{
    IncomingEvents, LiveError, LiveService, Stats, StatsBucket, StatsQuery, ViolationView,
};
