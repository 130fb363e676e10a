//! The survey flow: one pure state machine, one transition function. Its states are the
//! `Screen`s the customer sees; what it posts is a payload `Stage`.
//!
//! ```text
//!             Choose(s)                 Submit / Skip
//!   Asking ─────────────▶ FollowUp ─────────────────────▶ Done
//!     │                    │  ▲ Choose(s), ToggleReason,      │
//!     │                    │  └ Comment, Phone, Consent,      │
//!     │                    │    OnFile                        │
//!     │ Dismiss            │ Dismiss                          │ Dismiss
//!     ▼                    ▼                                  ▼
//!   Dismissed ◀────────────┴──────────────────────────────── (closed, nothing posted)
//! ```
//!
//! `AlreadyAnswered` is a start state for a visit answered before in this browser, and where
//! any screen goes when the collector says another response answered this visit (`Answered`).
//! `Survey::apply` returns the stage to post, if the event calls for one: `Scored` the
//! moment a score is chosen (or changed), then `Completed` or `Dismissed` for the same id.
//!
//! A detractor's call-back is a typed phone with the consent box ticked, or, where the signed
//! visit link carries the order's phone tail (`rules::PHONE_TAIL`), the tick "call me at the
//! number on my order" (`OnFile`), which wins over a typed phone and sends none.

use std::collections::BTreeMap;

use crate::contract::payload::{Contact, Response, Stage};
use crate::contract::phone;
use crate::contract::rules;
use crate::scoring::score::{Category, Score};

/// What the customer sees: where the survey is (a `Stage` is how far its posts have got).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The 0–10 question.
    Asking,
    /// Reasons, comment and (detractors) the call-back offer.
    FollowUp,
    /// The outcome message for the category.
    Done,
    /// Closed before finishing; or closed after finishing.
    Dismissed,
    /// This visit was answered before in this browser.
    AlreadyAnswered,
}

impl Screen {
    /// The name in the widget's `data-screen` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Asking => "asking",
            Screen::FollowUp => "follow-up",
            Screen::Done => "done",
            Screen::Dismissed => "dismissed",
            Screen::AlreadyAnswered => "already-answered",
        }
    }
}

/// What the customer did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Choose(Score),
    ToggleReason(String),
    Comment(String),
    Phone(String),
    Consent(bool),
    /// "Call me at the number on my order" ticked or not.
    OnFile(bool),
    Submit,
    Skip,
    Dismiss,
    /// The collector keeps another answer for this visit (a 410 to a post).
    Answered,
}

/// Why a submit was held back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The phone number is not a valid mobile number.
    PhoneInvalid,
    /// A phone was given but the consent box is not ticked.
    ConsentNeeded,
}

/// The state of one survey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survey {
    pub screen: Screen,
    pub score: Option<Score>,
    pub reasons: Vec<String>,
    pub comment: String,
    pub phone: String,
    pub consent: bool,
    /// "Call me at the number on my order" is ticked.
    pub on_file: bool,
    pub problem: Option<Problem>,
    /// The contact that was sent with the completed response.
    pub contact: Option<Contact>,
}

impl Default for Survey {
    fn default() -> Self {
        Survey::new(false)
    }
}

/// What a response says besides the customer's answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    pub id: String,
    pub survey: String,
    pub context: BTreeMap<String, String>,
    pub locale: String,
    pub page: Option<String>,
    pub created_at: String,
    /// The terms of the consent box, sent with a phone.
    pub terms: Terms,
    /// The response's write key (`rules::WRITE_KEY`), sent with every post of it.
    pub write_key: String,
}

/// What the customer agreed to with the consent box: the retention period it named, which
/// text it was (its locale and a fingerprint of its words), and the call-back promised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub retention_days: u32,
    pub version: String,
    /// The hours within which a detractor who leaves a phone is called back; carried in the
    /// payload's `contact`, so nothing downstream assumes them.
    pub callback_hours: u32,
}

impl Terms {
    /// The terms of a consent text shown in a locale, with the default call-back promise.
    pub fn of(text: &str, locale: &str, retention_days: u32) -> Terms {
        Terms {
            retention_days,
            version: format!("{locale}-{}", &crate::survey::marks::fingerprint(text)[..8]),
            callback_hours: crate::config::keys::CALLBACK_HOURS.default_int(),
        }
    }

