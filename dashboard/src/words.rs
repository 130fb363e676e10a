//! The dashboard's words in zh-CN, zh-TW and en: one row per text, every locale, checked by
//! the compiler (as the core's `words::texts!`). Placeholders in braces are filled with
//! `nps_core::words::fill`; nothing here is ever treated as HTML.

use nps_core::contract::context::{Dimension, Touchpoint};
use nps_core::words::Locale;

use crate::drill::{Level, Sort};
use crate::filters::By;

macro_rules! words {
    ($( $variant:ident { $zh:expr, $tw:expr, $en:expr } )*) => {
        /// Every piece of text the dashboard shows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Word { $($variant),* }

        impl Word {
            pub const ALL: &'static [Word] = &[$(Word::$variant),*];

            /// The wording in a locale.
            pub fn in_(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(
                        (Word::$variant, Locale::ZhCn) => $zh,
                        (Word::$variant, Locale::ZhTw) => $tw,
                        (Word::$variant, Locale::En) => $en,
                    )*
                }
            }
        }
    };
}

words! {
    Title { "NPS 看板", "NPS 看板", "NPS dashboard" }
    SignIn { "登录", "登入", "Sign in" }
    SignInHint { "使用管理员为您开通的账号登录；登录后只显示您负责的门店。", "使用管理員為您開通的帳號登入；登入後只顯示您負責的門市。", "Sign in with the account your administrator set up; you see the stores you look after." }
    SignedOut { "您尚未登录或登录已过期，请重新登录。", "您尚未登入或登入已逾時，請重新登入。", "You are not signed in, or your session has ended: please sign in." }
    SignOut { "退出登录", "登出", "Sign out" }
    OldLink { "此链接中的旧访问令牌已失效，未被使用，请登录。", "此連結中的舊存取權杖已失效，未被使用，請登入。", "The old access token in this link is no longer used: please sign in." }
    RoleAdmin { "管理员", "管理員", "Administrator" }
    RoleRegion { "区域经理", "區域經理", "Region manager" }
    RoleStore { "门店经理", "門市經理", "Store manager" }
    RoleAnalyst { "分析员", "分析員", "Analyst" }
    Reveal { "显示号码", "顯示號碼", "Show number" }
    RevealHint { "显示完整号码会记录在审计日志中。", "顯示完整號碼會記錄在稽核紀錄中。", "Showing a full number is written to the audit trail." }
    RevealFailed { "无法显示号码：{why}", "無法顯示號碼：{why}", "Could not show the number: {why}" }
    NoPhoneBack { "服务器未返回号码。", "伺服器未傳回號碼。", "the collector sent no number." }
    ActSignin { "登录", "登入", "Signed in" }
    ActSigninFailed { "登录失败", "登入失敗", "Sign-in failed" }
    ActSignout { "退出登录", "登出", "Signed out" }
    ActInvite { "接受邀请", "接受邀請", "Accepted an invite" }
    ActReveal { "查看号码", "查看號碼", "Showed a number" }
    ActExport { "导出", "匯出", "Export" }
    ActDelete { "删除回答", "刪除回答", "Deleted an answer" }
    ActPeople { "账号变更", "帳號變更", "Changed an account" }
    ActToken { "机器令牌", "機器權杖", "Machine token" }
    ActAuditRead { "查看审计记录", "查看稽核紀錄", "Read the audit trail" }
    Audit { "审计记录", "稽核紀錄", "Audit trail" }
    AuditHint { "谁在何时做了什么：登录、查看号码、导出、删除、账号与令牌变更。记录只能追加，不能修改或删除。时间为本地时间。", "誰在何時做了什麼：登入、查看號碼、匯出、刪除、帳號與權杖變更。紀錄只能追加，不能修改或刪除。時間為本地時間。", "Who did what, when: sign-ins, numbers shown, exports, deletions, changes to people and tokens. Entries can only be added, never changed or removed. Times are local." }
    AuditLoad { "显示最近 50 条记录", "顯示最近 50 筆紀錄", "Show the latest 50 entries" }
    AuditCsv { "下载 CSV（最近 10,000 条）", "下載 CSV（最近 10,000 筆）", "Download CSV (latest 10,000)" }
    AuditWho { "操作人", "操作者", "Who" }
    AuditWhat { "操作", "操作", "What" }
    AuditDetail { "详情", "詳情", "Detail" }
    DropFile { "或拖入导出的 JSON/CSV 文件", "或拖入匯出的 JSON/CSV 檔案", "or drop an exported JSON/CSV file" }
    ChooseFile { "选择文件", "選擇檔案", "Choose a file" }
    Loading { "正在载入…", "正在載入…", "Loading…" }
    LoadFailed { "无法载入：{why}", "無法載入：{why}", "Could not load: {why}" }
    NoData { "所选范围内还没有回答。", "所選範圍內還沒有回答。", "No responses in this range yet." }
    NothingCounted { "所选范围内没有可计入的回答。", "所選範圍內沒有可計入的回答。", "No response in this range can be counted." }
    Range { "时间", "時間", "Dates" }
    From { "从", "從", "From" }
    To { "到", "到", "To" }
    Last30 { "近 30 天", "近 30 天", "30 days" }
    Last90 { "近 90 天", "近 90 天", "90 days" }
    Last365 { "近 12 个月", "近 12 個月", "12 months" }
    All { "全部", "全部", "All" }
    Survey { "问卷", "問卷", "Survey" }
    Region { "区域", "區域", "Region" }
    City { "城市", "城市", "City" }
    Store { "门店", "門市", "Store" }
    Advisor { "顾问", "顧問", "Advisor" }
    Model { "车型", "車型", "Model" }
    ServiceType { "服务类型", "服務類型", "Service type" }
    Touchpoint { "触点", "觸點", "Touchpoint" }
    AtMaintenance { "保养", "保養", "Maintenance" }
    AtRepair { "维修", "維修", "Repair" }
    AtAfterService { "售后服务", "售後服務", "After-sales service" }
    Anyone { "全部", "全部", "All" }
    Share { "复制链接", "複製連結", "Copy link" }
    Shared { "已复制，对方需自行登录。", "已複製，對方需自行登入。", "Copied; whoever opens it signs in as themselves." }
    Nps { "净推荐值", "淨推薦值", "Net Promoter Score" }
    Interval { "很可能在 {lo} 至 {hi} 之间", "很可能在 {lo} 至 {hi} 之間", "most likely between {lo} and {hi}" }
    Responses { "{n} 条回答", "{n} 則回答", "{n} answers" }
    NotEnough { "样本不足（{n} 条），暂不评级", "樣本不足（{n} 則），暫不評級", "Too few answers ({n}) to judge" }
    NotEnoughWhy { "少于 {n} 条回答，分数波动大，不评级、不着色、不下结论。", "少於 {n} 則回答，分數波動大，不評級、不著色、不下結論。", "Fewer than {n} answers: the score moves a lot, so it gets no grade, colour or verdict." }
    WhatMeans { "这是什么意思？", "這是什麼意思？", "What does this mean?" }
    IntervalMeans { "只问了一部分顾客，分数会随抽到的顾客起伏。“很可能在……之间”是分数大概率（95%）所在的范围：回答越多，范围越窄，分数越可靠。", "只問了一部分顧客，分數會隨抽到的顧客起伏。「很可能在……之間」是分數大概率（95%）所在的範圍：回答越多，範圍越窄，分數越可靠。", "Only some customers answered, so the score moves with who did. “Most likely between” is the range the score is in with 95% confidence: the more answers, the narrower it is and the surer the score." }
    VerdictMeans { "“显著”表示差别大于偶然的起伏，可以据此行动；“在误差范围内”或“无显著差异”表示差别可能只是偶然，先别下结论。", "「顯著」表示差別大於偶然的起伏，可以據此行動；「在誤差範圍內」或「無顯著差異」表示差別可能只是偶然，先別下結論。", "“Up”, “down”, “above” or “below” means the difference is larger than chance would make it: act on it. “Within the margin” or “no clear difference” means it may be chance: do not conclude yet." }
    ChangeRange { "这次变化很可能在 {lo} 至 {hi} 之间。", "這次變化很可能在 {lo} 至 {hi} 之間。", "The change is most likely between {lo} and {hi}." }
    TargetStore { "门店目标 {t}", "門市目標 {t}", "store target {t}" }
    TargetRegion { "区域目标 {t}", "區域目標 {t}", "region target {t}" }
    TargetBrand { "品牌目标 {t}", "品牌目標 {t}", "brand target {t}" }
    TargetMet { "达到{target}", "達到{target}", "Meets the {target}" }
    TargetBelow { "低于{target}", "低於{target}", "Below the {target}" }
    TargetLine { "目标 {t}", "目標 {t}", "target {t}" }
    Good { "表现良好", "表現良好", "Good" }
    Fair { "尚可", "尚可", "Fair" }
    Poor { "需要改进", "需要改進", "Needs work" }
    VsPrevious { "较上一期（{from} 至 {to}）", "較上一期（{from} 至 {to}）", "vs the previous period ({from} to {to})" }
    UpOnLast { "比上期显著提升", "比上期顯著提升", "Up on last period" }
    DownOnLast { "比上期显著下降", "比上期顯著下降", "Down on last period" }
    WithinLast { "与上期相比在误差范围内", "與上期相比在誤差範圍內", "Within the margin of last period" }
    AboveRest { "显著高于其他{others}", "顯著高於其他{others}", "Above the other {others}" }
    BelowRest { "显著低于其他{others}", "顯著低於其他{others}", "Below the other {others}" }
    SameAsRest { "与其他{others}无显著差异", "與其他{others}無顯著差異", "No clear difference from the other {others}" }
    OtherStores { "门店", "門市", "stores" }
    OtherAdvisors { "顾问", "顧問", "advisors" }
    OtherModels { "车型", "車型", "models" }
    OtherServiceTypes { "服务类型", "服務類型", "service types" }
    OtherTouchpoints { "触点", "觸點", "touchpoints" }
    OtherRegions { "区域", "區域", "regions" }
    OtherCities { "城市", "城市", "cities" }
    NoPrevious { "上一期没有回答，无法比较。", "上一期沒有回答，無法比較。", "No responses in the previous period to compare with." }
    Promoters { "推荐者", "推薦者", "Promoters" }
    Passives { "中立者", "中立者", "Passives" }
    Detractors { "贬损者", "貶損者", "Detractors" }
    BarAlt { "推荐者 {p}，中立者 {q}，贬损者 {d}。", "推薦者 {p}，中立者 {q}，貶損者 {d}。", "Promoters {p}, passives {q}, detractors {d}." }
    WhereBad { "哪里不好", "哪裡不好", "Where it is bad" }
    WhereBadHint { "最差的排在最前，每一行都与其余的回答相比；颜色表示是否达到目标。", "最差的排在最前，每一列都與其餘的回答相比；顏色表示是否達到目標。", "Worst first, each row against all the other answers; the colour says whether it meets its target." }
    Segment { "分组", "分組", "Segment" }
    Score { "分数", "分數", "NPS" }
    Count { "回答数", "回答數", "Answers" }
    VsRest { "对比其余", "對比其餘", "vs the rest" }
    TableOf { "按{dim}的净推荐值，最差在前", "按{dim}的淨推薦值，最差在前", "NPS by {dim}, worst first" }
    Unnamed { "（未填写）", "（未填寫）", "(none given)" }
    Why { "原因", "原因", "Why" }
    DriversHint { "夸赞：选了这一项的推荐者；抱怨：选了这一项的中立者和贬损者。括号里是没有这些回答时净推荐值的变化：正数是它托起的分数，负数是它拉低的分数。点一行，看这些回答的评论。", "誇讚：選了這一項的推薦者；抱怨：選了這一項的中立者和貶損者。括號裡是沒有這些回答時淨推薦值的變化：正數是它撐起的分數，負數是它拉低的分數。點一列，看這些回答的評論。", "Praised: promoters who picked it; complained: passives and detractors who picked it. In brackets, what those answers do to the NPS: positive holds it up, negative pulls it down. Tap a row to read their comments." }
    Reason { "原因", "原因", "Reason" }
    Praised { "夸赞", "誇讚", "Praised" }
    Complained { "抱怨", "抱怨", "Complained" }
    SideOf { "{n} 人（{impact}）", "{n} 人（{impact}）", "{n} ({impact})" }
    OfReason { "选了“{reason}”的回答", "選了「{reason}」的回答", "Answers that chose “{reason}”" }
    AnyReason { "所有原因", "所有原因", "Any reason" }
    NoReasons { "还没有人选择原因。", "還沒有人選擇原因。", "Nobody has picked a reason yet." }
    Comments { "最新评论", "最新評論", "Latest comments" }
    Search { "搜索评论", "搜尋評論", "Search comments" }
    NoComments { "没有符合条件的评论。", "沒有符合條件的評論。", "No comments match." }
    Trend { "趋势", "趨勢", "Trend" }
    ByWeek { "按周", "按週", "By week" }
    ByMonth { "按月", "按月", "By month" }
    WeekOf { "{date} 周", "{date} 週", "w/c {date}" }
    TrendAlt { "{period}：{nps}（很可能在 {lo} 至 {hi} 之间），{n} 条回答", "{period}：{nps}（很可能在 {lo} 至 {hi} 之間），{n} 則回答", "{period}: {nps} (most likely {lo} to {hi}), {n} answers" }
    TrendLatest { "这里显示最近 {n} 期（共 {all} 期）；在更宽的屏幕上可看全部。", "這裡顯示最近 {n} 期（共 {all} 期）；在更寬的螢幕上可看全部。", "Showing the latest {n} of {all} periods; a wider screen shows them all." }
    TrendAltThin { "{period}：{nps}，{n} 条回答（样本不足，暂不评级）", "{period}：{nps}，{n} 則回答（樣本不足，暫不評級）", "{period}: {nps}, {n} answers (too few to judge)" }
    TrendN { "{n} 条", "{n} 則", "{n} ans." }
    WhatToDo { "怎么做", "怎麼做", "What to do" }
    WhatIf { "假如……", "假如……", "What if…" }
    LeverDetractors { "贬损者降到 {x}", "貶損者降到 {x}", "Detractors down to {x}" }
    LeverPromoters { "推荐者升到 {x}", "推薦者升到 {x}", "Promoters up to {x}" }
    LeverPassives { "{x} 的中立者转为推荐者", "{x} 的中立者轉為推薦者", "{x} of passives become promoters" }
    LeverResult { "净推荐值将为 {nps}（{delta}）", "淨推薦值將為 {nps}（{delta}）", "NPS would be {nps} ({delta})" }
    Cases { "回访队列", "回訪佇列", "Cases to work" }
    CasesHint { "每位不满意的客户一条回访，按承诺的时限最紧急的在前；超时的标红。", "每位不滿意的客戶一筆回訪，依承諾的時限最緊急的在前；逾時的標紅。", "One case per unhappy customer, the promise that runs out first on top; overdue in red." }
    ShowOpen { "待联系", "待聯絡", "To call" }
    ShowOverdue { "已超时", "已逾時", "Overdue" }
    ShowContacted { "已联系", "已聯絡", "Contacted" }
    ShowResolved { "已解决", "已解決", "Resolved" }
    HoursLeft { "还剩 {h} 小时", "還剩 {h} 小時", "{h} h left" }
    Overdue { "已超时 {h} 小时", "已逾時 {h} 小時", "{h} h overdue" }
    CasesCut { "只显示最紧急的 {n} 条。", "只顯示最緊急的 {n} 筆。", "Only the {n} most urgent are shown." }
    NoCases { "这里没有回访。", "這裡沒有回訪。", "No cases here." }
    CallOnFile { "按工单 {visit} 预留号码（尾号 {last4}）回电", "依工單 {visit} 預留號碼（尾號 {last4}）回電", "Call the number on order {visit} (ending {last4})" }
    CallOnFileNoVisit { "按工单预留号码（尾号 {last4}）回电", "依工單預留號碼（尾號 {last4}）回電", "Call the number on the order (ending {last4})" }
    Visit { "工单 {visit}", "工單 {visit}", "Order {visit}" }
    OwnedBy { "负责人：{who}", "負責人：{who}", "Owner: {who}" }
    StoreOwner { "门店负责人", "門市負責人", "the store's owner" }
    RootCauseWas { "根本原因：{cause}", "根本原因：{cause}", "Root cause: {cause}" }
    ActContact { "联系上了", "聯絡上了", "Reached them" }
    ActResolve { "已解决", "已解決", "Resolved" }
    ActReopen { "重新打开", "重新開啟", "Reopen" }
    ActAssign { "转交", "轉交", "Hand over" }
    AssignTo { "转交给同事（邮箱）", "轉交給同事（電子郵件）", "Hand over to a colleague (email)" }
    OwnerNeeded { "请填写同事的邮箱。", "請填寫同事的電子郵件。", "Enter a colleague's email." }
    ActHistory { "处理记录", "處理紀錄", "History" }
    ActRecovery { "发送回访问卷", "發送回訪問卷", "Send the follow-up survey" }
    MarkContacted { "标记为已联系", "標記為已聯絡", "Mark as contacted" }
    MarkResolved { "标记为已解决", "標記為已解決", "Mark as resolved" }
    Note { "备注", "備註", "Note" }
    NoteHint { "例如：已致电道歉，约好周六免费复检。", "例如：已致電道歉，約好週六免費複檢。", "e.g. Called to apologise; free re-check booked for Saturday." }
    RootCause { "根本原因", "根本原因", "Root cause" }
    ChooseRootCause { "请选择", "請選擇", "Choose one" }
    RootCauseNeeded { "请选择根本原因。", "請選擇根本原因。", "Choose a root cause." }
    Save { "保存", "儲存", "Save" }
    Cancel { "取消", "取消", "Cancel" }
    Saving { "正在保存…", "正在儲存…", "Saving…" }
    SaveFailed { "未能保存：{why}", "未能儲存：{why}", "Not saved: {why}" }
    CaseNotNow { "这条回访刚被更新过，请刷新后再试。", "這筆回訪剛被更新過，請重新整理後再試。", "This case has just changed: reload and try again." }
    CaseNotFound { "找不到这条回访，或它不在您负责的门店。", "找不到這筆回訪，或它不在您負責的門市。", "This case is not found, or not in your stores." }
    CaseReadOnly { "您的角色只能查看回访，不能处理。", "您的角色只能查看回訪，不能處理。", "Your role can read cases but not work them." }
    Reload { "刷新", "重新整理", "Reload" }
    EvOpened { "创建回访", "建立回訪", "Case opened" }
    EvCallback { "客户要求回电", "客戶要求回電", "Call-back asked for" }
    EvContacted { "已联系", "已聯絡", "Contacted" }
    EvResolved { "已解决", "已解決", "Resolved" }
    EvReopened { "重新打开", "重新開啟", "Reopened" }
    EvNote { "备注", "備註", "Note" }
    EvAssigned { "转交", "轉交", "Reassigned" }
    EvRecoveryLink { "回访问卷链接已生成", "回訪問卷連結已產生", "Follow-up link made" }
    EvRecoveryAnswer { "客户回答了回访问卷", "客戶回答了回訪問卷", "Follow-up answered" }
    RecoveryHint { "复制链接，由门店按习惯发给客户（短信、微信等）。", "複製連結，由門市依習慣傳給客戶（簡訊、LINE 等）。", "Copy the link and send it the way your store prefers (SMS, WeChat…)." }
    NoRecoveryUrl { "回访问卷链接还不能生成，请联系系统管理员开启。", "回訪問卷連結還不能產生，請聯絡系統管理員開啟。", "The follow-up link cannot be made yet: ask your system administrator to turn it on." }
    Copy { "复制", "複製", "Copy" }
    Copied { "已复制。", "已複製。", "Copied." }
    RecoveryScore { "回访问卷评分 {score}", "回訪問卷評分 {score}", "Follow-up score {score}" }
    AnswerScore { "客户打 {score} 分", "客戶打 {score} 分", "Scored {score}" }
    WhoCollector { "系统", "系統", "System" }
    CaseStats { "门店与顾问的回访", "門市與顧問的回訪", "Cases by store and advisor" }
    CasesSignIn { "登录后可查看并处理回访。", "登入後可查看並處理回訪。", "Sign in to see and work the cases." }
    CaseStatsHint { "按时联系：在承诺时限内联系上的比例；挽回率：回访问卷打 7 分及以上的比例（分母为已回答的客户）。", "準時聯絡：在承諾時限內聯絡上的比例；挽回率：回訪問卷打 7 分以上的比例（分母為已回答的客戶）。", "In time: the share reached within the promise. Recovered: the share scoring 7 or more on the follow-up survey, of those who answered." }
    StatCases { "回访数", "回訪數", "Cases" }
    StatOpen { "未解决", "未解決", "Open now" }
    StatOverdue { "已超时", "已逾時", "Overdue now" }
    StatInTime { "按时联系", "準時聯絡", "In time" }
    StatMedian { "首次联系（中位）", "首次聯絡（中位）", "Median to first contact" }
    StatRecovery { "挽回率", "挽回率", "Recovered" }
    Hours { "{h} 小时", "{h} 小時", "{h} h" }
    RateOf { "{pct}（{k}/{n}）", "{pct}（{k}/{n}）", "{pct} ({k}/{n})" }
    NoStats { "还没有回访。", "還沒有回訪。", "No cases yet." }
    Phone { "电话", "電話", "Phone" }
    When { "时间", "時間", "When" }
    LeftOut { "另有 {n} 条回答未计入：{why}。", "另有 {n} 則回答未計入：{why}。", "{n} more answers are left out: {why}." }
    LeftTooFast { "{n} 条答得太快，来不及读题", "{n} 則答得太快，來不及讀題", "{n} answered too fast to have read the question" }
    LeftHoneypot { "{n} 条疑似机器人填写", "{n} 則疑似機器人填寫", "{n} look filled in by a robot" }
    LeftRecovery { "{n} 条是回访问卷的回答，计入挽回率", "{n} 則是回訪問卷的回答，計入挽回率", "{n} are follow-up survey answers, counted in the recovery rate" }
    LeftOther { "{n} 条另有标记", "{n} 則另有標記", "{n} carry another flag" }
    ListSep { "；", "；", "; " }
    Language { "语言", "語言", "Language" }
    Funnel { "回复率与转介绍", "回覆率與轉介紹", "Response & referrals" }
    FunnelRange { "范围较长：这里的数字按最近 {days} 天计算（{from} 起）。", "範圍較長：這裡的數字按最近 {days} 天計算（{from} 起）。", "A long range: these figures count the last {days} days (from {from})." }
    FunnelHint { "邀请：门店发出的评价邀请（工单链接或二维码）。打开：受邀顾客中打开了问卷或已回答的。受邀后回答：受邀顾客中回答了的；回复率 = 受邀后回答 ÷ 邀请，区间越窄，数字越可靠。回答数：所有回答（包括没有记录邀请的），净推荐值和需核实的比例都按它计算。", "邀請：門市發出的評價邀請（工單連結或 QR 碼）。開啟：受邀顧客中開啟了問卷或已回答的。受邀後回答：受邀顧客中回答了的；回覆率 = 受邀後回答 ÷ 邀請，區間越窄，數字越可靠。回答數：所有回答（包括沒有記錄邀請的），淨推薦值和需核實的比例都按它計算。", "Invited: the survey invitations a store sent (an order's link or QR code). Opened: invited customers who opened the survey or answered it. Answered of invited: invited customers who answered; response rate = answered of invited ÷ invited; the narrower the interval, the surer the figure. Answers: every answer (invited or not), which the NPS and the share to check count." }
    FunnelSignIn { "登录后可查看回复率与转介绍。", "登入後可查看回覆率與轉介紹。", "Sign in to see response rates and referrals." }
    NoFunnel { "所选范围内还没有邀请或回答。", "所選範圍內還沒有邀請或回答。", "No invitations or answers in this range yet." }
    Invited { "邀请", "邀請", "Invited" }
    Opened { "打开", "開啟", "Opened" }
    Answered { "受邀后回答", "受邀後回答", "Answered of invited" }
    ResponseRate { "回复率", "回覆率", "Response rate" }
    NoInvites { "未记录邀请", "未記錄邀請", "No invitations recorded" }
    FunnelAnswers { "回答数", "回答數", "Answers" }
    LowResponse { "只收到了少数顾客的评价", "只收到了少數顧客的評價", "Only a few customers answered" }
    LowResponseWhy { "{name}：净推荐值较高，但受邀的 {invited} 位顾客中只有 {answered} 位回答。如果只有满意的顾客拿到了邀请，这个分数并不代表所有顾客。", "{name}：淨推薦值較高，但受邀的 {invited} 位顧客中只有 {answered} 位回答。如果只有滿意的顧客拿到了邀請，這個分數並不代表所有顧客。", "{name}: the NPS is high, but only {answered} of {invited} invited customers answered. If only happy customers were invited, the score does not speak for all of them." }
    Referrals { "转介绍", "轉介紹", "Referrals" }
    ReferralHint { "推荐者 → 分享了专属链接 → 朋友打开 → 预约 → 成交。转介绍率 = 朋友已成交的推荐者 ÷ 推荐者。", "推薦者 → 分享了專屬連結 → 朋友開啟 → 預約 → 成交。轉介紹率 = 朋友已成交的推薦者 ÷ 推薦者。", "Promoters → shared their link → friends opened it → booked → bought. Referral rate = promoters whose friend bought ÷ promoters." }
    StepShared { "已分享", "已分享", "Shared" }
    StepOpened { "朋友打开", "朋友開啟", "Friends opened" }
    StepBooked { "已预约", "已預約", "Booked" }
    StepBought { "已成交", "已成交", "Bought" }
    ReferralRate { "转介绍率", "轉介紹率", "Referral rate" }
    FunnelTrend { "月度趋势", "月度趨勢", "Month by month" }
    FunnelTrendHint { "截至所选范围结束的 12 个月。", "截至所選範圍結束的 12 個月。", "The 12 months up to the end of the range." }
    Month { "月份", "月份", "Month" }
    Flags { "需要核实的回答", "需要核實的回答", "Answers to check" }
    FlagsHint { "以下情况可能是顾客在店内被要求打分。这些回答仍计入净推荐值，只是标出来供核实；占比高时，请先核实再看分数。", "以下情況可能是顧客在店內被要求打分。這些回答仍計入淨推薦值，只是標出來供核實；占比高時，請先核實再看分數。", "These patterns suggest customers were asked to score in the store. The answers still count in the NPS; they are only marked for checking. Where the share is high, check them before trusting the score." }
    ToCheck { "需核实", "需核實", "To check" }
    FlagSameDevice { "同一设备多次回答", "同一裝置多次回答", "One device, many answers" }
    FlagSameDeviceWhy { "几小时内，同一部手机或平板为同一门店的不同工单回答了多次，例如门店自己的平板。", "幾小時內，同一支手機或平板為同一門市的不同工單回答了多次，例如門市自己的平板。", "Within a few hours, one phone or tablet answered for several different visits of one store: the store's own tablet, say." }
    FlagSameNetwork { "同一网络集中回答", "同一網路集中回答", "One network, many answers" }
    FlagSameNetworkWhy { "几小时内，同一门店的许多不同工单都从同一个网络回答，而且另有迹象：其中有同一设备重复回答、在柜台当场回答或集中打高分，或者这个网络的回答占比远高于平时，例如门店自己的 Wi-Fi。顾客在休息区连上访客 Wi-Fi 各自回答不会被标出。", "幾小時內，同一門市的許多不同工單都從同一個網路回答，而且另有跡象：其中有同一裝置重複回答、在櫃檯當場回答或集中打高分，或者這個網路的回答占比遠高於平時，例如門市自己的 Wi-Fi。顧客在休息區連上訪客 Wi-Fi 各自回答不會被標出。", "Within a few hours, many different visits of one store answered from one network, with another sign: one device answering again, answers at the counter or a burst of top scores among them, or the network's share of the store's answers far above its usual: the store's own Wi-Fi, say. Customers answering on the lounge's guest Wi-Fi, each on their own phone, are not flagged." }
    FlagAtCounter { "在柜台当场回答", "在櫃檯當場回答", "Answered at the counter" }
    FlagAtCounterWhy { "发出评价邀请后一两分钟内就回答了，顾客很可能还在店里。", "發出評價邀請後一兩分鐘內就回答了，顧客很可能還在店裡。", "Answered within a minute or two of the survey invitation being sent: the customer was most likely still in the store." }
    FlagTenBurst { "集中打 10 分", "集中打 10 分", "A burst of 10s" }
    FlagTenBurstWhy { "半小时内同一门店收到多条 10 分，而且几乎全是 10 分。", "半小時內同一門市收到多則 10 分，而且幾乎全是 10 分。", "Within half an hour, one store got several 10s and almost nothing else." }
    FlagHighBurst { "集中打 9–10 分", "集中打 9–10 分", "A burst of 9s and 10s" }
    FlagHighBurstWhy { "半小时内同一门店收到多条 9 分或 10 分，几乎没有别的分数，而这家门店平时打 9–10 分的比例要低得多（例如请顾客“打 9 分或 10 分”）。", "半小時內同一門市收到多則 9 分或 10 分，幾乎沒有別的分數，而這家門市平時打 9–10 分的比例要低得多（例如請顧客「打 9 分或 10 分」）。", "Within half an hour, one store got several 9s and 10s and almost nothing else, far more than its usual share of them (customers asked to “give a 9 or 10”, say)." }
    ShowFlagged { "查看", "查看", "Show" }
    FlaggedAt { "{name} 需要核实的回答", "{name} 需要核實的回答", "Answers to check at {name}" }
    NoFlagged { "没有需要核实的回答。", "沒有需要核實的回答。", "No answers to check." }
    Bookings { "朋友的预约", "朋友的預約", "Friends' bookings" }
    BookingsHint { "推荐者的朋友在预约页留下的称呼、希望到店的日期和号码。请尽快联系朋友，并向推荐者致谢；显示完整号码会记录在审计日志中。", "推薦者的朋友在預約頁留下的稱呼、希望到店的日期和號碼。請盡快聯絡朋友，並向推薦者致謝；顯示完整號碼會記錄在稽核紀錄中。", "The name, preferred date and number a promoter's friend left on the booking page. Call the friend soon and thank the promoter; showing a full number is written to the audit trail." }
    NoBookings { "还没有朋友预约。", "還沒有朋友預約。", "No friend has booked yet." }
    BookingNoName { "朋友（未留称呼）", "朋友（未留稱呼）", "A friend (no name given)" }
    BookingDate { "希望{date}到店", "希望{date}到店", "Would like to come on {date}" }
    BookingNoDate { "未选日期", "未選日期", "No date chosen" }
    BookingPromoter { "推荐人：{name}", "推薦人：{name}", "Referred by {name}" }
    BookingPhoneGone { "号码已按保留期限删除", "號碼已按保留期限刪除", "The number was removed after its retention period" }
    BookingViaBrand { "由品牌系统报告，联系方式在品牌系统中", "由品牌系統回報，聯絡方式在品牌系統中", "Reported by the brand's system, which holds the contact" }
    BookingsMore { "再显示 {k} 条（还有 {left} 条）", "再顯示 {k} 則（還有 {left} 則）", "Show {k} more ({left} left)" }
    Themes { "贬损者在说什么", "貶損者在說什麼", "What detractors write about" }
    ThemesHint { "贬损者（0–6 分）留言中最常一起出现的词，每条留言只算一次；与上一个同样长的时期相比。点一项，查看这些留言。", "貶損者（0–6 分）留言中最常一起出現的詞，每則留言只算一次；與上一個同樣長的時期相比。點一項，查看這些留言。", "The words detractors (0–6) use most in their comments, each comment counted once, against the previous period of the same length. Tap one to read those comments." }
    ThemesOf { "本期 {n} 条贬损者留言", "本期 {n} 則貶損者留言", "{n} detractors' comments this period" }
    NoThemes { "本期贬损者的留言太少，还看不出共同的主题。", "本期貶損者的留言太少，還看不出共同的主題。", "Too few detractors' comments this period to show a common theme." }
    ThemeCount { "{n} 条（{share}）", "{n} 則（{share}）", "{n} comments ({share})" }
    ThemeChange { "{points} 个百分点", "{points} 個百分點", "{points} points" }
    ThemeNew { "新出现", "新出現", "new" }
    DrillTitle { "逐级查看", "逐級查看", "Drill down" }
    DrillHint { "点击名称进入下一级：区域 → 城市 → 门店 → 顾问。回答少于 {n} 条的只列数字，不与目标比较。", "點選名稱進入下一級：區域 → 城市 → 門市 → 顧問。回答少於 {n} 則的只列數字，不與目標比較。", "Tap a name to open the level below: region → city → store → advisor. With fewer than {n} responses, the figures are shown but not compared with the target." }
    DrillWhole { "全品牌", "全品牌", "Whole brand" }
    DrillOneStore { "这里的回答都来自{store}：各级（区域、城市）的数字只含这家门店。", "這裡的回答都來自{store}：各級（區域、城市）的數字只含這家門市。", "Every response here is from {store}: each level's figures (region, city) hold this store's only." }
    DrillFind { "搜索名称或编号", "搜尋名稱或編號", "Search by name or code" }
    DrillSort { "排序", "排序", "Sort" }
    SortNps { "分数从低到高", "分數從低到高", "Lowest NPS first" }
    SortN { "回答最多", "回答最多", "Most responses" }
    SortRate { "回复率从低到高", "回覆率從低到高", "Lowest response rate first" }
    SortOpen { "待处理案例最多", "待處理案例最多", "Most open cases" }
    SortTarget { "低于目标最多", "低於目標最多", "Furthest below target" }
    SortName { "名称", "名稱", "Name" }
    ColTrend { "趋势", "趨勢", "Trend" }
    ColRate { "回复率", "回覆率", "Response rate" }
    ColOpen { "待处理", "待處理", "Open cases" }
    ColTarget { "目标", "目標", "Target" }
    VsTarget { "比目标 {points}", "比目標 {points}", "{points} vs target" }
    DrillMore { "再显示 {k} 个（还有 {left} 个）", "再顯示 {k} 個（還有 {left} 個）", "Show {k} more ({left} left)" }
    DrillFound { "找到 {k} 个，共 {n} 个", "找到 {k} 個，共 {n} 個", "{k} of {n} found" }
    DrillNone { "没有名称或编号包含“{q}”的{level}。", "沒有名稱或編號包含「{q}」的{level}。", "No {level} has “{q}” in its name or code." }
    DrillOpenRow { "查看{name}的{level}", "查看{name}的{level}", "Open {name}'s {level}" }
    SparkAlt { "各期净推荐值：{points}", "各期淨推薦值：{points}", "NPS by period: {points}" }
}

