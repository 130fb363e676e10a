//! The words: built-in zh-CN, zh-TW and en texts, and the reason presets.
//!
//! Every text has a stable key (`Text::key`) that config overrides use. Placeholders in
//! braces (`{brand}`, `{hours}`, `{days}`, `{score}`, `{count}`, `{max}`, `{last4}`) are filled by
//! `fill`; nothing here is ever treated as HTML.

use std::fmt;

/// A built-in locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    ZhCn,
    ZhTw,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::ZhTw, Locale::En];
    /// The tags of `ALL`, in order.
    pub const TAGS: [&'static str; 3] = ["zh-CN", "zh-TW", "en"];

    /// The BCP 47 tag used in the payload and in `lang` attributes.
    pub fn tag(self) -> &'static str {
        Locale::TAGS[self as usize]
    }

    /// An exact config value: `zh-CN`, `zh-TW` or `en` (case-insensitive).
    pub fn parse(s: &str) -> Option<Locale> {
        match s.to_ascii_lowercase().as_str() {
            "zh-cn" => Some(Locale::ZhCn),
            "zh-tw" => Some(Locale::ZhTw),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Best match for a browser language tag (`navigator.language`), if any.
    pub fn negotiate(tag: &str) -> Option<Locale> {
        let t = tag.trim().to_ascii_lowercase().replace('_', "-");
        if t.starts_with("zh") {
            let traditional = ["zh-tw", "zh-hk", "zh-mo", "zh-hant"]
                .iter()
                .any(|p| t.starts_with(p));
            return Some(if traditional {
                Locale::ZhTw
            } else {
                Locale::ZhCn
            });
        }
        if t == "en" || t.starts_with("en-") {
            return Some(Locale::En);
        }
        None
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

macro_rules! texts {
    ($( $variant:ident $key:literal { $zh:expr, $tw:expr, $en:expr } )*
     #[cfg(feature = "pages")]
     $( $page:ident $page_key:literal { $page_zh:expr, $page_tw:expr, $page_en:expr } )*) => {
        /// Every piece of text the widget and the collector's pages show.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Text { $($variant,)* $($page),* }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$variant,)* $(Text::$page),*];
            /// The pages' texts: their wording is compiled only with the `pages` feature.
            pub const PAGES: &'static [Text] = &[$(Text::$page),*];

            /// The key used in the `text` config object.
            pub fn key(self) -> &'static str {
                match self { $(Text::$variant => $key,)* $(Text::$page => $page_key),* }
            }

            /// The built-in wording for a locale (a page's text is empty without `pages`): one
            /// row per text in a table (in the wasm, smaller than a `match` on both).
            pub fn default_in(self, locale: Locale) -> &'static str {
                const PAGES: bool = cfg!(feature = "pages");
                const WORDS: &[[&str; 3]] = &[
                    $([$zh, $tw, $en],)*
                    $(if PAGES { [$page_zh, $page_tw, $page_en] } else { [""; 3] },)*
                ];
                WORDS[self as usize][locale as usize]
            }
        }
    };
}

