//! What crosses a boundary, checked the same way on every side: the response payload
//! (`payload`), JSON text (`json`), the shared limits and shapes (`rules`), phone numbers
//! (`phone`), the DOM events (`events`), the context keys and values the core knows
//! (`context`: segment dimensions, touchpoints), RFC 3339 times (`time`), the CSV export's columns and cells (`csv`),
//! the dashboard's compact export (`columns`),
//! and the one way a field error is put into
//! words (`error`).

pub mod columns;
pub mod context;
pub mod csv;
pub mod error;
pub mod events;
pub mod json;
pub mod payload;
pub mod phone;
pub mod rules;
pub mod time;
