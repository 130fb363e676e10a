//! Alert channels: the collector config file's cases, digest and channels (`config`, read by
//! `file` and `channel_file`), what an alert says (`message`, in words by `text`), each robot's
//! request (`robot`: WeCom, DingTalk, Feishu, Standard Webhooks) and answer (`answer`), and the
//! one sender over HTTP (`send`). Everything but `send` and `Config::load` is pure: the
//! delivery worker (`jobs`) leases a job, builds its `Message`, asks `Sender::send`, and
//! records the `Outcome` (`nps_core::cases::delivery`). docs/ALERTS.md is the operator's guide.
//!
//! Never here: a phone number (no type has a field for one; customers' words are masked), a
//! secret or a URL's path or query in a `Debug`, an error or a reason.

pub mod answer;
pub mod channel_file;
pub mod config;
pub mod file;
pub mod message;
pub mod report_file;
pub mod robot;
pub mod send;
pub mod text;
mod thanks;

pub use config::{Channel, Config, Hidden, Kind};
pub use message::{Alert, AlertKind, Digest, Message, Named, Thanks, Weekly};
pub use send::Sender;
pub use text::brand_words;

#[cfg(test)]
mod tests;
