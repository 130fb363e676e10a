//! The single sign-on file as a brand's IT writes it (docs/sso.toml against docs/org.toml):
//! it reads, each mistake names its line, key and what is accepted, and the rules give each
//! person the role and scope docs/SSO.md says.

use nps_core::access::{Role, Scope};

use super::file::{read, SsoFile};
use super::{Claims, Match, Refusal, Sso};

const EXAMPLE: &str = include_str!("../../../docs/sso.toml");
const ORG: &str = include_str!("../../../docs/org.toml");

fn org() -> nps_core::org::Org {
    crate::org_file::read(ORG).unwrap()
}

fn example() -> SsoFile {
    read(EXAMPLE, &org()).unwrap()
}

fn sso() -> Sso {
    example().settle(Some("s3cret".into()), &[]).unwrap()
}

#[test]
fn the_documented_file_reads() {
    let f = example();
    assert_eq!(f.issuer, "https://login.brand.example/realms/brand");
    assert_eq!(f.client_id, "nps-collector");
    assert_eq!(f.scopes, ["email", "groups"]);
    assert!(f.require_verified_email);
    assert_eq!(f.rules.len(), 5);
    assert_eq!(f.rules[2].when, Match::GroupPrefix("nps-store-".into()));
    // The secret and where the provider sends people back.
    let s = sso();
    assert_eq!(s.client_secret.0, "s3cret");
    assert_eq!(format!("{:?}", s.client_secret), "Secret(…)");
    assert_eq!(
        s.redirect_url,
        "https://nps.brand.example/signin/oidc/callback"
    );
}

