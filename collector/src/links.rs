//! Landing links for print: the URL of a survey's landing page with its visit context (and a
//! signed token), as a QR code in SVG (sized for print) or PNG, one or a sheet for a CSV of
//! the day's visits. `nps-collector qr` and `nps-collector sign-visit` are these functions
//! with files around them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use nps_core::contract::rules;
use nps_core::words::{Locale, Text};
use qrcode::{EcLevel, QrCode};

use crate::html::escape_html as esc;
use crate::visit::{VisitKey, TOKEN_KEY};

/// What a landing link carries: context keys and values (`visit`, `store`, `advisor`, …).
pub type Carried = BTreeMap<String, String>;

/// How a link is signed: the key and the token's lifetime in seconds.
pub struct Signing<'a> {
    pub key: &'a VisitKey,
    pub ttl_s: i64,
    /// Unix seconds now.
    pub now_s: i64,
}

/// The links of one command: a survey's landing URL under `base`, with the context every
/// visit carries unless it has its own, signed with a key and lifetime (seconds).
pub struct Links {
    pub base: String,
    pub survey: String,
    /// Carried by every link (`--store`, `--advisor`, `--context`) unless a visit has its own.
    pub context: Carried,
    /// The keys a link to the survey's page can set, in the order links write them
    /// (`Landing::link_keys`).
    pub keys: Vec<String>,
    pub sign: Option<(VisitKey, i64)>,
}

impl Links {
    /// The URL of a visit: the links' context with the visit's own values over it.
    pub fn url(&self, own: &Carried) -> Result<String, String> {
        let mut carried = self.context.clone();
        carried.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        let now_s = time::OffsetDateTime::now_utc().unix_timestamp();
        let sign = self.sign.as_ref().map(|(key, ttl_s)| Signing {
            key,
            ttl_s: *ttl_s,
            now_s,
        });
        landing_url(
            &self.base,
            &self.survey,
            &self.keys,
            &carried,
            sign.as_ref(),
        )
    }

    /// One code per visit of a CSV (`visits_from_csv`) into `dir`, and the printable sheet;
    /// returns how many codes and the sheet's path.
    pub fn write_sheet_from_csv(
        &self,
        csv: &str,
        dir: &Path,
        locale: Locale,
    ) -> Result<(usize, PathBuf), String> {
        let mut cards = Vec::new();
        for row in visits_from_csv(csv, &self.keys)? {
            let visit = row.get(rules::VISIT).cloned().unwrap_or_default();
            let url = self.url(&row).map_err(|e| format!("visit {visit}: {e}"))?;
            let mut carried = self.context.clone();
            carried.extend(row);
            cards.push((url, carried));
        }
        Ok((cards.len(), write_sheet(dir, &cards, locale)?))
    }
}

