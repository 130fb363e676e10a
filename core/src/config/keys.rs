//! The config keys: one row per key (name, kind with its bounds, default, one line of doc).
//!
//! This table drives everything about a key but its use: decoding `data-*` attributes, the
//! known-key list and its "did you mean" hint, the default, the accepted values in errors, and
//! the generated reference `docs/CONFIG.md` (`reference()`; a tidy test fails when the file is
//! stale). Adding a key is one row here, a field in `Config` and a line in `Config::from_object`.

use crate::contract::rules::{
    id_shape, MAX_BRAND, MAX_CONTEXT, MAX_KIOSK_RESET_S, MAX_REASONS, MAX_RETENTION_DAYS,
    MAX_SELECTOR, MAX_THROTTLE_DAYS,
};
use crate::words::Locale;

use super::{Mode, Position, Theme, Trigger, Update};

/// The shape of a value: what is accepted, how an attribute string is read, how it is described.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An http(s) URL, or a path on the page's site.
    Endpoint,
    /// An absolute http(s) URL.
    Url,
    /// An id (`rules::is_id`).
    Id,
    /// Text of at most `max` characters.
    Name { max: usize },
    /// One of the built-in locales (case-insensitive).
    Locale,
    /// One of these names.
    OneOf(&'static [&'static str]),
    /// `#rgb` or `#rrggbb`.
    Colour,
    /// A whole number in `min..=max`.
    Int { min: u32, max: u32 },
    /// A number from 0 to 1.
    Fraction,
    /// A CSS selector of at most `max` characters (the browser checks its syntax).
    Selector { max: usize },
    /// `true` or `false`; an empty attribute is `true`.
    Bool,
    /// A preset name, or a list of `{id, label}`.
    Reasons,
    /// An object of context keys to values; an attribute may be a query string.
    Context,
    /// A list of query-string keys; an attribute may be comma-separated.
    Keys,
    /// An object of header names to values.
    Headers,
    /// An object of text keys to strings.
    Texts,
}

impl Kind {
    /// What is accepted, in words (errors and docs).
    pub fn expected(self) -> String {
        match self {
            Kind::Endpoint => "an http(s) URL or a path starting with /".into(),
            Kind::Url => "an http(s) URL".into(),
            Kind::Id => format!("an id of {}", id_shape()),
            Kind::Name { max } => format!("a name of at most {max} characters"),
            Kind::Locale => one_of(&Locale::TAGS),
            Kind::OneOf(names) => one_of(names),
            Kind::Colour => "a colour like \"#1A73E8\" or \"#17e\"".into(),
            Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
            Kind::Fraction => "a number from 0 to 1, e.g. 0.25".into(),
            Kind::Selector { max } => format!("a CSS selector of at most {max} characters, e.g. \"#feedback\""),
            Kind::Bool => "true or false".into(),
            Kind::Reasons => format!(
                "a preset name ({}), or a list of at most {MAX_REASONS} like [{{\"id\": \"parking\", \"label\": {{\"zh-CN\": \"停车\", \"en\": \"Parking\"}}}}]",
                one_of(&crate::words::PRESETS.iter().map(|(n, _)| *n).collect::<Vec<_>>())
            ),
            Kind::Context => format!(
                "an object of at most {MAX_CONTEXT} short strings, e.g. {{\"store\": \"SZ-FT\"}}"
            ),
            Kind::Keys => "a list of query-string keys, e.g. [\"store\", \"visit\"]".into(),
            Kind::Headers => "an object of header names to Latin-1 string values (not Cookie, Host, Origin, Content-Type, Proxy-* or Sec-*)".into(),
            Kind::Texts => "an object of text keys to strings, e.g. {\"submit\": \"Send\"}".into(),
        }
    }
}

fn one_of(names: &[&str]) -> String {
    let list: Vec<String> = names
        .iter()
        .map(|n| crate::contract::error::quoted(n))
        .collect();
    format!("one of {}", list.join(", "))
}