#[test]
fn the_secret_and_the_redirect_have_their_sources() {
    let bare = |text: &str| read(text, &org()).unwrap();
    let no_redirect = EXAMPLE.replace("redirect_url = ", "# redirect_url = ");
    let s = bare(&no_redirect)
        .settle(Some("x".into()), &["https://nps.brand.example".into()])
        .unwrap();
    assert_eq!(
        s.redirect_url,
        "https://nps.brand.example/signin/oidc/callback"
    );
    let e = bare(&no_redirect)
        .settle(Some("x".into()), &[])
        .unwrap_err();
    assert!(
        e.contains("redirect_url is missing") && e.contains("--public-origin"),
        "{e}"
    );
    let no_file = EXAMPLE.replace("client_secret_file = ", "# client_secret_file = ");
    let e = bare(&no_file).settle(None, &[]).unwrap_err();
    assert!(e.contains("NPS_SSO_CLIENT_SECRET"), "{e}");
    let e = bare(EXAMPLE).settle(None, &[]).unwrap_err();
    assert!(
        e.starts_with("client_secret_file /etc/nps/sso-client-secret:"),
        "{e}"
    );
    let dir =
        std::env::temp_dir().join(format!("nps-sso-secret-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("secret"), "from-file\n").unwrap();
    let text = EXAMPLE.replace(
        "/etc/nps/sso-client-secret",
        dir.join("secret").to_str().unwrap(),
    );
    assert_eq!(
        bare(&text).settle(None, &[]).unwrap().client_secret.0,
        "from-file"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The example with `from` replaced by `to` (once): the error must hold each of `says`.
fn check(from: &str, to: &str, says: &[&str]) {
    assert!(EXAMPLE.contains(from), "{from}");
    let text = EXAMPLE.replacen(from, to, 1);
    let e = read(&text, &org()).unwrap_err();
    for s in says {
        assert!(e.contains(s), "{from} → {to}: {e}\nshould say {s}");
    }
}

#[test]
fn each_mistake_names_its_line_key_and_what_is_accepted() {
    // Line numbers are the example's (docs/sso.toml).
    check(
        "regions = [\"south\"]",
        "regions = [\"sout\"]",
        &["line 22: [[rule]] regions is \"sout\": expected one of the declared regions: \"south\", \"north\""],
    );
    check(
        "stores = [\"BJ-CY\"]",
        "stores = [\"BJ-XX\"]",
        &["line 32: [[rule]] stores is \"BJ-XX\": expected one of the declared stores: \"SZ-FT\", \"SZ-NS\", \"GZ-TH\", \"BJ-CY\""],
    );
    check(
        "role = \"admin\"",
        "role = \"owner\"",
        &["line 17: [[rule]] role is \"owner\": expected one of \"admin\", \"region\", \"store\", \"analyst\""],
    );
    check(
        "group = \"cx-south\"",
        "groups = \"cx-south\"",
        &["line 20: [[rule]] unknown key \"groups\": did you mean \"group\"?"],
    );
    check(
        "client_secret_file = ",
        "client_secret = ",
        &[
            "line 6: unknown key \"client_secret\"",
            "keep the secret out of this file",
        ],
    );
    check(
        "issuer = \"https://login.brand.example/realms/brand\"",
        "issuer = \"login.brand.example\"",
        &["line 3: issuer is \"login.brand.example\": expected an http or https URL"],
    );
    check(
        "require_verified_email = true",
        "require_verified_email = \"yes\"",
        &["line 11: require_verified_email is \"yes\": expected true or false"],
    );
    check(
        "scopes = [\"email\", \"groups\"]",
        "scopes = \"email groups\"",
        &["line 10: scopes is \"email groups\": expected a list of strings"],
    );
    // A rule's role without its scope, or with the wrong kind.
    check(
        "role = \"region\"\nregions = [\"south\"]",
        "role = \"region\"",
        &["line 21: [[rule]] region is required for role region"],
    );
    check(
        "group_prefix = \"nps-store-\"\nrole = \"store\"",
        "group_prefix = \"nps-store-\"\nrole = \"analyst\"",
        &["line 27: [[rule]] group_prefix gives stores (role = \"store\") or regions"],
    );
    check(
        "group = \"nps-admins\"\nrole = \"admin\"",
        "group = \"nps-admins\"\nemail = \"boss@brand.example\"\nrole = \"admin\"",
        &["line 16: [[rule]] matches on one thing"],
    );
    check(
        "group = \"nps-admins\"\nrole = \"admin\"",
        "role = \"admin\"",
        &["line 15: [[rule]] has nothing to match: give one of \"group\", \"group_prefix\", \"email\", \"email_domain\""],
    );
    check(
        "email_domain = \"brand.example\"\nrole = \"analyst\"",
        "email_domain = \"brand.example\"",
        &["line 34: [[rule]] role is missing"],
    );
    check(
        "client_id = \"nps-collector\"\n",
        "",
        &["line 1: client_id is missing"],
    );
    // Every mistake at once, in the order of the file.
    let text = EXAMPLE
        .replacen("role = \"owner\"", "", 1)
        .replacen("role = \"admin\"", "role = \"owner\"", 1)
        .replacen("regions = [\"south\"]", "regions = [\"sout\"]", 1);
    let e = read(&text, &org()).unwrap_err();
    assert_eq!(e.lines().count(), 2, "{e}");
    assert!(e.lines().next().unwrap().starts_with("line 17:"), "{e}");
}

fn claims(email: &str, verified: Option<bool>, groups: &[&str]) -> Claims {
    Claims {
        email: Some(email.into()),
        email_verified: verified,
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

fn stores(codes: &[&str]) -> Scope {
    Scope::Stores(codes.iter().map(|c| c.to_string()).collect())
}

#[test]
fn the_rules_give_each_person_a_role_and_a_scope() {
    let s = sso();
    let check = |c: Claims, want: Result<(&str, Role, Scope), Refusal>| {
        let got = s.decide(&c, None);
        let want = want.map(|(e, r, sc)| (e.to_owned(), r, sc));
        assert_eq!(got, want, "{c:?}");
    };
    let ok = Some(true);
    check(
        claims("Li@Brand.Example ", ok, &["nps-store-SZ-FT", "staff"]),
        Ok(("li@brand.example", Role::Store, stores(&["SZ-FT"]))),
    );
    // Two store groups: both stores; one the org lacks is ignored.
    check(
        claims(
            "wu@brand.example",
            ok,
            &["nps-store-SZ-FT", "nps-store-XX", "nps-store-GZ-TH"],
        ),
        Ok(("wu@brand.example", Role::Store, stores(&["SZ-FT", "GZ-TH"]))),
    );
    // The first matching rule gives the role: an admin in a store group is an admin.
    check(
        claims("boss@brand.example", ok, &["nps-store-SZ-FT", "nps-admins"]),
        Ok(("boss@brand.example", Role::Admin, Scope::All)),
    );
    check(
        claims("zhou@brand.example", ok, &["cx-south"]),
        Ok((
            "zhou@brand.example",
            Role::Region,
            Scope::Regions(vec!["south".into()]),
        )),
    );
    check(
        claims("zhao.analyst@partner.example", ok, &[]),
        Ok((
            "zhao.analyst@partner.example",
            Role::Analyst,
            stores(&["BJ-CY"]),
        )),
    );
    check(
        claims("anyone@brand.example", ok, &["nps-store-XX"]),
        Ok(("anyone@brand.example", Role::Analyst, Scope::All)),
    );
    // Nobody else; no verified email, no sign-in.
    check(
        claims("x@elsewhere.example", ok, &["staff"]),
        Err(Refusal::NoRule),
    );
    check(
        claims("x@brand.example.evil", ok, &[]),
        Err(Refusal::NoRule),
    );
    check(
        claims("li@brand.example", Some(false), &["nps-admins"]),
        Err(Refusal::EmailNotVerified),
    );
    check(
        claims("li@brand.example", None, &["nps-admins"]),
        Err(Refusal::EmailNotVerified),
    );
    check(
        Claims {
            email: None,
            email_verified: ok,
            groups: vec!["nps-admins".into()],
        },
        Err(Refusal::NoEmail),
    );
    // A provider that does not verify emails, when the file says so.
    let mut lax = sso();
    lax.require_verified_email = false;
    assert_eq!(
        lax.decide(&claims("li@brand.example", None, &["nps-admins"]), None),
        Ok(("li@brand.example".into(), Role::Admin, Scope::All))
    );
}

#[test]
fn a_group_is_checked_against_the_org_in_force() {
    let s = sso();
    let li = claims("li@brand.example", Some(true), &["nps-store-SZ-FT"]);
    assert_eq!(s.decide(&li, None).unwrap().2, stores(&["SZ-FT"]));
    // The org read again without SZ-FT: its group grants it no longer.
    let without = ORG
        .replace("id = \"SZ-FT\"", "id = \"SZ-XX\"")
        .replace("store = \"SZ-FT\"", "store = \"SZ-XX\"");
    let reloaded = crate::org_file::read(&without).unwrap();
    let got = s.decide(&li, Some(&reloaded));
    assert_ne!(got.map(|g| g.2), Ok(stores(&["SZ-FT"])));
    // And a store added since the start is granted.
    let with_new = crate::org_file::read(
        &ORG.replace("id = \"SZ-FT\"", "id = \"SZ-NEW\"")
            .replace("store = \"SZ-FT\"", "store = \"SZ-NEW\""),
    )
    .unwrap();
    let new = claims("li@brand.example", Some(true), &["nps-store-SZ-NEW"]);
    assert_eq!(
        s.decide(&new, Some(&with_new)).unwrap().2,
        stores(&["SZ-NEW"])
    );
    assert_ne!(s.decide(&new, None).map(|g| g.2), Ok(stores(&["SZ-NEW"])));
}
