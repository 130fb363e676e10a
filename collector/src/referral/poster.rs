//! The promoter's poster: an SVG the collector builds (the brand in its colour, the line in
//! the brand's words, the promoter's name when given, the QR code of their link) and the PNG
//! `resvg` renders of it, which WeChat can save and forward. No font is shipped: the text is
//! set in a system CJK font found through fontdb (Debian: `fonts-noto-cjk`, docs/DEPLOY.md);
//! without one the poster still has its QR code and colours, its text in whatever font has
//! the glyphs, or none.

use std::sync::{Arc, OnceLock};

use nps_core::config::Config;
use nps_core::words::{fill, Text};

use crate::html::escape_html as esc;

/// The poster's size in pixels (a phone screen's proportions, 2:3).
pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 1080;
/// The QR code's side on the poster.
const QR_SIDE: u32 = 400;
/// The QR code's top edge.
const QR_TOP: u32 = 590;
/// The text's widest line.
const TEXT_WIDTH: f32 = 600.0;
/// The families asked for, first found first (Debian's Noto CJK, then others).
pub(crate) const FAMILIES: &str = "'Noto Sans CJK SC', 'Noto Serif CJK SC', 'Source Han Sans SC', \
'WenQuanYi Zen Hei', 'Droid Sans Fallback', sans-serif";
/// The brand's colour when its config names none.
const DEFAULT_ACCENT: &str = "#1f4e8c";

/// What a poster shows.
pub struct Poster<'a> {
    pub cfg: &'a Config,
    /// The promoter's name, if they gave one.
    pub name: Option<&'a str>,
    /// The link the QR code opens (`/r/{code}` on the collector).
    pub link: &'a str,
}

/// Where a CJK line prefers to end: after a full-width mark that closes a clause.
const CLAUSE_END: &str = "，。！？；：、";

/// Lines of at most `TEXT_WIDTH` at `size` px: a CJK character is one em, others about half;
/// Latin text breaks between words; CJK after a clause's mark when the clause fits on the next
/// line ("…体验很好，" / "推荐给你！扫码…", never "推荐给" / "你！"), else anywhere.
fn wrap(text: &str, size: f32) -> Vec<String> {
    let width = |c: char| if c.is_ascii() { 0.55 * size } else { size };
    let mut lines = vec![String::new()];
    let mut used = 0.0;
    let units = text.split_inclusive(' ').flat_map(|word| {
        word.split_inclusive(|c| CLAUSE_END.contains(c))
            .map(|clause| (clause, !word.is_ascii()))
    });
    for (word, cjk) in units {
        let w: f32 = word.chars().map(width).sum();
        if (!cjk || w <= TEXT_WIDTH) && used + w > TEXT_WIDTH && used > 0.0 {
            lines.push(String::new());
            used = 0.0;
        }
        for c in word.chars() {
            if cjk && used + width(c) > TEXT_WIDTH {
                lines.push(String::new());
                used = 0.0;
            }
            lines.last_mut().expect("one line").push(c);
            used += width(c);
        }
    }
    lines.into_iter().map(|l| l.trim().to_owned()).collect()
}

fn text_lines(lines: &[String], y0: u32, size: u32, fill_colour: &str, weight: &str) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" font-weight=\"{weight}\" fill=\"{fill_colour}\" text-anchor=\"middle\">{}</text>",
                esc(l),
                x = WIDTH / 2,
                y = y0 + i as u32 * size * 3 / 2,
            )
        })
        .collect()
}

/// The poster as SVG.
pub fn svg(p: &Poster) -> Result<String, String> {
    let accent = p
        .cfg
        .accent
        .as_deref()
        .filter(|a| a.starts_with('#') && a[1..].bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or(DEFAULT_ACCENT);
    let brand = p
        .cfg
        .brand
        .clone()
        .unwrap_or_else(|| p.cfg.text(Text::BrandFallback).to_owned());
    let line = fill(
        p.cfg.text(Text::ReferPosterLine),
        &[("brand", p.cfg.brand_in_sentence())],
    );
    let (qr_n, qr_d) = crate::links::qr_path(p.link)?;
    let from = p.name.map_or(String::new(), |n| {
        text_lines(
            &[fill(p.cfg.text(Text::ReferFrom), &[("name", n)])],
            540,
            32,
            "#555",
            "normal",
        )
    });
    let scale = QR_SIDE as f32 / qr_n as f32;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FAMILIES}\">\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>\
<rect width=\"{WIDTH}\" height=\"220\" fill=\"{accent}\"/>{brand}{line}{from}\
<g transform=\"translate({qx} {QR_TOP}) scale({scale})\"><rect width=\"{qr_n}\" height=\"{qr_n}\" fill=\"#fff\"/><path d=\"{qr_d}\" fill=\"#000\" shape-rendering=\"crispEdges\"/></g>\
{scan}</svg>",
        brand = text_lines(&wrap(&brand, 56.0)[..1], 135, 56, "#fff", "bold"),
        line = text_lines(&wrap(&line, 40.0), 330, 40, "#222", "bold"),
        qx = (WIDTH - QR_SIDE) / 2,
        scan = text_lines(&[p.cfg.text(Text::ReferPosterQr).to_owned()], QR_TOP + QR_SIDE + 50, 28, "#555", "normal"),
    ))
}

