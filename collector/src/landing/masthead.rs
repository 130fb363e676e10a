//! What a landing page shows around its card so it reads as the brand's own: the logo (landing
//! file key `logo`, a PNG, JPEG or SVG file of at most 100 KB read once at start and served by
//! the collector at `/s/{survey}/logo`, never from a third-party origin), the visit's line
//! ("深圳福田店 · 顾问 王磊 · 11 月 28 日到店": store and advisor names from `--names`, the date
//! the visit was issued from the visits table; a code is never shown, a name not known is left
//! out), and a link to the brand's privacy notice (`privacy_url`) under the card.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use nps_core::contract::rules;
use nps_core::words::Locale;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::html::escape_html as esc;
use crate::state::{AppState, Shared};

/// The landing file's key of a survey's logo: a file path.
pub const LOGO: &str = "logo";
/// The landing file's key of the brand's privacy notice: an http(s) URL.
pub const PRIVACY_URL: &str = "privacy_url";
/// The largest logo file, in bytes.
pub const MAX_LOGO_BYTES: usize = 100_000;

/// A logo read at start.
#[derive(Clone)]
pub struct Logo {
    bytes: Arc<[u8]>,
    content_type: &'static str,
    /// A short hash of the bytes: the URL changes with the file, so it may be cached for long.
    tag: String,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}, {} bytes)", self.content_type, self.bytes.len())
    }
}

/// A survey's page keys beside its widget config.
#[derive(Clone, Debug, Default)]
pub struct Brand {
    pub logo: Option<Logo>,
    pub privacy_url: Option<String>,
}

/// The type of a logo file by its first bytes: PNG, JPEG, or SVG text.
fn logo_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some("image/jpeg");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    head.contains("<svg").then_some("image/svg+xml")
}

impl Brand {
    /// Takes the page's own keys out of a survey's object (the rest is a widget config); every
    /// error is named `{survey}.{key}` with what is accepted.
    pub(super) fn take(
        survey: &str,
        obj: &mut Map<String, Value>,
        dir: &std::path::Path,
        errors: &mut Vec<String>,
    ) -> Brand {
        let mut brand = Brand::default();
        match obj.remove(PRIVACY_URL) {
            None => {}
            Some(Value::String(u))
                if url::Url::parse(&u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")) =>
            {
                brand.privacy_url = Some(u);
            }
            Some(other) => errors.push(format!(
                "{survey}.{PRIVACY_URL} is {other}: expected an http(s) URL of the brand's privacy notice"
            )),
        }
        match obj.remove(LOGO) {
            None => {}
            Some(Value::String(path)) => match read_logo(&dir.join(&path)) {
                Ok(logo) => brand.logo = Some(logo),
                Err(e) => errors.push(format!("{survey}.{LOGO} {path:?}: {e}")),
            },
            Some(other) => errors.push(format!(
                "{survey}.{LOGO} is {other}: expected the path of a PNG, JPEG or SVG file"
            )),
        }
        brand
    }
}

/// A logo file, checked: at most `MAX_LOGO_BYTES`, a PNG, JPEG or SVG.
fn read_logo(path: &std::path::Path) -> Result<Logo, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "is {} bytes: a logo is at most {MAX_LOGO_BYTES} bytes",
            bytes.len()
        ));
    }
    let content_type =
        logo_type(&bytes).ok_or("is not a PNG, JPEG or SVG file (expected one of those)")?;
    let tag = Sha256::digest(&bytes)[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Logo {
        bytes: bytes.into(),
        content_type,
        tag,
    })
}

/// What a page shows around its card.
#[derive(Clone, Debug, Default)]
pub struct Masthead {
    /// The logo's address on the collector.
    pub logo_src: Option<String>,
    /// The visit's line: store, advisor, date, each when known.
    pub line: Option<String>,
    pub privacy_url: Option<String>,
}