texts! {
    Question "question" {
        "您有多大可能向亲友推荐{brand}？",
        "您有多大可能向親友推薦{brand}？",
        "How likely are you to recommend {brand} to a friend or colleague?" }
    QuestionAfterSales "question_after_sales" {
        "基于本次售后服务体验，您向亲友推荐{brand}的可能性有多大？",
        "基於本次售後服務體驗，您向親友推薦{brand}的可能性有多大？",
        "Based on this service visit, how likely are you to recommend {brand} to a friend or colleague?" }
    QuestionMaintenance "question_maintenance" {
        "基于本次保养体验，您向亲友推荐{brand}的可能性有多大？",
        "基於本次保養體驗，您向親友推薦{brand}的可能性有多大？",
        "Based on this maintenance visit, how likely are you to recommend {brand} to a friend or colleague?" }
    QuestionRepair "question_repair" {
        "基于本次维修体验，您向亲友推荐{brand}的可能性有多大？",
        "基於本次維修體驗，您向親友推薦{brand}的可能性有多大？",
        "Based on this repair, how likely are you to recommend {brand} to a friend or colleague?" }
    BrandFallback "brand_fallback" { "我们", "我們", "us" }
    ScaleLow "scale_low" { "完全不可能", "完全不可能", "Not at all likely" }
    ScaleHigh "scale_high" { "极有可能", "極有可能", "Extremely likely" }
    ScoreLabel "score_label" { "{score} 分", "{score} 分", "{score}" }
    FollowUpDetractor "follow_up_detractor" {
        "非常抱歉没能让您满意。主要是哪些方面？",
        "非常抱歉沒能讓您滿意。主要是哪些方面？",
        "We're sorry we let you down. What went wrong?" }
    FollowUpPassive "follow_up_passive" {
        "怎样做能让您打出 10 分？",
        "怎樣做能讓您打出 10 分？",
        "What would make it a 10?" }
    FollowUpPromoter "follow_up_promoter" {
        "谢谢您！您最满意的是哪些方面？",
        "謝謝您！您最滿意的是哪些方面？",
        "Thank you! What did you like most?" }
    CommentLabel "comment_label" { "想多说几句吗？（选填）", "想多說幾句嗎？（選填）", "Anything else? (optional)" }
    CommentPlaceholder "comment_placeholder" { "请告诉我们具体情况", "請告訴我們具體情況", "Tell us a little more" }
    CommentCounter "comment_counter" { "{count}/{max}", "{count}/{max}", "{count}/{max}" }
    Submit "submit" { "提交", "提交", "Submit" }
    Skip "skip" { "跳过", "略過", "Skip" }
    Close "close" { "关闭", "關閉", "Close" }
    CallbackOffer "callback_offer" {
        "需要服务经理给您回电吗？留下手机号即可。",
        "需要服務經理給您回電嗎？留下手機號碼即可。",
        "Would you like a service manager to call you back? Leave your number." }
    CallbackOnFile "callback_on_file" {
        "请按工单预留号码（尾号 {last4}）联系我",
        "請按工單預留號碼（尾號 {last4}）聯絡我",
        "Call me at the number on my order (ending {last4})" }
    PhoneLabel "phone_label" { "手机号", "手機號碼", "Phone number" }
    PhoneInvalid "phone_invalid" {
        "请输入有效的手机号（如 13812345678 或 +85291234567）",
        "請輸入有效的手機號碼（如 +886912345678 或 13812345678）",
        "Enter a valid mobile number, e.g. +14155550123" }
    Consent "consent" {
        "我同意{brand}仅为处理本次反馈致电联系我，号码将在 {days} 天后删除。",
        "我同意{brand}僅為處理本次回饋致電聯絡我，號碼將在 {days} 天後刪除。",
        "I agree that {brand} may call me only about this feedback; my number is deleted after {days} days." }
    ConsentNeeded "consent_needed" {
        "如需回电，请勾选同意。",
        "如需回電，請勾選同意。",
        "Tick the box if you'd like a call back." }
    OutcomeTitleDetractor "outcome_title_detractor" { "感谢您的坦诚", "感謝您的坦誠", "Thank you for telling us" }
    OutcomeDetractorCallback "outcome_detractor_callback" {
        "收到您的反馈，非常抱歉给您添麻烦了。{hours} 小时内，服务经理会给您回电，把问题解决好。",
        "收到您的回饋，非常抱歉給您添麻煩了。{hours} 小時內，服務經理會給您回電，把問題解決好。",
        "We're sorry for the trouble. A service manager will call you within {hours} hours to put this right." }
    OutcomeDetractor "outcome_detractor" {
        "收到您的反馈，非常抱歉给您添麻烦了。{hours} 小时内，服务经理会与您联系，把问题解决好。",
        "收到您的回饋，非常抱歉給您添麻煩了。{hours} 小時內，服務經理會與您聯絡，把問題解決好。",
        "We're sorry for the trouble. A service manager will be in touch within {hours} hours to put this right." }
    OutcomeDetractorAnonymous "outcome_detractor_anonymous" {
        "收到您的反馈，非常抱歉给您添麻烦了。我们会认真核查并改进。",
        "收到您的回饋，非常抱歉給您添麻煩了。我們會認真核查並改進。",
        "We're sorry for the trouble. We'll look into what went wrong and put it right." }
    OutcomeTitlePassive "outcome_title_passive" { "谢谢您的建议", "謝謝您的建議", "Thanks for your suggestion" }
    OutcomePassive "outcome_passive" {
        "我们会认真改进，争取下次让您满意。",
        "我們會認真改進，爭取下次讓您滿意。",
        "We'll work on it and aim to earn a 10 next time." }
    OutcomeTitlePromoter "outcome_title_promoter" { "太感谢了！", "太感謝了！", "Thank you!" }
    OutcomePromoter "outcome_promoter" {
        "欢迎把我们推荐给身边的朋友。",
        "歡迎把我們推薦給身邊的朋友。",
        "We'd love it if you told a friend." }
    ReferralAction "referral_action" { "邀请好友试驾", "邀請好友試駕", "Invite a friend" }
    ReviewAction "review_action" { "写一条评价", "寫一則評價", "Write a review" }
    Dismissed "dismissed" { "好的，不打扰您了。", "好的，不打擾您了。", "No problem — we won't ask again." }
    Sent "sent" { "✓ 已提交", "✓ 已送出", "✓ Sent" }
    Sending "sending" { "正在提交…", "正在提交…", "Sending…" }
    SavedOffline "saved_offline" {
        "网络不佳，您的评价已保存，联网后会自动提交。",
        "網路不佳，您的評價已儲存，連線後會自動送出。",
        "You're offline — your answer is saved and will be sent automatically." }
    SendingDelayed "sending_delayed" {
        "提交稍有延迟，您的评价已保存，我们会自动重试。",
        "提交稍有延遲，您的評價已儲存，我們會自動重試。",
        "Sending is delayed — your answer is saved and we'll keep trying." }
    AlreadyAnswered "already_answered" {
        "您已完成本次评价，谢谢！",
        "您已完成本次評價，謝謝！",
        "You've already answered — thank you!" }
    Loading "loading" { "加载中…", "載入中…", "Loading…" }
    LinkCopied "link_copied" {
        "链接已复制，发给好友即可。",
        "連結已複製，傳給好友即可。",
        "Link copied — send it to a friend." }
    ShareInWeChat "share_in_wechat" {
        "点击右上角 ··· 即可分享给好友。",
        "點擊右上角 ··· 即可分享給好友。",
        "Tap ··· at the top right to share with a friend." }
    Unavailable "unavailable" { "评价暂时无法显示。", "評價暫時無法顯示。", "This survey can't be shown right now." }
    // The collector's landing, invite, referral and booking pages: their words are compiled
    // only with the `pages` feature (the collector's), never into the widget's wasm, which
    // shows none of them; their keys stay known to the `text` config everywhere.
    #[cfg(feature = "pages")]
    ScanToRate "scan_to_rate" { "扫码为本次服务评分", "掃碼為本次服務評分", "Scan to rate your visit" }
    PageTitle "page_title" { "服务评价", "服務評價", "Your feedback" }
    LinkInvalid "link_invalid" {
        "这个评价链接无效，请重新扫描服务单上的二维码。",
        "這個評價連結無效，請重新掃描服務單上的 QR 碼。",
        "This survey link isn't valid. Please scan the QR code on your service receipt again." }
    LinkExpired "link_expired" {
        "这个评价链接已过期，感谢您的关注！",
        "這個評價連結已過期，感謝您的關注！",
        "This survey link has expired — thank you all the same." }
    AnswerPrivate "answer_private" {
        "这份评价只能在作答时使用的浏览器中查看和修改。",
        "這份評價只能在作答時使用的瀏覽器中查看和修改。",
        "This answer can only be seen or changed in the browser it was given in." }
    VisitRequired "visit_required" {
        "此问卷需通过服务后收到的专属链接作答。",
        "此問卷需透過服務後收到的專屬連結作答。",
        "This survey is answered from the personal link sent to you after your visit." }
    InviteTitle "invite_title" {
        "您的朋友向您推荐{brand}",
        "您的朋友向您推薦{brand}",
        "A friend recommends {brand}" }
    InviteReviews "invite_reviews" { "看看大家的评价", "看看大家的評價", "See what customers say" }
    ReferTitle "refer_title" { "邀请好友体验{brand}", "邀請好友體驗{brand}", "Invite a friend to {brand}" }
    ReferIntro "refer_intro" {
        "把您的专属海报或链接发给好友。好友预约后，门店会第一时间向您致谢。",
        "把您的專屬海報或連結傳給好友。好友預約後，門市會第一時間向您致謝。",
        "Send your own poster or link to a friend. When they book, the store will thank you right away." }
    ReferPosterLine "referral_line" {
        "我在{brand}的体验很好，推荐给你！扫码预约{booking}。",
        "我在{brand}的體驗很好，推薦給你！掃碼預約{booking}。",
        "I had a great experience with {brand}. Scan to book{booking}." }
    ReferFrom "refer_from" { "{name}推荐", "{name}推薦", "Recommended by {name}" }
    ReferPosterAlt "refer_poster_alt" {
        "您的专属邀请海报，长按可保存或发送给好友",
        "您的專屬邀請海報，長按可儲存或傳送給好友",
        "Your invitation poster: press and hold to save or send it" }
    ReferSave "refer_save" { "保存海报", "儲存海報", "Save the poster" }
    ReferLink "refer_link" { "您的专属链接", "您的專屬連結", "Your own link" }
    ReferShare "refer_share" { "分享链接", "分享連結", "Share the link" }
    ReferQr "refer_qr" { "好友扫码即可打开", "好友掃碼即可開啟", "A friend can scan this code" }
    ReferPosterQr "refer_poster_qr" {
        "长按识别二维码，立即预约{booking}",
        "長按辨識 QR 碼，立即預約{booking}",
        "Scan or press and hold the code to book{booking}" }
    ReferName "refer_name" {
        "海报上的称呼（选填，如：王先生）",
        "海報上的稱呼（選填，如：王先生）",
        "Your name on the poster (optional, e.g. Mr Wang)" }
    ReferNameSave "refer_name_save" { "保存称呼", "儲存稱呼", "Save the name" }
    ReferPreparing "refer_preparing" {
        "正在生成您的专属邀请…",
        "正在生成您的專屬邀請…",
        "Preparing your invitation…" }
    BookTitle "book_title" { "预约体验{brand}", "預約體驗{brand}", "Book a visit to {brand}" }
    BookName "book_name" { "您的称呼", "您的稱呼", "Your name" }
    BookDate "book_date" { "希望到店日期（选填）", "希望到店日期（選填）", "Preferred date (optional)" }
    BookConsent "book_consent" {
        "我同意{brand}仅为安排本次预约致电联系我，号码将在 {days} 天后删除。",
        "我同意{brand}僅為安排本次預約致電聯絡我，號碼將在 {days} 天後刪除。",
        "I agree that {brand} may call me only to arrange this booking; my number is deleted after {days} days." }
    BookSubmit "book_submit" { "提交预约", "送出預約", "Book" }
    BookThanks "book_thanks" {
        "预约已收到，门店会尽快与您联系。",
        "預約已收到，門市會盡快與您聯絡。",
        "Thank you: the store will be in touch soon." }
    BookInvalid "book_invalid" {
        "请填写称呼和有效的手机号，并勾选同意。",
        "請填寫稱呼和有效的手機號碼，並勾選同意。",
        "Please give your name and a valid mobile number, and tick the box." }
}

