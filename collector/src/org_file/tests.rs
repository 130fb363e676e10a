//! The org file as a brand's IT writes it: docs/org.toml reads, each mistake is named by its
//! line, its key and what is accepted.

use super::read;

const EXAMPLE: &str = include_str!("../../../docs/org.toml");

#[test]
fn the_documented_org_file_reads() {
    let org = read(EXAMPLE).unwrap();
    assert_eq!(
        (
            org.regions().len(),
            org.cities().len(),
            org.stores().len(),
            org.advisors().len()
        ),
        (2, 3, 4, 5)
    );
    assert_eq!(
        org.store("SZ-FT").unwrap().owner.as_deref(),
        Some("li@brand.example")
    );
    assert_eq!(org.region_of_store("GZ-TH").unwrap().name, "华南大区");
    assert_eq!(org.store_of_advisor("ma").unwrap().name, "北京朝阳店");
    assert_eq!(org.region("north").unwrap().target, Some(50));
    assert_eq!(org.brand().target, Some(45));
}

#[test]
fn the_brand_table_names_its_mistakes() {
    check(
        "[brand]\ntarget = 45",
        "[brand]\ntarget = 145",
        &["[brand] brand.target is 145: expected a whole number from -100 to 100"],
    );
    check(
        "[brand]\ntarget = 45",
        "[brand]\ntarget = \"45\"",
        &["[brand] target is \"45\": expected a whole number"],
    );
    check(
        "[brand]\ntarget = 45",
        "[brand]\ntarget = 45\ngoal = 50",
        &["[brand] unknown key \"goal\""],
    );
    // A `[[brand]]` array is not the brand's table.
    check(
        "[brand]\ntarget = 45",
        "[[brand]]\ntarget = 45",
        &["brand is array: expected a [brand] table"],
    );
}

/// The example with `from` replaced by `to` (once): the error must hold each of `says`.
fn check(from: &str, to: &str, says: &[&str]) {
    assert!(EXAMPLE.contains(from), "{from}");
    let text = EXAMPLE.replacen(from, to, 1);
    let e = read(&text).unwrap_err();
    for s in says {
        assert!(e.contains(s), "{from} → {to}: {e}\nshould say {s}");
    }
}

#[test]
fn each_mistake_names_its_line_key_and_what_is_accepted() {
    // Line numbers are the example's (docs/org.toml).
    check(
        "region = \"north\"\ncity",
        "region = \"nrth\"\ncity",
        &["line 38: [[store]] region is \"nrth\": expected one of the declared regions: \"south\", \"north\""],
    );
    check(
        "id = \"SZ-NS\"",
        "id = \"SZ-FT\"",
        &["line 22: [[store]] id is \"SZ-FT\": expected an id no other [[store]] has"],
    );
    check(
        "target = 60",
        "target = 160",
        &["line 19: [[store]] target is 160: expected a whole number from -100 to 100"],
    );
    check(
        "target = 55",
        "target = \"55\"",
        &["line 6: [[region]] target is \"55\": expected a whole number"],
    );
    check(
        "store = \"BJ-CY\"",
        "store = \"BJ-XX\"",
        &[
            "line 66: [[advisor]] store is \"BJ-XX\"",
            "\"GZ-TH\", \"BJ-CY\"",
        ],
    );
    check(
        "owner = \"li@brand.example\"",
        "ownr = \"li@brand.example\"",
        &["line 18: [[store]] unknown key \"ownr\": did you mean \"owner\"?"],
    );
    check(
        "[[advisor]]\nid = \"wang\"",
        "[[advisors]]\nid = \"wang\"",
        &["unknown key \"advisors\": did you mean \"advisor\"?"],
    );
    check(
        "name = \"王磊\"\n",
        "",
        &["line 43: [[advisor]] name is missing: give each [[advisor]] a name, e.g. \"王磊\""],
    );
    check(
        "store = \"SZ-NS\"",
        "",
        &["line 53: [[advisor]] store is missing: one of the declared stores"],
    );
    check(
        "name = \"华北大区\"",
        "name = \"华北大区\"\nname = \"北\"",
        &["line 11: duplicate key"],
    );
    check(
        "owner = \"sun@brand.example\"",
        "owner = \"sun\"",
        &["line 40: [[store]] owner is \"sun\": expected an email address"],
    );
    // A value of the wrong kind is one error, not also a missing key.
    let e = read(&EXAMPLE.replacen("store = \"SZ-NS\"", "store = 7", 1)).unwrap_err();
    assert_eq!(e, "line 56: [[advisor]] store is 7: expected a string");
    // Every error at once, in line order.
    let text = EXAMPLE.replacen("target = 55", "target = 101", 1).replacen(
        "store = \"BJ-CY\"",
        "store = \"XX\"",
        1,
    );
    let e = read(&text).unwrap_err();
    let lines: Vec<&str> = e.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(lines, ["line 6", "line 66"], "{e}");
}
