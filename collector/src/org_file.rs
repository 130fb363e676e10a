//! The org file (`--org org.toml` / `NPS_ORG`): a `[brand]` table (its `target`) and
//! `[[region]]`, `[[store]]` and `[[advisor]]` tables read from TOML with their spans, so every error names its line, its key and what
//! is accepted. The tables, their keys and the rules belong to the core
//! (`nps_core::org::check`); this file reads the TOML, checks each key is known and of its
//! kind, and puts the line on the core's errors. Every error is reported at once. Its span
//! helpers (`parse`, `line`, `report`, `shown`) also read the single sign-on file (`sso::file`).

use std::ops::Range;

use nps_core::contract::error::{quoted, unknown, FieldError};
use nps_core::org::check::{targets, BRAND_KEYS};
use nps_core::org::{build, Advisor, Brand, Org, Region, Store, Table};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One entry of a table as read: its keys' values and where each is, and where it starts.
#[derive(Default)]
struct Entry {
    at: usize,
    strings: Vec<(&'static str, String)>,
    target: Option<i64>,
    keys: Vec<(&'static str, usize)>,
    /// Keys given with a value of the wrong kind (already reported).
    bad: Vec<&'static str>,
}

impl Entry {
    fn string(&self, key: &str) -> Option<String> {
        self.strings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }

    /// Where a key is, or where the entry starts when the key is missing.
    fn span_of(&self, key: &str) -> usize {
        self.keys
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(self.at, |(_, at)| *at)
    }
}

/// The line (from 1) of a byte offset in `text`.
pub(crate) fn line(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// A TOML file's root table with its spans, or the parser's error with its line.
pub(crate) fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, String> {
    DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        format!("line {}: {}", line(text, at), e.message().trim_end())
    })
}

/// Errors found at byte offsets, in the order of the file, one a line: `line N: …`.
pub(crate) fn report(text: &str, mut errors: Vec<(usize, String)>) -> String {
    errors.sort_by_key(|(at, _)| *at);
    let lines: Vec<String> = errors
        .into_iter()
        .map(|(at, e)| format!("line {}: {e}", line(text, at)))
        .collect();
    lines.join("\n")
}

/// Reads an org file; the errors, one a line, each with its line number.
pub fn read(text: &str) -> Result<Org, String> {
    let root = parse(text)?;
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut tables: [Vec<Entry>; 3] = Default::default();
    let mut brand = (Brand::default(), 0);
    for (key, value) in root.get_ref() {
        let at = key.span().start;
        if key.get_ref() == BRAND {
            brand = (read_brand(value, &mut errors), at);
            continue;
        }
        let Some(table) = Table::from_key(key.get_ref()) else {
            let known = [BRAND, Table::KEYS[0], Table::KEYS[1], Table::KEYS[2]];
            let e = unknown(key.get_ref().to_string(), key.get_ref(), &known);
            errors.push((
                at,
                format!("{e} (an org file has a [brand] table and [[region]], [[store]] and [[advisor]] tables)"),
            ));
            continue;
        };
        let Some(entries) = value.get_ref().as_array() else {
            errors.push((
                at,
                format!(
                    "{} is {}: expected [[{}]] tables",
                    table.key(),
                    value.get_ref().type_str(),
                    table.key()
                ),
            ));
            continue;
        };
        for entry in entries {
            match entry.get_ref().as_table() {
                Some(t) => {
                    tables[table as usize].push(read_entry(table, entry.span(), t, &mut errors))
                }
                None => errors.push((
                    entry.span().start,
                    format!(
                        "[[{}]] entries are tables, not {}",
                        table.key(),
                        entry.get_ref().type_str()
                    ),
                )),
            }
        }
    }
    let [regions, stores, advisors] = &tables;
    let result = build(
        regions
            .iter()
            .map(|e| Region {
                id: e.string("id").unwrap_or_default(),
                name: e.string("name").unwrap_or_default(),
                target: e.target,
            })
            .collect(),
        stores
            .iter()
            .map(|e| Store {
                id: e.string("id").unwrap_or_default(),
                name: e.string("name").unwrap_or_default(),
                region: e.string("region"),
                city: e.string("city"),
                owner: e.string("owner"),
                target: e.target,
            })
            .collect(),
        advisors
            .iter()
            .map(|e| Advisor {
                id: e.string("id").unwrap_or_default(),
                name: e.string("name").unwrap_or_default(),
                store: e.string("store"),
            })
            .collect(),
    );
    let result = result.and_then(|org| {
        org.with_brand(brand.0).map_err(|e| {
            errors.push((brand.1, e.to_string()));
            Vec::new()
        })
    });
    match result {
        Ok(org) if errors.is_empty() => return Ok(org),
        Ok(_) => {}
        Err(found) => {
            for e in found {
                let entry = &tables[e.table as usize][e.index];
                if entry.bad.contains(&e.error.field.as_str()) {
                    continue;
                }
                let at = entry.span_of(&e.error.field);
                errors.push((at, format!("[[{}]] {}", e.table.key(), e.error)));
            }
        }
    }
    Err(report(text, errors))
}

/// The brand's table's key.
const BRAND: &str = "brand";

/// The `[brand]` table: its `target`, a whole number; the errors of its keys.
fn read_brand(value: &Spanned<DeValue<'_>>, errors: &mut Vec<(usize, String)>) -> Brand {
    let mut brand = Brand::default();
    let Some(t) = value.get_ref().as_table() else {
        errors.push((
            value.span().start,
            format!(
                "brand is {}: expected a [brand] table",
                value.get_ref().type_str()
            ),
        ));
        return brand;
    };
    for (key, value) in t {
        let (name, at) = (key.get_ref(), key.span().start);
        if !BRAND_KEYS.contains(&name.as_ref()) {
            let e = unknown(name.to_string(), name, BRAND_KEYS);
            errors.push((at, format!("[brand] {e}")));
            continue;
        }
        match value
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
        {
            Some(n) => match nps_core::org::check::brand_target(n) {
                Ok(()) => brand.target = Some(n),
                Err(e) => errors.push((at, format!("[brand] {e}"))),
            },
            None => errors.push((
                at,
                format!(
                    "[brand] {}",
                    FieldError::invalid("target", shown(value), targets())
                ),
            )),
        }
    }
    brand
}

/// One `[[table]]` entry: each key known and of its kind; the errors of keys.
fn read_entry(
    table: Table,
    span: Range<usize>,
    t: &DeTable<'_>,
    errors: &mut Vec<(usize, String)>,
) -> Entry {
    let mut entry = Entry {
        at: span.start,
        ..Entry::default()
    };
    for (key, value) in t {
        let (name, at) = (key.get_ref(), key.span().start);
        let Some(known) = table.keys().iter().find(|k| **k == name.as_ref()) else {
            let e = unknown(name.to_string(), name, table.keys());
            errors.push((at, format!("[[{}]] {e}", table.key())));
            continue;
        };
        entry.keys.push((known, at));
        let integer = value
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        match (Table::is_number(known), value.get_ref(), integer) {
            (false, DeValue::String(s), _) => entry.strings.push((known, s.to_string())),
            (true, _, Some(n)) => entry.target = Some(n),
            (number, _, _) => {
                let expected = if number { targets() } else { "a string".into() };
                errors.push((at, wrong(table, known, &shown(value), &expected)));
                entry.bad.push(known);
            }
        }
    }
    entry
}

/// A value of the wrong kind, as the core words it.
fn wrong(table: Table, key: &str, value: &str, expected: &str) -> String {
    format!(
        "[[{}]] {}",
        table.key(),
        FieldError::invalid(key, value.to_owned(), expected)
    )
}

/// A TOML value as an error shows it.
pub(crate) fn shown(v: &Spanned<DeValue<'_>>) -> String {
    match v.get_ref() {
        DeValue::String(s) => quoted(s),
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => format!("a {}", other.type_str()),
    }
}

#[cfg(test)]
mod tests;
