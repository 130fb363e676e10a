//! Where an answer was given in the brand's organisation: the region and the city of its
//! store, read from the org the collector serves with the names (`Names::org`). A store the
//! org does not place has no region or city (the empty code, shown as "(none given)"), as an
//! answer without a store. Built once per report: a store's place is one lookup, not a walk
//! of the org per answer.

use std::collections::HashMap;

use nps_core::contract::context::Dimension;
use nps_core::org::Org;

use crate::data::Record;
use crate::filters::By;

/// The org's places, by store.
pub struct Places<'a> {
    org: &'a Org,
    /// A store's region id and city name ("" for none).
    of_store: HashMap<&'a str, (&'a str, &'a str)>,
}

impl<'a> Places<'a> {
    pub fn new(org: &'a Org) -> Places<'a> {
        let of_store = org
            .stores()
            .iter()
            .map(|s| {
                let (region, city) = (s.region.as_deref(), s.city.as_deref());
                (s.id.as_str(), (region.unwrap_or(""), city.unwrap_or("")))
            })
            .collect();
        Places { org, of_store }
    }

    /// Whether the org has regions to segment by (a names file has none).
    pub fn has_regions(&self) -> bool {
        !self.org.regions().is_empty()
    }

    /// The region id of a store; "" when the org does not place it.
    pub fn region(&self, store: &str) -> &'a str {
        self.of_store.get(store).map_or("", |p| p.0)
    }

    /// The city of a store; "" when the org does not place it.
    pub fn city(&self, store: &str) -> &'a str {
        self.of_store.get(store).map_or("", |p| p.1)
    }

    /// The code of an answer in the table's grouping: a dimension's code, or its store's
    /// region or city.
    pub fn code<'r>(&self, r: &'r Record, by: By) -> &'r str
    where
        'a: 'r,
    {
        match by {
            By::Dim(d) => r.dim(d),
            By::Region => self.region(r.dim(Dimension::Store)),
            By::City => self.city(r.dim(Dimension::Store)),
        }
    }

    /// The region ids, in the org's order.
    pub fn regions(&self) -> Vec<String> {
        self.org.regions().iter().map(|r| r.id.clone()).collect()
    }

    /// The cities, in the org's order: those with a store in `region`, or all of them.
    pub fn cities(&self, region: Option<&str>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.org.stores() {
            let (in_region, city) = (s.region.as_deref(), s.city.as_deref());
            if let Some(city) = city.filter(|_| region.is_none_or(|r| in_region == Some(r))) {
                if !out.iter().any(|c| c == city) {
                    out.push(city.to_owned());
                }
            }
        }
        out
    }
}

/// A region as the manager knows it: its name in the org, else its code.
pub fn region_name<'c>(org: &'c Org, code: &'c str) -> &'c str {
    org.region(code)
        .map(|r| r.name.as_str())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nps_core::scoring::analysis::Names;

    /// Two regions: A (深圳), B (广州) and D (深圳) in the south, C (北京) in the north.
    const ORG: &str = include_str!("../tests/org.json");

    #[test]
    fn a_store_is_placed_by_the_org_and_an_unknown_store_nowhere() {
        let names = Names::from_json(ORG).unwrap();
        let p = Places::new(names.org().unwrap());
        assert!(p.has_regions());
        assert_eq!((p.region("D"), p.city("D")), ("S", "深圳"));
        assert_eq!((p.region("XX"), p.city("XX")), ("", ""));
        assert_eq!((p.region(""), p.city("")), ("", ""));
        assert_eq!(p.regions(), ["S", "N"]);
        assert_eq!(p.cities(None), ["深圳", "广州", "北京"]);
        assert_eq!(p.cities(Some("N")), ["北京"]);
        let org = names.org().unwrap();
        assert_eq!(region_name(org, "N"), "华北大区");
        assert_eq!(
            region_name(org, "W"),
            "W",
            "an unknown region shows its code"
        );
        let mut r = Record::scored("a", 9, 0);
        r.dims[Dimension::Store.index()] = "B".into();
        assert_eq!(
            [By::Region, By::City, By::Dim(Dimension::Store)].map(|b| p.code(&r, b)),
            ["S", "广州", "B"]
        );
        // A names file has stores but no regions: nothing to segment by above the store.
        let flat = Names::from_json(r#"{"store": {"A": "深圳福田店"}}"#).unwrap();
        let org = flat.hierarchy();
        let p = Places::new(&org);
        assert!(!p.has_regions());
        assert_eq!(p.region("A"), "");
    }
}
