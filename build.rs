//! Minifies the widget's stylesheet into OUT_DIR (comments and runs of white space go), so
//! the wasm carries fewer bytes than the readable `www/nps-widget.css`.

use std::{env, fs, path::Path};

fn main() {
    let src = "www/nps-widget.css";
    println!("cargo:rerun-if-changed={src}");
    let css = fs::read_to_string(src).expect("www/nps-widget.css");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("nps-widget.min.css");
    fs::write(out, minify(&css)).expect("write the minified stylesheet");
}

fn minify(css: &str) -> String {
    // Drop comments.
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map(|end| &rest[start + 2 + end + 2..])
            .unwrap_or("");
    }
    text.push_str(rest);
    // Collapse white space, then drop it around punctuation that does not need it.
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if "{};,>".contains(prev) || "{};,>".contains(next) || (prev == ':' && i > 0) {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(";}", "}")
}
