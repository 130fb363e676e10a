//! The sign-in and set-password pages as HTML: plain forms that work without JavaScript, in
//! the widget's card and stylesheet (`nps_core::STYLESHEET`) on the landing pages' page
//! (`landing::page::PAGE_CSS`), inline like theirs (the CSP allows inline styles, no script
//! is needed). Every value is escaped (`esc`); every word is `words`'.

use std::fmt::Write as _;

use nps_core::words::{fill, Locale};

use super::words::{self as w};
use crate::html::escape_html as esc;
use crate::landing::page::PAGE_CSS;
use crate::password;
use crate::refused::{say, Words};

/// The fields of the forms, beside the widget's own classes.
const FORM_CSS: &str = ".nps-field{display:block;width:100%;margin:0 0 14px;padding:10px 12px;\
font:inherit;font-size:16px;color:var(--nps-fg);background:var(--nps-bg);\
border:1px solid var(--nps-line);border-radius:8px}\
.nps-field:hover{border-color:var(--nps-muted)}\
.nps-field:focus-visible,.nps-submit:focus-visible{outline:2px solid var(--nps-accent);outline-offset:2px}\
.nps-submit{width:100%}.nps-hint{margin:-8px 0 14px;font-size:13px;color:var(--nps-muted)}\
.nps-problem{margin:0 0 14px}.nps-or{margin:16px 0 8px;text-align:center;font-size:13px;color:var(--nps-muted)}.nps-sso{display:flex;align-items:center;justify-content:center;width:100%;min-height:44px;padding:10px 12px;border:1px solid var(--nps-line);border-radius:8px;color:var(--nps-fg);text-decoration:none}.nps-sso:focus-visible{outline:2px solid var(--nps-accent);outline-offset:2px}";

/// A whole page: the card with `inner`, never indexed, never framed elsewhere (the CSP's
/// `frame-ancestors`), in `locale`.
fn document(locale: Locale, title: &str, inner: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1,viewport-fit=cover\">\
<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"robots\" content=\"noindex\">\
<meta name=\"referrer\" content=\"same-origin\"><title>{title}</title>\
<style>{PAGE_CSS}{css}{FORM_CSS}</style></head><body><main>\
<div class=\"nps nps--inline\" data-theme=\"auto\" lang=\"{lang}\"><section class=\"nps-card\" aria-labelledby=\"nps-q\">\
<h1 id=\"nps-q\" class=\"nps-question\">{title}</h1>{inner}</section></div></main></body></html>",
        lang = locale.tag(),
        title = esc(title),
        css = nps_core::STYLESHEET,
    )
}

fn problem(text: &str) -> String {
    format!("<p class=\"nps-problem\" role=\"alert\">{}</p>", esc(text))
}

fn field(id: &str, label: &str, kind: &str, autocomplete: &str, value: &str) -> String {
    format!(
        "<label class=\"nps-label\" for=\"{id}\">{}</label>\
<input id=\"{id}\" class=\"nps-field\" name=\"{id}\" type=\"{kind}\" autocomplete=\"{autocomplete}\" \
required maxlength=\"{max}\" value=\"{}\">",
        esc(label),
        esc(value),
        max = password::MAX_CHARS,
    )
}

/// The sign-in page: the form (posting to `/signin` with `next` and the locale), what went
/// wrong last time, if anything, and with single sign-on set up (`sso`), the link to it.
pub fn signin(locale: Locale, next: &str, email: &str, trouble: Option<&str>, sso: bool) -> String {
    let l = |words: Words| say(words, locale);
    let mut f = format!(
        "<form method=\"post\" action=\"/signin\" novalidate>{}\
<input type=\"hidden\" name=\"next\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">",
        trouble.map(problem).unwrap_or_default(),
        esc(next),
        locale.tag(),
    );
    f += &field("email", l(w::EMAIL), "email", "username", email);
    f += &field(
        "password",
        l(w::PASSWORD),
        "password",
        "current-password",
        "",
    );
    let _ = write!(
        f,
        "<div class=\"nps-actions\"><button type=\"submit\" class=\"nps-submit\">{}</button></div>\
<p class=\"nps-note\">{}</p></form>",
        esc(l(w::SIGN_IN)),
        esc(l(w::FORGOT)),
    );
    if sso {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .append_pair("lang", locale.tag())
            .finish();
        let _ = write!(
            f,
            "<p class=\"nps-or\">{}</p><div class=\"nps-actions\"><a class=\"nps-sso\" href=\"{}?{}\">{}</a></div>",
            esc(l(w::OR)),
            crate::sso::START,
            esc(&query),
            esc(l(w::SSO)),
        );
    }
    document(locale, l(w::TITLE), &f)
}

