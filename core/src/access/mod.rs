//! Who may do what: the roles of a brand's people (`Role`), the part of the organisation each
//! sees (`Scope`), how a caller signs in (`Credential`), and one decision table (`may_by`)
//! over a credential, a role, its scope, an action and the place the action touches. The
//! collector asks it on every route, on the server; nothing here reads a request, a session
//! or a database.
//!
//! | row | action                                                    | roles                | where    |
//! |-----|-----------------------------------------------------------|----------------------|----------|
//! | 1   | `ManagePeople`, `CreateTokens`, `ReadAudit`, `ReadAlerts` | admin                | —        |
//! | 2   | `Delete` (a customer's deletion request)                  | admin                | in scope |
//! | 3   | `ReadAnswers`, `Export`                                   | every role           | in scope |
//! | 4   | `ReadMaskedPhone` (`138****3788`)                         | admin, region, store | in scope |
//! | 5   | `Reveal` (the phone in full, logged)                      | admin, region, store | in scope |
//! | 6   | `CaseRead` (cases, their history and stats)               | every role           | in scope |
//! | 7   | `CaseWork` (contact, resolve, note, assign)               | admin, region, store | in scope |
//! | 8   | `ReportVisits` (the visits a brand invited)               | a person: admin; a machine token: admin, region, store | in scope |
//! | 9   | `ReportReferrals` (a friend booked or bought)             | a person: admin; a machine token: admin, region, store | in scope |
//! | 10  | otherwise                                                 | nobody               |          |
//!
//! An analyst never gets a phone, not even masked (rows 4 and 5), and reads cases without
//! working them (rows 6 and 7). Rows 8 and 9 are the inputs of the response and referral
//! rates a store and a region are judged by: a person of a store or region never writes
//! them (a store manager could otherwise invent purchases for their own codes or claim
//! visits); the brand's systems do, each with a machine token an admin made and can revoke,
//! and an admin may. The credential decides nothing else. "In scope" is
//! `Scope::covers`: a store's row is in a region manager's scope when its region is one of
//! theirs. `Place::Org` asks whether a role may take an action at all (a route's first check);
//! each row is then asked with its own place.

use crate::words::Locale;

#[cfg(test)]
mod tests;
mod within;

pub use within::{names_within, org_within, place_of};

/// A person's (or a machine token's) role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The brand's owner or administrator: everything, and manages people.
    Admin,
    /// A region manager: the stores of their regions.
    Region,
    /// A store manager: their stores.
    Store,
    /// An analyst: scores and comments of their scope, never a phone.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Region, Role::Store, Role::Analyst];
    /// The keys of `ALL`, in order (the `--role` values, the stored form).
    pub const KEYS: [&'static str; 4] = ["admin", "region", "store", "analyst"];

    /// The stable key: `admin`, `region`, `store` or `analyst`.
    pub fn key(self) -> &'static str {
        Role::KEYS[self as usize]
    }

    /// An exact key (case-insensitive); the error names the accepted values.
    pub fn parse(s: &str) -> Result<Role, String> {
        let want = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.key() == want)
            .ok_or_else(|| format!("{s:?} is not a role: one of {}", Role::KEYS.join(", ")))
    }

    /// The role's name for people.
    pub fn words(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Role::Admin, Locale::ZhCn) => "管理员",
            (Role::Admin, Locale::ZhTw) => "管理員",
            (Role::Admin, Locale::En) => "Administrator",
            (Role::Region, Locale::ZhCn) => "区域经理",
            (Role::Region, Locale::ZhTw) => "區域經理",
            (Role::Region, Locale::En) => "Region manager",
            (Role::Store, Locale::ZhCn) => "门店经理",
            (Role::Store, Locale::ZhTw) => "門市經理",
            (Role::Store, Locale::En) => "Store manager",
            (Role::Analyst, Locale::ZhCn) => "分析员",
            (Role::Analyst, Locale::ZhTw) => "分析員",
            (Role::Analyst, Locale::En) => "Analyst",
        }
    }

    /// The scope this role is given from the regions and stores named for it: an admin sees
    /// all (and names none), a region manager needs regions, a store manager stores, an
    /// analyst any one of the three. The error names the field (`region`, `store`).
    pub fn scope(self, regions: &[String], stores: &[String]) -> Result<Scope, ScopeError> {
        let scope = match (regions.is_empty(), stores.is_empty()) {
            (true, true) => Scope::All,
            (false, true) => Scope::Regions(regions.to_vec()),
            (true, false) => Scope::Stores(stores.to_vec()),
            (false, false) => return Err(ScopeError::Both),
        };
        match (self, &scope) {
            (Role::Admin, Scope::All) | (Role::Analyst, _) => Ok(scope),
            (Role::Region, Scope::Regions(_)) | (Role::Store, Scope::Stores(_)) => Ok(scope),
            (Role::Admin, _) => Err(ScopeError::AdminSeesAll),
            (Role::Region, _) => Err(ScopeError::Needs {
                role: self,
                field: "region",
            }),
            (Role::Store, _) => Err(ScopeError::Needs {
                role: self,
                field: "store",
            }),
        }
    }
}

