//! The organisation as a brand writes it: lookups on the example of docs/ORG.md, each rule
//! of `build` as a row, and how a names file maps onto an org.

use super::*;
use crate::contract::error::ErrorKind;

fn region(id: &str, name: &str, target: Option<i64>) -> Region {
    Region {
        id: id.into(),
        name: name.into(),
        target,
    }
}

fn store(id: &str, name: &str, region: &str, city: &str) -> Store {
    Store {
        id: id.into(),
        name: name.into(),
        region: Some(region.into()),
        city: Some(city.into()),
        owner: None,
        target: None,
    }
}

fn advisor(id: &str, name: &str, store: &str) -> Advisor {
    Advisor {
        id: id.into(),
        name: name.into(),
        store: Some(store.into()),
    }
}

/// docs/ORG.md's example: 2 regions, 3 cities, 4 stores, 5 advisors.
pub(crate) fn example() -> (Vec<Region>, Vec<Store>, Vec<Advisor>) {
    let mut ft = store("SZ-FT", "深圳福田店", "south", "深圳");
    ft.owner = Some("li@brand.example".into());
    ft.target = Some(60);
    (
        vec![
            region("south", "华南大区", Some(55)),
            region("north", "华北大区", None),
        ],
        vec![
            ft,
            store("SZ-NS", "深圳南山店", "south", "深圳"),
            store("GZ-TH", "广州天河店", "south", "广州"),
            store("BJ-CY", "北京朝阳店", "north", "北京"),
        ],
        vec![
            advisor("wang", "王磊", "SZ-FT"),
            advisor("chen", "陈静", "SZ-FT"),
            advisor("liu", "刘洋", "SZ-NS"),
            advisor("zhao", "赵敏", "GZ-TH"),
            advisor("ma", "马超", "BJ-CY"),
        ],
    )
}

fn org() -> Org {
    let (r, s, a) = example();
    build(r, s, a).unwrap()
}

fn ids<'a, T: 'a>(items: impl Iterator<Item = &'a T>, id: impl Fn(&T) -> &str) -> Vec<String> {
    items.map(|t| id(t).to_owned()).collect()
}

#[test]
fn a_scope_finds_its_stores_and_a_store_its_region_city_and_advisors() {
    let org = org();
    for (region, stores) in [
        ("south", vec!["SZ-FT", "SZ-NS", "GZ-TH"]),
        ("north", vec!["BJ-CY"]),
        ("west", vec![]),
    ] {
        assert_eq!(
            ids(org.stores_of_region(region), |s| &s.id),
            stores,
            "{region}"
        );
    }
    for (city, stores) in [
        ("深圳", vec!["SZ-FT", "SZ-NS"]),
        ("广州", vec!["GZ-TH"]),
        ("北京", vec!["BJ-CY"]),
        ("上海", vec![]),
    ] {
        assert_eq!(ids(org.stores_of_city(city), |s| &s.id), stores, "{city}");
    }
    for (store, region, city, advisors) in [
        ("SZ-FT", Some("south"), Some("深圳"), vec!["wang", "chen"]),
        ("GZ-TH", Some("south"), Some("广州"), vec!["zhao"]),
        ("BJ-CY", Some("north"), Some("北京"), vec!["ma"]),
        ("XX", None, None, vec![]),
    ] {
        assert_eq!(org.region_of_store(store).map(|r| r.id.as_str()), region);
        assert_eq!(org.city_of_store(store), city);
        assert_eq!(ids(org.advisors_of_store(store), |a| &a.id), advisors);
    }
    for (advisor, store) in [
        ("wang", Some("SZ-FT")),
        ("ma", Some("BJ-CY")),
        ("nobody", None),
    ] {
        assert_eq!(org.store_of_advisor(advisor).map(|s| s.id.as_str()), store);
    }
    let cities: Vec<(String, Option<String>)> = org
        .cities()
        .into_iter()
        .map(|c| (c.name, c.region))
        .collect();
    assert_eq!(
        cities,
        [("深圳", "south"), ("广州", "south"), ("北京", "north")]
            .map(|(c, r)| (c.to_owned(), Some(r.to_owned())))
    );
    assert_eq!(org.region("south").unwrap().target, Some(55));
    assert_eq!(org.store("SZ-FT").unwrap().target, Some(60));
}