/// The landing URL of `survey` under `base` (the collector's public address, with or
/// without a path), with the context it carries (each key one of `keys`, the keys the page
/// copies from a link, written in their order) and, when signing, a token over all of it.
pub fn landing_url(
    base: &str,
    survey: &str,
    keys: &[String],
    carried: &Carried,
    sign: Option<&Signing>,
) -> Result<String, String> {
    if !rules::is_id(survey) {
        return Err(format!(
            "--survey {survey:?}: a survey id is {}",
            rules::id_shape()
        ));
    }
    let mut url = url::Url::parse(base)
        .map_err(|e| format!("--base {base:?}: {e} (expected e.g. https://nps.example.com)"))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(format!(
            "--base {base:?}: expected an http(s) URL, e.g. https://nps.example.com"
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    let mut url = url
        .join(&format!("s/{survey}"))
        .map_err(|e| e.to_string())?;
    for (k, v) in carried {
        if !keys.contains(k) {
            return Err(format!(
                "{k}={v}: the {survey} page does not take {k} from its link (it takes {}; a value its config fixes cannot be changed by a link)",
                keys.join(", ")
            ));
        }
        if k == rules::PHONE_TAIL && !rules::is_phone_tail(v) {
            return Err(format!(
                "phone_tail={v:?}: expected {}",
                rules::phone_tail_shape()
            ));
        }
        if v.is_empty() || !rules::is_context_value(v) || rules::context_value(v) != *v {
            return Err(format!(
                "{k}={v:?}: expected 1–{} characters without control characters or spaces around them",
                rules::MAX_CONTEXT_VALUE
            ));
        }
    }
    if sign.is_none() && carried.contains_key(rules::PHONE_TAIL) {
        return Err(
            "phone_tail needs a signed link (--sign): only a signed tail may ask for a call at the order's number"
                .into(),
        );
    }
    {
        let mut q = url.query_pairs_mut();
        for k in keys {
            if let Some(v) = carried.get(k) {
                q.append_pair(k, v);
            }
        }
        if let Some(s) = sign {
            if !carried.contains_key(rules::VISIT) {
                return Err("--sign needs --visit: a token is signed for one visit".into());
            }
            q.append_pair(TOKEN_KEY, &s.key.sign(survey, carried, s.now_s + s.ttl_s));
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    Ok(url.into())
}

fn code(url: &str) -> Result<QrCode, String> {
    QrCode::with_error_correction_level(url, EcLevel::M)
        .map_err(|e| format!("the link is too long for a QR code ({e}): {url}"))
}

/// Quiet zone around a code, in modules (the standard's minimum).
const QUIET: u32 = 4;
/// The printed width of an SVG code.
const PRINT_MM: u32 = 40;

/// A QR code as SVG, 40 mm wide when printed.
pub fn svg(url: &str) -> Result<String, String> {
    let c = code(url)?;
    let side = c.width() as u32 + 2 * QUIET;
    let svg = c
        .render::<qrcode::render::svg::Color>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    let size = format!("width=\"{side}\" height=\"{side}\"");
    if !svg.contains(&size) {
        return Err("unexpected SVG from the QR renderer".into());
    }
    Ok(svg.replacen(
        &size,
        &format!("width=\"{PRINT_MM}mm\" height=\"{PRINT_MM}mm\""),
        1,
    ))
}

/// A QR code as one SVG path of its dark modules, one unit a module, with its quiet zone:
/// the side in modules and the path's `d` (the poster and the referral page draw it).
pub fn qr_path(url: &str) -> Result<(u32, String), String> {
    let c = code(url)?;
    let n = c.width() as u32;
    let mut d = String::new();
    for (i, colour) in c.to_colors().iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (x, y) = (i as u32 % n + QUIET, i as u32 / n + QUIET);
            d.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok((n + 2 * QUIET, d))
}

/// A QR code as a grey-scale PNG, `scale` pixels a module.
pub fn png(url: &str, scale: u32) -> Result<Vec<u8>, String> {
    let c = code(url)?;
    let n = c.width() as u32;
    let side = (n + 2 * QUIET) * scale;
    let dark = c.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / scale, y / scale);
            let inside = (QUIET..QUIET + n).contains(&mx) && (QUIET..QUIET + n).contains(&my);
            if inside && dark[((my - QUIET) * n + (mx - QUIET)) as usize] == qrcode::Color::Dark {
                pixels[(y * side + x) as usize] = 0;
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side, side);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(&pixels).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The visits of a CSV: a `visit` column, and any of `keys` (`store`, `advisor`, `model`, …)
/// by header name, in any order; other columns are not read.
pub fn visits_from_csv(text: &str, keys: &[String]) -> Result<Vec<Carried>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| format!("the CSV's header: {e}"))?
        .clone();
    let columns: Vec<(usize, &String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            keys.iter()
                .find(|k| k.eq_ignore_ascii_case(h))
                .map(|k| (i, k))
        })
        .collect();
    if !columns.iter().any(|(_, k)| *k == rules::VISIT) {
        return Err("the CSV needs a visit column (and may have store, advisor and the other context keys), e.g.\n  visit,store,advisor\n  RO-88231,SZ-FT,wang".into());
    }
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| format!("CSV row {}: {e}", i + 2))?;
        let v: Carried = columns
            .iter()
            .filter_map(|(c, k)| {
                row.get(*c)
                    .filter(|v| !v.is_empty())
                    .map(|v| ((*k).clone(), v.to_owned()))
            })
            .collect();
        if !v.contains_key(rules::VISIT) {
            return Err(format!("CSV row {}: the visit is empty", i + 2));
        }
        out.push(v);
    }
    if out.is_empty() {
        return Err("the CSV has no rows under its header".into());
    }
    Ok(out)
}

/// A file name for a visit's code: its id with anything but letters, digits, `-`, `_` and
/// `.` replaced, and made unique among `taken`.
pub fn file_stem(visit: &str, taken: &mut Vec<String>) -> String {
    let mut stem: String = visit
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(rules::MAX_ID)
        .collect();
    if stem.is_empty() {
        stem = "visit".into();
    }
    let base = stem.clone();
    let mut n = 2;
    while taken.contains(&stem) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    taken.push(stem.clone());
    stem
}

