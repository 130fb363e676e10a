//! The sign-in and set-password pages' words in zh-CN, zh-TW and en (`refused::Words`: the
//! collector's own words, never in the widget's wasm). Placeholders in braces are filled with
//! `nps_core::words::fill`; nothing here is ever treated as HTML.

use crate::refused::Words;

pub const TITLE: Words = [
    "登录 NPS 看板",
    "登入 NPS 看板",
    "Sign in to the NPS dashboard",
];
pub const EMAIL: Words = ["邮箱", "電子郵件", "Email"];
pub const PASSWORD: Words = ["密码", "密碼", "Password"];
pub const SIGN_IN: Words = ["登录", "登入", "Sign in"];
pub const WRONG: Words = [
    "邮箱或密码不正确。",
    "電子郵件或密碼不正確。",
    "The email or password is incorrect.",
];
pub const FORGOT: Words = [
    "忘记密码？请联系管理员重新发送邀请链接。",
    "忘記密碼？請聯絡管理員重新發送邀請連結。",
    "Forgot your password? Ask your admin for a new invite link.",
];
pub const OR: Words = ["或", "或", "or"];
pub const SSO: Words = [
    "使用企业账号登录",
    "使用企業帳號登入",
    "Sign in with your company account",
];
pub const WAIT: Words = [
    "尝试次数过多，请 {wait}后再试。",
    "嘗試次數過多，請 {wait}後再試。",
    "Too many tries. Please try again in {wait}.",
];
pub const SECONDS: Words = ["{n} 秒", "{n} 秒", "{n} seconds"];
pub const ONE_SECOND: Words = ["1 秒", "1 秒", "1 second"];
pub const ONE_MINUTE: Words = ["1 分钟", "1 分鐘", "1 minute"];
pub const MINUTES: Words = ["{n} 分钟", "{n} 分鐘", "{n} minutes"];
pub const UNAVAILABLE: Words = [
    "暂时无法登录，请稍后再试。",
    "暫時無法登入，請稍後再試。",
    "Signing in is not possible just now. Please try again shortly.",
];
pub const BUSY: Words = [
    "当前登录人数较多，请 {n} 秒后再试。",
    "目前登入人數較多，請 {n} 秒後再試。",
    "Many people are signing in just now. Please try again in {n} seconds.",
];

pub const SET_TITLE: Words = ["设置密码", "設定密碼", "Set your password"];
pub const SET_FOR: Words = [
    "为 {email} 设置登录密码。",
    "為 {email} 設定登入密碼。",
    "Choose a password for {email}.",
];
pub const NEW_PASSWORD: Words = ["新密码", "新密碼", "New password"];
pub const AGAIN: Words = [
    "再次输入新密码",
    "再次輸入新密碼",
    "Confirm the new password",
];
pub const RULES: Words = [
    "至少 {min} 个字符，不能与邮箱相同。",
    "至少 {min} 個字元，不能與電子郵件相同。",
    "At least {min} characters, and not your email.",
];
pub const SET: Words = [
    "设置密码并登录",
    "設定密碼並登入",
    "Set password and sign in",
];
pub const TOO_SHORT: Words = [
    "密码至少需要 {min} 个字符。",
    "密碼至少需要 {min} 個字元。",
    "The password needs at least {min} characters.",
];
pub const TOO_LONG: Words = [
    "密码最多 {max} 个字符。",
    "密碼最多 {max} 個字元。",
    "The password can have at most {max} characters.",
];
pub const MISMATCH: Words = [
    "两次输入的密码不一致。",
    "兩次輸入的密碼不一致。",
    "The two passwords are not the same.",
];
pub const IS_EMAIL: Words = [
    "密码不能与邮箱相同。",
    "密碼不能與電子郵件相同。",
    "The password cannot be your email.",
];
pub const GONE_TITLE: Words = [
    "邀请链接已失效",
    "邀請連結已失效",
    "This invite link no longer works",
];
pub const GONE: Words = [
    "此链接已过期（有效期 {hours} 小时）或已使用过。请联系管理员为您发送新的邀请链接。",
    "此連結已過期（有效期 {hours} 小時）或已使用過。請聯絡管理員為您發送新的邀請連結。",
    "The link has expired (it holds for {hours} hours) or has been used. Ask your administrator for a new invite link.",
];
pub const TO_SIGN_IN: Words = ["前往登录", "前往登入", "Go to sign-in"];
