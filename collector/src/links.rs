//! Landing links for print: the URL of a survey's landing page with its visit context (and a
//! signed token), as a QR code in SVG (sized for print) or PNG, one or a sheet for a CSV of
//! the day's visits. `nps-collector qr` and `nps-collector sign-visit` are these functions
//! with files around them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use nps_widget::i18n::{Locale, Text};
use nps_widget::rules;
use qrcode::{EcLevel, QrCode};

use crate::export::escape_html as esc;
use crate::visit::{VisitKey, TOKEN_KEY};

/// What a landing link carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Visit {
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub visit: Option<String>,
}

/// How a link is signed: the key and the token's lifetime in seconds.
pub struct Signing<'a> {
    pub key: &'a VisitKey,
    pub ttl_s: i64,
    /// Unix seconds now.
    pub now_s: i64,
}

/// The links of one command: a survey's landing URL under `base`, with a store and advisor
/// for every visit unless the visit has its own, signed with a key and lifetime (seconds).
pub struct Links {
    pub base: String,
    pub survey: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub sign: Option<(VisitKey, i64)>,
}

impl Links {
    /// The URL for a visit (the store and advisor given win over the defaults).
    pub fn url(
        &self,
        visit: Option<String>,
        store: Option<String>,
        advisor: Option<String>,
    ) -> Result<String, String> {
        let v = Visit {
            store: store.or_else(|| self.store.clone()),
            advisor: advisor.or_else(|| self.advisor.clone()),
            visit,
        };
        let now_s = time::OffsetDateTime::now_utc().unix_timestamp();
        let sign = self.sign.as_ref().map(|(key, ttl_s)| Signing {
            key,
            ttl_s: *ttl_s,
            now_s,
        });
        landing_url(&self.base, &self.survey, &v, sign.as_ref())
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
        for row in visits_from_csv(csv)? {
            let row = Visit {
                store: row.store.or_else(|| self.store.clone()),
                advisor: row.advisor.or_else(|| self.advisor.clone()),
                visit: row.visit,
            };
            let url = self.url(row.visit.clone(), row.store.clone(), row.advisor.clone())?;
            cards.push((url, row));
        }
        Ok((cards.len(), write_sheet(dir, &cards, locale)?))
    }
}

/// The landing URL of `survey` under `base` (the collector's public address, with or
/// without a path), with the visit's context and, when signing, its token.
pub fn landing_url(
    base: &str,
    survey: &str,
    v: &Visit,
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
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in [
            ("store", &v.store),
            ("advisor", &v.advisor),
            (rules::VISIT, &v.visit),
        ] {
            if let Some(v) = v {
                if !rules::is_context_value(v) || v.is_empty() {
                    return Err(format!(
                        "--{k} {v:?}: expected 1–{} characters without control characters",
                        rules::MAX_CONTEXT_VALUE
                    ));
                }
                q.append_pair(k, v);
            }
        }
        if let Some(s) = sign {
            let Some(visit) = &v.visit else {
                return Err("--sign needs --visit: a token is signed for one visit".into());
            };
            q.append_pair(TOKEN_KEY, &s.key.sign(survey, visit, s.now_s + s.ttl_s));
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

/// A visit read from a CSV row (columns `visit`, and optionally `store` and `advisor`, by
/// header name, in any order).
pub fn visits_from_csv(text: &str) -> Result<Vec<Visit>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| format!("the CSV's header: {e}"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let visit = col("visit").ok_or("the CSV needs a visit column (and may have store and advisor), e.g.\n  visit,store,advisor\n  RO-88231,SZ-FT,wang")?;
    let (store, advisor) = (col("store"), col("advisor"));
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| format!("CSV row {}: {e}", i + 2))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let v = Visit {
            visit: get(Some(visit)),
            store: get(store),
            advisor: get(advisor),
        };
        if v.visit.is_none() {
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
pub fn sheet(cards: &[(String, Visit)], locale: Locale) -> String {
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
        let staff: Vec<&str> = [&v.visit, &v.store, &v.advisor]
            .iter()
            .filter_map(|x| x.as_deref())
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
    cards: &[(String, Visit)],
    locale: Locale,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    let (mut taken, mut files) = (Vec::new(), Vec::new());
    for (url, v) in cards {
        let file = format!(
            "{}.svg",
            file_stem(v.visit.as_deref().unwrap_or_default(), &mut taken)
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

    #[test]
    fn links_carry_the_visit_and_a_token_for_it() {
        let key = VisitKey::new("a secret of some length").unwrap();
        let v = Visit {
            store: Some("SZ-FT".into()),
            advisor: Some("王".into()),
            visit: Some("RO-88231".into()),
        };
        let sign = Signing {
            key: &key,
            ttl_s: 86_400,
            now_s: 1_900_000_000,
        };
        let url = landing_url(
            "https://nps.example.com/base",
            "after-sales",
            &v,
            Some(&sign),
        )
        .unwrap();
        assert!(url.starts_with("https://nps.example.com/base/s/after-sales?store=SZ-FT&advisor=%E7%8E%8B&visit=RO-88231&t=1900086400."), "{url}");
        let t = url.split("&t=").nth(1).unwrap();
        assert_eq!(
            key.verify("after-sales", "RO-88231", Some(t)),
            Ok(1_900_086_400)
        );
        assert_eq!(
            landing_url("http://127.0.0.1:8080", "s", &Visit::default(), None).unwrap(),
            "http://127.0.0.1:8080/s/s"
        );
        for (base, survey) in [
            ("nps.example.com", "s"),
            ("ftp://x", "s"),
            ("https://x", "a/b"),
        ] {
            assert!(
                landing_url(base, survey, &Visit::default(), None).is_err(),
                "{base} {survey}"
            );
        }
        assert!(
            landing_url("https://x", "s", &Visit::default(), Some(&sign))
                .unwrap_err()
                .contains("--visit")
        );
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
        let visits = visits_from_csv("advisor,visit\nwang,RO-1\n,RO/2\n").unwrap();
        assert_eq!(
            visits[0],
            Visit {
                store: None,
                advisor: Some("wang".into()),
                visit: Some("RO-1".into())
            }
        );
        assert!(visits_from_csv("store\nSZ\n")
            .unwrap_err()
            .contains("visit column"));
        assert!(visits_from_csv("visit\n").is_err());
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
