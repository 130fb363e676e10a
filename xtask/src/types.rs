//! The npm package's TypeScript types (`index.d.ts`), generated from the core's tables so they
//! cannot drift: every config key from `config::keys` (its kind, default and line of doc), the
//! locales and text keys from `words`, the categories and stages, the DOM events' names from
//! `contract::events`, and the payload's fields (`payload::FIELDS`, checked by a test). The
//! JS API's shapes (the handle, the scorer's results) are written here once.

use nps_core::config::keys::{Default, Kind, DOCS, KEYS};
use nps_core::contract::events;
use nps_core::contract::payload::Stage;
use nps_core::scoring::score::Category;
use nps_core::words::{Locale, Text};

/// `"a" | "b"`.
fn union(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let list: Vec<String> = names
        .into_iter()
        .map(|n| format!("\"{}\"", n.as_ref()))
        .collect();
    list.join(" | ")
}

/// The TypeScript type of a config key's value.
fn ts_type(kind: Kind) -> String {
    match kind {
        Kind::Endpoint
        | Kind::Url
        | Kind::Id
        | Kind::Name { .. }
        | Kind::Colour
        | Kind::Selector { .. } => "string".into(),
        Kind::Locale => "Locale".into(),
        Kind::OneOf(names) => union(names),
        Kind::Int { .. } | Kind::Fraction => "number".into(),
        Kind::Bool => "boolean".into(),
        Kind::Reasons => "string | Reason[]".into(),
        Kind::Context | Kind::Headers => "Record<string, string>".into(),
        Kind::Keys => "string[]".into(),
        Kind::Texts => "Partial<Record<TextKey, string>>".into(),
    }
}