#[test]
fn every_rule_names_its_table_entry_key_and_what_is_accepted() {
    type Edit = fn(&mut Vec<Region>, &mut Vec<Store>, &mut Vec<Advisor>);
    let rows: [(Edit, Table, usize, &str, &str); 12] = [
        (|r, _, _| r[1].id = "south".into(), Table::Region, 1, "id", "no other [[region]] has"),
        (|r, _, _| r[0].id = "".into(), Table::Region, 0, "id", "id is missing: give each [[region]] an id"),
        (|_, s, _| s[1].id = " SZ-FT".into(), Table::Store, 1, "id", "no spaces at either end"),
        (|r, _, _| r[0].target = Some(101), Table::Region, 0, "target", "target is 101: expected a whole number from -100 to 100"),
        (|_, s, _| s[3].target = Some(-101), Table::Store, 3, "target", "from -100 to 100"),
        (|_, s, _| s[2].region = Some("sout".into()), Table::Store, 2, "region", "region is \"sout\": expected one of the declared regions: \"south\", \"north\""),
        (|_, s, _| s[2].region = None, Table::Store, 2, "region", "region is missing: one of the declared regions"),
        (|_, s, _| s[0].city = Some(" ".into()), Table::Store, 0, "city", "not empty"),
        (|_, s, _| s[0].city = None, Table::Store, 0, "city", "city is missing"),
        (|_, s, _| s[0].owner = Some("li at brand".into()), Table::Store, 0, "owner", "an email address"),
        (|_, _, a| a[4].store = Some("BJ-XX".into()), Table::Advisor, 4, "store", "store is \"BJ-XX\": expected one of the declared stores: \"SZ-FT\", \"SZ-NS\", \"GZ-TH\", \"BJ-CY\""),
        (|_, _, a| a[0].name = " ".into(), Table::Advisor, 0, "name", "a name that is not empty"),
    ];
    for (edit, table, index, key, says) in rows {
        let (mut r, mut s, mut a) = example();
        edit(&mut r, &mut s, &mut a);
        let errors = build(r, s, a).unwrap_err();
        // The first error is the row's (a duplicate region also leaves its stores unresolved).
        let e = &errors[0];
        assert_eq!(
            (e.table, e.index, e.error.field.as_str()),
            (table, index, key),
            "{e}"
        );
        assert!(e.to_string().contains(says), "{e} should say {says}");
    }
    // No region at all: a store's region is named as such.
    let (_, s, a) = example();
    let e = &build(vec![], s, a).unwrap_err()[0];
    assert!(e.to_string().contains("there is none"), "{e}");
    // Every error at once, in table order.
    let (mut r, mut s, mut a) = example();
    a[0].store = None;
    r[0].target = Some(200);
    s[3].region = Some("east".into());
    let found: Vec<(Table, usize)> = build(r, s, a)
        .unwrap_err()
        .iter()
        .map(|e| (e.table, e.index))
        .collect();
    assert_eq!(
        found,
        [(Table::Region, 0), (Table::Store, 3), (Table::Advisor, 0)]
    );
    assert_eq!(
        OrgError {
            table: Table::Store,
            index: 2,
            error: FieldError::new(
                "city",
                ErrorKind::Missing {
                    hint: String::new()
                }
            ),
        }
        .to_string(),
        "[[store]] #3: city is missing"
    );
}

#[test]
fn tables_and_their_keys_are_one_table() {
    for (i, t) in Table::ALL.into_iter().enumerate() {
        assert_eq!(Table::from_key(Table::KEYS[i]), Some(t));
        assert_eq!(t.keys()[..2], ["id", "name"], "{t:?}");
    }
    assert_eq!(Table::from_key("stores"), None);
    for (s, ok) in [
        ("li@brand.example", true),
        ("li@brand", false),
        ("@brand.example", false),
        ("li @brand.example", false),
        ("li@@brand.example", false),
        ("li@brand.example.", false),
    ] {
        assert_eq!(crate::contract::rules::is_email(s), ok, "{s}");
    }
}

