//! The rules of an org file, owned once: its tables and their keys (`Table`), and `build`,
//! which checks the entries and reports every error at once, each naming its table, its
//! entry and its key. The collector's reader adds the line (it has the TOML spans); the JSON
//! reader (`Org::from_value`) adds the path.
//!
//! The rules: an `id` is not empty, fits the context (`rules::is_context_value`) and is
//! used once in its table; a `name` is not empty; a `target` is a whole number from −100 to
//! 100; a store's `region` is a declared region and its `city` is not empty; an `owner` is an
//! email address; an advisor's `store` is a declared store.

use std::fmt;

use super::{Advisor, Org, Region, Store};
use crate::contract::error::{quoted, ErrorKind, FieldError};
use crate::contract::rules;

/// The lowest target.
pub const TARGET_MIN: i64 = -100;
/// The highest target.
pub const TARGET_MAX: i64 = 100;
/// What a target accepts, in words.
pub fn targets() -> String {
    format!("a whole number from {TARGET_MIN} to {TARGET_MAX} (an NPS)")
}

/// Checks the brand's target (`[brand] target`), naming `brand.target`.
pub fn brand_target(t: i64) -> Result<(), FieldError> {
    if (TARGET_MIN..=TARGET_MAX).contains(&t) {
        Ok(())
    } else {
        Err(FieldError::invalid(
            "brand.target",
            t.to_string(),
            targets(),
        ))
    }
}

/// The keys the brand's table (`[brand]`) may have.
pub const BRAND_KEYS: &[&str] = &["target"];

/// The most declared values an error lists before "…".
const LISTED: usize = 20;

/// A table of an org file (`[[region]]`, `[[store]]`, `[[advisor]]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Region,
    Store,
    Advisor,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::Region, Table::Store, Table::Advisor];
    /// The tables' keys, for "did you mean".
    pub const KEYS: [&'static str; 3] = ["region", "store", "advisor"];

    /// Its key in the file (`store` for `[[store]]`).
    pub const fn key(self) -> &'static str {
        Table::KEYS[self as usize]
    }

    pub fn from_key(key: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The keys an entry of this table may have.
    pub const fn keys(self) -> &'static [&'static str] {
        match self {
            Table::Region => &["id", "name", "target"],
            Table::Store => &["id", "name", "region", "city", "owner", "target"],
            Table::Advisor => &["id", "name", "store"],
        }
    }

    /// Whether a key holds a whole number (the rest hold strings).
    pub fn is_number(key: &str) -> bool {
        key == "target"
    }
}

/// One thing wrong with one entry: its table, its place in the table (from 0) and the
/// error, whose `field` is the entry's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgError {
    pub table: Table,
    pub index: usize,
    pub error: FieldError,
}

impl fmt::Display for OrgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[[{}]] #{}: {}",
            self.table.key(),
            self.index + 1,
            self.error
        )
    }
}

/// Checks the entries of an org file; every error at once, in table and file order.
pub fn build(
    regions: Vec<Region>,
    stores: Vec<Store>,
    advisors: Vec<Advisor>,
) -> Result<Org, Vec<OrgError>> {
    let mut errors = Vec::new();
    let mut at = |table, index, error| {
        errors.push(OrgError {
            table,
            index,
            error,
        })
    };
    let region_ids = ids(Table::Region, regions.iter().map(|r| &r.id), &mut at);
    for (i, r) in regions.iter().enumerate() {
        named(&r.name, Table::Region, i, &mut at);
        target(r.target, Table::Region, i, &mut at);
    }
    let store_ids = ids(Table::Store, stores.iter().map(|s| &s.id), &mut at);
    for (i, s) in stores.iter().enumerate() {
        named(&s.name, Table::Store, i, &mut at);
        declared(&s.region, "region", &region_ids, Table::Store, i, &mut at);
        match s.city.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => {}
            Some(_) => at(Table::Store, i, not_empty("city", "深圳")),
            None => at(
                Table::Store,
                i,
                missing("city", "the city the store is in, e.g. \"深圳\""),
            ),
        }
        if let Some(owner) = &s.owner {
            if !rules::is_email(owner) {
                at(
                    Table::Store,
                    i,
                    FieldError::invalid(
                        "owner",
                        quoted(owner),
                        "an email address, e.g. \"li@brand.example\"",
                    ),
                );
            }
        }
        target(s.target, Table::Store, i, &mut at);
    }
    ids(Table::Advisor, advisors.iter().map(|a| &a.id), &mut at);
    for (i, a) in advisors.iter().enumerate() {
        named(&a.name, Table::Advisor, i, &mut at);
        declared(&a.store, "store", &store_ids, Table::Advisor, i, &mut at);
    }
    if errors.is_empty() {
        Ok(Org::new_unchecked(regions, stores, advisors))
    } else {
        errors.sort_by_key(|e| (e.table as usize, e.index));
        Err(errors)
    }
}