/// A key's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    /// No default: the key must be given.
    Required,
    /// Unset: nothing (no brand, no accent, no extra headers).
    Unset,
    Str(&'static str),
    Int(u32),
    Bool(bool),
    List(&'static [&'static str]),
    /// Worked out from other things, as described.
    Derived(&'static str),
}

/// One config key. Its one line of doc is in `DOCS` (the widget carries no docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// snake_case, as in a config object; `data-` plus kebab-case as an attribute.
    pub name: &'static str,
    pub kind: Kind,
    pub default: Default,
}

impl Key {
    /// The `data-*` attribute for this key.
    pub fn attribute(&self) -> String {
        format!("data-{}", self.name.replace('_', "-"))
    }

    /// The default of a key whose default is a number; 0 otherwise.
    pub fn default_int(&self) -> u32 {
        match self.default {
            Default::Int(n) => n,
            _ => 0,
        }
    }

    /// The bounds of a whole-number key; (0, 0) for any other.
    pub fn int_bounds(&self) -> (u32, u32) {
        match self.kind {
            Kind::Int { min, max } => (min, max),
            _ => (0, 0),
        }
    }

    /// A whole number within this key's bounds (a value carried elsewhere, such as the
    /// payload's `contact.callback_hours`, is bounded as the key that set it).
    pub fn accepts_int(&self, n: u64) -> Option<u32> {
        let (min, max) = self.int_bounds();
        u32::try_from(n).ok().filter(|n| (min..=max).contains(n))
    }

    /// The default of a key whose default is a string; empty otherwise.
    pub fn default_str(&self) -> &'static str {
        match self.default {
            Default::Str(s) => s,
            _ => "",
        }
    }
}

macro_rules! keys {
    ($( $konst:ident $name:ident: $kind:expr, $default:expr, $doc:literal; )*) => {
        $( pub const $konst: Key = Key { name: stringify!($name), kind: $kind, default: $default }; )*
        /// Every key, in the order the docs list them.
        pub const KEYS: &[Key] = &[$($konst),*];
        /// Every key's name.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        /// Every key's line of doc, in the order of `KEYS`.
        pub const DOCS: &[&str] = &[$($doc),*];
    };
}

/// Query-string keys copied into the context unless `context_params` says otherwise.
pub const DEFAULT_CONTEXT_PARAMS: &[&str] = &[
    "store",
    "advisor",
    crate::contract::rules::VISIT,
    crate::contract::rules::VISIT_TOKEN,
    "model",
    "service_type",
    "touchpoint",
    "channel",
    crate::contract::rules::PHONE_TAIL,
    crate::contract::rules::RECOVERY,
];

