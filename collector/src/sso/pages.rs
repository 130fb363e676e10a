//! What a person reads when single sign-on does not sign them in, in zh-CN, zh-TW and en:
//! what happened, in words that do not need the protocol, and what to do (try again, sign in
//! with a password, ask the administrator), with one link. The page is `refused::linked_page`;
//! the words are the collector's own (the widget never shows them), like `refused`'s.

use axum::http::StatusCode;
use axum::response::Response;
use nps_core::words::Locale;

use crate::refused::{linked_page, say};

type Words = [&'static str; 3];

/// Why a sign-in through the provider stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// No `--sso` file: the route exists, the sign-in does not.
    NotSetUp,
    /// The provider does not answer (discovery failed).
    Unreachable,
    /// The callback's state is not this browser's (forged, replayed, another tab, too late).
    Expired,
    /// The provider answered with an error (the person cancelled, the provider refused).
    Refused,
    /// The code exchange or the ID token's checks failed.
    Failed,
    /// No verified email in the ID token.
    NoEmail,
    /// No rule of the file matches this person.
    NoRule,
    /// The account is disabled.
    Disabled,
}

const SIGN_IN_AGAIN: Words = ["重新登录", "重新登入", "Sign in again"];
const PASSWORD: Words = ["返回登录页", "返回登入頁", "Back to sign-in"];

impl Trouble {
    pub fn status(self) -> StatusCode {
        match self {
            Trouble::NotSetUp => StatusCode::NOT_FOUND,
            Trouble::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
            Trouble::Expired => StatusCode::BAD_REQUEST,
            Trouble::Failed => StatusCode::BAD_GATEWAY,
            Trouble::Refused | Trouble::NoEmail | Trouble::NoRule | Trouble::Disabled => {
                StatusCode::FORBIDDEN
            }
        }
    }

    /// The title and the line (the line may hold `{email}`).
    fn words(self) -> (Words, Words) {
        match self {
            Trouble::NotSetUp => (
                ["企业账号登录未启用", "企業帳號登入未啟用", "Company sign-in is not set up"],
                [
                    "请使用邮箱和密码登录。",
                    "請使用電子郵件和密碼登入。",
                    "Please sign in with your email and password.",
                ],
            ),
            Trouble::Unreachable => (
                ["暂时无法连接企业登录服务", "暫時無法連線企業登入服務", "Company sign-in can't be reached"],
                [
                    "请稍后再试，或使用邮箱和密码登录。",
                    "請稍後再試，或使用電子郵件和密碼登入。",
                    "Please try again in a few minutes, or sign in with your email and password.",
                ],
            ),
            Trouble::Expired => (
                ["登录已失效", "登入已失效", "This sign-in has expired"],
                [
                    "本次登录并非在此浏览器中发起，或已超过 10 分钟。请重新登录。",
                    "本次登入並非在此瀏覽器中發起，或已超過 10 分鐘。請重新登入。",
                    "This sign-in was not started in this browser, or took more than 10 minutes. Please sign in again.",
                ],
            ),
            Trouble::Refused => (
                ["企业账号登录未完成", "企業帳號登入未完成", "Company sign-in was not completed"],
                [
                    "企业账号没有完成登录（可能已取消）。请重新登录；如仍无法登录，请联系贵公司的 IT 管理员。",
                    "企業帳號沒有完成登入（可能已取消）。請重新登入；如仍無法登入，請聯絡貴公司的 IT 管理員。",
                    "Your company account did not complete the sign-in (perhaps it was cancelled). Please sign in again; if it keeps happening, contact your company's IT administrator.",
                ],
            ),
            Trouble::Failed => (
                ["登录没有成功", "登入沒有成功", "The sign-in did not succeed"],
                [
                    "无法确认企业账号的登录结果。请重新登录；如反复出现，请联系管理员。",
                    "無法確認企業帳號的登入結果。請重新登入；如反覆出現，請聯絡管理員。",
                    "Your company account's sign-in could not be confirmed. Please sign in again; if it keeps happening, contact your administrator.",
                ],
            ),
            Trouble::NoEmail => (
                ["无法确认您的邮箱", "無法確認您的電子郵件", "Your email address could not be confirmed"],
                [
                    "企业账号没有提供已验证的邮箱地址，因此无法登录。请联系贵公司的 IT 管理员。",
                    "企業帳號沒有提供已驗證的電子郵件地址，因此無法登入。請聯絡貴公司的 IT 管理員。",
                    "Your company account did not give a verified email address, so you can't sign in. Please contact your company's IT administrator.",
                ],
            ),
            Trouble::NoRule => (
                ["您的账号尚未开通", "您的帳號尚未開通", "Your account has no access yet"],
                [
                    "企业账号 {email} 还没有查看 NPS 看板的权限。请联系管理员，把您加入相应的群组。",
                    "企業帳號 {email} 還沒有查看 NPS 看板的權限。請聯絡管理員，將您加入相應的群組。",
                    "Your company account {email} has no access to the NPS dashboard. Ask your administrator to add you to the right group.",
                ],
            ),
            Trouble::Disabled => (
                ["账号已停用", "帳號已停用", "This account is disabled"],
                [
                    "您的账号已被停用，无法登录。如需恢复，请联系管理员。",
                    "您的帳號已被停用，無法登入。如需恢復，請聯絡管理員。",
                    "Your account has been disabled, so you can't sign in. Contact your administrator to have it enabled again.",
                ],
            ),
        }
    }

    /// Whether trying again can help (the link starts a new sign-in), or the person should
    /// go back to the sign-in page.
    fn retry(self) -> bool {
        matches!(
            self,
            Trouble::Unreachable | Trouble::Expired | Trouble::Refused | Trouble::Failed
        )
    }
}

/// The page for a trouble, with the person's email where the line names it, and a link on
/// (to `next` after signing in).
pub fn page(trouble: Trouble, locale: Locale, next: &str, email: Option<&str>) -> Response {
    let (title, line) = trouble.words();
    let line = say(line, locale).replace("{email}", email.unwrap_or(""));
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let (href, link) = match trouble.retry() {
        true => (format!("{}?next={next}", super::START), SIGN_IN_AGAIN),
        false => (format!("/signin?next={next}"), PASSWORD),
    };
    linked_page(
        trouble.status(),
        locale,
        say(title, locale),
        &line,
        &href,
        say(link, locale),
    )
}