type At<'a> = dyn FnMut(Table, usize, FieldError) + 'a;

/// Checks a table's ids; returns them in file order, each once.
fn ids<'a>(table: Table, ids: impl Iterator<Item = &'a String>, at: &mut At) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            at(
                table,
                i,
                missing("id", &format!("give each [[{}]] an id", table.key())),
            );
        } else if !rules::is_context_value(id) || id.trim() != id {
            let expected = format!(
                "a code the context can carry (at most {} characters, no control characters, \
                 no spaces at either end)",
                rules::MAX_CONTEXT_VALUE
            );
            at(table, i, FieldError::invalid("id", quoted(id), expected));
        } else if seen.contains(id) {
            at(
                table,
                i,
                FieldError::invalid(
                    "id",
                    quoted(id),
                    format!("an id no other [[{}]] has (it is given twice)", table.key()),
                ),
            );
        } else {
            seen.push(id.clone());
        }
    }
    seen
}

fn named(name: &str, table: Table, i: usize, at: &mut At) {
    let example = match table {
        Table::Region => "华南大区",
        Table::Store => "深圳福田店",
        Table::Advisor => "王磊",
    };
    if name.is_empty() {
        let hint = format!("give each [[{}]] a name, e.g. \"{example}\"", table.key());
        at(table, i, missing("name", &hint));
    } else if name.trim().is_empty() {
        at(table, i, not_empty("name", example));
    }
}

fn target(target: Option<i64>, table: Table, i: usize, at: &mut At) {
    if let Some(t) = target.filter(|t| !(TARGET_MIN..=TARGET_MAX).contains(t)) {
        at(
            table,
            i,
            FieldError::invalid("target", t.to_string(), targets()),
        );
    }
}

/// A reference (`region`, `store`) to one of the `declared` ids.
fn declared(
    value: &Option<String>,
    key: &str,
    declared: &[String],
    table: Table,
    i: usize,
    at: &mut At,
) {
    let accepted = || one_of_declared(key, declared);
    match value {
        None => at(table, i, missing(key, &accepted())),
        Some(v) if !declared.contains(v) => {
            at(table, i, FieldError::invalid(key, quoted(v), accepted()))
        }
        Some(_) => {}
    }
}

/// What a reference to a `key` (`region`, `store`) accepts: one of the declared ids (the
/// first `LISTED` of them), as an org error and the single sign-on file's say it.
pub fn one_of_declared(key: &str, declared: &[String]) -> String {
    if declared.is_empty() {
        return format!("a {key} declared with [[{key}]] (there is none)");
    }
    let mut list: Vec<String> = declared.iter().take(LISTED).map(|d| quoted(d)).collect();
    if declared.len() > LISTED {
        list.push("…".into());
    }
    format!("one of the declared {key}s: {}", list.join(", "))
}

fn missing(key: &str, hint: &str) -> FieldError {
    FieldError::new(
        key,
        ErrorKind::Missing {
            hint: hint.to_owned(),
        },
    )
}

fn not_empty(key: &str, example: &str) -> FieldError {
    FieldError::invalid(
        key,
        "\"\"".into(),
        format!("a name that is not empty, e.g. \"{example}\""),
    )
}
