//! What of the organisation a scope sees: `org_within` narrows an `Org` to the stores a scope
//! covers (their regions, cities and advisors), `names_within` narrows a names file the same
//! way (the names of stores and advisors outside it go; the names of other dimensions, a
//! model or a touchpoint, stay), and `place_of` is the place of a response's row, its store
//! and that store's region in the org. The collector serves `GET /api/names` through
//! `names_within` and asks `may` of each exported row with `place_of`.

use crate::contract::context::Dimension;
use crate::org::Org;
use crate::scoring::analysis::Names;

use super::{Place, Scope};

/// The place of a row of `store` (a response's `context.store`): the store and its region as
/// the org says (no region for a store the org does not place, or without an org).
pub fn place_of(org: Option<&Org>, store: Option<&str>) -> Place {
    let region = store
        .and_then(|s| org?.region_of_store(s))
        .map(|r| r.id.as_str());
    Place::row(region, store)
}

/// The part of `org` a scope sees: the stores it covers, the advisors of those stores, the
/// regions it names or those stores are in (so the cities, which the stores name, follow).
/// `Scope::All` sees it whole.
pub fn org_within(org: &Org, scope: &Scope) -> Org {
    if *scope == Scope::All {
        return org.clone();
    }
    let stores: Vec<_> = org
        .stores()
        .iter()
        .filter(|s| scope.covers(&Place::row(s.region.as_deref(), Some(&s.id))))
        .cloned()
        .collect();
    let regions = org
        .regions()
        .iter()
        .filter(|r| {
            scope.covers(&Place::row(Some(&r.id), None))
                || stores.iter().any(|s| s.region.as_deref() == Some(&r.id))
        })
        .cloned()
        .collect();
    let advisors = org
        .advisors()
        .iter()
        .filter(|a| {
            a.store
                .as_deref()
                .is_some_and(|a| stores.iter().any(|s| s.id == a))
        })
        .cloned()
        .collect();
    // The brand's target holds for every scope.
    Org::new_unchecked(regions, stores, advisors)
        .with_brand(org.brand().clone())
        .expect("the brand was checked with the org")
}