/// The printable sheet of a day's codes: one card per visit, the code and a line for the
/// customer, the repair order in small type for the staff who hand it over.
pub fn sheet(cards: &[(String, Carried)], locale: Locale) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>QR</title><style>\
body{{font-family:-apple-system,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;margin:10mm}}\
.grid{{display:grid;grid-template-columns:repeat(auto-fill,60mm);gap:6mm}}\
.card{{border:1px dashed #999;padding:5mm;text-align:center;break-inside:avoid}}\
.card img{{width:40mm;height:40mm}}.ask{{margin:2mm 0 0;font-size:12pt}}.ro{{margin:1mm 0 0;font-size:8pt;color:#666}}\
</style><div class=\"grid\">",
        locale.tag()
    );
    for (file, v) in cards {
        let staff: Vec<&str> = [rules::VISIT, "store", "advisor"]
            .iter()
            .filter_map(|k| v.get(*k).map(String::as_str))
            .collect();
        let _ = write!(
            out,
            "<div class=\"card\"><img src=\"{}\" alt=\"\"><p class=\"ask\">{}</p><p class=\"ro\">{}</p></div>",
            esc(file),
            esc(Text::ScanToRate.default_in(locale)),
            esc(&staff.join(" · ")),
        );
    }
    out.push_str("</div></html>\n");
    out
}

/// Writes a file, naming it in the error.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the QR code of `url` to `out`, as SVG or PNG by its extension.
pub fn write_code(out: &Path, url: &str) -> Result<(), String> {
    match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => write(out, svg(url)?.as_bytes()),
        Some("png") => write(out, &png(url, 10)?),
        _ => Err(format!(
            "--out {}: name a .svg or .png file (or give --csv and a folder)",
            out.display()
        )),
    }
}

/// Writes one SVG per (url, visit) into `dir`, and the printable `index.html`; returns its path.
pub fn write_sheet(
    dir: &Path,
    cards: &[(String, Carried)],
    locale: Locale,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    let (mut taken, mut files) = (Vec::new(), Vec::new());
    for (url, v) in cards {
        let file = format!(
            "{}.svg",
            file_stem(v.get(rules::VISIT).map_or("", String::as_str), &mut taken)
        );
        write(&dir.join(&file), svg(url)?.as_bytes())?;
        files.push((file, v.clone()));
    }
    let index = dir.join("index.html");
    write(&index, sheet(&files, locale).as_bytes())?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visit::signed_context;

    fn keys() -> Vec<String> {
        ["store", "advisor", "visit", "model", "touchpoint"]
            .map(String::from)
            .to_vec()
    }

    fn carried(pairs: &[(&str, &str)]) -> Carried {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn links_carry_the_context_and_a_token_over_all_of_it() {
        let key = VisitKey::new("a secret of some length").unwrap();
        let v = carried(&[
            ("visit", "RO-88231"),
            ("advisor", "王"),
            ("store", "SZ-FT"),
            ("model", "X5"),
        ]);
        let sign = Signing {
            key: &key,
            ttl_s: 86_400,
            now_s: 1_900_000_000,
        };
        let url = landing_url(
            "https://nps.example.com/base",
            "after-sales",
            &keys(),
            &v,
            Some(&sign),
        )
        .unwrap();
        assert!(url.starts_with("https://nps.example.com/base/s/after-sales?store=SZ-FT&advisor=%E7%8E%8B&visit=RO-88231&model=X5&t=1900086400."), "{url}");
        // What the page reads from the link verifies: every value it carries is signed.
        let read: Carried = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        let t = read.get(TOKEN_KEY).cloned();
        let signed = signed_context(&read, &BTreeMap::new());
        assert_eq!(
            key.verify("after-sales", &signed, t.as_deref()),
            Ok(1_900_086_400)
        );
        assert_eq!(
            landing_url("http://127.0.0.1:8080", "s", &keys(), &Carried::new(), None).unwrap(),
            "http://127.0.0.1:8080/s/s"
        );
        for (base, survey) in [
            ("nps.example.com", "s"),
            ("ftp://x", "s"),
            ("https://x", "a/b"),
        ] {
            assert!(
                landing_url(base, survey, &keys(), &Carried::new(), None).is_err(),
                "{base} {survey}"
            );
        }
        let err = |c: &Carried, sign: Option<&Signing>| {
            landing_url("https://x", "s", &keys(), c, sign).unwrap_err()
        };
        assert!(err(&Carried::new(), Some(&sign)).contains("--visit"));
        // A key the page does not copy (or fixes) would not reach the response: refused.
        assert!(err(&carried(&[("visit", "1"), ("channel", "qr")]), None)
            .contains("does not take channel"));
        // A value the page would trim would not match its token.
        assert!(err(&carried(&[("advisor", " wang")]), None).contains("spaces"));
    }

    /// The order's phone tail: exactly 4 digits, signed with the rest of the link, never in an
    /// unsigned one; a sheet's column names the visit whose tail is wrong.
    #[test]
    fn a_phone_tail_is_four_digits_and_signed() {
        let key = VisitKey::new("a secret of some length").unwrap();
        let sign = Signing {
            key: &key,
            ttl_s: 86_400,
            now_s: 1_900_000_000,
        };
        let mut keys = keys();
        keys.push(rules::PHONE_TAIL.into());
        let url = |tail: &str, sign: Option<&Signing>| {
            let v = carried(&[("visit", "RO-1"), ("phone_tail", tail)]);
            landing_url("https://x", "s", &keys, &v, sign)
        };
        let good = url("3788", Some(&sign)).unwrap();
        assert!(good.contains("visit=RO-1&phone_tail=3788&t="), "{good}");
        let read: Carried = url::Url::parse(&good)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        let mut edited = read.clone();
        edited.insert("phone_tail".into(), "0000".into());
        for (context, want) in [
            (&read, Ok(1_900_086_400)),
            (&edited, Err(crate::visit::TokenError::Tampered)),
        ] {
            let t = context.get(TOKEN_KEY).map(String::as_str);
            assert_eq!(
                key.verify("s", &signed_context(context, &BTreeMap::new()), t),
                want
            );
        }
        for bad in ["378", "37885", "37a8", "３７８８", "+3788"] {
            let e = url(bad, Some(&sign)).unwrap_err();
            assert!(
                e.starts_with("phone_tail=") && e.contains("exactly 4 digits"),
                "{bad}: {e}"
            );
        }
        assert!(url("3788", None).unwrap_err().contains("--sign"));
        let links = Links {
            base: "https://x".into(),
            survey: "s".into(),
            context: Carried::new(),
            keys,
            sign: Some((key.clone(), 86_400)),
        };
        let dir = std::env::temp_dir().join(format!("nps-tail-{}", uuid::Uuid::new_v4().simple()));
        let csv = "visit,phone_tail\nRO-1,3788\nRO-2,12\n";
        let e = links
            .write_sheet_from_csv(csv, &dir, Locale::ZhCn)
            .unwrap_err();
        assert!(e.contains("visit RO-2: phone_tail=\"12\""), "{e}");
        let (n, _) = links
            .write_sheet_from_csv("visit,phone_tail\nRO-1,3788\n", &dir, Locale::ZhCn)
            .unwrap();
        assert_eq!(n, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn codes_and_sheets() {
        let url = "https://nps.example.com/s/after-sales?visit=RO-88231";
        let s = svg(url).unwrap();
        assert!(
            s.contains("width=\"40mm\" height=\"40mm\"") && s.contains("<path"),
            "{s}"
        );
        let p = png(url, 4).unwrap();
        assert_eq!(&p[1..4], b"PNG");
        let visits = visits_from_csv(
            "advisor,Visit,Model,order\nwang,RO-1,X5,9\n,RO/2,,\n",
            &keys(),
        )
        .unwrap();
        assert_eq!(
            visits,
            [
                carried(&[("advisor", "wang"), ("visit", "RO-1"), ("model", "X5")]),
                carried(&[("visit", "RO/2")])
            ]
        );
        assert!(visits_from_csv("store\nSZ\n", &keys())
            .unwrap_err()
            .contains("visit column"));
        assert!(visits_from_csv("visit\n", &keys()).is_err());
        let mut taken = Vec::new();
        assert_eq!(file_stem("RO/2", &mut taken), "RO_2");
        assert_eq!(file_stem("RO:2", &mut taken), "RO_2-2");
        assert_eq!(file_stem("../..", &mut taken), "_____");
        let html = sheet(&[("RO_2.svg".into(), visits[1].clone())], Locale::ZhCn);
        assert!(
            html.contains("<img src=\"RO_2.svg\"") && html.contains("RO/2"),
            "{html}"
        );
    }
}