keys! {
    ENDPOINT endpoint: Kind::Endpoint, Default::Required,
        "Where responses are posted (`POST`, JSON body, schema 1; see `update`).";
    SURVEY survey: Kind::Id, Default::Str("nps"),
        "The survey id each response carries; `after-sales` also picks the after-sales reasons.";
    BRAND brand: Kind::Name { max: MAX_BRAND }, Default::Unset,
        "The brand in the question; without it the question says \"us\" (我们 in Chinese).";
    LOCALE locale: Kind::Locale, Default::Derived("the browser's language when it is Chinese or English, else zh-CN"),
        "The language of every word the widget shows.";
    MODE mode: Kind::OneOf(Mode::NAMES), Default::Str("inline"),
        "Inline fills its element; modal centres over a dimmed page; slide-in is a corner card.";
    POSITION position: Kind::OneOf(Position::NAMES), Default::Str("bottom-right"),
        "The corner a slide-in uses.";
    THEME theme: Kind::OneOf(Theme::NAMES), Default::Str("auto"),
        "Light, dark, or follow the system (`prefers-color-scheme`).";
    ACCENT accent: Kind::Colour, Default::Unset,
        "Brand colour of the submit button and the focus ring.";
    RADIUS radius: Kind::Int { min: 0, max: 32 }, Default::Int(12),
        "Card corner radius in px.";
    REASONS reasons: Kind::Reasons, Default::Derived("the preset named like the survey, else generic"),
        "The reason chips after a score.";
    CALLBACK callback: Kind::Bool, Default::Bool(true),
        "Offer detractors a call-back: a phone field and an unticked consent box.";
    CALLBACK_HOURS callback_hours: Kind::Int { min: 1, max: 720 }, Default::Int(24),
        "The promise to a reachable detractor: contact within this many hours.";
    RETENTION_DAYS retention_days: Kind::Int { min: 1, max: MAX_RETENTION_DAYS }, Default::Int(30),
        "A phone left for a call-back is deleted after this many days (said in the consent text).";
    REFERRAL_URL referral_url: Kind::Url, Default::Unset,
        "The brand's booking page for a promoter's friend. Posting to a collector (`…/api/responses`), a promoter's primary action is their own referral page there and the collector sends each friend here with `code` added (set it in the landing file; without one, the collector's booking form); posting elsewhere, the promoter shares this link.";
    REVIEW_URL review_url: Kind::Url, Default::Unset,
        "A promoter's action: write a public review (primary when there is no referral link).";
    CONTEXT context: Kind::Context, Default::Unset,
        "Fixed context every response carries (store, advisor, touchpoint, …); wins over the query string.";
    CONTEXT_PARAMS context_params: Kind::Keys, Default::List(DEFAULT_CONTEXT_PARAMS),
        "Query-string keys copied into the context (a QR code's `?store=…&visit=…`).";
    HEADERS headers: Kind::Headers, Default::Unset,
        "Extra headers on each post (a cross-origin post then needs a CORS preflight).";
    UPDATE update: Kind::OneOf(Update::NAMES), Default::Str("post"),
        "How later posts of a response go: `post` sends every post to `endpoint` (the collector upserts by id); `patch` suits a generic REST endpoint: the first as `POST endpoint`, each later one, once the endpoint acknowledged creating it, as `PATCH {endpoint}/{id}` with the whole JSON body (a 404 sends it as a POST again, a 409 to the POST as a PATCH). Both go as `application/json`, so a cross-origin endpoint must answer the CORS preflight (`OPTIONS`) allowing `POST`, `PATCH` and `Content-Type`.";
    TEXT text: Kind::Texts, Default::Unset,
        "Overrides of the built-in words, by text key.";
    ONCE once: Kind::Bool, Default::Bool(true),
        "Remember an answer in this browser: a visit is never asked again, a survey without a visit not for `throttle_answered_days`.";
    TRIGGER trigger: Kind::OneOf(Trigger::NAMES), Default::Derived("`delay` when `delay_ms` is given, else `load`"),
        "When the survey shows: at once, after `delay_ms`, at `scroll_percent`, on exit intent (a desktop pointer leaving the page), on a click of `click_selector`, or only from `NpsWidget.show()`.";
    DELAY_MS delay_ms: Kind::Int { min: 0, max: 600_000 }, Default::Int(0),
        "Milliseconds between the page load and the survey showing (`trigger: delay`).";
    SCROLL_PERCENT scroll_percent: Kind::Int { min: 1, max: 100 }, Default::Int(50),
        "How far down the page (in %) the reader scrolls before the survey shows (`trigger: scroll`).";
    CLICK_SELECTOR click_selector: Kind::Selector { max: MAX_SELECTOR }, Default::Unset,
        "A click on an element matching this selector shows the survey (`trigger: click`, which needs it).";
    THROTTLE_ANSWERED_DAYS throttle_answered_days: Kind::Int { min: 0, max: MAX_THROTTLE_DAYS }, Default::Int(90),
        "Days this browser is not asked again after an answer (0: ask again at once).";
    THROTTLE_DISMISSED_DAYS throttle_dismissed_days: Kind::Int { min: 0, max: MAX_THROTTLE_DAYS }, Default::Int(30),
        "Days this browser is not asked again after closing the survey unanswered.";
    SAMPLE_RATE sample_rate: Kind::Fraction, Default::Int(1),
        "The share of browsers asked (0 to 1); a browser keeps its draw for 90 days.";
    FORCE force: Kind::Bool, Default::Bool(false),
        "Ask whatever the throttling and sampling say (for testing an embed).";
    KIOSK_RESET_S kiosk_reset_s: Kind::Int { min: 0, max: MAX_KIOSK_RESET_S }, Default::Int(0),
        "Kiosk mode (a shared tablet): seconds after the outcome until a fresh survey for the next customer; nothing is remembered on the device but posts not yet delivered. 0 is off.";
    DEBUG debug: Kind::Bool, Default::Bool(false),
        "Show a broken embed's details in the page (they always go to the console and `nps:error`; pages on localhost show them too), and log why a survey is not shown.";
}

