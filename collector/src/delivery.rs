//! The alert worker: every few seconds, on every collector of a database, one `pass`:
//!
//! ```text
//! escalate: open cases near or past their deadline ──▶ reminder / breach alerts (by key: once)
//! digest:   the day's digest time has come          ──▶ one digest alert, figures frozen in it
//! report:   the week's report time has come         ──▶ one report alert per place (`weekly`)
//! fan out:  alerts due, not fanned                  ──▶ one job per channel the routing names
//! send:     jobs due, leased to this collector      ──▶ robot ──▶ outcome recorded (job_done)
//! ```
//!
//! Every decision is the core's or the config's: the escalation and digest times
//! (`cases::schedule`), the routing (`alerts::Config::channels_for`), when to send, wait or
//! give up (`cases::delivery::decide`, inside `Store::job_done`), the words and signatures
//! (`alerts::robot`). This file reads, asks and writes.
//!
//! Delivery is at least once. A job is leased for `LEASE_NS` before it is sent and its outcome
//! recorded after: two collectors never hold one lease, so in normal operation a job is sent
//! once; a collector killed between a send and its record leaves the job leased, and another
//! (or the same, restarted) sends it again when the lease lapses — the one place a group can
//! read an alert twice. A batch stops sending at half its lease, so a slow robot never lets a
//! lease lapse under a send in progress. Jobs are leased channel by channel, each within what
//! its robot may still take this minute (`RATE_LIMIT`, by the sends recorded), the channel
//! waiting longest first: a busy channel never holds up another. A job that still meets the
//! limit (another collector sent meanwhile) stays leased until its lease lapses, then is tried
//! again. Sends to Feishu bots are spaced by `FEISHU_GAP` (their 5 a second).
//! Alerts older than `schedule::STALE_NS` when they fall due are fanned to no channel (a
//! collector started on old answers does not flood a group; the digest counts them).

use std::sync::Arc;
use std::time::Duration;

use nps_core::cases::delivery::{self, Decision, RATE_WINDOW_NS};
use nps_core::cases::opening::AlertKind;
use nps_core::cases::schedule;
use serde_json::Value;

pub(crate) mod say;
pub mod weekly;

use crate::alerts::{Channel, Config, Kind, Message, Sender};
use crate::digest::{self, CaseFacts, Day};
use crate::jobs::{BoxedJob, Stop};
use crate::reload::Live;
use crate::storage::{AlertRow, JobRow, Now, Store, StoreError};

/// How often a collector looks for work.
pub const EVERY: Duration = Duration::from_secs(2);
/// The environment variables that shorten `EVERY` and `LEASE_NS` (milliseconds), for tests
/// that run a fleet of collectors against a receiver, kill one, and wait for every alert. Not
/// flags: an operator has no reason to change them, and production keeps the constants.
pub const EVERY_ENV: &str = "NPS_ALERT_EVERY_MS";
pub const LEASE_ENV: &str = "NPS_ALERT_LEASE_MS";

fn env_ms(name: &str, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| range.contains(ms))
}

/// `EVERY`, or `NPS_ALERT_EVERY_MS` when it holds a number of milliseconds from 10 to 60,000.
pub fn every() -> Duration {
    env_ms(EVERY_ENV, 10..=60_000).map_or(EVERY, Duration::from_millis)
}

/// `LEASE_NS`, or `NPS_ALERT_LEASE_MS` from 11,000 to 600,000 (a lease outlasts a send's
/// 10-second timeout, so two collectors never send one job at once).
pub fn lease_ns() -> i64 {
    env_ms(LEASE_ENV, 11_000..=600_000).map_or(LEASE_NS, |ms| ms as i64 * 1_000_000)
}

/// Where the worker reads the time of a send and of its record: the system clock, or a test's.
pub type Clock = Arc<dyn Fn() -> Now + Send + Sync>;
/// How long a leased job is this collector's: longer than a send's timeout (10 s).
pub const LEASE_NS: i64 = 60 * 1_000_000_000;
/// Jobs leased at once.
pub const BATCH: i64 = 20;
/// The least time between two sends to Feishu bots from one collector (their limit is 5 a
/// second, besides the 20 a minute every robot gets).
pub const FEISHU_GAP: Duration = Duration::from_millis(200);
/// Alerts fanned out in one pass.
const FAN_BATCH: i64 = 100;

/// What the worker needs: the store, the config's channels, the names in force, where links
/// point, and who it is (its leases' owner).
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub config: Arc<Config>,
    pub names: Live,
    /// The collector's public address for links to cases (`Settings::link_base`).
    pub link_base: Option<String>,
    pub sender: Sender,
    /// A fresh id per process: leases are held by it.
    pub owner: String,
    /// How long a leased job is this worker's (`LEASE_NS`; `lease_ns()` in a server).
    pub lease_ns: i64,
    /// The time of each send and of its outcome (`Now::system` but in tests, which drive it
    /// past the rate window and the backoff: the robots' rate counts these times).
    pub clock: Clock,
}

