//! One response waiting in the outbox (`Entry`), where it goes (`Target`), one try at sending
//! it (`Post`), and the stored form of an entry.

use serde_json::Value;

/// Where a response goes: the endpoint and the extra headers from config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    pub endpoint: String,
    pub headers: Vec<(String, String)>,
}

impl Target {
    /// The body's content type. A cross-origin post without custom headers goes as
    /// `text/plain`, a "simple" request with no CORS preflight (the collector reads it as JSON).
    pub fn content_type(&self, cross_origin: bool) -> &'static str {
        if self.headers.is_empty() && cross_origin {
            "text/plain;charset=UTF-8"
        } else {
            "application/json"
        }
    }

    /// `sendBeacon` can carry the post (it cannot send custom headers); otherwise a
    /// `keepalive` fetch does on page hide.
    pub fn beacon_ok(&self) -> bool {
        self.headers.is_empty()
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
}

/// One try at sending a response: its id, the version on the wire, where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    pub id: String,
    pub target: Target,
    pub version: u64,
    pub body: String,
}

/// The HTTP request the shell makes for a post: `POST url` with these headers and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub url: &'a str,
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
        Request {
            url: &self.target.endpoint,
            headers,
            body: &self.body,
        }
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
        crate::obj! {
            "id" => self.id.clone(), "endpoint" => self.target.endpoint.clone(), "headers" => headers,
            "body" => self.body.clone(), "rank" => self.rank, "version" => self.version,
            "attempts" => self.attempts, "waited" => self.waited_ms, "dead" => self.dead.clone(),
        }
        .to_string()
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
        })
    }

    /// This entry's current version, as a post.
    pub fn post(&self) -> Post {
        Post {
            id: self.id.clone(),
            target: self.target.clone(),
            version: self.version,
            body: self.body.clone(),
        }
    }
}
