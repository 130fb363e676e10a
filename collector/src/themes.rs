//! `GET /api/themes`: what customers write about, in words a manager reads. The comments of
//! one category (detractors unless asked otherwise) in the range and in the previous range of
//! the same length are cut into words (`jieba-rs`, whose dictionary lives on the server only:
//! no browser bundle carries it), each word counted once per comment; the themes are the
//! words most comments share this range (words always said together, one theme), with their
//! share then and before and the change.
//!
//! Counted as the dashboard counts: scored answers without a flag (too fast, honeypot,
//! re-survey), of the caller's scope (`Action::ReadAnswers` at each answer's store, as every
//! row), by when the collector first stored them. The answer carries words and counts, never a
//! comment or a phone: the comments behind a theme are the comment search's (the word is the
//! search).
//!
//! Query: `from`, `to` (a date or an RFC 3339 time; both or neither: without them, the 30 days
//! up to now), `survey`, `store`, `advisor`, `region`, `city`, `category` (`detractor`,
//! `passive`, `promoter`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use jieba_rs::Jieba;

mod route;
pub(crate) use route::themes_route;
pub use route::Ask;

/// The query keys.
pub const PARAMS: [&str; 8] = [
    "from", "to", "survey", "store", "advisor", "region", "city", "category",
];
/// The range when none is asked for: the 30 days up to now.
pub(crate) const DEFAULT_DAYS: i64 = 30;
/// Themes listed, most shared first.
pub const MAX_THEMES: usize = 12;
/// A word in fewer comments than this is one customer's, not a theme.
pub const MIN_COMMENTS: usize = 2;

pub(crate) const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// Words that carry no theme: function words, pronouns, degree words and the fillers every
/// comment has, in Chinese (simplified and traditional) and English.
const STOPWORDS: &[&str] = &[
    "的", "了", "是", "我", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "我們", "你們",
    "他們", "这", "那", "这个", "那个", "這", "這個", "那個", "这次", "這次", "就", "都", "也",
    "还", "還", "很", "太", "非常", "比较", "比較", "有点", "有點", "一点", "一點", "一些", "没有",
    "沒有", "没", "沒", "不", "不是", "但是", "可是", "而且", "所以", "因为", "因為", "如果",
    "然后", "然後", "还是", "還是", "就是", "觉得", "覺得", "感觉", "感覺", "真的", "一个", "一個",
    "一下", "什么", "什麼", "怎么", "怎麼", "这么", "這麼", "那么", "那麼", "已经", "已經", "还有",
    "還有", "以后", "以後", "之后", "之後", "之前", "时候", "時候", "可以", "能够", "能夠", "希望",
    "建议", "建議", "问题", "問題", "一般", "不错", "不錯", "特别", "特別", "一直", "其实", "其實",
    "而且", "以及", "还要", "還要", "需要", "知道", "没人", "沒人", "大家", "自己", "每次", "今天",
    "这样", "這樣", "那样", "那樣", "the", "and", "was", "were", "for", "with", "that", "this",
    "not", "but", "very", "too", "they", "them", "have", "had", "has", "are", "you", "your", "our",
    "from", "there", "their", "what", "when", "which", "would", "could", "just", "really", "about",
    "after", "before", "into", "more", "than", "then", "also", "been", "will", "all", "any", "got",
    "get", "one", "its", "it's", "didn't", "don't", "did", "does", "she", "his", "her", "him",
    "who", "out", "some", "much", "even", "only", "still", "again",
];

/// The segmenter, its dictionary read once per process (half a second in a release build),
/// on a blocking thread.
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Whether a word may name a theme: two or more Chinese characters, or three or more letters
/// and no digit (`call13800138000` is a phone, not a theme), and not a stopword.
fn is_theme_word(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    let cjk = chars.iter().filter(|c| is_cjk(**c)).count();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let shaped = (cjk >= 2 && cjk == chars.len())
        || (cjk == 0 && letters >= 3 && chars.iter().all(|c| c.is_alphabetic() || *c == '\''));
    // "三个", "两次", "几天": a count, not a theme.
    let count = cjk == 2 && "一二三四五六七八九十两几半".contains(chars[0]);
    shaped && !count && !STOPWORDS.contains(&word)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// The theme words of one comment, each once.
pub fn words(comment: &str) -> HashSet<String> {
    // A phone in any script is stars before it is cut (`一三八…` would be Chinese words).
    let comment = crate::alerts::message::customer_words(comment);
    // The search cut also gives the words inside a long one ("等待" inside "等待时间"), so
    // that comments saying it either way share the theme.
    jieba()
        .cut_for_search(&comment, true)
        .into_iter()
        .map(|t| t.word.to_lowercase())
        .filter(|w| is_theme_word(w))
        .collect()
}

/// One theme: its words (those that always come together in this range's comments, as
/// "顾问 · 态度 · 很差" do, in the order a comment says them), how many comments of each range
/// say them all, and the share of the range's comments that do.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub words: Vec<String>,
    pub comments: usize,
    pub share: f64,
    pub previous_comments: usize,
    /// `None` when the previous range had no comments to compare with.
    pub previous_share: Option<f64>,
}