#[test]
fn a_names_file_is_a_flat_org_and_an_org_names_its_codes() {
    let names = Names::from_json(r#"{"store": {"SZ-FT": "深圳福田店"}, "advisor": {"wang": "王磊"}, "model": {"X5": "星辰X5"}}"#).unwrap();
    let flat = names.hierarchy();
    assert_eq!(names.org(), None);
    assert_eq!(ids(flat.stores().iter(), |s| &s.id), ["SZ-FT"]);
    assert_eq!(flat.store("SZ-FT").unwrap().region, None);
    assert_eq!(flat.advisor("wang").unwrap().name, "王磊");
    assert!(flat.regions().is_empty() && flat.cities().is_empty());
    assert_eq!(flat.names().get("store", "SZ-FT"), Some("深圳福田店"));
    // An org file over a names file: its names win, the names file's other dimensions stay.
    let mut older = names.clone();
    older.set(Dimension::Store, "SZ-FT", "福田老店");
    let both = older.with_org(org());
    assert_eq!(both.get("store", "SZ-FT"), Some("深圳福田店"));
    assert_eq!(both.get("advisor", "ma"), Some("马超"));
    assert_eq!(both.get("model", "X5"), Some("星辰X5"));
    assert_eq!(both.hierarchy(), org());
}

#[test]
fn the_served_names_carry_the_org_and_read_back_without_owners() {
    let served = Names::default().with_org(org()).to_value();
    assert_eq!(served["store"]["BJ-CY"], "北京朝阳店");
    assert_eq!(served["org"]["stores"][0]["region"], "south");
    assert_eq!(served["org"]["stores"][0]["city"], "深圳");
    assert_eq!(served["org"]["advisors"][0]["store"], "SZ-FT");
    assert_eq!(served["org"]["cities"][1]["name"], "广州");
    assert_eq!(served["org"]["regions"][0]["target"], 55);
    assert!(!served.to_string().contains("li@brand.example"), "{served}");
    let back = Names::from_json(&served.to_string()).unwrap();
    let mut without_owner = org().stores().to_vec();
    without_owner[0].owner = None;
    assert_eq!(back.org().unwrap().stores(), without_owner);
    assert_eq!(back.get("advisor", "wang"), Some("王磊"));
    // The JSON is checked by the same rules, the first error named by its path.
    let mut bad = served.clone();
    bad["org"]["advisors"][1]["store"] = "XX".into();
    let e = Names::from_value(&bad).unwrap_err();
    assert_eq!(e.field, "org.advisor[1].store", "{e}");
    bad["org"]["advisors"][1]["boss"] = "XX".into();
    let e = Names::from_value(&bad).unwrap_err();
    assert_eq!(e.field, "org", "{e}");
    assert!(e.to_string().contains("boss"), "{e}");
    let e = Names::from_json(r#"{"orgs": {}}"#).unwrap_err();
    assert!(e.to_string().contains("did you mean \"org\""), "{e}");
}

#[test]
fn a_target_is_the_stores_else_its_regions_else_the_brands() {
    let (r, s, a) = example();
    let org = build(r, s, a).unwrap();
    let t = |nps, from| Some(Target { nps, from });
    // No brand target: a store of a region without one has none.
    assert_eq!(org.target_of_store("BJ-CY"), None);
    let org = org.with_brand(Brand { target: Some(45) }).unwrap();
    for (store, want) in [
        ("SZ-FT", t(60, TargetFrom::Store)),
        ("SZ-NS", t(55, TargetFrom::Region)),
        ("BJ-CY", t(45, TargetFrom::Brand)),
        ("XX-00", t(45, TargetFrom::Brand)),
    ] {
        assert_eq!(org.target_of_store(store), want, "{store}");
    }
    assert_eq!(org.target_of_region("south"), t(55, TargetFrom::Region));
    assert_eq!(org.target_of_region("north"), t(45, TargetFrom::Brand));
    // Served and read back, checked by the same rule.
    let back = Org::from_value(&org.to_value(), "org").unwrap();
    assert_eq!(back.brand_target(), t(45, TargetFrom::Brand));
    let mut v = org.to_value();
    v["brand"]["target"] = 101.into();
    let e = Org::from_value(&v, "org").unwrap_err();
    assert_eq!(e.field, "org.brand.target");
    assert!(e.to_string().contains("from -100 to 100"), "{e}");
}