/// What one pass did (for the tests and the logs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub escalated: usize,
    pub digests: usize,
    /// Weekly reports made (one per place).
    pub reports: usize,
    pub fanned: usize,
    pub stale: usize,
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
    pub paced: usize,
}

/// The worker as a job of `jobs::Jobs`: a pass every `every` until the server stops.
pub fn job(w: Worker, every: Duration) -> impl FnOnce(Stop) -> BoxedJob {
    move |stop| {
        Box::pin(crate::jobs::every(stop, every, move || {
            let w = w.clone();
            async move {
                match w.pass(&(w.clock)()).await {
                    Ok(p) if p == Pass::default() => {}
                    Ok(p) => tracing::info!(
                        "alerts: {} sent, {} to try again, {} given up, {} new reminders or breaches, {} digests, {} weekly reports, {} jobs made, {} too old to send, {} waiting for their robot's minute",
                        p.sent, p.failed, p.dead, p.escalated, p.digests, p.reports, p.fanned, p.stale, p.paced
                    ),
                    Err(e) => tracing::error!(error = %e, "alerts"),
                }
            }
        }))
    }
}

impl Worker {
    /// A worker for this process.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        names: Live,
        link_base: Option<String>,
    ) -> Worker {
        Worker {
            store,
            config,
            names,
            link_base,
            sender: Sender::new(),
            owner: uuid::Uuid::new_v4().to_string(),
            lease_ns: LEASE_NS,
            clock: Arc::new(Now::system),
        }
    }

    /// Escalates, makes the digest, fans out and leases what is due at `now`, and sends it
    /// (each send and its record at the time of `clock`).
    pub async fn pass(&self, now: &Now) -> Result<Pass, StoreError> {
        let mut p = Pass::default();
        let remind = self.config.cases.remind_hours_left;
        for due in self.store.cases_due_for(now, remind).await? {
            let made = self
                .store
                .insert_alert(&due.key, due.kind, Some(&due.case_id), None, now.ns, now)
                .await?;
            p.escalated += usize::from(made);
        }
        if let Some(at) = self.config.digest {
            p.digests += usize::from(self.digest(at.due(now.ns), now).await?);
        }
        if let Some(at) = self.config.report {
            p.reports += self.weekly(at, now).await?;
        }
        for alert in self.store.alerts_to_fan(now, FAN_BATCH).await? {
            let stale = alert.due_ns < now.ns.saturating_sub(schedule::STALE_NS);
            let channels = match (stale, AlertKind::parse(&alert.kind)) {
                (false, Some(kind)) => self.route(kind, &alert).await?,
                _ => Vec::new(),
            };
            p.stale += usize::from(stale);
            p.fanned += channels.len();
            self.store.fan_out(&alert.id, &channels, now).await?;
        }
        // Each channel within what its robot may take this minute (so a busy channel never
        // holds up another), the longest waiting first; a batch stops at half its lease, so no
        // job is sent after its lease could have passed to another collector.
        let started = std::time::Instant::now();
        let half = Duration::from_nanos(u64::try_from(self.lease_ns / 2).unwrap_or(0));
        let mut last_feishu = None::<std::time::Instant>;
        'channels: for name in self.store.due_channels(now).await? {
            let budget = match self.config.channel(&name) {
                Some(_) => {
                    let since = now.ns - RATE_WINDOW_NS;
                    let sent = self.store.robot_sends(&name, since).await?.len();
                    delivery::RATE_LIMIT.saturating_sub(sent)
                }
                None => delivery::RATE_LIMIT, // gone from the file: each is given up at once
            };
            if budget == 0 {
                p.paced += 1;
                continue;
            }
            let limit = i64::try_from(budget).unwrap_or(BATCH).min(BATCH);
            let leased = self
                .store
                .lease_channel_jobs(&self.owner, &name, now, self.lease_ns, limit)
                .await?;
            let feishu = self.config.channel(&name).map(|c| c.kind) == Some(Kind::Feishu);
            for job in leased {
                if started.elapsed() > half {
                    break 'channels; // the rest lapse and are leased again
                }
                // Feishu's bot takes 5 a second: a Feishu send follows the last by 200 ms.
                if let (true, Some(last)) = (feishu, last_feishu) {
                    tokio::time::sleep(FEISHU_GAP.saturating_sub(last.elapsed())).await;
                }
                self.send(&job, &mut p).await?;
                if feishu {
                    last_feishu = Some(std::time::Instant::now());
                }
            }
        }
        Ok(p)
    }

    /// The names of the channels an alert goes to.
    async fn route(&self, kind: AlertKind, alert: &AlertRow) -> Result<Vec<String>, StoreError> {
        if kind == AlertKind::Report {
            return Ok(weekly::route(&self.config, &alert.key));
        }
        let names = self.names.get();
        let (survey, store) = match (alert.case_id.as_deref(), alert.body.as_deref()) {
            (Some(id), _) => match self.store.case_get(id).await? {
                Some((c, _)) => (c.survey, c.store),
                None => return Ok(Vec::new()), // deleted with its response
            },
            // A thank-you goes where its referral's store is heard.
            (None, Some(body)) if kind == AlertKind::Referral => say::thanks_place(body),
            (None, _) => (String::new(), None),
        };
        let region = store
            .as_deref()
            .and_then(|s| names.org()?.region_of_store(s))
            .map(|r| r.id.clone());
        let channels = self
            .config
            .channels_for(kind, &survey, store.as_deref(), region.as_deref());
        Ok(channels.into_iter().map(|c| c.name.clone()).collect())
    }

    /// Makes the digest alert of `due.day` unless it is made; true if this call made it.
    async fn digest(&self, due: schedule::DigestDue, now: &Now) -> Result<bool, StoreError> {
        if self.store.alert_exists(&due.key()).await? {
            return Ok(false);
        }
        let mut day =
            digest::answers_of_day(&self.store, &due.day, due.since_ns, due.until_ns).await?;
        let cases = self.store.case_list(&Default::default()).await?;
        let facts: Vec<CaseFacts> = cases
            .iter()
            .map(|c| CaseFacts {
                store: c.store.clone(),
                open: c.state != nps_core::cases::State::Resolved,
                overdue: c.state == nps_core::cases::State::Open && c.deadline_ns < now.ns,
            })
            .collect();
        day.count_cases(&facts);
        let body = day.to_json().to_string();
        self.store
            .insert_alert(
                &due.key(),
                AlertKind::Digest,
                None,
                Some(&body),
                now.ns,
                now,
            )
            .await
    }

    /// Sends one leased job if its robot may take it now, and records the outcome.
    async fn send(&self, job: &JobRow, p: &mut Pass) -> Result<(), StoreError> {
        let now = (self.clock)();
        let Some(channel) = self.config.channel(&job.channel) else {
            let why = format!("channel {} is no longer in the config file", job.channel);
            return self
                .record(job, delivery::Outcome::Refused, Some(&why), p)
                .await;
        };
        let sends = self
            .store
            .robot_sends(&channel.name, now.ns - RATE_WINDOW_NS)
            .await?;
        if delivery::decide(&job.job, now.ns, &sends) != Decision::Send {
            // Paced (or backing off): the lease lapses within the rate window, then it is due.
            p.paced += 1;
            return Ok(());
        }
        let message = match self.message(job, channel, &now).await? {
            Some(m) => m,
            None => {
                let why = "its case or digest is gone (the response was deleted)";
                return self
                    .record(job, delivery::Outcome::Refused, Some(why), p)
                    .await;
            }
        };
        let job_id = format!("{}.{}", job.alert_id, job.channel);
        let (outcome, reason) = self
            .sender
            .send(channel, &message, &job_id, now.ns / 1_000_000)
            .await;
        self.record(job, outcome, reason.as_deref(), p).await
    }

    async fn record(
        &self,
        job: &JobRow,
        outcome: delivery::Outcome,
        reason: Option<&str>,
        p: &mut Pass,
    ) -> Result<(), StoreError> {
        let decided = self
            .store
            .job_done(
                &job.alert_id,
                &job.channel,
                outcome,
                reason,
                &(self.clock)(),
            )
            .await?;
        match decided {
            Some(Decision::Done) => p.sent += 1,
            Some(Decision::GiveUp(why)) => {
                p.dead += 1;
                tracing::warn!(channel = %job.channel, alert = %job.alert_id, ?why, reason, "an alert is given up");
            }
            _ => {
                p.failed += 1;
                tracing::info!(channel = %job.channel, alert = %job.alert_id, reason, "an alert will be tried again");
            }
        }
        Ok(())
    }

    /// What a job says to its channel.
    async fn message(
        &self,
        job: &JobRow,
        channel: &Channel,
        now: &Now,
    ) -> Result<Option<Message>, StoreError> {
        let Some(alert) = self.store.alert(&job.alert_id).await? else {
            return Ok(None);
        };
        if AlertKind::parse(&alert.kind) == Some(AlertKind::Report) {
            return self.report_message(&alert, channel, now).await;
        }
        let names = self.names.get();
        let base = self.link_base.clone().unwrap_or_default();
        if let (Some(body), Some(AlertKind::Referral)) =
            (alert.body.as_deref(), AlertKind::parse(&alert.kind))
        {
            return Ok(say::thanks(body, &names, &base).map(Message::Referral));
        }
        if let Some(body) = alert.body.as_deref() {
            let day = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| Day::from_json(&v));
            return Ok(day.map(|d| Message::Digest(digest::scoped(&d, channel, &names, &base))));
        }
        let (Some(kind), Some(case_id)) = (AlertKind::parse(&alert.kind), alert.case_id.as_deref())
        else {
            return Ok(None);
        };
        let Some((case, _)) = self.store.case_get(case_id).await? else {
            return Ok(None);
        };
        let offset = self.config.utc_offset_minutes();
        Ok(Some(Message::Alert(say::case_alert(
            kind, &case, &names, &base, now, offset,
        ))))
    }
}
