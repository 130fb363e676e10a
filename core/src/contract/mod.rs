//! What crosses a boundary, checked the same way on every side: the response payload
//! (`payload`), JSON text (`json`), the shared limits and shapes (`rules`), phone numbers
//! (`phone`), the DOM events (`events`), and the one way a field error is put into words
//! (`error`).

pub mod error;
pub mod events;
pub mod json;
pub mod payload;
pub mod phone;
pub mod rules;
