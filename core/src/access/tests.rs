//! The access table as every role × every action × in scope, out of scope, and the whole
//! organisation; and the scopes each role may be given.

use super::*;

const ROLES: [(Role, fn() -> Scope); 4] = [
    (Role::Admin, || Scope::All),
    (Role::Region, || Scope::Regions(vec!["EAST".into()])),
    (Role::Store, || Scope::Stores(vec!["SZ-FT".into()])),
    (Role::Analyst, || Scope::Stores(vec!["SZ-FT".into()])),
];

/// A row of SZ-FT in EAST: in every scope above.
fn inside() -> Place {
    Place::row(Some("EAST"), Some("SZ-FT"))
}

/// A row of BJ-CY in NORTH: in the admin's scope only.
fn outside() -> Place {
    Place::row(Some("NORTH"), Some("BJ-CY"))
}

#[test]
fn every_role_and_action_in_and_out_of_scope() {
    use Action::*;
    // (action, admin, region, store, analyst) in scope and out of scope, for a person; a
    // machine token's row where it differs (`None`: the same as a person's).
    type Yes = [bool; 4];
    #[rustfmt::skip]
    let table: &[(Action, Yes, Yes, Option<(Yes, Yes)>)] = &[
        //                person in scope: adm region store analyst; out of scope; a machine token's
        (ReadAnswers,     [true,  true,  true,  true ], [true, false, false, false], None),
        (Export,          [true,  true,  true,  true ], [true, false, false, false], None),
        (ReadMaskedPhone, [true,  true,  true,  false], [true, false, false, false], None),
        (Reveal,          [true,  true,  true,  false], [true, false, false, false], None),
        (Delete,          [true,  false, false, false], [true, false, false, false], None),
        (ManagePeople,    [true,  false, false, false], [true, false, false, false], None),
        (CreateTokens,    [true,  false, false, false], [true, false, false, false], None),
        (ReadAudit,       [true,  false, false, false], [true, false, false, false], None),
        (CaseRead,        [true,  true,  true,  true ], [true, false, false, false], None),
        (CaseWork,        [true,  true,  true,  false], [true, false, false, false], None),
        (ReadAlerts,      [true,  false, false, false], [true, false, false, false], None),
        // The inputs of a store's own rates: a person of a store or region never writes them.
        (ReportVisits,    [true,  false, false, false], [true, false, false, false],
            Some(([true, true, true, false], [true, false, false, false]))),
        (ReportReferrals, [true,  false, false, false], [true, false, false, false],
            Some(([true, true, true, false], [true, false, false, false]))),
    ];
    assert_eq!(table.len(), Action::ALL.len(), "every action has a row");
    for (action, person_in, person_out, machine) in table {
        let (machine_in, machine_out) = machine.unwrap_or((*person_in, *person_out));
        for (credential, yes_in, yes_out) in [
            (Credential::Person, person_in, person_out),
            (Credential::Machine, &machine_in, &machine_out),
        ] {
            for (i, (role, scope)) in ROLES.iter().enumerate() {
                let scope = scope();
                let may = |place: &Place| may_by(credential, *role, &scope, *action, place);
                assert_eq!(
                    may(&inside()),
                    yes_in[i],
                    "{credential:?} {role:?} {action:?} in scope"
                );
                assert_eq!(
                    may(&outside()),
                    yes_out[i],
                    "{credential:?} {role:?} {action:?} out of scope"
                );
                // The whole organisation: whether the role may take the action at all.
                assert_eq!(
                    may(&Place::Org),
                    yes_in[i],
                    "{credential:?} {role:?} {action:?} at all"
                );
            }
        }
        for (role, scope) in ROLES {
            assert_eq!(
                super::may(role, &scope(), *action, &inside()),
                may_by(Credential::Person, role, &scope(), *action, &inside()),
                "may is a person's table"
            );
        }
    }
}

#[test]
fn an_analyst_never_gets_a_phone_not_even_masked() {
    for scope in [
        Scope::All,
        Scope::Regions(vec!["EAST".into()]),
        Scope::Stores(vec!["SZ-FT".into()]),
    ] {
        for place in [inside(), outside(), Place::Org, Place::row(None, None)] {
            assert_eq!(phone_view(Role::Analyst, &scope, &place), PhoneView::Hidden);
            assert!(!may(Role::Analyst, &scope, Action::Reveal, &place));
        }
    }
    assert_eq!(
        phone_view(Role::Store, &Scope::Stores(vec!["SZ-FT".into()]), &inside()),
        PhoneView::Masked
    );
    assert_eq!(
        phone_view(
            Role::Store,
            &Scope::Stores(vec!["SZ-FT".into()]),
            &outside()
        ),
        PhoneView::Hidden
    );
}

#[test]
fn scopes_cover_their_rows() {
    let check = |scope: Scope, place: Place, want: bool| {
        assert_eq!(scope.covers(&place), want, "{scope:?} {place:?}")
    };
    let east = || Scope::Regions(vec!["EAST".into(), "SOUTH".into()]);
    let sz = || Scope::Stores(vec!["SZ-FT".into()]);
    check(Scope::All, Place::row(None, None), true);
    check(east(), Place::row(Some("SOUTH"), Some("GZ-TH")), true);
    check(east(), Place::row(Some("NORTH"), Some("SZ-FT")), false); // the region decides
    check(east(), Place::row(None, Some("SZ-FT")), false); // a store outside the org file
    check(sz(), Place::row(Some("NORTH"), Some("SZ-FT")), true); // the store decides
    check(sz(), Place::row(Some("EAST"), Some("SZ-LH")), false);
    check(sz(), Place::row(Some("EAST"), None), false); // a row with no store
    check(sz(), Place::row(None, Some("sz-ft")), false); // codes are exact
}

