//! `cargo xtask bench-score`: the scorer on 1,000,000 responses with three segmentations
//! (20 stores, 200 advisors, 12 months), natively; the same data is written as CSV for
//! pandas to group the same way in the same run (`bench/score_pandas.py`).
//!
//! Prints one line per figure: `native <segmentation> <median ms>`.

use std::time::Instant;

use nps_core::scoring::analysis::tally_segments;

const N: usize = 1_000_000;
const RUNS: usize = 21;

fn main() {
    // `cargo bench` adds flags of its own (`--bench`): the CSV path is the argument that is
    // not one.
    let csv = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    // A seeded generator (xorshift64*): the same data every run.
    let mut state: u64 = 20_261_124;
    let mut next = move |below: u64| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) % below
    };
    let mut scores = Vec::with_capacity(N);
    let (mut store, mut advisor, mut month) = (vec![], vec![], vec![]);
    for _ in 0..N {
        let a = next(200) as u32;
        advisor.push(a);
        store.push(a / 10);
        month.push(next(12) as u32);
        // Scores skewed towards the top, as NPS data is.
        let s = match next(100) {
            0..=44 => 9 + next(2),
            45..=74 => 7 + next(2),
            _ => next(7),
        };
        scores.push(s as u8);
    }
    if let Some(path) = csv {
        let mut text = String::with_capacity(N * 12);
        text.push_str("score,store,advisor,month\n");
        for i in 0..N {
            text.push_str(&format!(
                "{},{},{},{}\n",
                scores[i], store[i], advisor[i], month[i]
            ));
        }
        std::fs::write(&path, text).expect("write the CSV");
    }
    for (name, ids) in [("store", &store), ("advisor", &advisor), ("month", &month)] {
        let mut times = Vec::with_capacity(RUNS);
        let mut segments = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let out = tally_segments(&scores, ids).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            segments = out.len();
        }
        times.sort_by(f64::total_cmp);
        println!("native {name} {:.2} ({segments} segments)", times[RUNS / 2]);
    }
}