/// The wait of a throttled sign-in in words: seconds under a minute, else whole minutes.
pub fn wait_words(locale: Locale, wait_s: u64) -> String {
    let (unit, n) = match wait_s {
        0 | 1 => (w::ONE_SECOND, 1),
        2..60 => (w::SECONDS, wait_s),
        60 => (w::ONE_MINUTE, 1),
        _ => (w::MINUTES, wait_s.div_ceil(60)),
    };
    let wait = fill(say(unit, locale), &[("n", &n.to_string())]);
    fill(say(w::WAIT, locale), &[("wait", &wait)])
}

/// A busy collector's words: try again in `password::BUSY_RETRY_S` seconds.
pub fn busy_words(locale: Locale) -> String {
    let n = crate::password::BUSY_RETRY_S.to_string();
    fill(say(w::BUSY, locale), &[("n", &n)])
}

/// What is wrong with a new password, in words.
pub fn password_problem(locale: Locale, p: password::Problem) -> String {
    let words = match p {
        password::Problem::TooShort => w::TOO_SHORT,
        password::Problem::TooLong => w::TOO_LONG,
        password::Problem::Mismatch => w::MISMATCH,
        password::Problem::IsEmail => w::IS_EMAIL,
    };
    fill(
        say(words, locale),
        &[
            ("min", &password::MIN_CHARS.to_string()),
            ("max", &password::MAX_CHARS.to_string()),
        ],
    )
}

/// The set-password page of an invite (posting to the invite's own address).
pub fn set_password(locale: Locale, action: &str, email: &str, trouble: Option<&str>) -> String {
    let l = |words: Words| say(words, locale);
    let min = password::MIN_CHARS.to_string();
    let mut f = format!(
        "<form method=\"post\" action=\"{}\" novalidate><p class=\"nps-prompt\">{}</p>{}\
<input type=\"hidden\" name=\"lang\" value=\"{}\">\
<input type=\"email\" name=\"email\" autocomplete=\"username\" value=\"{}\" hidden readonly>",
        esc(action),
        esc(&fill(l(w::SET_FOR), &[("email", email)])),
        trouble.map(problem).unwrap_or_default(),
        locale.tag(),
        esc(email),
    );
    f += &field(
        "password",
        l(w::NEW_PASSWORD),
        "password",
        "new-password",
        "",
    );
    let _ = write!(
        f,
        "<p class=\"nps-hint\">{}</p>",
        esc(&fill(l(w::RULES), &[("min", &min)]))
    );
    f += &field("again", l(w::AGAIN), "password", "new-password", "");
    let _ = write!(
        f,
        "<div class=\"nps-actions\"><button type=\"submit\" class=\"nps-submit\">{}</button></div></form>",
        esc(l(w::SET)),
    );
    document(locale, l(w::SET_TITLE), &f)
}

/// The page of an invite that is used up or expired: what happened and what to do.
pub fn invite_gone(locale: Locale, hours: i64) -> String {
    let l = |words: Words| say(words, locale);
    let inner = format!(
        "<p class=\"nps-prompt\">{}</p><div class=\"nps-actions\"><a class=\"nps-link\" href=\"/signin?lang={}\">{}</a></div>",
        esc(&fill(l(w::GONE), &[("hours", &hours.to_string())])),
        locale.tag(),
        esc(l(w::TO_SIGN_IN)),
    );
    document(locale, l(w::GONE_TITLE), &inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_reads_in_seconds_then_whole_minutes() {
        let table: &[(Locale, u64, &str)] = &[
            (Locale::ZhCn, 1, "尝试次数过多，请 1 秒后再试。"),
            (Locale::ZhCn, 59, "尝试次数过多，请 59 秒后再试。"),
            (Locale::ZhCn, 61, "尝试次数过多，请 2 分钟后再试。"),
            (Locale::ZhTw, 900, "嘗試次數過多，請 15 分鐘後再試。"),
            (
                Locale::En,
                1,
                "Too many tries. Please try again in 1 second.",
            ),
            (
                Locale::En,
                2,
                "Too many tries. Please try again in 2 seconds.",
            ),
            (
                Locale::En,
                60,
                "Too many tries. Please try again in 1 minute.",
            ),
            (
                Locale::En,
                900,
                "Too many tries. Please try again in 15 minutes.",
            ),
        ];
        for &(locale, s, want) in table {
            assert_eq!(wait_words(locale, s), want);
        }
    }

    #[test]
    fn every_value_on_the_pages_is_escaped() {
        let page = signin(Locale::En, "/x\"><script>", "<b>@x", Some("<i>"), true);
        assert!(!page.contains("<script>") && !page.contains("<b>") && !page.contains("<i>"));
        // The single sign-on link carries `next` and the language, encoded.
        assert!(page.contains("href=\"/signin/oidc?next=%2Fx%22%3E%3Cscript%3E&amp;lang=en\""));
        assert!(!signin(Locale::En, "/", "", None, false).contains("/signin/oidc"));
        let page = set_password(Locale::ZhCn, "/invite/abc", "<b>@x", None);
        assert!(!page.contains("<b>") && page.contains("为 &lt;b&gt;@x 设置登录密码。"));
    }
}