/// Why regions and stores do not make a scope for a role.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeError {
    /// The role needs at least one of `field` (`region` or `store`).
    Needs { role: Role, field: &'static str },
    /// Regions and stores at once: a scope is one or the other.
    Both,
    /// An admin sees the whole organisation: no region or store.
    AdminSeesAll,
}

impl ScopeError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            ScopeError::Needs { field, .. } => field,
            ScopeError::Both | ScopeError::AdminSeesAll => "region",
        }
    }
}

impl std::fmt::Display for ScopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScopeError::Needs { role, field } => {
                write!(
                    f,
                    "{field} is required for role {}: name one or more",
                    role.key()
                )
            }
            ScopeError::Both => {
                f.write_str("region and store together: a scope is regions or stores, not both")
            }
            ScopeError::AdminSeesAll => {
                f.write_str("region or store for role admin: an admin sees every store, name none")
            }
        }
    }
}

/// The part of the organisation a person sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Scope {
    /// Every store.
    All,
    /// The stores of these regions (codes of the org file).
    Regions(Vec<String>),
    /// These stores (codes of the org file).
    Stores(Vec<String>),
}

impl Scope {
    /// Whether a place is in this scope. A row with no store is only in `All`.
    pub fn covers(&self, place: &Place) -> bool {
        let has = |codes: &[String], code: Option<&str>| {
            code.is_some_and(|c| codes.iter().any(|x| x == c))
        };
        match (self, place) {
            (Scope::All, _) => true,
            (_, Place::Org) => true,
            (Scope::Regions(rs), Place::Row { region, .. }) => has(rs, region.as_deref()),
            (Scope::Stores(ss), Place::Row { store, .. }) => has(ss, store.as_deref()),
        }
    }

    /// The stored form: `"all"`, `{"regions":["EAST"]}`, `{"stores":["SZ-FT"]}`.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a scope is plain JSON")
    }

    /// The stored form back.
    pub fn from_text(s: &str) -> Result<Scope, String> {
        serde_json::from_str(s).map_err(|e| format!("not a stored scope ({e}): {s:?}"))
    }
}

/// What an action touches: the organisation as a whole (may the role do this at all?), or one
/// response's row, by its store and that store's region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Org,
    Row {
        region: Option<String>,
        store: Option<String>,
    },
}

impl Place {
    /// A row of a store in a region.
    pub fn row(region: Option<&str>, store: Option<&str>) -> Place {
        Place::Row {
            region: region.map(str::to_owned),
            store: store.map(str::to_owned),
        }
    }
}