/// The name of a segment dimension.
pub fn dimension(d: Dimension) -> Word {
    match d {
        Dimension::Store => Word::Store,
        Dimension::Advisor => Word::Advisor,
        Dimension::Model => Word::Model,
        Dimension::ServiceType => Word::ServiceType,
        Dimension::Touchpoint => Word::Touchpoint,
    }
}

/// The name of a role key (`admin`, `region`, `store`, `analyst`), as `GET /api/session` says it.
pub fn role(key: &str) -> Option<Word> {
    Some(match key {
        "admin" => Word::RoleAdmin,
        "region" => Word::RoleRegion,
        "store" => Word::RoleStore,
        "analyst" => Word::RoleAnalyst,
        _ => return None,
    })
}

/// What an audit trail action (`audit::ACTIONS` of the collector) is called; `None` for one
/// this page does not know (shown by its key).
pub fn audit_action(key: &str) -> Option<Word> {
    Some(match key {
        "signin" => Word::ActSignin,
        "signin_failed" => Word::ActSigninFailed,
        "signout" => Word::ActSignout,
        "invite_accepted" => Word::ActInvite,
        "reveal" => Word::ActReveal,
        "export" => Word::ActExport,
        "delete" => Word::ActDelete,
        "audit_read" => Word::ActAuditRead,
        k if k.starts_with("user_") => Word::ActPeople,
        k if k.starts_with("token_") => Word::ActToken,
        _ => return None,
    })
}