/// Replaces `{name}` placeholders with values; unknown placeholders stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Keeps a number with its words on one line: an ASCII space after a digit ("24 小时内",
/// "24 hours") or before one after a Chinese character ("将在 30 天后") becomes a no-break
/// space (U+00A0), so a narrow screen never leaves "24" at a line's end and "小时内" on the next.
pub fn glue(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let held = before.is_some_and(|b| b.is_ascii_digit())
            || (after.is_some_and(|a| a.is_ascii_digit()) && before.is_some_and(|b| !b.is_ascii()));
        out.push(if c == ' ' && held { '\u{a0}' } else { c });
    }
    out
}

/// A reason chip: a stable id (in the payload) and its label per locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetReason {
    pub id: &'static str,
    pub zh_cn: &'static str,
    pub zh_tw: &'static str,
    pub en: &'static str,
}

impl PresetReason {
    pub fn label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh_cn,
            Locale::ZhTw => self.zh_tw,
            Locale::En => self.en,
        }
    }
}

const fn r(
    id: &'static str,
    zh_cn: &'static str,
    zh_tw: &'static str,
    en: &'static str,
) -> PresetReason {
    PresetReason {
        id,
        zh_cn,
        zh_tw,
        en,
    }
}

/// Reasons for after-sales service (cars are the reference case).
pub const AFTER_SALES: &[PresetReason] = &[
    r(
        "advisor_attitude",
        "服务态度",
        "服務態度",
        "Advisor attitude",
    ),
    r("repair_quality", "维修质量", "維修品質", "Repair quality"),
    r("wait_time", "等待时长", "等待時間", "Waiting time"),
    r(
        "price_transparency",
        "价格透明",
        "價格透明",
        "Price transparency",
    ),
    r(
        "progress_updates",
        "进度沟通",
        "進度溝通",
        "Progress updates",
    ),
    r("booking", "预约便捷", "預約便捷", "Booking"),
    r("lounge", "休息环境", "休息環境", "Lounge & facilities"),
    r("handover", "交车体验", "交車體驗", "Handover"),
];

