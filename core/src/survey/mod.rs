//! The survey a customer goes through: the flow's state machine (`flow`), whether this browser
//! is asked now (`gate`), what the browser remembers about a survey (`marks`), taking over a
//! page the collector rendered (`takeover`), and what the customer reads at the end (`outcome`).

pub mod flow;
pub mod gate;
pub mod marks;
pub mod outcome;
pub mod takeover;
