//! Minifies the widget's stylesheet into OUT_DIR, so the wasm carries fewer bytes than the
//! readable `www/nps-widget.css`. The minifier is the xtask's (`xtask/src/minify.rs`), where
//! its table tests live.

use std::{env, fs, path::Path};

#[path = "../xtask/src/minify.rs"]
#[allow(dead_code)]
mod minify;

fn main() {
    let src = "../www/nps-widget.css";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=../xtask/src/minify.rs");
    let css = fs::read_to_string(src).expect("www/nps-widget.css");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("nps-widget.min.css");
    fs::write(out, minify::css(&css)).expect("write the minified stylesheet");
}
