//! The worker's weekly report: which places the channels name (`places`), the reports due
//! (`nps_core::cases::weekly::report_due` over the keys already stored, so a restart or a
//! second collector makes none twice) inserted in one commit with their figures frozen
//! (`Worker::weekly`), each going to the channels that name its place (`channels_of`), and
//! what a job says (`Worker::report_message`: the words, the signed link to the image, and for
//! WeCom the PNG itself).
//!
//! | channel names            | it gets the report of |
//! |--------------------------|-----------------------|
//! | `stores`                 | each of its stores    |
//! | `regions`                | each of its regions   |
//! | neither (brand-wide)     | the brand             |

use std::collections::BTreeMap;

use nps_core::cases::weekly::{self, Place, WeeklyAt};
use nps_core::scoring::analysis::DEFAULT_MIN_N;

use super::Worker;
use crate::alerts::{Channel, Config, Kind, Message, Weekly};
use crate::report::{self, link, Weeks};
use crate::storage::{AlertRow, Now, StoreError};

/// The places of one channel (the module doc's table).
fn places_of(c: &Channel) -> Vec<Place> {
    if c.brand_wide() {
        return vec![Place::Brand];
    }
    let stores = c.stores.iter().map(|s| Place::Store(s.clone()));
    stores
        .chain(c.regions.iter().map(|r| Place::Region(r.clone())))
        .collect()
}

/// Every place some channel hears the report of, each once, in the file's order.
pub fn places(config: &Config) -> Vec<Place> {
    let mut out: Vec<Place> = Vec::new();
    for p in config.channels.iter().flat_map(places_of) {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The channels that hear `place`'s report.
pub fn channels_of<'a>(config: &'a Config, place: &Place) -> Vec<&'a Channel> {
    config
        .channels
        .iter()
        .filter(|c| places_of(c).contains(place))
        .collect()
}

/// The names of the channels a report alert (by its key) goes to.
pub fn route(config: &Config, key: &str) -> Vec<String> {
    let Some((_, place)) = weekly::parse_key(key) else {
        return Vec::new();
    };
    channels_of(config, &place)
        .into_iter()
        .map(|c| c.name.clone())
        .collect()
}

impl Worker {
    /// Makes the reports due at `now` (all in one commit); how many were new.
    pub(super) async fn weekly(&self, at: WeeklyAt, now: &Now) -> Result<usize, StoreError> {
        let week = weekly::latest_week(now.ns, at);
        let last: BTreeMap<Place, String> = self
            .store
            .report_keys(&week.first_day)
            .await?
            .iter()
            .filter_map(|k| weekly::parse_key(k))
            .map(|(day, place)| (place, day))
            .collect();
        let due = weekly::report_due(now.ns, at, &places(&self.config), &last);
        if due.is_empty() {
            return Ok(0);
        }
        let mut weeks: Weeks = report::answers_of(&self.store, &week).await?;
        for c in self.store.case_list(&Default::default()).await? {
            let open = c.state != nps_core::cases::State::Resolved;
            let overdue = c.state == nps_core::cases::State::Open && c.deadline_ns < now.ns;
            weeks.count_case(c.store.as_deref(), open, overdue);
        }
        let names = self.names.get();
        let reports: Vec<(String, String)> = due
            .iter()
            .map(|d| {
                let r = weeks.report(&d.place, &d.week, names.org(), DEFAULT_MIN_N);
                let body = serde_json::to_string(&r).expect("a report serializes");
                (d.key(), body)
            })
            .collect();
        self.store.insert_reports(&reports, now).await
    }

    /// What a report job says to `channel`; `None` when its alert is not a report.
    pub(super) async fn report_message(
        &self,
        alert: &AlertRow,
        channel: &Channel,
        now: &Now,
    ) -> Result<Option<Message>, StoreError> {
        let Some(report) = alert
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<report::Report>(b).ok())
        else {
            return Ok(None);
        };
        let key = self.store.server_key(link::KEY, now).await?;
        let base = self.link_base.clone().unwrap_or_default();
        let image_link = link::url(
            &base,
            &key,
            &alert.id,
            channel.locale,
            now.ns.div_euclid(1_000_000_000),
        );
        let png = match channel.kind {
            Kind::Wecom => match report::image::png(&report, channel.locale, &alert.id).await {
                Ok(png) => Some(png),
                Err(e) => {
                    // Sent as the link instead: the words still reach the group.
                    tracing::error!(error = %e, "drawing a weekly report");
                    None
                }
            },
            _ => None,
        };
        Ok(Some(Message::Report(Box::new(Weekly {
            report,
            image_link,
            png,
        }))))
    }
}