    /// The terms a configured survey offers: its consent text in its locale, its retention
    /// and its call-back promise. What the widget and the landing pages both use.
    pub fn for_survey(cfg: &crate::config::Config) -> Terms {
        Terms {
            callback_hours: cfg.callback_hours,
            ..Terms::of(&cfg.consent_text(), cfg.locale.tag(), cfg.retention_days)
        }
    }
}

impl Survey {
    /// A survey continued after a reload: the score chosen before, the follow-up showing.
    pub fn resume(score: Score) -> Survey {
        Survey {
            screen: Screen::FollowUp,
            score: Some(score),
            ..Survey::new(false)
        }
    }

    /// A fresh survey, or one that shows "already answered".
    pub fn new(already_answered: bool) -> Survey {
        Survey {
            screen: if already_answered {
                Screen::AlreadyAnswered
            } else {
                Screen::Asking
            },
            score: None,
            reasons: Vec::new(),
            comment: String::new(),
            phone: String::new(),
            consent: false,
            on_file: false,
            problem: None,
            contact: None,
        }
    }

    /// The category of the chosen score.
    pub fn category(&self) -> Option<Category> {
        self.score.map(Score::category)
    }

    /// Applies an event; returns the stage to post, if any. Events that make no sense in
    /// the current screen change nothing.
    pub fn apply(&mut self, event: Event) -> Option<Stage> {
        use Screen::*;
        match (self.screen, event) {
            (Asking | FollowUp, Event::Choose(s)) => {
                let changed = self.score != Some(s);
                self.score = Some(s);
                self.screen = FollowUp;
                self.problem = None;
                changed.then_some(Stage::Scored)
            }
            (FollowUp, Event::ToggleReason(id)) => {
                if let Some(i) = self.reasons.iter().position(|r| *r == id) {
                    self.reasons.remove(i);
                } else {
                    self.reasons.push(id);
                }
                None
            }
            (FollowUp, Event::Comment(text)) => {
                self.comment = rules::comment(&text);
                None
            }
            (FollowUp, Event::Phone(p)) => {
                self.phone = rules::phone_input(&p);
                self.problem = None;
                None
            }
            (FollowUp, Event::Consent(c)) => {
                self.consent = c;
                self.problem = None;
                None
            }
            (FollowUp, Event::OnFile(t)) => {
                self.on_file = t;
                self.problem = None;
                None
            }
            (FollowUp, Event::Submit) => match self.checked_contact() {
                Ok(contact) => {
                    self.contact = contact;
                    self.screen = Done;
                    Some(Stage::Completed)
                }
                Err(p) => {
                    self.problem = Some(p);
                    None
                }
            },
            // A phone goes only with a submit: skipping or closing sends none.
            (FollowUp, Event::Skip) => {
                self.contact = None;
                self.screen = Done;
                Some(Stage::Completed)
            }
            (Asking | FollowUp, Event::Dismiss) => {
                self.contact = None;
                self.screen = Dismissed;
                Some(Stage::Dismissed)
            }
            (Done | AlreadyAnswered, Event::Dismiss) => {
                self.screen = Dismissed;
                None
            }
            (Asking | FollowUp | Done, Event::Answered) => {
                self.screen = AlreadyAnswered;
                None
            }
            _ => None,
        }
    }

    /// The contact to send: only for detractors; the number on the order when ticked (its own
    /// consent), else only a valid phone with consent.
    fn checked_contact(&self) -> Result<Option<Contact>, Problem> {
        if self.category() != Some(Category::Detractor) {
            return Ok(None);
        }
        if self.on_file {
            return Ok(Some(Contact::ON_FILE));
        }
        if self.phone.trim().is_empty() {
            return Ok(None);
        }
        let phone = phone::normalize(&self.phone).ok_or(Problem::PhoneInvalid)?;
        if !self.consent {
            return Err(Problem::ConsentNeeded);
        }
        Ok(Some(Contact {
            phone: Some(phone),
            on_file: false,
            consent: true,
            retention_days: None,
            consent_version: None,
            callback_hours: None,
        }))
    }

