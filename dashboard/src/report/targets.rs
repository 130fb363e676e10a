//! The target a figure is held to and whether it meets it. A store's own target, else its
//! region's, else the brand's (`Org::target_of_store`); an advisor is held to their store's;
//! a city to its region's; a model, a service type or a touchpoint to the brand's. The
//! headline is held to the view's: the store or advisor picked, else the one store every
//! answer of the view is of (a store manager's page is their store's), else the city or region
//! picked, else the one region every answer is of, else the brand. Below the page's minimum of answers nothing is judged (`against` says `None`), so
//! nothing is coloured.

use nps_core::contract::context::Dimension;
use nps_core::org::{Org, Target};

use crate::filters::{By, Filters};

/// A figure against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnTarget {
    /// At or above it.
    Met,
    Below,
}

/// The region of a city (its first store's, as the org has it).
fn region_of_city(org: &Org, city: &str) -> Option<String> {
    org.cities()
        .into_iter()
        .find(|c| c.name == city)
        .and_then(|c| c.region)
}

fn of_advisor(org: &Org, advisor: &str) -> Option<Target> {
    match org.store_of_advisor(advisor) {
        Some(s) => org.target_of_store(&s.id),
        None => org.brand_target(),
    }
}

fn of_city(org: &Org, city: &str) -> Option<Target> {
    match region_of_city(org, city) {
        Some(r) => org.target_of_region(&r),
        None => org.brand_target(),
    }
}

/// The target of a row of the segment table grouped by `by`.
pub fn of_segment(org: &Org, by: By, code: &str) -> Option<Target> {
    match by {
        By::Dim(Dimension::Store) => org.target_of_store(code),
        By::Dim(Dimension::Advisor) => of_advisor(org, code),
        By::Region => org.target_of_region(code),
        By::City => of_city(org, code),
        By::Dim(_) => org.brand_target(),
    }
}

/// The one place every counted answer of a view is of, where there is one (`report::build_with`
/// finds them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sole<'a> {
    pub store: Option<&'a str>,
    pub region: Option<&'a str>,
}

/// The target of the headline: the narrowest place the view picks or its answers are all of.
pub fn of_view(org: &Org, f: &Filters, sole: Sole) -> Option<Target> {
    let only = |d: Dimension| f.only[d.index()].as_deref();
    let sole_store = sole.store.filter(|s| !s.is_empty());
    if let Some(store) = only(Dimension::Store) {
        org.target_of_store(store)
    } else if let Some(advisor) = only(Dimension::Advisor) {
        of_advisor(org, advisor)
    } else if let Some(store) = sole_store {
        org.target_of_store(store)
    } else if let Some(city) = &f.city {
        of_city(org, city)
    } else if let Some(region) = f
        .region
        .as_deref()
        .or(sole.region.filter(|r| !r.is_empty()))
    {
        org.target_of_region(region)
    } else {
        org.brand_target()
    }
}

