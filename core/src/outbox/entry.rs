//! One response waiting in the outbox (`Entry`), where it goes (`Target`), one try at sending
//! it (`Post`), and the stored form of an entry.

use std::borrow::Cow;

use serde_json::Value;

use super::update::{item_url, Method};
use crate::config::Update;

/// Where a response goes: the endpoint, the extra headers and the update method from config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub endpoint: String,
    pub headers: Vec<(String, String)>,
    pub update: Update,
}

impl Default for Target {
    fn default() -> Target {
        Target {
            endpoint: String::new(),
            headers: Vec::new(),
            update: Update::Post,
        }
    }
}

impl Target {
    /// The body's content type. A cross-origin post to the collector (`update: "post"`)
    /// without custom headers goes as `text/plain`, a "simple" request with no CORS preflight
    /// (the collector reads it as JSON); a generic REST endpoint is sent `application/json`.
    pub fn content_type(&self, cross_origin: bool) -> &'static str {
        if self.headers.is_empty() && cross_origin && self.update == Update::Post {
            "text/plain;charset=UTF-8"
        } else {
            "application/json"
        }
    }
}

/// One response waiting to be acknowledged. Stored as JSON by `to_json` / `from_value`
/// (written by hand: serde's derived deserializer costs the wasm more than it earns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub target: Target,
    /// The JSON body to post.
    pub body: String,
    /// Stage rank of the body (see `payload::Stage::rank`).
    pub rank: u8,
    /// Bumped on every put; a 2xx removes the entry only for the current version.
    pub version: u64,
    /// Failed tries since the last put.
    pub attempts: u32,
    /// Earliest time of the next try, on this page's monotonic clock (not persisted: an
    /// entry read from storage is due at once).
    pub next_at: u64,
    /// How long it has waited for a 2xx, counted only while a page held it; since it died,
    /// for a dead letter.
    pub waited_ms: u64,
    /// Why the endpoint refused it for good (400, 401, 403, 413, 422); its body is gone.
    pub dead: Option<String>,
    /// The version on the wire, if any (not persisted: reset on load).
    pub in_flight: Option<u64>,
    /// The endpoint acknowledged creating this response (`update: "patch"`; see
    /// `update::created_after`): later tries are PATCHes.
    pub created: bool,
}

/// One try at sending a response: its id, the version on the wire, where, how and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    pub id: String,
    pub target: Target,
    pub version: u64,
    pub body: String,
    pub method: Method,
}

/// The HTTP request the shell makes for a post: `method url` with these headers and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: &'static str,
    /// The endpoint, or `{endpoint}/{id}` for a PATCH.
    pub url: Cow<'a, str>,
    /// `Content-Type` first, then the config's headers.
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a str,
}

impl Post {
    /// The request for this post; `cross_origin` is true when the endpoint is on another
    /// origin than the page.
    pub fn request(&self, cross_origin: bool) -> Request<'_> {
        let mut headers = vec![("Content-Type", self.target.content_type(cross_origin))];
        headers.extend(
            self.target
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let url = match self.method {
            Method::Post => Cow::Borrowed(self.target.endpoint.as_str()),
            Method::Patch => Cow::Owned(item_url(&self.target.endpoint, &self.id)),
        };
        Request {
            method: self.method.as_str(),
            url,
            headers,
            body: &self.body,
        }
    }

    /// `sendBeacon` can carry it on page hide (a POST without custom headers); otherwise a
    /// `keepalive` fetch does.
    pub fn beacon_ok(&self) -> bool {
        self.method == Method::Post && self.target.headers.is_empty()
    }
}

impl Entry {
    /// The stored form.
    pub fn to_json(&self) -> String {
        let headers: Vec<Value> = self
            .target
            .headers
            .iter()
            .map(|(k, v)| Value::from(vec![k.as_str(), v.as_str()]))
            .collect();
        let mut v = crate::obj! {
            "id" => self.id.clone(), "endpoint" => self.target.endpoint.clone(), "headers" => headers,
            "body" => self.body.clone(), "rank" => self.rank, "version" => self.version,
            "attempts" => self.attempts, "waited" => self.waited_ms, "dead" => self.dead.clone(),
        };
        // Written only when not the default, so the collector's entries keep their form.
        if let Value::Object(m) = &mut v {
            if self.target.update != Update::Post {
                m.insert("update".into(), self.target.update.name().into());
            }
            if self.created {
                m.insert("created".into(), true.into());
            }
        }
        v.to_string()
    }

    /// Reads the stored form; `None` if it is not one.
    pub fn from_json(text: &str) -> Option<Entry> {
        Entry::from_value(&serde_json::from_str(text).ok()?)
    }

    /// Reads the stored form, already parsed.
    pub fn from_value(v: &Value) -> Option<Entry> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        let headers = match v.get("headers") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|h| {
                    Some((
                        h.get(0)?.as_str()?.to_owned(),
                        h.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect::<Option<Vec<_>>>()?,
            _ => Vec::new(),
        };
        Some(Entry {
            id: s("id")?,
            target: Target {
                endpoint: s("endpoint")?,
                headers,
                // Entries stored by an earlier version have no method: they posted every time.
                update: match v.get("update").and_then(Value::as_str) {
                    None | Some("post") => Update::Post,
                    Some("patch") => Update::Patch,
                    Some(_) => return None,
                },
            },
            body: s("body")?,
            rank: u8::try_from(n("rank")?).ok()?,
            version: n("version")?,
            attempts: u32::try_from(n("attempts")?).ok()?,
            next_at: 0,
            // Entries stored by an earlier version have no count yet: they start from zero.
            waited_ms: n("waited").unwrap_or(0),
            dead: s("dead"),
            in_flight: None,
            created: v.get("created").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// This entry's current version, as a post.
    pub fn post(&self) -> Post {
        Post {
            id: self.id.clone(),
            target: self.target.clone(),
            version: self.version,
            body: self.body.clone(),
            method: Method::of(self.target.update, self.created),
        }
    }
}