impl Masthead {
    /// The survey's masthead without a visit's line (a notice, the outcome).
    pub(crate) fn of(state: &AppState, survey: &str) -> Masthead {
        let brand = state.settings.landing.brand(survey);
        Masthead {
            logo_src: brand
                .logo
                .as_ref()
                .map(|l| format!("/s/{survey}/logo?v={}", l.tag)),
            line: None,
            privacy_url: brand.privacy_url,
        }
    }

    /// The survey's masthead with the line of the visit in `context`.
    pub(super) async fn for_visit(
        state: &AppState,
        survey: &str,
        locale: Locale,
        context: &BTreeMap<String, String>,
    ) -> Masthead {
        let names = state.names();
        let name = |dimension: &str| {
            context
                .get(dimension)
                .and_then(|code| names.get(dimension, code))
                .map(str::to_owned)
        };
        let issued = match context.get(rules::VISIT) {
            Some(visit) => state
                .store
                .visit_issued(survey, visit)
                .await
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "a landing page could not read its visit");
                    None
                }),
            None => None,
        };
        let offset = state.settings.config().utc_offset_minutes();
        let date = issued.map(|ns| month_day(ns, offset));
        Masthead {
            line: visit_line(
                locale,
                name("store").as_deref(),
                name("advisor").as_deref(),
                date,
            ),
            ..Masthead::of(state, survey)
        }
    }

    /// The page's top: the logo beside the brand, then the visit's line.
    pub(super) fn header(&self, brand: Option<&str>) -> String {
        let logo = self.logo_src.as_deref().map_or(String::new(), |src| {
            // The brand's name is beside it: the image is decoration (empty alt) unless alone.
            let alt = if brand.is_some() { "" } else { "logo" };
            format!(
                "<img class=\"nps-page-logo\" src=\"{}\" alt=\"{alt}\" height=\"32\">",
                esc(src)
            )
        });
        let name = brand.map_or(String::new(), |b| format!("<span>{}</span>", esc(b)));
        let top = if logo.is_empty() && name.is_empty() {
            String::new()
        } else {
            format!("<p class=\"nps-page-brand\">{logo}{name}</p>")
        };
        let line = self.line.as_deref().map_or(String::new(), |l| {
            format!("<p class=\"nps-page-visit\">{}</p>", esc(l))
        });
        format!("{top}{line}")
    }

    /// Under the card: the privacy notice's link.
    pub(super) fn footer(&self, locale: Locale) -> String {
        self.privacy_url.as_deref().map_or(String::new(), |u| {
            let words = match locale {
                Locale::ZhCn => "隐私政策",
                Locale::ZhTw => "隱私權政策",
                Locale::En => "Privacy notice",
            };
            format!(
                "<p class=\"nps-page-foot\"><a href=\"{}\" rel=\"noopener noreferrer\">{words}</a></p>",
                esc(u)
            )
        })
    }
}

/// The (month, day) of `ns` at `offset_minutes` east of UTC.
fn month_day(ns: i64, offset_minutes: i32) -> (i64, i64) {
    let s = ns.div_euclid(1_000_000_000) + i64::from(offset_minutes) * 60;
    let (_, m, d) = nps_core::contract::time::civil_from_days(s.div_euclid(86_400));
    (m, d)
}

/// "深圳福田店 · 顾问 王磊 · 11 月 28 日到店", each part when known; `None` when none is.
pub fn visit_line(
    locale: Locale,
    store: Option<&str>,
    advisor: Option<&str>,
    date: Option<(i64, i64)>,
) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let advisor = advisor.map(|a| match locale {
        Locale::ZhCn => format!("顾问 {a}"),
        Locale::ZhTw => format!("顧問 {a}"),
        Locale::En => format!("Advisor {a}"),
    });
    let date = date.map(|(m, d)| match locale {
        Locale::ZhCn | Locale::ZhTw => format!("{m}\u{a0}月\u{a0}{d}\u{a0}日到店"),
        Locale::En => {
            let month = MONTHS[usize::try_from(m - 1).unwrap_or(0).min(11)];
            format!("Visit of {d}\u{a0}{month}")
        }
    });
    let parts: Vec<String> = [store.map(str::to_owned), advisor, date]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `GET /s/{survey}/logo`: the survey's logo, cached for a year (its address changes with the