impl Theme {
    /// The word to search the comments for: the first (every comment of the theme has all).
    pub fn term(&self) -> &str {
        &self.words[0]
    }

    /// The change of share against the previous range, in points of a share (0.1 = 10 %).
    pub fn change(&self) -> Option<f64> {
        self.previous_share.map(|p| self.share - p)
    }
}

/// Which comments say each theme word (indexes, ascending).
fn said_in(comments: &[&str]) -> HashMap<String, Vec<usize>> {
    let mut at: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in comments.iter().enumerate() {
        for w in words(c) {
            at.entry(w).or_default().push(i);
        }
    }
    at
}

/// The themes of `current` against `previous` (comments), most shared first, then the largest
/// rise, then by the words; at most `MAX_THEMES`, each in at least `MIN_COMMENTS` comments.
/// A word inside a longer one is told by it when both are in the same number of comments
/// ("不耐" inside "不耐烦"), and tells it when the shorter is in more ("等待" beside
/// "等待时间"); words said in exactly the same comments are one theme.
pub fn themes(current: &[&str], previous: &[&str]) -> Vec<Theme> {
    let before = said_in(previous);
    let mut now: Vec<(String, Vec<usize>)> = said_in(current)
        .into_iter()
        .filter(|(_, at)| at.len() >= MIN_COMMENTS)
        .collect();
    // First the longer words a shorter one inside them tells (said in more comments), then
    // the shorter words a remaining longer one tells (said in as many).
    let counts = |now: &[(String, Vec<usize>)]| -> Vec<(String, usize)> {
        now.iter().map(|(w, at)| (w.clone(), at.len())).collect()
    };
    let longer = counts(&now);
    now.retain(|(w, at)| {
        !longer
            .iter()
            .any(|(o, k)| o != w && w.contains(o.as_str()) && *k > at.len())
    });
    let kept = counts(&now);
    now.retain(|(w, at)| {
        !kept
            .iter()
            .any(|(o, k)| o != w && o.contains(w.as_str()) && *k == at.len())
    });
    let mut groups: HashMap<Vec<usize>, Vec<String>> = HashMap::new();
    for (w, at) in now {
        groups.entry(at).or_default().push(w);
    }
    let share = |k: usize, of: usize| k as f64 / of as f64;
    let mut out: Vec<Theme> = groups
        .into_iter()
        .map(|(at, mut words)| {
            // In the order the theme's first comment says them.
            let first = current[at[0]].to_lowercase();
            words.sort_by_key(|w| (first.find(w.as_str()).unwrap_or(usize::MAX), w.clone()));
            // Every comment saying one word of the theme says them all: the first word's
            // comments are the theme's, in the previous range too.
            let was = before.get(&words[0]).map_or(0, Vec::len);
            Theme {
                comments: at.len(),
                share: share(at.len(), current.len()),
                previous_comments: was,
                previous_share: (!previous.is_empty()).then(|| share(was, previous.len())),
                words,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.comments
            .cmp(&a.comments)
            .then(
                b.change()
                    .unwrap_or(0.0)
                    .total_cmp(&a.change().unwrap_or(0.0)),
            )
            .then_with(|| a.words.cmp(&b.words))
    });
    out.truncate(MAX_THEMES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_comments_nouns_and_complaints_without_fillers() {
        let w = words("等了两个小时，没人告诉进度。");
        assert!(w.contains("进度") && w.contains("小时"), "{w:?}");
        for filler in ["了", "，", "没人", "两个"] {
            assert!(!w.contains(filler), "{filler} in {w:?}");
        }
        assert!(!words("等了三个多小时").contains("三个"));
        let w = words("顾问态度很好，但是维修质量一般，收费太贵了");
        for want in ["顾问", "态度", "维修", "质量", "收费", "太贵"] {
            assert!(w.contains(want), "{want} not in {w:?}");
        }
        assert!(!w.contains("但是") && !w.contains("一般") && !w.contains("很"));
        let w = words("The WiFi was down and the waiting room was LOUD");
        assert!(
            w.contains("wifi") && w.contains("waiting") && w.contains("loud"),
            "{w:?}"
        );
        assert!(!w.contains("the") && !w.contains("was"));
        assert!(words("！！！ 123 。。").is_empty());
        // No phone becomes a theme, in any script or glued to a word.
        for phone in [
            "call13800138000 please",
            "请回电 13800138000",
            "电话一三八零零一三八零零零",
            "ｔｅｌ１３８００１３８０００",
            "mobile138-0013-8000",
        ] {
            let w = words(phone);
            let numeral = |c: char| c.is_numeric() || "一三八零".contains(c);
            assert!(w.iter().all(|w| !w.chars().any(numeral)), "{phone}: {w:?}");
        }
    }

    #[test]
    fn a_theme_counts_each_comment_once_and_compares_shares_with_the_range_before() {
        let now = [
            "等待时间太长，等待区也很吵",
            "等待时间太长了",
            "收费太贵",
            "收费不透明，收费太贵",
            "等待太久",
            "洗车没洗干净",
        ];
        let before = ["收费太贵", "收费太贵", "洗车没洗干净", "顾问态度差"];
        let t = themes(&now, &before);
        let of = |term: &str| {
            t.iter()
                .find(|x| x.words.iter().any(|w| w == term))
                .cloned()
        };
        // "等待" is in three comments (twice in the first: counted once).
        let wait = of("等待").expect("等待 is a theme");
        assert_eq!((wait.comments, wait.previous_comments), (3, 0));
        assert!((wait.share - 0.5).abs() < 1e-9);
        assert_eq!(wait.previous_share, Some(0.0));
        assert!((wait.change().unwrap() - 0.5).abs() < 1e-9);
        let fee = of("收费").expect("收费 is a theme");
        assert_eq!((fee.comments, fee.previous_comments), (2, 2));
        assert!((fee.change().unwrap() - (2.0 / 6.0 - 0.5)).abs() < 1e-9);
        // Most shared first; a word of one comment is no theme.
        assert_eq!(t[0].term(), "等待");
        assert!(of("洗车").is_none() && of("顾问").is_none());
        // "等待时间" (two comments) is told by "等待" (three).
        assert!(of("等待时间").is_none(), "{t:?}");
        assert!(t.windows(2).all(|w| w[0].comments >= w[1].comments));
        // Nothing before: no change to claim.
        let alone = themes(&now, &[]);
        assert!(alone
            .iter()
            .all(|t| t.previous_share.is_none() && t.change().is_none()));
        assert!(themes(&[], &before).is_empty());
        // Words always said together are one theme, in the order they are said; a word
        // inside a longer one said as often is told by it.
        let t = themes(
            &[
                "顾问态度很差，问什么都不耐烦。",
                "顾问态度很差，问什么都不耐烦！",
                "不耐烦",
            ],
            &["顾问态度很差"],
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(
            (t[0].words.as_slice(), t[0].comments),
            (&["不耐烦".to_owned()][..], 3)
        );
        assert_eq!(t[1].words, ["顾问", "态度", "很差"]);
        assert_eq!((t[1].comments, t[1].previous_comments), (2, 1));
        assert_eq!(t[0].previous_comments, 0);
    }

    #[test]
    fn at_most_the_top_themes_are_listed() {
        let words: Vec<String> = (0..40).map(|i| format!("问题{i}")).collect();
        let many: Vec<String> = [
            "门店",
            "师傅",
            "发票",
            "保险",
            "轮胎",
            "空调",
            "刹车",
            "异响",
            "配件",
            "预约",
            "停车",
            "休息区",
            "咖啡",
            "充电",
            "钣金",
        ]
        .iter()
        .flat_map(|w| [format!("{w}有问题"), format!("{w}不行")])
        .chain(words)
        .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let t = themes(&refs, &[]);
        assert_eq!(t.len(), MAX_THEMES);
    }
}