/// The name of a grouping of the segment table: a dimension, or a level of the org.
pub fn by(b: By) -> Word {
    match b {
        By::Dim(d) => dimension(d),
        By::Region => Word::Region,
        By::City => Word::City,
    }
}

/// The name of a level of the places table.
pub fn level(l: Level) -> Word {
    match l {
        Level::Region => Word::Region,
        Level::City => Word::City,
        Level::Store => Word::Store,
        Level::Advisor => Word::Advisor,
    }
}

/// How the places table can be sorted, in words.
pub fn sort(s: Sort) -> Word {
    match s {
        Sort::Nps => Word::SortNps,
        Sort::N => Word::SortN,
        Sort::Rate => Word::SortRate,
        Sort::Open => Word::SortOpen,
        Sort::Target => Word::SortTarget,
        Sort::Name => Word::SortName,
    }
}

/// The built-in name of a touchpoint code, if it is one of the widget's (`Touchpoint`),
/// shown where the brand's names file gives none.
pub fn touchpoint(code: &str) -> Option<Word> {
    Touchpoint::from_code(code).map(|t| match t {
        Touchpoint::Maintenance => Word::AtMaintenance,
        Touchpoint::Repair => Word::AtRepair,
        Touchpoint::AfterService => Word::AtAfterService,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_exists_in_every_locale_with_the_same_placeholders() {
        let holes = |s: &str| {
            let mut h: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_owned()))
                .collect();
            h.sort();
            h
        };
        for w in Word::ALL {
            let en = holes(w.in_(Locale::En));
            for l in Locale::ALL {
                assert!(!w.in_(l).is_empty(), "{w:?} empty in {l}");
                assert_eq!(holes(w.in_(l)), en, "{w:?} in {l}");
            }
        }
        assert_eq!(
            dimension(Dimension::Touchpoint).in_(Locale::En),
            "Touchpoint",
            "one name per dimension"
        );
        // One word per grouping (every dimension, region, city) and per touchpoint the
        // widget knows, each its own.
        let mut words: Vec<Word> = By::ALL.map(by).to_vec();
        words.extend(Touchpoint::ALL.map(|t| touchpoint(t.code()).expect("a word")));
        let n = words.len();
        words.sort_by_key(|w| w.in_(Locale::En));
        words.dedup();
        assert_eq!(words.len(), n);
        assert_eq!(
            [By::Region, By::City].map(|b| by(b).in_(Locale::ZhTw)),
            ["區域", "城市"]
        );
        assert_eq!(touchpoint("repair"), Some(Word::AtRepair));
        assert_eq!(
            touchpoint("after_service").map(|w| w.in_(Locale::ZhCn)),
            Some("售后服务")
        );
        assert_eq!(touchpoint("kiosk"), None);
    }

    #[test]
    fn zh_tw_says_to_get_in_touch_as_the_pages_do() {
        for w in Word::ALL {
            assert!(
                !w.in_(Locale::ZhTw).contains("聯繫"),
                "{w:?}: 聯絡, as the pages say"
            );
        }
    }
}