impl Default {
    /// The default as the reference shows it.
    fn shown(self) -> String {
        match self {
            Default::Required => "**required**".into(),
            Default::Unset => "none".into(),
            Default::Str(s) => format!("`{s}`"),
            Default::Int(n) => format!("`{n}`"),
            Default::Bool(b) => format!("`{b}`"),
            Default::List(l) => format!("`{}`", l.join(",")),
            Default::Derived(how) => how.into(),
        }
    }
}

/// The generated reference: every key, then the limits every response keeps.
pub fn reference() -> String {
    use crate::contract::rules::*;
    let mut out = String::from(
        "# Config reference\n\n\
         Generated from the key table in `core/src/config/keys.rs` and the limits in `core/src/contract/rules.rs`;\n\
         `cargo xtask test` fails when this file is stale (`cargo xtask docs` rewrites it).\n\n\
         A key is given as a `data-*` attribute on the element (kebab-case: `data-callback-hours`)\n\
         or in the object passed to `NpsWidget.mount(el, config)` (snake_case), which wins.\n\
         Attributes of JSON kinds take JSON text; `data-context` also takes a query string\n\
         (`store=SZ-FT&advisor=wang`) and `data-context-params` a comma-separated list.\n\n\
         | key | attribute | accepts | default | what it does |\n|---|---|---|---|---|\n",
    );
    for (k, doc) in KEYS.iter().zip(DOCS) {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {doc} |\n",
            k.name,
            k.attribute(),
            k.kind.expected().replace('|', "\\|"),
            k.default.shown(),
        ));
    }
    out.push_str(&format!(
        "\n## Limits\n\n\
         The widget and the collector check the same limits (`core/src/contract/rules.rs`), so whatever the\n\
         widget accepts a collector accepts.\n\n\
         | what | limit |\n|---|---:|\n\
         | survey id, reason id, context key | {} |\n\
         | context keys per response (fixed plus query string) | {MAX_CONTEXT} |\n\
         | context value | {MAX_CONTEXT_VALUE} characters, no control characters |\n\
         | reasons per response (and chips per survey) | {MAX_REASONS} |\n\
         | comment | {MAX_COMMENT} characters |\n\
         | page URL | {MAX_PAGE} characters |\n\
         | brand | {MAX_BRAND} characters |\n\
         | phone as typed | {MAX_PHONE_INPUT} characters |\n\
         | score | whole number 0 to {MAX_SCORE} |\n\
         | request body a collector reads | {MAX_BODY_BYTES} bytes |\n",
        id_shape(),
    ));
    out.push_str(
        "\n## Words\n\n\
         Every text the widget shows, by the key the `text` config object overrides it with\n\
         (`{\"text\": {\"submit\": \"Send\"}}`). Braces are filled in: `{brand}`, `{hours}`,\n\
         `{days}`, `{score}`, `{count}`, `{max}`, `{last4}` (the order's phone tail).\n\n\
         | key | zh-CN | zh-TW | en |\n|---|---|---|---|\n",
    );
    for t in crate::words::Text::ALL {
        let [zh, tw, en] = Locale::ALL.map(|l| t.default_in(l));
        out.push_str(&format!("| `{}` | {zh} | {tw} | {en} |\n", t.key()));
    }
    out.push_str(LANDING_KEYS);
    out
}

/// The landing file's keys beside the widget config (read by the collector: `require_visit` and
/// `booking_label` in `landing/surveys.rs`, `logo` and `privacy_url` in `landing/masthead.rs`, the rest as widget
/// keys), with an example, for the reference.
const LANDING_KEYS: &str = r#"
## Landing file keys