/// file); as a download if opened on its own, so an SVG never runs as a page of the collector.
pub(crate) async fn logo(
    State(state): State<Shared>,
    Path(survey): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.settings.landing.brand(&survey).logo {
        Some(l) => (
            [
                (header::CONTENT_TYPE, l.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            l.bytes.to_vec(),
        )
            .into_response(),
        None => super::not_found(&state, &survey, &headers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visits_line_says_only_what_is_known() {
        let check = |locale, store, advisor, date, want: Option<&str>| {
            assert_eq!(visit_line(locale, store, advisor, date).as_deref(), want);
        };
        check(
            Locale::ZhCn,
            Some("深圳福田店"),
            Some("王磊"),
            Some((11, 28)),
            Some("深圳福田店 · 顾问 王磊 · 11\u{a0}月\u{a0}28\u{a0}日到店"),
        );
        check(Locale::ZhTw, None, Some("王磊"), None, Some("顧問 王磊"));
        check(
            Locale::En,
            Some("Futian"),
            None,
            Some((1, 3)),
            Some("Futian · Visit of 3\u{a0}Jan"),
        );
        check(Locale::ZhCn, None, None, None, None);
        // 2026-11-27 20:00 UTC is 11 月 28 日 in China.
        let ns = 1_795_809_600_000_000_000;
        assert_eq!(month_day(ns, 480), (11, 28));
        assert_eq!(month_day(ns, 0), (11, 27));
    }

    #[test]
    fn a_logo_is_a_small_png_jpeg_or_svg() {
        assert_eq!(logo_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(logo_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(
            logo_type(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(logo_type(b"GIF89a"), None);
        let mut errors = Vec::new();
        let mut obj =
            serde_json::json!({"logo": "/nonexistent/logo.png", "privacy_url": "javascript:x"});
        let obj = obj.as_object_mut().unwrap();
        Brand::take("after-sales", obj, std::path::Path::new(""), &mut errors);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0]
            .starts_with("after-sales.privacy_url is \"javascript:x\": expected an http(s) URL"));
        assert!(errors[1].starts_with("after-sales.logo \"/nonexistent/logo.png\": "));
        assert!(obj.is_empty(), "the page's keys are not the widget's");
    }

    /// A relative logo is read beside the landing file (the demo's `www/demo-logo.svg`),
    /// wherever the collector starts.
    #[test]
    fn a_relative_logo_is_read_beside_the_landing_file() {
        let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
        let text = std::fs::read_to_string(www.join("landing.json")).unwrap();
        let landing = super::super::Landing::from_json_in(&text, &www).unwrap();
        let brand = landing.brand("after-sales");
        assert_eq!(
            brand.logo.as_ref().map(|l| l.content_type),
            Some("image/svg+xml")
        );
        assert!(
            super::super::Landing::from_json_in(&text, std::path::Path::new("/nonexistent"))
                .unwrap_err()
                .contains("after-sales.logo \"demo-logo.svg\"")
        );
    }
}

/// docs/CONFIG.md's landing file example (generated from `nps_core::config::keys`) is one the
/// collector starts with: every key read, none refused.
#[cfg(test)]
#[test]
fn the_config_references_landing_example_loads() {
    let doc = include_str!("../../../docs/CONFIG.md");
    let from = doc.find("## Landing file keys").unwrap();
    let json = &doc[from..].split("```json\n").nth(1).unwrap();
    let json = json.split("```").next().unwrap();
    let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    let landing =
        super::Landing::from_json_in(&json.replace("logo.svg", "demo-logo.svg"), &www).unwrap();
    let brand = landing.brand("after-sales");
    assert!(brand.logo.is_some() && brand.privacy_url.is_some());
}
