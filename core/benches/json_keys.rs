//! `cargo bench -p nps-core --bench json_keys`: the strict JSON check on the worst body the
//! collector reads: one object of 6,553 distinct keys, 64 KiB (`rules::MAX_BODY_BYTES`), through
//! `json::parse_strict` (the parse, then the duplicate-key scan), natively in a release build.
//!
//! Then the deepest case: thousands of arrays under one key of half the body.
//!
//! Prints one line per figure: `<what> <median ms>`.

use std::time::Instant;

use nps_core::contract::json::{duplicate_key, parse_strict};
use nps_core::contract::rules::MAX_BODY_BYTES;

const RUNS: usize = 21;

/// `{"k0000":0,"k0001":0,…}`: ten bytes a key, as many keys as fit in the body limit.
fn many_keys() -> (String, usize) {
    let mut text = String::from("{");
    let mut n = 0;
    while text.len() + 11 <= MAX_BODY_BYTES {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"k{n:04}\":0"));
        n += 1;
    }
    text.push('}');
    (text, n)
}

/// `{"kkk…":[[],[],…]}`: a key of half the body, then as many empty arrays as fit: every
/// array sits under the long key, so a check that copies each value's path is quadratic.
fn deep_under_a_long_key() -> String {
    let half = MAX_BODY_BYTES / 2;
    let mut text = format!("{{\"{}\":[", "k".repeat(half));
    let mut first = true;
    while text.len() + 5 <= MAX_BODY_BYTES {
        if !first {
            text.push(',');
        }
        text.push_str("[]");
        first = false;
    }
    text.push_str("]}");
    text
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let (text, keys) = many_keys();
    println!("one object of {keys} keys, {} bytes", text.len());
    let strict = median_ms(|| {
        assert!(parse_strict(std::hint::black_box(&text), "body").is_ok());
    });
    println!("parse_strict {strict:.3}");
    let scan = median_ms(|| {
        assert_eq!(duplicate_key(std::hint::black_box(&text)), None);
    });
    println!("duplicate_key {scan:.3}");
    let deep = deep_under_a_long_key();
    println!("arrays under a key of half the body, {} bytes", deep.len());
    let scan = median_ms(|| {
        assert_eq!(duplicate_key(std::hint::black_box(&deep)), None);
    });
    println!("duplicate_key {scan:.3}");
}