The collector's `--landing landing.json` maps survey ids to widget configs (every key above,
`survey` left out: the id names it; `endpoint` defaults to the collector's own
`/api/responses`). Beside them a survey may carry keys only the collector reads:

| key | accepts | default | what it does |
|---|---|---|---|
| `require_visit` | `true` or `false` | `false` | Answers only from signed visit links (`sign-visit`, `qr --sign`); needs `--visit-secret`. |
| `logo` | a file path, relative to the landing file's folder: PNG, JPEG or SVG of at most 100 KB | none | The brand's logo on the survey's pages, read once at start and served by the collector (`/s/{survey}/logo`); a missing or wrong file refuses the start, naming the key. |
| `privacy_url` | an http(s) URL | none | A link to the brand's privacy notice under the survey's page. |
| `booking_label` | a string of 1 to 20 characters, or an object of `zh-CN`, `zh-TW`, `en` to such strings | none | What a promoter's friend books (`"试驾"`, `"保养"`; in English with its article, `"a test drive"`): the poster's `{booking}` ("扫码预约试驾") and the store's thank-you ("王先生推荐的朋友已预约试驾，请致谢。"). Without it the words stay neutral ("已预约", "booked"). |
| `referral_url` | an http(s) URL | none | The booking page a promoter's friend is sent to from `/r/{code}`, with `code` added (its own query kept); without it, the collector's booking form `/r/{code}/book`. |
| `text` | an object of text keys to strings | none | The survey's own words (see Words): e.g. `referral_line`, the line on a promoter's poster, and `refer_from`, the promoter's name on it. |

Text overrides work as in the widget: a key of `text` replaces that word in every locale of
the survey (give the words in the survey's `locale`); braces are filled in the same way
(`{brand}`, `{name}`, and on the poster `{booking}`, the survey's `booking_label`). An unknown
key, or a wrong value, refuses the start with every error named `{survey}.{key}`. A promoter's
referral code is issued only for a survey this file names.

```json
{
  "after-sales": {
    "brand": "星辰汽车",
    "locale": "zh-CN",
    "require_visit": true,
    "logo": "logo.svg",
    "privacy_url": "https://brand.example/privacy",
    "referral_url": "https://brand.example/test-drive?src=nps",
    "booking_label": {"zh-CN": "试驾", "zh-TW": "試駕", "en": "a test drive"},
    "review_url": "https://brand.example/reviews",
    "text": {"referral_line": "我在{brand}的体验很好，推荐给你！扫码预约{booking}。"}
  }
}
```
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for (k, doc) in KEYS.iter().zip(DOCS) {
            assert!(seen.insert(k.name), "{} twice", k.name);
            assert!(
                k.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                k.name
            );
            assert!(!doc.is_empty() && !doc.contains('\n'), "{}", k.name);
        }
        assert_eq!((NAMES.len(), DOCS.len()), (KEYS.len(), KEYS.len()));
        assert_eq!(CALLBACK_HOURS.attribute(), "data-callback-hours");
    }

    #[test]
    fn defaults_fit_their_kind() {
        for k in KEYS {
            match (k.kind, k.default) {
                (Kind::Int { min, max }, Default::Int(n)) => {
                    assert!((min..=max).contains(&n), "{}", k.name)
                }
                (Kind::OneOf(names), Default::Str(s)) => assert!(names.contains(&s), "{}", k.name),
                (Kind::Id, Default::Str(s)) => {
                    assert!(crate::contract::rules::is_id(s), "{}", k.name)
                }
                (Kind::Keys, Default::List(l)) => {
                    assert!(
                        l.iter().all(|s| crate::contract::rules::is_id(s)),
                        "{}",
                        k.name
                    )
                }
                (Kind::Bool, Default::Bool(_)) => {}
                (Kind::Fraction, Default::Int(n)) => assert!(n <= 1, "{}", k.name),
                (_, Default::Required | Default::Unset | Default::Derived(_)) => {}
                other => panic!("{}: default does not fit its kind: {other:?}", k.name),
            }
        }
    }
}
