//! How a configured survey reads and looks: the question for a response's context (by
//! touchpoint), the card's custom properties, and when a broken embed shows its details.

use std::collections::BTreeMap;

use super::Config;
use crate::contract::context::{Touchpoint, TOUCHPOINT};
use crate::words::Text;

/// The question as shown: the words around the brand, and the brand, which stays on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub before: String,
    pub brand: String,
    pub after: String,
}

impl Question {
    /// The whole sentence.
    pub fn sentence(&self) -> String {
        format!("{}{}{}", self.before, self.brand, self.after)
    }
}

impl Config {
    /// The question for a response with this context: the touchpoint's wording (a
    /// `Touchpoint`), else the after-sales wording for the `after-sales`
    /// survey, else the general one; each can be overridden with `text`. Split around the
    /// brand, which is shown on one line.
    pub fn question(&self, context: &BTreeMap<String, String>) -> Question {
        let text = context
            .get(TOUCHPOINT)
            .and_then(|t| Touchpoint::from_code(t))
            .map(Touchpoint::question)
            .or_else(|| (self.survey == "after-sales").then_some(Text::QuestionAfterSales))
            .unwrap_or(Text::Question);
        let template = self.text(text);
        let (before, after) = template.split_once("{brand}").unwrap_or((template, ""));
        let brand = if template.contains("{brand}") {
            self.brand_in_sentence().to_owned()
        } else {
            String::new()
        };
        Question {
            before: before.to_owned(),
            brand,
            after: after.to_owned(),
        }
    }

    /// The card's look as custom properties (a `style` declaration list), which the
    /// stylesheet's `.nps` reads: its radius, and the brand accent with a text colour that
    /// reads on it (white, or near-black on a light accent); `initial` without an accent, so
    /// the stylesheet's own applies and nothing a host page sets is inherited. The widget sets
    /// it through the CSSOM on the element it renders into (a page's CSP without
    /// `'unsafe-inline'` blocks a `style` attribute, not that); a landing page writes it as one.
    pub fn card_style(&self) -> String {
        let (accent, fg) = match &self.accent {
            Some(a) => (a.as_str(), text_on(a)),
            None => ("initial", "initial"),
        };
        format!(
            "--nps-brand-radius:{}px;--nps-brand-accent:{accent};--nps-brand-accent-fg:{fg};",
            self.radius
        )
    }
}

/// The text colour that reads best on a `#rgb` / `#rrggbb` background: white or near-black,
/// whichever contrasts more (luminance with a gamma of 2, close enough to choose between two).
pub fn text_on(colour: &str) -> &'static str {
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| -> f64 {
        let v = if hex.len() == 3 {
            u8::from_str_radix(&hex[i..i + 1], 16).map(|d| d * 17)
        } else {
            u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("00"), 16)
        };
        let c = v.unwrap_or(0) as f64 / 255.0;
        c * c
    };
    let l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    // Against white (luminance 1) and against #1f1f1f (luminance about 0.014).
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.064 {
        "#ffffff"
    } else {
        "#1f1f1f"
    }
}

/// Whether a broken embed shows its details in the page, not only in the console: when it
/// asks for `debug`, or when the page is on the developer's own machine.
pub fn shows_details(debug: bool, hostname: &str) -> bool {
    let host = hostname.trim_end_matches('.').to_ascii_lowercase();
    debug
        || matches!(
            host.as_str(),
            "localhost" | "127.0.0.1" | "[::1]" | "::1" | "0.0.0.0"
        )
        || host.ends_with(".localhost")
}
