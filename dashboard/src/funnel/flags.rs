//! The coaching flags in plain words: each reason the collector gives an answer
//! (`same_device`, `same_network`, `at_counter`, `ten_burst`, `high_burst`; the rules and their limits are
//! the core's `growth::flags`), its name and what it means, a row's counts per reason, and the
//! flagged answers of a store (`GET /api/funnel/flags`). A flag never drops an answer: the
//! NPS beside it counts them all.

use std::collections::BTreeMap;

use nps_core::scoring::analysis::minutes_of;
use nps_core::words::Locale;
use serde::Deserialize;

use crate::words::Word;

/// A reason an answer is flagged: the core's (`growth::flags::Reason`, one owner of the keys
/// and the rules), worded here.
pub use nps_core::growth::flags::Reason;

/// A reason in words (`use` this trait to call `word` and `why` on a `Reason`).
pub trait Words {
    /// Its short name.
    fn word(self) -> Word;
    /// What it means, in a sentence a store manager reads.
    fn why(self) -> Word;
}

impl Words for Reason {
    fn word(self) -> Word {
        match self {
            Reason::SameDevice => Word::FlagSameDevice,
            Reason::SameNetwork => Word::FlagSameNetwork,
            Reason::AtCounter => Word::FlagAtCounter,
            Reason::TenBurst => Word::FlagTenBurst,
            Reason::HighBurst => Word::FlagHighBurst,
        }
    }

    fn why(self) -> Word {
        match self {
            Reason::SameDevice => Word::FlagSameDeviceWhy,
            Reason::SameNetwork => Word::FlagSameNetworkWhy,
            Reason::AtCounter => Word::FlagAtCounterWhy,
            Reason::TenBurst => Word::FlagTenBurstWhy,
            Reason::HighBurst => Word::FlagHighBurstWhy,
        }
    }
}

/// A reason's name in a locale; one this page does not know, by its key (shown, never hidden).
pub fn label(key: &str, locale: Locale) -> String {
    Reason::of(key).map_or_else(|| key.to_owned(), |r| r.word().in_(locale).to_owned())
}

/// A reason list in words: `同一设备多次回答、在柜台当场回答`, `One device, many answers, …`.
pub fn labels(keys: &[String], locale: Locale) -> String {
    let sep = if locale == Locale::En { ", " } else { "、" };
    keys.iter()
        .map(|k| label(k, locale))
        .collect::<Vec<_>>()
        .join(sep)
}

/// A row's counts per reason with answers, the known reasons in their order, then any other.
pub fn counts(flags: &BTreeMap<String, u64>, locale: Locale) -> Vec<String> {
    let known = Reason::ALL.map(Reason::key);
    let ordered = known
        .iter()
        .filter_map(|k| flags.get_key_value(*k))
        .chain(flags.iter().filter(|(k, _)| !known.contains(&k.as_str())));
    ordered
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{} {}", label(k, locale), crate::format::int(*n)))
        .collect()
}

/// A flagged answer, as `GET /api/funnel/flags` lists it (never a phone, never a device mark).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Flagged {
    pub id: String,
    pub store: Option<String>,
    pub advisor: Option<String>,
    pub visit: Option<String>,
    pub score: Option<u8>,
    pub received_at: String,
    pub reasons: Vec<String>,
}

impl Flagged {
    /// When it was received, minutes since the epoch.
    pub fn minutes(&self) -> Option<i64> {
        minutes_of(&self.received_at)
    }
}

#[derive(Deserialize)]
struct List {
    rows: Vec<Flagged>,
}

/// `GET /api/funnel/flags`'s rows, the latest first.
pub fn from_json(text: &str) -> Result<Vec<Flagged>, String> {
    let mut rows = serde_json::from_str::<List>(text)
        .map_err(|e| format!("answers the page cannot read: {e}"))?
        .rows;
    rows.sort_by(|a, b| b.minutes().cmp(&a.minutes()).then(a.id.cmp(&b.id)));
    Ok(rows)
}
