//! The two minifiers of the build: CSS for the stylesheet the wasm carries (`core/build.rs`
//! includes this file), and JS for the loader and the bindgen glue (`cargo xtask dist`).
//! Both are conservative: they only drop what cannot change meaning.

/// Drops comments and runs of white space, and the white space around `{};,>` (and after a
/// `:`). Strings in the stylesheet must not hold those characters next to spaces.
/// (The widget's `core/build.rs` calls it; the xtask only tests it.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn css(css: &str) -> String {
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
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = collapsed.chars().collect();
    let mut out = String::with_capacity(collapsed.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if "{};,>".contains(prev) || "{};,>".contains(next) || prev == ':' {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(";}", "}")
}

/// Drops whole-line comments (`//` lines and `/* … */` blocks that start a line, but not
/// `/*!` licence headers), blank lines and indentation. Only lines that start a comment are
/// touched, so strings and code stay as written; code after a comment's end is kept.
pub fn js(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut in_comment = false;
    for line in js.lines() {
        let mut t = line.trim();
        if in_comment || (t.starts_with("/*") && !t.starts_with("/*!")) {
            match t.find("*/") {
                Some(end) => {
                    in_comment = false;
                    t = t[end + 2..].trim();
                }
                None => {
                    in_comment = true;
                    continue;
                }
            }
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_table() {
        let check = |input: &str, want: &str| assert_eq!(css(input), want, "{input:?}");
        check(".a { color: red; }", ".a{color:red}");
        check("/* note */ .a{}", ".a{}");
        check(
            ".a  >  .b ,\n.c { margin : 0 4px ; }",
            ".a>.b,.c{margin :0 4px}",
        );
        check(
            "@media (max-width: 520px) { .s { grid: auto / repeat(6, 1fr); } }",
            "@media (max-width:520px){.s{grid:auto / repeat(6,1fr)}}",
        );
        check(
            ".a::before { content: \"×\"; }",
            ".a::before{content:\"×\"}",
        );
        check("/* unclosed", "");
        check("", "");
    }

    #[test]
    fn js_table() {
        let check = |input: &str, want: &str| assert_eq!(js(input), want, "{input:?}");
        check("  var a = 1;\n\n  // note\n  a++;\n", "var a = 1;\na++;\n");
        check("/* one\n   two */\nf();\n", "f();\n");
        check("/*! licence */\nf();\n", "/*! licence */\nf();\n");
        check(
            "var s = \"// not a comment\";\n",
            "var s = \"// not a comment\";\n",
        );
        check("x(); // trailing stays\n", "x(); // trailing stays\n");
        check("/* a */ b();\n", "b();\n");
        check("/* a\n */ b();\n", "b();\n");
        check("/**/\nc();\n", "c();\n");
    }
}