    /// The payload for a stage, stamped `now` (RFC 3339).
    pub fn response(&self, stage: Stage, meta: &Meta, now: &str) -> Response {
        let comment = self.comment.trim();
        Response {
            id: meta.id.clone(),
            survey: meta.survey.clone(),
            stage,
            score: self.score,
            reasons: self.reasons.clone(),
            comment: (!comment.is_empty()).then(|| comment.to_owned()),
            contact: match (stage, &self.contact) {
                (Stage::Scored, _) | (_, None) => None,
                // The number on the order: only the promise travels, and only where the link
                // named the order's phone (else a collector refuses the whole post).
                (_, Some(c)) if c.on_file => on_file_tail(&meta.context).map(|_| Contact {
                    callback_hours: Some(meta.terms.callback_hours),
                    ..c.clone()
                }),
                (_, Some(c)) => Some(Contact {
                    retention_days: Some(meta.terms.retention_days),
                    consent_version: Some(meta.terms.version.clone()),
                    callback_hours: Some(meta.terms.callback_hours),
                    ..c.clone()
                }),
            },
            context: meta.context.clone(),
            locale: meta.locale.clone(),
            page: meta.page.clone(),
            created_at: meta.created_at.clone(),
            updated_at: now.to_owned(),
            write_key: Some(meta.write_key.clone()),
        }
    }
}