/// Whether an NPS meets its target; `None` without a target, without a score, or below the
/// minimum of answers (`enough` false).
pub fn against(nps: Option<f64>, enough: bool, target: Option<Target>) -> Option<OnTarget> {
    let (nps, target) = (nps.filter(|_| enough)?, target?);
    Some(if nps >= target.nps as f64 {
        OnTarget::Met
    } else {
        OnTarget::Below
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nps_core::org::TargetFrom;
    use serde_json::json;

    fn org() -> Org {
        let v = json!({
            "brand": {"target": 45},
            "regions": [{"id": "south", "name": "华南大区", "target": 55},
                        {"id": "north", "name": "华北大区"}],
            "stores": [
                {"id": "SZ-FT", "name": "深圳福田店", "region": "south", "city": "深圳", "target": 60},
                {"id": "SZ-NS", "name": "深圳南山店", "region": "south", "city": "深圳"},
                {"id": "BJ-CY", "name": "北京朝阳店", "region": "north", "city": "北京"}],
            "advisors": [{"id": "wang", "name": "王磊", "store": "SZ-FT"}]
        });
        Org::from_value(&v, "org").unwrap()
    }

    fn t(nps: i64, from: TargetFrom) -> Option<Target> {
        Some(Target { nps, from })
    }

    #[test]
    fn a_row_is_held_to_its_own_target_else_the_one_above() {
        let org = org();
        use TargetFrom::*;
        for (by, code, want) in [
            (By::Dim(Dimension::Store), "SZ-FT", t(60, Store)),
            (By::Dim(Dimension::Store), "SZ-NS", t(55, Region)),
            (By::Dim(Dimension::Store), "BJ-CY", t(45, Brand)),
            (By::Dim(Dimension::Store), "", t(45, Brand)),
            (By::Dim(Dimension::Advisor), "wang", t(60, Store)),
            (By::Dim(Dimension::Advisor), "nobody", t(45, Brand)),
            (By::Region, "south", t(55, Region)),
            (By::Region, "north", t(45, Brand)),
            (By::City, "深圳", t(55, Region)),
            (By::City, "北京", t(45, Brand)),
            (By::Dim(Dimension::Model), "X5", t(45, Brand)),
        ] {
            assert_eq!(of_segment(&org, by, code), want, "{by:?} {code}");
        }
        // An org without a brand target: a store of a region without one has none.
        let bare = org
            .clone()
            .with_brand(nps_core::org::Brand::default())
            .unwrap();
        assert_eq!(of_segment(&bare, By::Dim(Dimension::Store), "BJ-CY"), None);
        assert_eq!(of_segment(&Org::default(), By::Region, "south"), None);
    }

    #[test]
    fn the_headline_is_held_to_the_narrowest_place_picked_or_its_answers_are_all_of() {
        let org = org();
        let none = Sole::default();
        let mut f = Filters::default();
        assert_eq!(of_view(&org, &f, none), t(45, TargetFrom::Brand));
        f.region = Some("south".into());
        assert_eq!(of_view(&org, &f, none), t(55, TargetFrom::Region));
        f.city = Some("深圳".into());
        assert_eq!(of_view(&org, &f, none), t(55, TargetFrom::Region));
        f.only[Dimension::Store.index()] = Some("SZ-FT".into());
        assert_eq!(of_view(&org, &f, none), t(60, TargetFrom::Store));
        // Nothing picked, yet every answer is of one store (a store manager's page): that
        // store's; of one region (a region manager's): that region's.
        let f = Filters::default();
        let store = |s| Sole {
            store: Some(s),
            region: Some("south"),
        };
        assert_eq!(of_view(&org, &f, store("SZ-FT")), t(60, TargetFrom::Store));
        assert_eq!(of_view(&org, &f, store("SZ-NS")), t(55, TargetFrom::Region));
        let region = Sole {
            store: None,
            region: Some("south"),
        };
        assert_eq!(of_view(&org, &f, region), t(55, TargetFrom::Region));
        // A store or region the org does not place ("") is no place.
        let unplaced = Sole {
            store: Some(""),
            region: Some(""),
        };
        assert_eq!(of_view(&org, &f, unplaced), t(45, TargetFrom::Brand));
        // What is picked wins over what the answers are of.
        let mut f = Filters::default();
        f.only[Dimension::Advisor.index()] = Some("wang".into());
        assert_eq!(of_view(&org, &f, store("SZ-NS")), t(60, TargetFrom::Store));
    }

    #[test]
    fn nothing_is_judged_below_the_minimum_or_without_a_target() {
        let target = t(45, TargetFrom::Brand);
        assert_eq!(against(Some(45.0), true, target), Some(OnTarget::Met));
        assert_eq!(against(Some(44.9), true, target), Some(OnTarget::Below));
        assert_eq!(against(Some(100.0), false, target), None, "below min_n");
        assert_eq!(against(None, true, target), None);
        assert_eq!(against(Some(50.0), true, None), None);
    }
}