/// A doc comment of `lines`, indented by `indent`.
fn doc(indent: &str, lines: &[String]) -> String {
    let mut out = format!("{indent}/**\n");
    for l in lines {
        out.push_str(&format!("{indent} * {}\n", l.replace("*/", "*\\/")));
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// The config interface: one property per key of the table.
fn config() -> String {
    let mut out = doc(
        "",
        &[
            "A survey's config: the object `mount(target, config)` takes, whose keys override the".into(),
            "element's `data-*` attributes (kebab-case: `callback_hours` is `data-callback-hours`).".into(),
            "Generated from the key table of the widget (`core/src/config/keys.rs`); see docs/CONFIG.md.".into(),
        ],
    );
    out.push_str("export interface SurveyConfig {\n");
    for (key, line) in KEYS.iter().zip(DOCS) {
        let default = match key.default {
            Default::Required => "required (here or as the element's attribute)".to_owned(),
            Default::Unset => "none".to_owned(),
            Default::Str(s) => format!("`\"{s}\"`"),
            Default::Int(n) => format!("`{n}`"),
            Default::Bool(b) => format!("`{b}`"),
            Default::List(l) => format!("`{l:?}`"),
            Default::Derived(how) => how.to_owned(),
        };
        out.push_str(&doc(
            "  ",
            &[
                line.to_string(),
                format!("Accepts {}.", key.kind.expected()),
                format!("Default: {default}. Attribute: `{}`.", key.attribute()),
            ],
        ));
        out.push_str(&format!("  {}?: {};\n", key.name, ts_type(key.kind)));
    }
    out.push_str("}\n");
    out
}

/// The payload (schema 1) as `nps:submitted` carries it; `FIELDS` order.
const RESPONSE: &[(&str, &str, &str)] = &[
    ("schema", "1", "The payload's schema."),
    (
        "id",
        "string",
        "The response id (a UUID), the same in every post of a response.",
    ),
    ("survey", "string", "The survey id."),
    ("stage", "Stage", "How far the customer got."),
    (
        "score",
        "number | null",
        "0 to 10; null when dismissed before a score.",
    ),
    ("category", "Category | null", "The score's category."),
    ("reasons", "string[]", "The chosen reason ids."),
    ("comment", "string | null", "What the customer wrote."),
    (
        "contact",
        "Contact | null",
        "A detractor's call-back request.",
    ),
    (
        "context",
        "Record<string, string>",
        "Store, advisor, visit, touchpoint, …",
    ),
    ("locale", "string", "The language the survey was shown in."),
    (
        "page",
        "string | null",
        "The page's address, without query keys outside the context.",
    ),
    ("created_at", "string", "RFC 3339, when the response began."),
    ("updated_at", "string", "RFC 3339, this post."),
    (
        nps_core::contract::rules::WRITE_KEY,
        "string",
        "The response's write key: every post of it carries the same one.",
    ),
];

/// Each event's detail: the event's name (from the contract), its interface and fields.
fn event_details() -> Vec<(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
)> {
    vec![
        (
            events::SCORED,
            "ScoredDetail",
            &[
                ("id", "string"),
                ("score", "number"),
                ("category", "Category"),
            ],
        ),
        (
            events::SUBMITTED,
            "SubmittedDetail",
            &[
                ("id", "string"),
                ("stage", "\"completed\""),
                ("response", "NpsResponse"),
            ],
        ),
        (
            events::DISMISSED,
            "DismissedDetail",
            &[
                ("id", "string"),
                ("stage", "\"dismissed\""),
                ("score", "number | null"),
            ],
        ),
        (
            events::DELIVERED,
            "DeliveredDetail",
            &[("id", "string"), ("stage", "Stage")],
        ),
        (
            events::ERROR,
            "ErrorDetail",
            &[
                ("kind", "ErrorKind"),
                ("message", "string"),
                ("field", "string | null"),
                ("id", "string | null"),
                ("errors?", "{ field: string; message: string }[]"),
            ],
        ),
        (events::READY, "ReadyDetail", &[("version", "string")]),
    ]
}

/// The whole `index.d.ts` of version `version`.
pub fn index(version: &str) -> String {
    let mut out = format!(
        "// nps-widget {version}: generated by `cargo xtask package` from the widget's tables; do not edit.\n\n"
    );
    out.push_str(&format!(
        "/** A built-in language. */\nexport type Locale = {};\n",
        union(Locale::TAGS)
    ));
    out.push_str(&format!(
        "/** A key of the `text` config object: a word the widget shows. */\nexport type TextKey = {};\n",
        union(Text::ALL.iter().map(|t| t.key()))
    ));
    out.push_str(&format!(
        "/** A score's category: 0–6 detractor, 7–8 passive, 9–10 promoter. */\nexport type Category = {};\n",
        union([Category::Detractor, Category::Passive, Category::Promoter].map(Category::as_str))
    ));
    out.push_str(&format!(
        "/** How far a response got. */\nexport type Stage = {};\n",
        union(Stage::NAMES)
    ));
    out.push_str(&format!(
        "/** The `kind` of an `nps:error`. */\nexport type ErrorKind = {};\n",
        union(events::Failure::ALL.map(events::Failure::name))
    ));
    out.push_str(
        "/** A reason chip: an id and its label, one for all languages or one per language. */\n\
         export interface Reason {\n  id: string;\n  label: string | Partial<Record<Locale, string>>;\n}\n\n",
    );
    out.push_str(&config());
    out.push_str(
        "\n/** A detractor's call-back request as posted. */\nexport interface Contact {\n  phone?: string;\n  on_file?: boolean;\n  consent: boolean;\n  retention_days?: number;\n  consent_version?: string;\n  callback_hours?: number;\n}\n\n",
    );
    out.push_str("/** A response as posted (schema 1; docs/PAYLOAD.md). */\nexport interface NpsResponse {\n");
    for (name, ty, line) in RESPONSE {
        let optional = if *name == nps_core::contract::rules::WRITE_KEY {
            "?"
        } else {
            ""
        };
        out.push_str(&format!("  /** {line} */\n  {name}{optional}: {ty};\n"));
    }
    out.push_str("}\n\n");
    for (name, iface, fields) in event_details() {
        out.push_str(&format!(
            "/** The `detail` of `{name}`. */\nexport interface {iface} {{\n"
        ));
        for (f, ty) in fields {
            out.push_str(&format!("  {f}: {ty};\n"));
        }
        out.push_str("}\n");
    }
    out.push_str("\n/** Every event the widget dispatches (on the survey's element, bubbling; `nps:ready` on the document). */\nexport interface NpsWidgetEventMap {\n");
    for (name, iface, _) in event_details() {
        out.push_str(&format!("  \"{name}\": CustomEvent<{iface}>;\n"));
    }
    out.push_str("}\n");
    out.push_str(API);
    out
}

/// The JS API: the handle, the scorer's results, `window.NpsWidget`, the ES exports.
const API: &str = r#"
/** A mounted survey (returned at once, even before the widget has loaded). */
export interface SurveyHandle {
  /** The response id, once mounted. */
  readonly id: string | undefined;
  /** Settles when the survey is mounted; rejects with an `Error` naming each bad field. */
  readonly ready: Promise<void>;
  /** Unmounts the survey and removes its element. Posts already queued are still delivered. */
  destroy(): void;
}

/** A tally: counts, and the NPS with its 95% interval in points (-100 to 100). */
export interface ScoreResult {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** null when n is 0. */
  nps: number | null;
  /** [low, high]; null when n is 0. */
  ci95: [number, number] | null;
}

/** One segment's tally (`segment` is its id). */
export interface SegmentResult extends ScoreResult {
  segment: number;
}

/** What `share` did. */
export type ShareOutcome = "wechat" | "shared" | "cancelled" | "copied" | "open";

/** Options of `load()`, heeded only before the widget is being fetched. */
export interface LoadOptions {
  /** The http(s) folder of a self-hosted copy of the pinned files; default: beside the loader
   * (the ES module: where your bundler put them). */
  base?: string;
  /** A CSP nonce for the widget's script and styles (a `<script>` user puts it on the tag). */
  nonce?: string;
}

/** `window.NpsWidget`, and this package's default export. */
export interface NpsWidgetApi {
  readonly version: string;
  /** Resolves once the widget has loaded and the page's surveys are mounted. */
  readonly ready: Promise<NpsWidgetApi>;
  /** Fetches the widget now (else: when a survey needs it, or once the page is idle). */
  load(options?: LoadOptions): Promise<NpsWidgetApi>;
  /** Mounts a survey into an element or the first match of a selector. After the widget has
   * loaded, a bad config throws at once; before, `handle.ready` rejects. */
  mount(target: Element | string, config?: SurveyConfig): SurveyHandle;
  /** Opens a survey waiting for its trigger (or every one of the page); true when one opened. */
  show(target?: Element | string): Promise<boolean>;
  /** Mounts every `[data-nps-survey]` not mounted yet. */
  mountAll(): Promise<SurveyHandle[]>;
  /** Scores integers 0–10 (after `ready`); anything else throws an `Error` naming its index. */
  score(scores: Uint8Array | readonly number[]): ScoreResult;
  /** Scores a batch by segment (after `ready`): scores and one segment id per score. */
  scoreSegments(scores: Uint8Array, segments: Uint32Array | readonly number[]): SegmentResult[];
  /** Shares a link: the share sheet, WeChat's menu, or a copy. */
  share(url: string, title?: string): Promise<ShareOutcome>;
}

declare global {
  interface Window {
    NpsWidget: NpsWidgetApi;
  }
  var NpsWidget: NpsWidgetApi;
  interface ElementEventMap extends NpsWidgetEventMap {}
  interface HTMLElementEventMap extends NpsWidgetEventMap {}
  interface DocumentEventMap extends NpsWidgetEventMap {}
  interface WindowEventMap extends NpsWidgetEventMap {}
}

/** `window.NpsWidget` (undefined on a server: this package runs in a browser). */
export declare const NpsWidget: NpsWidgetApi;
export default NpsWidget;
/** The package's version. */
export declare const version: string;
/** Resolves once the widget has loaded and the page's surveys are mounted; rejects when its
 * files cannot be loaded or do not match their integrity (and on a server). */
export declare const ready: Promise<NpsWidgetApi>;
/** Fetches the widget now (else: when a survey needs it, at a click on a survey's
 * `click_selector`, or once the page is idle). Options count only before the fetch starts. */
export declare function load(options?: LoadOptions): Promise<NpsWidgetApi>;
/** Mounts a survey into an element or the first match of a selector; returns at once. After
 * the widget has loaded a bad config throws at once; before, `handle.ready` rejects. */
export declare function mount(target: Element | string, config?: SurveyConfig): SurveyHandle;
/** Opens a survey waiting for its trigger (or every one of the page); true when one opened. */
export declare function show(target?: Element | string): Promise<boolean>;
/** Mounts every `[data-nps-survey]` not mounted yet. */
export declare function mountAll(): Promise<SurveyHandle[]>;
/** Scores integers 0–10: counts and NPS with its 95% interval. Call it after `ready` (it
 * throws before, and does not start the fetch); a bad score throws naming its index. */
export declare function score(scores: Uint8Array | readonly number[]): ScoreResult;
/** Scores a batch by segment after `ready`: one segment id (an index) per score. */
export declare function scoreSegments(scores: Uint8Array, segments: Uint32Array | readonly number[]): SegmentResult[];
/** Shares a link: the share sheet, WeChat's menu, or a copy. */
export declare function share(url: string, title?: string): Promise<ShareOutcome>;
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_key_is_typed_with_its_doc() {
        let d = index("0.0.0");
        for key in KEYS {
            assert!(d.contains(&format!("  {}?: ", key.name)), "{}", key.name);
            assert!(d.contains(&key.attribute()), "{}", key.name);
        }
        assert!(d.contains(
            "  trigger?: \"load\" | \"delay\" | \"scroll\" | \"exit\" | \"click\" | \"manual\";"
        ));
        assert!(
            d.contains("  locale?: Locale;")
                && d.contains("export type Locale = \"zh-CN\" | \"zh-TW\" | \"en\";")
        );
        assert!(d.contains("\"submit\""), "text keys");
    }

    #[test]
    fn the_response_interface_has_every_payload_field() {
        let typed: Vec<&str> = RESPONSE.iter().map(|r| r.0).collect();
        assert_eq!(typed, nps_core::contract::payload::FIELDS);
    }

    #[test]
    fn each_event_detail_types_every_key_the_widget_sends() {
        use nps_core::contract::payload::Response;
        let keys = |v: serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        let typed = |name: &str| -> Vec<String> {
            let (_, _, fields) = event_details().into_iter().find(|e| e.0 == name).unwrap();
            fields
                .iter()
                .map(|f| f.0.trim_end_matches('?').to_owned())
                .collect()
        };
        let body = |stage: &str, score: &str, category: &str| {
            format!(
                r#"{{"schema":1,"id":"0b7a1c9e-2f43-4d8a-9c1e-5a6b7c8d9e0f","survey":"nps","stage":"{stage}","score":{score},"category":{category},"reasons":[],"comment":null,"context":{{}},"locale":"en","page":null,"created_at":"2026-12-04T10:00:00Z","updated_at":"2026-12-04T10:00:00Z"}}"#
            )
        };
        for (stage, score, category) in [
            ("scored", "9", "\"promoter\""),
            ("completed", "9", "\"promoter\""),
            ("dismissed", "null", "null"),
        ] {
            let value = serde_json::from_str(&body(stage, score, category)).unwrap();
            let r = Response::parse(&value).unwrap();
            let (name, detail) = events::posted(&r);
            let mut sent = keys(detail);
            sent.sort();
            let mut t = typed(name);
            t.sort();
            assert_eq!(sent, t, "{name}");
        }
        let mut t = typed(events::DELIVERED);
        t.sort();
        assert_eq!(keys(events::delivered("x", Stage::Scored)), t);
        let error = keys(events::error(events::Failure::Load, "m", None, None));
        assert!(
            error.iter().all(|k| typed(events::ERROR).contains(k)),
            "{error:?}"
        );
        assert!(typed(events::ERROR).contains(&"errors".to_owned()));
    }
}
