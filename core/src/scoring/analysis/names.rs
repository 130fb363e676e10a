//! The names a brand gives its codes (`SZ-FT` is 深圳福田店, `wang` is 王磊), read from a
//! names file: `{"store": {"SZ-FT": "深圳福田店"}, "advisor": {"wang": "王磊"}}`. The collector
//! checks the file at start (`--names`) and serves it to the dashboard; the dashboard also
//! reads one dropped beside an export. Keys are the segment dimensions (`Dimension::key`),
//! and `org`: the organisation (`crate::org`) when the collector was given an org file, which
//! also names the stores and advisors (its names win over a names file's).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::context::Dimension;
use crate::contract::error::{quoted, shown, unknown, FieldError};
use crate::contract::rules;
use crate::org::Org;

/// A dimension's code → name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    by_dimension: BTreeMap<String, BTreeMap<String, String>>,
    org: Option<Org>,
}

/// The key of the organisation in a names file's JSON.
pub const ORG_KEY: &str = "org";

impl Names {
    /// Reads a names file; the first bad entry is named (`store.SZ-FT`).
    pub fn from_json(text: &str) -> Result<Names, FieldError> {
        // A key given twice is named from the file's root (`store.SZ-FT`), as every other error.
        let value = crate::contract::json::parse_strict(text, "names").map_err(|mut e| {
            if let Some(inner) = e.field.strip_prefix("names.") {
                e.field = inner.to_owned();
            }
            e
        })?;
        Names::from_value(&value)
    }

    pub fn from_value(v: &Value) -> Result<Names, FieldError> {
        let object = |v: &Value, field: &str| match v {
            Value::Object(m) => Ok(m.clone()),
            other => Err(FieldError::invalid(
                field,
                shown(other),
                "an object of code → name",
            )),
        };
        let mut out = Names::default();
        for (dim, codes) in object(v, "names")? {
            if dim == ORG_KEY {
                out.org = Some(Org::from_value(&codes, ORG_KEY)?);
                continue;
            }
            if Dimension::from_key(&dim).is_none() {
                let mut known = Dimension::KEYS.to_vec();
                known.push(ORG_KEY);
                return Err(unknown(dim.clone(), &dim, &known));
            }
            let mut names = BTreeMap::new();
            for (code, name) in object(&codes, &dim)? {
                let field = format!("{dim}.{code}");
                match name {
                    Value::String(s) if !s.trim().is_empty() && rules::is_context_value(&code) => {
                        names.insert(code, rules::context_value(&s));
                    }
                    Value::String(s) => {
                        return Err(FieldError::invalid(
                            field,
                            quoted(&s),
                            "a name that is not empty, for a code the context can carry",
                        ))
                    }
                    other => return Err(FieldError::invalid(field, shown(&other), "a string")),
                }
            }
            out.by_dimension.insert(dim, names);
        }
        Ok(out)
    }

    /// The name of a code, when the brand gave one.
    pub fn get(&self, dimension: &str, code: &str) -> Option<&str> {
        self.by_dimension
            .get(dimension)?
            .get(code)
            .map(String::as_str)
    }

    /// The names of a store and an advisor, and the store's region and city: the export's
    /// last columns (`contract::csv::Named`).
    pub fn named(&self, store: Option<&str>, advisor: Option<&str>) -> crate::contract::csv::Named {
        let name = |dim: &str, code: Option<&str>| {
            code.and_then(|c| self.get(dim, c))
                .unwrap_or_default()
                .to_owned()
        };
        let org = self.org();
        let region = store.and_then(|s| org?.region_of_store(s));
        crate::contract::csv::Named {
            store_name: name("store", store),
            advisor_name: name("advisor", advisor),
            region: region.map(|r| r.id.clone()).unwrap_or_default(),
            region_name: region.map(|r| r.name.clone()).unwrap_or_default(),
            city: store
                .and_then(|s| org?.city_of_store(s))
                .unwrap_or_default()
                .to_owned(),
        }
    }

    /// Names a code (a later name for the same code wins).
    pub fn set(&mut self, dimension: Dimension, code: &str, name: &str) {
        self.by_dimension
            .entry(dimension.key().to_owned())
            .or_default()
            .insert(code.to_owned(), name.to_owned());
    }

    /// A dimension's codes and names, in code order.
    pub fn codes(&self, dimension: Dimension) -> impl Iterator<Item = (&str, &str)> {
        self.by_dimension
            .get(dimension.key())
            .into_iter()
            .flatten()
            .map(|(c, n)| (c.as_str(), n.as_str()))
    }

    /// These names with an org file's: its stores' and advisors' names win, and it is served
    /// with them (`org`).
    pub fn with_org(mut self, org: Org) -> Names {
        for (dim, names) in org.names().by_dimension {
            self.by_dimension.entry(dim).or_default().extend(names);
        }
        self.org = Some(org);
        self
    }

    /// Keeps the codes of a dimension that `keep` says yes to.
    pub fn retain(&mut self, dimension: Dimension, mut keep: impl FnMut(&str) -> bool) {
        if let Some(names) = self.by_dimension.get_mut(dimension.key()) {
            names.retain(|code, _| keep(code));
        }
    }

    /// Replaces the organisation served with the names (`org`).
    pub fn set_org(&mut self, org: Option<Org>) {
        self.org = org;
    }

    /// The organisation, when an org file was given.
    pub fn org(&self) -> Option<&Org> {
        self.org.as_ref()
    }

    /// The organisation: the org file's, or the flat one a names file gives (`Org::from_names`).
    pub fn hierarchy(&self) -> Org {
        self.org.clone().unwrap_or_else(|| Org::from_names(self))
    }

    /// How many names there are in all.
    pub fn len(&self) -> usize {
        self.by_dimension.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names file's JSON (what the collector serves).
    pub fn to_value(&self) -> Value {
        let mut out: serde_json::Map<String, Value> = self
            .by_dimension
            .iter()
            .map(|(dim, names)| {
                let names = names
                    .iter()
                    .map(|(c, n)| (c.clone(), Value::String(n.clone())))
                    .collect();
                (dim.clone(), Value::Object(names))
            })
            .collect();
        if let Some(org) = &self.org {
            out.insert(ORG_KEY.to_owned(), org.to_value());
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_names_file_is_read_and_bad_entries_are_named() {
        let names =
            Names::from_json(r#"{"store": {"SZ-FT": "深圳福田店"}, "advisor": {"wang": "王磊"}}"#)
                .unwrap();
        assert_eq!(names.get("store", "SZ-FT"), Some("深圳福田店"));
        assert_eq!(names.get("advisor", "SZ-FT"), None);
        assert_eq!(names.len(), 2);
        assert_eq!(Names::from_value(&names.to_value()).unwrap(), names);
        for (text, field, says) in [
            (r#"{"stores": {}}"#, "stores", "did you mean \"store\""),
            (
                r#"{"store": {"SZ-FT": 7}}"#,
                "store.SZ-FT",
                "expected a string",
            ),
            (r#"{"store": {"SZ-FT": " "}}"#, "store.SZ-FT", "not empty"),
            (r#"{"store": []}"#, "store", "an object of code → name"),
            (r#"[1]"#, "names", "an object"),
            (r#"{"store": {"a": "x", "a": "y"}}"#, "store.a", "twice"),
        ] {
            let e = Names::from_json(text).unwrap_err();
            assert_eq!(e.field, field, "{text}: {e}");
            assert!(e.to_string().contains(says), "{text}: {e}");
        }
    }
}