/// The names a scope sees: the stores and advisors of `org_within` (of the org file, or of
/// the flat org a names file is), and every name of the other dimensions.
pub fn names_within(names: &Names, scope: &Scope) -> Names {
    if *scope == Scope::All {
        return names.clone();
    }
    let seen = org_within(&names.hierarchy(), scope);
    let mut out = names.clone();
    out.retain(Dimension::Store, |code| seen.store(code).is_some());
    out.retain(Dimension::Advisor, |code| seen.advisor(code).is_some());
    out.set_org(names.org().map(|_| seen));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{build, tests::example};

    fn org() -> Org {
        let (r, s, a) = example();
        build(r, s, a)
            .unwrap()
            .with_brand(crate::org::Brand { target: Some(45) })
            .unwrap()
    }

    fn regions(r: &[&str]) -> Scope {
        Scope::Regions(r.iter().map(|s| s.to_string()).collect())
    }

    fn stores(s: &[&str]) -> Scope {
        Scope::Stores(s.iter().map(|s| s.to_string()).collect())
    }

    /// Codes, as the tables below list them.
    type Codes = &'static [&'static str];

    fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<&str> {
        items.iter().map(id).collect()
    }

    #[test]
    fn a_scope_sees_its_stores_their_regions_cities_and_advisors() {
        let org = org();
        // (scope, regions, cities, stores, advisors)
        #[rustfmt::skip]
        let table: &[(Scope, Codes, Codes, Codes, Codes)] = &[
            (Scope::All, &["south", "north"], &["深圳", "广州", "北京"],
                &["SZ-FT", "SZ-NS", "GZ-TH", "BJ-CY"], &["wang", "chen", "liu", "zhao", "ma"]),
            (regions(&["north"]), &["north"], &["北京"], &["BJ-CY"], &["ma"]),
            (regions(&["south"]), &["south"], &["深圳", "广州"],
                &["SZ-FT", "SZ-NS", "GZ-TH"], &["wang", "chen", "liu", "zhao"]),
            (stores(&["SZ-FT"]), &["south"], &["深圳"], &["SZ-FT"], &["wang", "chen"]),
            (stores(&["GZ-TH", "BJ-CY"]), &["south", "north"], &["广州", "北京"],
                &["GZ-TH", "BJ-CY"], &["zhao", "ma"]),
            // A code the org does not know sees nothing.
            (stores(&["XX-00"]), &[], &[], &[], &[]),
            (regions(&["west"]), &[], &[], &[], &[]),
        ];
        for (scope, want_regions, want_cities, want_stores, want_advisors) in table {
            let seen = org_within(&org, scope);
            assert_eq!(ids(seen.regions(), |r| &r.id), *want_regions, "{scope:?}");
            let cities = seen.cities();
            assert_eq!(ids(&cities, |c| &c.name), *want_cities, "{scope:?}");
            assert_eq!(ids(seen.stores(), |s| &s.id), *want_stores, "{scope:?}");
            assert_eq!(ids(seen.advisors(), |a| &a.id), *want_advisors, "{scope:?}");
            assert_eq!(
                seen.brand().target,
                Some(45),
                "every scope keeps the brand's target"
            );
        }
    }

    #[test]
    fn names_keep_other_dimensions_and_lose_stores_and_advisors_outside() {
        let flat = Names::from_json(
            r#"{"store": {"SZ-FT": "福田", "BJ-CY": "朝阳"}, "advisor": {"wang": "王磊"},
                "model": {"X5": "星辰X5"}, "touchpoint": {"sales": "销售"}}"#,
        )
        .unwrap();
        let full = flat.clone().with_org(org());
        let codes = |n: &Names, d: Dimension| -> Vec<String> {
            n.codes(d).map(|(c, _)| c.to_owned()).collect()
        };
        // (names, scope, stores, advisors, an org served)
        #[rustfmt::skip]
        let table: &[(&Names, Scope, Codes, Codes, bool)] = &[
            (&full, Scope::All, &["BJ-CY", "GZ-TH", "SZ-FT", "SZ-NS"],
                &["chen", "liu", "ma", "wang", "zhao"], true),
            (&full, stores(&["SZ-FT"]), &["SZ-FT"], &["chen", "wang"], true),
            (&full, regions(&["north"]), &["BJ-CY"], &["ma"], true),
            // A names file is a flat org: no region is known, an advisor has no store.
            (&flat, stores(&["SZ-FT"]), &["SZ-FT"], &[], false),
            (&flat, regions(&["north"]), &[], &[], false),
            (&flat, Scope::All, &["BJ-CY", "SZ-FT"], &["wang"], false),
        ];
        for (names, scope, want_stores, want_advisors, has_org) in table {
            let seen = names_within(names, scope);
            assert_eq!(codes(&seen, Dimension::Store), *want_stores, "{scope:?}");
            assert_eq!(
                codes(&seen, Dimension::Advisor),
                *want_advisors,
                "{scope:?}"
            );
            assert_eq!(seen.get("model", "X5"), Some("星辰X5"), "{scope:?}");
            assert_eq!(seen.get("touchpoint", "sales"), Some("销售"), "{scope:?}");
            assert_eq!(seen.org().is_some(), *has_org, "{scope:?}");
            if let Some(org) = seen.org() {
                let stores: Vec<&str> = ids(org.stores(), |s| &s.id);
                let mut sorted = stores.clone();
                sorted.sort();
                assert_eq!(sorted, *want_stores, "{scope:?}");
            }
        }
    }

    #[test]
    fn a_rows_place_is_its_store_and_the_region_the_org_puts_it_in() {
        let org = org();
        for (org, store, want) in [
            (
                Some(&org),
                Some("BJ-CY"),
                Place::row(Some("north"), Some("BJ-CY")),
            ),
            (Some(&org), Some("XX-00"), Place::row(None, Some("XX-00"))),
            (Some(&org), None, Place::row(None, None)),
            (None, Some("BJ-CY"), Place::row(None, Some("BJ-CY"))),
        ] {
            assert_eq!(place_of(org, store), want, "{store:?}");
        }
    }
}
