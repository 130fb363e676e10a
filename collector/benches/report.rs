//! `cargo xtask bench-report`: the time to draw one weekly report (`report::image`: its SVG,
//! then the PNG by resvg), a full week of a store in each locale, natively. The first render
//! reads the system fonts (once per process) and is shown apart.
//!
//! Prints one line per figure: `report first <ms>`, `report <locale> <median ms> <png bytes>`.

use std::time::Instant;

use nps_collector::report::{image, Report};
use nps_core::words::Locale;

const RUNS: usize = 11;

fn main() {
    let r = Report {
        place: "store:SZ-FT".into(),
        name: "深圳福田店".into(),
        first_day: "2026-11-23".into(),
        last_day: "2026-11-29".into(),
        this: [58, 17, 11],
        last: [49, 20, 16],
        target: Some(40),
        min_n: 30,
        praised: [
            ("attitude", 21),
            ("explained", 14),
            ("on_time", 9),
            ("clean", 6),
            ("price", 3),
        ]
        .map(|(r, n)| (r.to_owned(), n))
        .to_vec(),
        complained: [("wait_time", 7), ("price", 4), ("communication", 2)]
            .map(|(r, n)| (r.to_owned(), n))
            .to_vec(),
        open: 6,
        overdue: 1,
        invited: 120,
        answered: 86,
    };
    let started = Instant::now();
    image::png_now(&r, Locale::ZhCn).expect("drawn");
    println!("report first {:.1}", started.elapsed().as_secs_f64() * 1e3);
    for locale in Locale::ALL {
        let mut ms = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            bytes = image::png_now(&r, locale).expect("drawn").len();
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        ms.sort_by(f64::total_cmp);
        println!("report {} {:.1} {bytes}", locale.tag(), ms[RUNS / 2]);
    }
}
