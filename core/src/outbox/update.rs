//! How a try reaches the endpoint: its method and URL, and what a reply says about whether the
//! endpoint holds the response. With `update: "post"` (the collector's way) every post of a
//! response is a `POST endpoint`; with `update: "patch"` (a generic REST endpoint) the first
//! is a `POST endpoint` and, once the endpoint has acknowledged creating the response, every
//! later one a `PATCH {endpoint}/{id}`. Each body is the whole response, so either is
//! idempotent once the response exists.
//!
//! `Entry::created` is the outbox's knowledge that the endpoint holds the response; it
//! changes only as `created_after` says:
//!
//! | update | sent  | reply                      | created after | why |
//! |--------|-------|----------------------------|---------------|-----|
//! | post   | POST  | anything                   | unchanged     | the endpoint upserts by id |
//! | patch  | POST  | 2xx                        | yes           | created |
//! | patch  | POST  | 409                        | yes           | it exists already: PATCH next |
//! | patch  | POST  | other, network error, none | unchanged (no)| never acknowledged: POST again |
//! | patch  | PATCH | 404                        | no            | the endpoint lost it: POST it whole |
//! | patch  | PATCH | anything else              | unchanged     | |
//!
//! A PATCH is therefore never sent for a response the endpoint never acknowledged. Once an
//! entry is delivered, the outbox keeps its id (`Outbox::created_text`, stored by the driver
//! under `CREATED_KEY`), so a later stage, from this page or one that continues the response
//! after a reload, starts as a PATCH. On page hide a PATCH goes as a `keepalive` fetch
//! (`sendBeacon` can only POST).

use super::Reply;
use crate::config::Update;

/// The HTTP method of a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Post,
    Patch,
}

impl Method {
    /// The method as `fetch` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }

    /// The method of the next try of a response the endpoint holds (`created`) or not.
    pub fn of(update: Update, created: bool) -> Method {
        match (update, created) {
            (Update::Patch, true) => Method::Patch,
            _ => Method::Post,
        }
    }
}

/// Whether the endpoint holds the response after `reply` to a `sent` try (see the table).
pub fn created_after(update: Update, sent: Method, created: bool, reply: Reply) -> bool {
    let code = match reply {
        Reply::Status { code, .. } => code,
        Reply::NetworkError | Reply::Timeout => return created,
    };
    match (update, sent, code) {
        (Update::Post, _, _) => created,
        (Update::Patch, Method::Post, 200..=299 | 409) => true,
        (Update::Patch, Method::Patch, 404) => false,
        _ => created,
    }
}

/// Most ids kept in `Outbox::created`.
const MAX_CREATED: usize = 50;

/// Adds `id` to the newest-last list of responses delivered while the endpoint held them,
/// keeping at most `MAX_CREATED`.
pub(super) fn remember(created: &mut Vec<String>, id: &str) {
    created.retain(|c| c != id);
    created.push(id.to_owned());
    if created.len() > MAX_CREATED {
        created.remove(0);
    }
}

impl super::Outbox {
    /// The responses delivered while the endpoint held them, newest last, space-separated:
    /// the stored form (`driver::CREATED_KEY`), so a reload that continues one PATCHes it.
    pub fn created_text(&self) -> String {
        self.created.join(" ")
    }

    /// Takes in the ids of a stored `created_text` (another page or tab delivered them).
    pub fn learn_created(&mut self, text: &str) {
        for id in text.split(' ').filter(|id| !id.is_empty()) {
            if !self.created.iter().any(|c| c == id) {
                remember(&mut self.created, id);
            }
        }
    }
}

/// `{endpoint}/{id}`: the id percent-encoded (all but RFC 3986's unreserved characters), one
/// slash whether or not the endpoint ends with one, and the endpoint's query kept at the end.
pub fn item_url(endpoint: &str, id: &str) -> String {
    let (path, query) = match endpoint.find(['?', '#']) {
        Some(i) => endpoint.split_at(i),
        None => (endpoint, ""),
    };
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut url = path.trim_end_matches('/').to_owned();
    url.push('/');
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            url.push(b as char);
        } else {
            // By hand: `format!("{b:02X}")` costs the wasm more.
            for c in [b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]] {
                url.push(c as char);
            }
        }
    }
    url + query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Reply {
        Reply::Status {
            code,
            retry_after_s: None,
        }
    }

    #[test]
    fn the_method_follows_what_the_endpoint_acknowledged() {
        for (update, created, want) in [
            (Update::Post, false, Method::Post),
            (Update::Post, true, Method::Post),
            (Update::Patch, false, Method::Post),
            (Update::Patch, true, Method::Patch),
        ] {
            assert_eq!(Method::of(update, created), want, "{update:?} {created}");
        }
    }

    #[test]
    fn created_changes_only_as_the_table_says() {
        use Method::{Patch, Post};
        let (p, post) = (Update::Patch, Update::Post);
        let rows: &[(Update, Method, bool, Reply, bool)] = &[
            // The collector's way: nothing to learn.
            (post, Post, false, status(201), false),
            (post, Post, false, status(409), false),
            // Created, or found existing: PATCH next.
            (p, Post, false, status(201), true),
            (p, Post, false, status(200), true),
            (p, Post, false, status(409), true),
            // Never acknowledged: POST again.
            (p, Post, false, Reply::NetworkError, false),
            (p, Post, false, Reply::Timeout, false),
            (p, Post, false, status(500), false),
            (p, Post, false, status(404), false),
            (p, Post, false, status(400), false),
            // The endpoint lost it (restarted, purged): POST the whole body again.
            (p, Patch, true, status(404), false),
            // Anything else leaves a created response created.
            (p, Patch, true, status(200), true),
            (p, Patch, true, status(409), true),
            (p, Patch, true, status(503), true),
            (p, Patch, true, Reply::NetworkError, true),
            (p, Patch, true, Reply::Timeout, true),
        ];
        for (i, &(update, sent, created, reply, want)) in rows.iter().enumerate() {
            assert_eq!(
                created_after(update, sent, created, reply),
                want,
                "row {i}: {update:?} {sent:?} {reply:?}"
            );
        }
    }

    #[test]
    fn item_urls_encode_the_id_and_keep_one_slash_and_the_query() {
        for (endpoint, id, want) in [
            ("/responses", "a1", "/responses/a1"),
            ("/responses/", "a1", "/responses/a1"),
            (
                "https://api.example/v1/nps",
                "0f8e-11",
                "https://api.example/v1/nps/0f8e-11",
            ),
            ("/r?key=1", "x", "/r/x?key=1"),
            ("/r/?key=1#top", "x", "/r/x?key=1#top"),
            ("/r", "a b/c?d", "/r/a%20b%2Fc%3Fd"),
            ("/r", "é", "/r/%C3%A9"),
            ("/r", "A-z_0.9~", "/r/A-z_0.9~"),
        ] {
            assert_eq!(item_url(endpoint, id), want, "{endpoint} {id}");
        }
    }
}
