//! The weekly report's image: an SVG built here (a band with the place and the week, this
//! week's NPS large with its interval and n, last week's, the verdicts, the reasons praised
//! and complained of side by side, the open cases, the response rate) and the PNG resvg renders of it through the
//! poster's renderer and its system CJK font (`referral::poster::render`). The score is green
//! above the target, red below it, and dark grey otherwise: never a colour on fewer answers
//! than the minimum.

use std::sync::Arc;

use nps_core::words::Locale;

use super::words::{self, labels};
use super::{Report, Verdict};
use crate::html::escape_html as esc;
use crate::referral::poster::{self, FAMILIES};

/// The image's size in pixels.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 1000;
/// The band's colour.
const BAND: &str = "#1f4e8c";
/// Above the target, below it, neither (DESIGN.md's promoter green and detractor red).
const GREEN: &str = "#188038";
const RED: &str = "#D93025";
const PLAIN: &str = "#222";
/// A Latin face after the poster's CJK ones, so the figures show on a server without a CJK
/// font (the Chinese words then do not: docs/DEPLOY.md).
const LATIN: &str = "'DejaVu Sans', 'Liberation Sans'";
/// The most characters of a reason drawn (a column is half the image).
const REASON_CHARS: usize = 14;

fn text(x: u32, y: u32, size: u32, fill: &str, weight: &str, s: &str) -> String {
    format!(
        "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" font-weight=\"{weight}\" fill=\"{fill}\">{}</text>",
        esc(s)
    )
}

fn short(s: &str, chars: usize) -> String {
    match s.chars().count() > chars {
        true => s.chars().take(chars - 1).collect::<String>() + "…",
        false => s.to_owned(),
    }
}

/// The score's colour: only with a verdict against a target.
pub fn colour(r: &Report) -> &'static str {
    match r.verdict() {
        Verdict::Above => GREEN,
        Verdict::Below => RED,
        _ => PLAIN,
    }
}

/// The report as SVG, in words of `locale`.
pub fn svg(r: &Report, locale: Locale) -> String {
    let [this_l, last_l, change_l, target_l, praised_l, complained_l, open_l, rate_l] =
        labels(locale);
    let w = words::words(r, locale);
    let line = |i: usize| w.lines[i].1.clone();
    let colon = match locale {
        Locale::En => ": ",
        _ => "：",
    };
    let big = r
        .this_nps()
        .map_or("—".to_owned(), |n| words::whole(n.score));
    let dates = format!("{} – {}", r.first_day, r.last_day);
    let mut body = String::new();
    body += &format!("<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>");
    body += &format!("<rect width=\"{WIDTH}\" height=\"150\" fill=\"{BAND}\"/>");
    body += &text(
        40,
        70,
        40,
        "#fff",
        "bold",
        &short(&words::scope(r, locale), 18),
    );
    body += &text(40, 120, 26, "#fff", "normal", &dates);
    body += &text(40, 210, 28, "#555", "normal", this_l);
    body += &text(40, 310, 96, colour(r), "bold", &big);
    body += &text(40, 360, 24, "#555", "normal", &line(0));
    body += &text(
        40,
        420,
        26,
        PLAIN,
        "normal",
        &format!("{last_l}{colon}{}", line(1)),
    );
    body += &text(
        40,
        470,
        26,
        PLAIN,
        "normal",
        &format!("{change_l}{colon}{}", line(2)),
    );
    body += &text(
        40,
        520,
        26,
        colour(r),
        "normal",
        &format!("{target_l}{colon}{}", line(3)),
    );
    for (x, label, fill, list) in [
        (40, praised_l, GREEN, &r.praised),
        (420, complained_l, RED, &r.complained),
    ] {
        body += &text(x, 600, 28, fill, "bold", label);
        if list.is_empty() {
            body += &text(x, 650, 26, "#555", "normal", &words::reasons(list, locale));
        }
        for (i, item) in list.iter().enumerate() {
            let one = words::reasons(std::slice::from_ref(item), locale);
            body += &text(
                x,
                650 + 45 * i as u32,
                26,
                PLAIN,
                "normal",
                &short(&one, REASON_CHARS + 4),
            );
        }
    }
    body += "<rect x=\"40\" y=\"870\" width=\"720\" height=\"2\" fill=\"#ddd\"/>";
    let open = format!("{open_l}{colon}{}", line(6));
    body += &text(40, 920, 26, PLAIN, "normal", &open);
    let rate = format!("{rate_l}{colon}{}", line(7));
    body += &text(40, 965, 26, PLAIN, "normal", &rate);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FAMILIES}, {LATIN}\">{body}</svg>"
    )
}

/// The report as PNG, through the posters' render slots (`referral::renders`: one or two at
/// once on the server, one render per tag, the last few kept): `Err` when it cannot be drawn
/// or no render slot came within the poster's wait.
pub async fn png(r: &Report, locale: Locale, tag: &str) -> Result<Arc<Vec<u8>>, String> {
    let tag = format!("report:{tag}:{}", locale.tag());
    match poster::png_cached_sized(&tag, svg(r, locale), WIDTH, HEIGHT).await {
        Some(drawn) => drawn,
        None => Err("no render slot came in time".into()),
    }
}

/// The PNG at once, on this thread (the xtask's timing and the tests).
pub fn png_now(r: &Report, locale: Locale) -> Result<Vec<u8>, String> {
    poster::render(&svg(r, locale), WIDTH, HEIGHT)
}