/// Reasons for any other brand.
pub const GENERIC: &[PresetReason] = &[
    r("product_quality", "产品质量", "產品品質", "Product quality"),
    r("price", "价格", "價格", "Price"),
    r("support", "客户服务", "客戶服務", "Support"),
    r("ease_of_use", "易用性", "易用性", "Ease of use"),
    r("delivery", "配送", "配送", "Delivery"),
];

/// The named presets accepted by the `reasons` config key.
pub const PRESETS: &[(&str, &[PresetReason])] =
    &[("after-sales", AFTER_SALES), ("generic", GENERIC)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_keeps_its_words_on_its_line() {
        let check = |text: &str, want: &str| assert_eq!(glue(text), want, "{text}");
        check("了。24 小时内，服务", "了。24\u{a0}小时内，服务");
        check("号码将在 30 天后删除。", "号码将在\u{a0}30\u{a0}天后删除。");
        check("within 24 hours to put", "within 24\u{a0}hours to put");
        check("a b 1", "a b 1");
        check("", "");
    }

    #[test]
    fn every_text_exists_in_every_locale_and_keys_are_unique() {
        let mut keys = std::collections::HashSet::new();
        for t in Text::ALL {
            assert!(keys.insert(t.key()), "duplicate key {}", t.key());
            for l in Locale::ALL {
                let compiled = cfg!(feature = "pages") || !Text::PAGES.contains(t);
                assert_eq!(t.default_in(l).is_empty(), !compiled, "{} in {l}", t.key());
            }
        }
    }

    #[test]
    fn the_design_words_are_the_defaults() {
        assert_eq!(
            fill(
                Text::Question.default_in(Locale::ZhCn),
                &[("brand", "星辰汽车")]
            ),
            "您有多大可能向亲友推荐星辰汽车？"
        );
        assert_eq!(
            fill(Text::Question.default_in(Locale::En), &[("brand", "Acme")]),
            "How likely are you to recommend Acme to a friend or colleague?"
        );
        assert_eq!(
            Text::FollowUpPassive.default_in(Locale::ZhCn),
            "怎样做能让您打出 10 分？"
        );
    }

    #[test]
    fn tags_follow_the_locales() {
        for (l, tag) in Locale::ALL.iter().zip(Locale::TAGS) {
            assert_eq!((l.tag(), Locale::parse(tag)), (tag, Some(*l)));
        }
    }

    #[test]
    fn negotiation() {
        let check =
            |tag: &str, want: Option<Locale>| assert_eq!(Locale::negotiate(tag), want, "{tag}");
        check("zh-CN", Some(Locale::ZhCn));
        check("zh", Some(Locale::ZhCn));
        check("zh-Hans-CN", Some(Locale::ZhCn));
        check("zh-TW", Some(Locale::ZhTw));
        check("zh-HK", Some(Locale::ZhTw));
        check("zh-Hant", Some(Locale::ZhTw));
        check("zh_TW", Some(Locale::ZhTw));
        check("en-GB", Some(Locale::En));
        check("en", Some(Locale::En));
        check("fr-FR", None);
        check("", None);
    }

    #[test]
    fn presets_have_unique_ids_and_all_labels() {
        for (name, list) in PRESETS {
            let mut ids = std::collections::HashSet::new();
            for r in *list {
                assert!(ids.insert(r.id), "{name}: duplicate {}", r.id);
                for l in Locale::ALL {
                    assert!(!r.label(l).is_empty());
                }
            }
        }
    }

    #[test]
    fn fill_leaves_unknown_placeholders() {
        assert_eq!(fill("{a} {b}", &[("a", "1")]), "1 {b}");
    }
}