#[test]
fn roles_have_keys_and_words() {
    for (role, key) in Role::ALL.into_iter().zip(Role::KEYS) {
        assert_eq!(role.key(), key);
        assert_eq!(Role::parse(key), Ok(role));
        assert_eq!(Role::parse(&key.to_uppercase()), Ok(role));
        for locale in Locale::ALL {
            assert!(!role.words(locale).is_empty());
        }
    }
    assert_eq!(Role::Store.words(Locale::ZhCn), "门店经理");
    let e = Role::parse("owner").unwrap_err();
    assert!(
        e.contains("\"owner\"") && e.contains("admin, region, store, analyst"),
        "{e}"
    );
}

#[test]
fn each_role_takes_the_scopes_it_can_have() {
    let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let check = |role: Role, regions: &[&str], stores: &[&str], want: Result<Scope, &str>| {
        let got = role
            .scope(&v(regions), &v(stores))
            .map_err(|e| e.to_string());
        match want {
            Ok(scope) => assert_eq!(got, Ok(scope), "{role:?}"),
            Err(part) => {
                let e = got.unwrap_err();
                assert!(e.contains(part), "{role:?}: {e}")
            }
        }
    };
    check(Role::Admin, &[], &[], Ok(Scope::All));
    check(
        Role::Admin,
        &["EAST"],
        &[],
        Err("an admin sees every store"),
    );
    check(
        Role::Region,
        &["EAST"],
        &[],
        Ok(Scope::Regions(v(&["EAST"]))),
    );
    check(
        Role::Region,
        &[],
        &[],
        Err("region is required for role region"),
    );
    check(
        Role::Region,
        &[],
        &["SZ-FT"],
        Err("region is required for role region"),
    );
    check(
        Role::Store,
        &[],
        &["SZ-FT", "SZ-LH"],
        Ok(Scope::Stores(v(&["SZ-FT", "SZ-LH"]))),
    );
    check(
        Role::Store,
        &[],
        &[],
        Err("store is required for role store"),
    );
    check(Role::Analyst, &[], &[], Ok(Scope::All));
    check(
        Role::Analyst,
        &["EAST"],
        &[],
        Ok(Scope::Regions(v(&["EAST"]))),
    );
    check(Role::Analyst, &["EAST"], &["SZ-FT"], Err("not both"));
    assert_eq!(Role::Store.scope(&[], &[]).unwrap_err().field(), "store");
}

#[test]
fn scopes_round_trip_their_stored_form() {
    for (scope, text) in [
        (Scope::All, r#""all""#),
        (
            Scope::Regions(vec!["EAST".into()]),
            r#"{"regions":["EAST"]}"#,
        ),
        (
            Scope::Stores(vec!["SZ-FT".into(), "SZ-LH".into()]),
            r#"{"stores":["SZ-FT","SZ-LH"]}"#,
        ),
    ] {
        assert_eq!(scope.to_text(), text);
        assert_eq!(Scope::from_text(text), Ok(scope));
    }
    assert!(Scope::from_text(r#"{"cities":["SZ"]}"#).is_err());
    assert!(Scope::from_text("everything").is_err());
}

#[test]
fn a_phone_shows_masked_or_not_at_all() {
    let body = || {
        serde_json::json!({"id": "a", "contact": {"phone": "+8613812343788", "consent": true,
            "callback_hours": 48}, "comment": "+8613812343788 is not a phone field"})
    };
    let mut masked = body();
    PhoneView::Masked.apply(&mut masked);
    assert_eq!(masked["contact"]["phone"], "138****3788");
    assert_eq!(masked["contact"]["callback_hours"], 48);
    let mut hidden = body();
    PhoneView::Hidden.apply(&mut hidden);
    assert!(hidden["contact"].get("phone").is_none(), "{hidden}");
    assert_eq!(hidden["contact"]["consent"], true);
    // Without a contact (or a phone), nothing changes.
    for view in [PhoneView::Masked, PhoneView::Hidden] {
        let mut none = serde_json::json!({"id": "b", "contact": null});
        view.apply(&mut none);
        assert_eq!(none, serde_json::json!({"id": "b", "contact": null}));
    }
    // The order's phone tail is the part of a phone a mask shows: where no phone shows, neither
    // does the tail; a masked view keeps it (the case says which order's number to call).
    let on_file = || {
        serde_json::json!({"id": "c", "contact": {"on_file": true, "consent": true},
            "context": {"store": "SZ-FT", "phone_tail": "3788"}})
    };
    let mut hidden = on_file();
    PhoneView::Hidden.apply(&mut hidden);
    assert_eq!(hidden["context"], serde_json::json!({"store": "SZ-FT"}));
    let mut masked = on_file();
    PhoneView::Masked.apply(&mut masked);
    assert_eq!(masked, on_file());
}