/// The system fonts, read once (a few hundred ms the first time), and the CJK family found.
fn system() -> &'static (Arc<resvg::usvg::fontdb::Database>, Option<&'static str>) {
    static DB: OnceLock<(Arc<resvg::usvg::fontdb::Database>, Option<&'static str>)> =
        OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_system_fonts();
        let has = |name: &str| {
            db.faces()
                .any(|f| f.families.iter().any(|(n, _)| n == name))
        };
        let cjk = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei"]
            .into_iter()
            .find(|n| has(n));
        if let Some(cjk) = cjk {
            db.set_sans_serif_family(cjk);
        }
        (Arc::new(db), cjk)
    })
}

fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    system().0.clone()
}

/// The CJK family posters are set in; `None` when the system has none (a poster's Chinese
/// words would not show: the collector says so at start, docs/DEPLOY.md).
pub fn cjk_family() -> Option<&'static str> {
    system().1
}

pub use super::renders::{png_cached_sized, RENDER_WAIT};

/// The poster's PNG tagged `tag`, without a budget (`renders::draw`).
pub async fn png_cached(tag: &str, svg: String) -> Option<Result<Arc<Vec<u8>>, String>> {
    png_cached_sized(tag, svg, WIDTH, HEIGHT).await
}

/// The poster as PNG, rendered from its SVG at once on this thread.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    render(svg, WIDTH, HEIGHT)
}

/// Any SVG of `width` × `height` as PNG, its text in the system's CJK font (the weekly report
/// is drawn by this too).
pub fn render(svg: &str, width: u32, height: u32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let opt = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or("the image has no pixels")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A poster many ask for is drawn once: the second ask gets the same bytes without a
    /// render, and two different posters are two.
    #[tokio::test]
    async fn a_poster_asked_again_is_not_drawn_again() {
        let small = |fill: &str| {
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"><rect width=\"8\" height=\"8\" fill=\"{fill}\"/></svg>")
        };
        let a = png_cached("tag-a", small("#000")).await.unwrap().unwrap();
        let again = png_cached("tag-a", small("#000")).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&a, &again), "kept, not drawn again");
        let b = png_cached("tag-b", small("#fff")).await.unwrap().unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert_ne!(a, b);
    }

    /// The rendered poster: the brand's band with its name drawn in it (when the machine has
    /// a CJK font), the QR code's dark modules. `NPS_POSTER_OUT=file.png` keeps it to look at.
    #[test]
    fn the_png_draws_the_brand_line_and_code() {
        let raw = r##"{"endpoint": "/api/responses", "brand": "星辰汽车", "locale": "zh-CN", "accent": "#c8102e"}"##;
        let cfg = Config::from_json(raw, None).unwrap();
        let svg = svg(&Poster {
            cfg: &cfg,
            name: Some("王先生"),
            link: "https://nps.brand.example/r/AAAAAAAAAAAAAAAAAAAAAAAA",
        })
        .unwrap();
        assert!(
            svg.contains("王先生推荐") && svg.contains("#c8102e"),
            "{svg}"
        );
        let started = std::time::Instant::now();
        let png = png(&svg).unwrap();
        println!(
            "poster: svg {} bytes, png {} bytes, rendered in {:?}",
            svg.len(),
            png.len(),
            started.elapsed()
        );
        if let Ok(out) = std::env::var("NPS_POSTER_OUT") {
            std::fs::write(out, &png).unwrap();
        }
        let decoder = ::png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        let px = |x: u32, y: u32| {
            let i = ((y * WIDTH + x) * 4) as usize;
            (buf[i], buf[i + 1], buf[i + 2])
        };
        // The QR code: black modules inside its square.
        let dark = (QR_TOP..QR_TOP + QR_SIDE)
            .flat_map(|y| (160..560).map(move |x| (x, y)))
            .filter(|&(x, y)| px(x, y) == (0, 0, 0))
            .count();
        assert!(dark > 20_000, "{dark} dark pixels in the code");
        // The brand in white on the band, when a CJK font is there to draw it.
        let cjk = fonts()
            .faces()
            .any(|f| f.families.iter().any(|(n, _)| n.contains("CJK")));
        let white_in_band = (80..150)
            .flat_map(|y| (100..620).map(move |x| (x, y)))
            .filter(|&(x, y)| px(x, y) == (255, 255, 255))
            .count();
        assert_eq!(
            white_in_band > 200,
            cjk,
            "{white_in_band} white pixels in the band"
        );
    }

    #[test]
    fn a_chinese_line_breaks_after_a_clause_not_inside_one() {
        let line = "我在星辰汽车的体验很好，推荐给你！扫码预约试驾。";
        assert_eq!(
            wrap(line, 40.0),
            ["我在星辰汽车的体验很好，", "推荐给你！扫码预约试驾。"]
        );
    }

    #[test]
    fn lines_wrap_by_width_cjk_anywhere_latin_between_words() {
        let zh = wrap(&"推".repeat(40), 40.0);
        assert_eq!(zh.len(), 3);
        assert!(zh.iter().all(|l| l.chars().count() <= 15));
        let en = wrap(
            "I had a great experience with Acme Motors. Scan to book a test drive.",
            40.0,
        );
        assert!(en.len() >= 2);
        assert!(en.iter().all(|l| !l.starts_with(' ') && !l.ends_with(' ')));
        assert_eq!(
            en.join(" "),
            "I had a great experience with Acme Motors. Scan to book a test drive."
        );
    }
}
