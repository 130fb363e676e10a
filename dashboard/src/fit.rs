//! How the trend fits the width it is drawn in: on a phone it keeps the latest periods that
//! fit at a readable size (the newest week is always drawn), and labels every other period
//! when a label would not fit its slot. The SVG is drawn at the width it is shown, so its
//! text stays at its CSS size instead of shrinking with a 900-wide drawing.

/// The widest the trend is drawn (a desktop's card).
pub const MAX_WIDTH: f64 = 900.0;
/// The narrowest (a 320 px phone's card).
pub const MIN_WIDTH: f64 = 280.0;
/// The plot's margins left (the scale's numbers) and right, in px.
pub const LEFT: f64 = 36.0;
pub const RIGHT: f64 = 12.0;
/// The least room a period's point, its answers and half a label need, in px.
pub const MIN_SLOT: f64 = 40.0;
/// The room a period's label needs, in px.
pub const LABEL: f64 = 72.0;

/// The trend as drawn: its width, the first period drawn, and which labels are written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub width: f64,
    /// The first period drawn (the ones before are left out; the latest never is).
    pub first: usize,
    /// Every how many periods a label is written (1: each).
    pub label_every: usize,
}

/// How `len` periods fit `px` of width.
pub fn trend(len: usize, px: f64) -> Fit {
    let width = if px.is_finite() {
        px.clamp(MIN_WIDTH, MAX_WIDTH)
    } else {
        MAX_WIDTH
    };
    let plot = width - LEFT - RIGHT;
    let fits = ((plot / MIN_SLOT).floor() as usize).max(1);
    let first = len.saturating_sub(fits);
    let slot = plot / (len - first).max(1) as f64;
    Fit {
        width,
        first,
        label_every: ((LABEL / slot).ceil() as usize).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_keeps_the_latest_periods_and_a_desktop_all() {
        // (periods, px) → (width, first drawn, label every)
        for (len, px, want) in [
            // 13 weeks on a desktop card: all, every other label.
            (13, 900.0, (900.0, 0, 2)),
            // 13 weeks on a 375 px phone (a 335 px card): the latest 7.
            (13, 335.0, (335.0, 6, 2)),
            // 3 months on the phone: all, each labelled.
            (3, 335.0, (335.0, 0, 1)),
            // Wider than the drawing's most, narrower than its least.
            (13, 2000.0, (900.0, 0, 2)),
            (13, 100.0, (280.0, 8, 2)),
            (0, 335.0, (335.0, 0, 1)),
            (5, f64::NAN, (900.0, 0, 1)),
        ] {
            let f = trend(len, px);
            assert_eq!((f.width, f.first, f.label_every), want, "{len} at {px}");
        }
        // The latest period is always drawn, at every width and length.
        for len in 1..=60 {
            for px in (0..=1000).step_by(25) {
                let f = trend(len, px as f64);
                assert!(f.first < len, "{len} at {px}");
                let slot = (f.width - LEFT - RIGHT) / (len - f.first) as f64;
                assert!(slot >= MIN_SLOT, "{len} at {px}: {slot}");
            }
        }
    }
}
