//! The survey a customer goes through: the flow's state machine (`flow`), whether this browser
//! is asked now (`gate`), what the browser remembers about a survey (`marks`), taking over a
//! page the collector rendered and which response a page starts with (`takeover`), what the
//! follow-up asks (`follow_up`), a kiosk's timers (`kiosk`), and what the customer reads at
//! the end (`outcome`).

pub mod flow;
pub mod follow_up;
pub mod gate;
pub mod kiosk;
pub mod marks;
pub mod outcome;
pub mod takeover;