/// The order's phone tail a response's context carries (`rules::PHONE_TAIL`), when it is one:
/// what the follow-up's tick names and what a call at the number on the order needs.
pub fn on_file_tail(context: &BTreeMap<String, String>) -> Option<&str> {
    context
        .get(rules::PHONE_TAIL)
        .map(String::as_str)
        .filter(|t| rules::is_phone_tail(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event::*;

    fn sc(s: u8) -> Score {
        Score::new(s).expect("on the scale")
    }

    /// A scenario: events in, (screen, posted stage) out after each.
    fn run(start: Survey, steps: &[(Event, Screen, Option<Stage>)]) -> Survey {
        let mut s = start;
        for (i, (ev, screen, post)) in steps.iter().enumerate() {
            let got = s.apply(ev.clone());
            assert_eq!((s.screen, got), (*screen, *post), "step {i}: {ev:?}");
        }
        s
    }

    #[test]
    fn promoter_path() {
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(9)), Screen::FollowUp, Some(Stage::Scored)),
                (
                    ToggleReason("advisor_attitude".into()),
                    Screen::FollowUp,
                    None,
                ),
                (Comment("  Great  ".into()), Screen::FollowUp, None),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.category(), Some(Category::Promoter));
        assert_eq!(s.reasons, ["advisor_attitude"]);
    }

    #[test]
    fn the_score_stays_changeable_until_submit() {
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(3)), Screen::FollowUp, Some(Stage::Scored)),
                (Choose(sc(3)), Screen::FollowUp, None),
                (Choose(sc(8)), Screen::FollowUp, Some(Stage::Scored)),
                (Submit, Screen::Done, Some(Stage::Completed)),
                (Choose(sc(10)), Screen::Done, None),
            ],
        );
        assert_eq!(s.score, Some(sc(8)));
    }

    #[test]
    fn toggling_a_reason_twice_removes_it() {
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(7)), Screen::FollowUp, Some(Stage::Scored)),
                (ToggleReason("wait_time".into()), Screen::FollowUp, None),
                (ToggleReason("booking".into()), Screen::FollowUp, None),
                (ToggleReason("wait_time".into()), Screen::FollowUp, None),
            ],
        );
        assert_eq!(s.reasons, ["booking"]);
    }

    #[test]
    fn detractor_call_back_needs_a_valid_phone_and_consent() {
        let mut s = run(
            Survey::new(false),
            &[
                (Choose(sc(2)), Screen::FollowUp, Some(Stage::Scored)),
                (Phone("12345".into()), Screen::FollowUp, None),
                (Submit, Screen::FollowUp, None),
            ],
        );
        assert_eq!(s.problem, Some(Problem::PhoneInvalid));
        s = run(
            s,
            &[
                (Phone("138 1234 5678".into()), Screen::FollowUp, None),
                (Submit, Screen::FollowUp, None),
            ],
        );
        assert_eq!(s.problem, Some(Problem::ConsentNeeded));
        s = run(
            s,
            &[
                (Consent(true), Screen::FollowUp, None),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(
            s.contact,
            Some(Contact {
                phone: Some("+8613812345678".into()),
                on_file: false,
                consent: true,
                retention_days: None,
                consent_version: None,
                callback_hours: None,
            })
        );
    }

    /// Regression: a valid phone with the box ticked went out on a skip or a close; a phone
    /// goes only with the customer's submit.
    #[test]
    fn a_phone_goes_only_with_a_submit() {
        let typed = [
            (Choose(sc(1)), Screen::FollowUp, Some(Stage::Scored)),
            (Phone("13812345678".into()), Screen::FollowUp, None),
            (Consent(true), Screen::FollowUp, None),
        ];
        let mut s = run(Survey::new(false), &typed);
        s = run(s, &[(Skip, Screen::Done, Some(Stage::Completed))]);
        assert_eq!(s.contact, None);
        let mut s = run(Survey::new(false), &typed);
        s = run(s, &[(Dismiss, Screen::Dismissed, Some(Stage::Dismissed))]);
        assert_eq!(s.contact, None);
    }

    #[test]
    fn a_resumed_survey_continues_from_its_score() {
        let s = run(
            Survey::resume(sc(3)),
            &[
                (Choose(sc(3)), Screen::FollowUp, None),
                (Choose(sc(4)), Screen::FollowUp, Some(Stage::Scored)),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.score, Some(sc(4)));
    }

    #[test]
    fn no_phone_leaves_without_consent_or_for_non_detractors() {
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(2)), Screen::FollowUp, Some(Stage::Scored)),
                (Consent(true), Screen::FollowUp, None),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.contact, None);
        // Typed as a detractor, then changed to a promoter: the phone is not sent.
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(2)), Screen::FollowUp, Some(Stage::Scored)),
                (Phone("13812345678".into()), Screen::FollowUp, None),
                (Consent(true), Screen::FollowUp, None),
                (Choose(sc(10)), Screen::FollowUp, Some(Stage::Scored)),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.contact, None);
        // Skip never blocks, and never sends an unconsented phone.
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(0)), Screen::FollowUp, Some(Stage::Scored)),
                (Phone("13812345678".into()), Screen::FollowUp, None),
                (Skip, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.contact, None);
    }

    #[test]
    fn dismiss_from_every_step() {
        run(
            Survey::new(false),
            &[
                (Dismiss, Screen::Dismissed, Some(Stage::Dismissed)),
                (Choose(sc(5)), Screen::Dismissed, None),
            ],
        );
        run(
            Survey::new(false),
            &[
                (Choose(sc(5)), Screen::FollowUp, Some(Stage::Scored)),
                (Dismiss, Screen::Dismissed, Some(Stage::Dismissed)),
            ],
        );
        run(
            Survey::new(false),
            &[
                (Choose(sc(5)), Screen::FollowUp, Some(Stage::Scored)),
                (Skip, Screen::Done, Some(Stage::Completed)),
                (Dismiss, Screen::Dismissed, None),
            ],
        );
        run(
            Survey::new(true),
            &[
                (Choose(sc(5)), Screen::AlreadyAnswered, None),
                (Dismiss, Screen::Dismissed, None),
            ],
        );
    }

    /// The tick "call me at the number on my order": a detractor's call-back with no phone,
    /// winning over one typed; untick it and the typed phone's rules apply again.
    #[test]
    fn the_number_on_the_order_is_a_call_back_without_a_phone() {
        let on_file = Contact::ON_FILE;
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(3)), Screen::FollowUp, Some(Stage::Scored)),
                (OnFile(true), Screen::FollowUp, None),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.contact, Some(on_file.clone()));
        // A half-typed phone and no consent do not hold the tick back.
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(0)), Screen::FollowUp, Some(Stage::Scored)),
                (Phone("1381".into()), Screen::FollowUp, None),
                (OnFile(true), Screen::FollowUp, None),
                (Submit, Screen::Done, Some(Stage::Completed)),
            ],
        );
        assert_eq!(s.contact, Some(on_file));
        // Unticked: the phone typed is checked as before.
        let s = run(
            Survey::new(false),
            &[
                (Choose(sc(0)), Screen::FollowUp, Some(Stage::Scored)),
                (OnFile(true), Screen::FollowUp, None),
                (Phone("1381".into()), Screen::FollowUp, None),
                (OnFile(false), Screen::FollowUp, None),
                (Submit, Screen::FollowUp, None),
            ],
        );
        assert_eq!(s.problem, Some(Problem::PhoneInvalid));
        // Not a detractor (or skipped, or closed): nothing is sent.
        for last in [
            (Submit, Screen::Done, Some(Stage::Completed)),
            (Skip, Screen::Done, Some(Stage::Completed)),
        ] {
            let s = run(
                Survey::new(false),
                &[
                    (Choose(sc(7)), Screen::FollowUp, Some(Stage::Scored)),
                    (OnFile(true), Screen::FollowUp, None),
                    last,
                ],
            );
            assert_eq!(s.contact, None);
        }
    }

    #[test]
    fn events_out_of_place_change_nothing() {
        let fresh = Survey::new(false);
        for ev in [
            Submit,
            Skip,
            ToggleReason("x".into()),
            Comment("x".into()),
            Phone("1".into()),
            Consent(true),
            OnFile(true),
        ] {
            let mut s = fresh.clone();
            assert_eq!(s.apply(ev.clone()), None, "{ev:?}");
            assert_eq!(s, fresh, "{ev:?}");
        }
    }

    #[test]
    fn the_comment_is_capped_at_1000_characters() {
        let mut s = Survey::new(false);
        s.apply(Choose(sc(6)));
        s.apply(Comment("字".repeat(1200)));
        assert_eq!(s.comment.chars().count(), 1000);
    }

    #[test]
    fn responses_carry_the_answers_and_parse_back() {
        let meta = Meta {
            id: "0b6c2a8e-5d1f-4c3b-9a7e-2f4d6b8c0e1a".into(),
            survey: "after-sales".into(),
            context: [("store".to_owned(), "SZ-FT".to_owned())].into(),
            locale: "zh-CN".into(),
            page: Some("https://example.com/".into()),
            created_at: "2026-11-23T08:30:00.000Z".into(),
            terms: Terms::of("我同意…", "zh-CN", 30),
            write_key: "5f0c6b1e9d8a4c2b8e7f6a5d4c3b2a19".into(),
        };
        let mut s = Survey::new(false);
        assert_eq!(
            s.response(Stage::Dismissed, &meta, "2026-11-23T08:30:01.000Z")
                .category(),
            None
        );
        s.apply(Choose(sc(1)));
        s.apply(Phone("13812345678".into()));
        s.apply(Consent(true));
        s.apply(Comment("".into()));
        s.apply(Submit);
        let r = s.response(Stage::Completed, &meta, "2026-11-23T08:31:00.000Z");
        assert_eq!(
            (r.score, r.category(), r.comment.as_deref()),
            (Some(sc(1)), Some(Category::Detractor), None)
        );
        assert_eq!(
            r.contact.as_ref().map(|c| c.callback_hours),
            Some(Some(24)),
            "the promise travels with the phone"
        );
        let parsed = Response::parse(&serde_json::Value::Object(r.to_value())).unwrap();
        assert_eq!(parsed, r);
        // The number on the order: the promise and no phone, where the link named the order's
        // phone; a link without it sends no contact (a collector would refuse the post).
        let mut s = Survey::new(false);
        s.apply(Choose(sc(2)));
        s.apply(OnFile(true));
        s.apply(Submit);
        let mut tailed = meta.clone();
        tailed
            .context
            .insert(rules::PHONE_TAIL.into(), "3788".into());
        let r = s.response(Stage::Completed, &tailed, "2026-11-23T08:31:00.000Z");
        assert_eq!(
            r.to_value()["contact"],
            serde_json::json!({"on_file": true, "consent": true, "callback_hours": 24})
        );
        let parsed = Response::parse(&serde_json::Value::Object(r.to_value())).unwrap();
        assert_eq!(parsed, r);
        let r = s.response(Stage::Completed, &meta, "2026-11-23T08:31:00.000Z");
        assert_eq!(r.contact, None);
        assert_eq!(
            s.response(Stage::Scored, &meta, "2026-11-23T08:31:00.000Z")
                .contact,
            None
        );
    }
}