/// What a person or token asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Scores, reasons, comments and context.
    ReadAnswers,
    /// A phone number masked (`138****3788`).
    ReadMaskedPhone,
    /// A phone number in full, to call the customer back (logged).
    Reveal,
    /// The CSV/JSON export (its rows are each asked `ReadAnswers`).
    Export,
    /// A customer's deletion request.
    Delete,
    /// Add, disable, reset people; change roles and scopes.
    ManagePeople,
    /// Machine tokens for integrations.
    CreateTokens,
    /// The audit trail.
    ReadAudit,
    /// Cases (a detractor's call-back), their history and their figures.
    CaseRead,
    /// Work a case: mark it contacted, resolved or open again, note it, assign it.
    CaseWork,
    /// The alert queue: each job's channel, state, tries and reason (never a URL or secret).
    ReadAlerts,
    /// Record invited visits (`POST /api/visits`: a DMS, or a store's own list).
    ReportVisits,
    /// Report what a referral brought (`POST /api/referrals/{code}/events`: booked, bought).
    ReportReferrals,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::ReadAnswers,
        Action::ReadMaskedPhone,
        Action::Reveal,
        Action::Export,
        Action::Delete,
        Action::ManagePeople,
        Action::CreateTokens,
        Action::ReadAudit,
        Action::CaseRead,
        Action::CaseWork,
        Action::ReadAlerts,
        Action::ReportVisits,
        Action::ReportReferrals,
    ];
}

/// How a caller signs in: a person (a session) or a brand's system (a machine token, or the
/// `--admin-token`). Rows 8 and 9 of the table differ by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Credential {
    Person,
    Machine,
}

/// The table of the module doc.
pub fn may_by(
    credential: Credential,
    role: Role,
    scope: &Scope,
    action: Action,
    place: &Place,
) -> bool {
    use Action::*;
    let in_scope = scope.covers(place);
    match action {
        ManagePeople | CreateTokens | ReadAudit | ReadAlerts => role == Role::Admin,
        Delete => role == Role::Admin && in_scope,
        ReadAnswers | Export | CaseRead => in_scope,
        ReadMaskedPhone | Reveal | CaseWork => role != Role::Analyst && in_scope,
        ReportVisits | ReportReferrals => match credential {
            Credential::Machine => role != Role::Analyst && in_scope,
            Credential::Person => role == Role::Admin && in_scope,
        },
    }
}

/// The table for a person (`Credential::Person`): what a signed-in account may do.
pub fn may(role: Role, scope: &Scope, action: Action, place: &Place) -> bool {
    may_by(Credential::Person, role, scope, action, place)
}

/// How a phone shows to a role in a row it may read: not at all, or masked (the full number
/// only through a logged `Reveal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneView {
    Hidden,
    Masked,
}

impl PhoneView {
    /// A response body (the collector's canonical JSON) as this view shows it: its
    /// `contact.phone` masked (`contract::phone::mask`), or the key removed together with
    /// the order's phone tail (`context.phone_tail`: the digits a mask shows). A body without
    /// a phone is left as it is.
    pub fn apply(self, body: &mut serde_json::Value) {
        if self == PhoneView::Hidden {
            if let Some(context) = body.get_mut("context").and_then(|c| c.as_object_mut()) {
                context.remove(crate::contract::rules::PHONE_TAIL);
            }
        }
        let Some(contact) = body.get_mut("contact").and_then(|c| c.as_object_mut()) else {
            return;
        };
        match self {
            PhoneView::Hidden => {
                contact.remove("phone");
            }
            PhoneView::Masked => {
                if let Some(serde_json::Value::String(p)) = contact.get_mut("phone") {
                    *p = crate::contract::phone::mask(p);
                }
            }
        }
    }
}

/// `PhoneView` from the table: masked where `ReadMaskedPhone` is allowed.
pub fn phone_view(role: Role, scope: &Scope, place: &Place) -> PhoneView {
    if may(role, scope, Action::ReadMaskedPhone, place) {
        PhoneView::Masked
    } else {
        PhoneView::Hidden
    }
}
