//! The widget against a generic REST server nobody here wrote: json-server (npm; `NPS_JSON_SERVER`
//! names its command, `cargo xtask test` installs it) on a loopback port, on another origin
//! than the page, so every PATCH passes a real CORS preflight. With `update: "patch"` the
//! first post creates the record (`POST /responses`) and later ones update it
//! (`PATCH /responses/{id}`); with the collector's `update: "post"` json-server keeps nothing
//! of the answer.

use std::path::PathBuf;
use std::process::Stdio;

use nps_e2e::{temp_dir, wait_until, Browser, Options, Server};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// json-server on a loopback port with a fresh `db.json` of no responses.
struct JsonServer {
    port: u16,
    log: PathBuf,
    _child: Child,
}

impl JsonServer {
    async fn start() -> JsonServer {
        let dir = temp_dir("json-server");
        let db = dir.join("db.json");
        std::fs::write(&db, r#"{"responses": []}"#).unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = dir.join("requests.log");
        let bin = std::env::var_os("NPS_JSON_SERVER")
            .expect("NPS_JSON_SERVER names json-server's command (cargo xtask test installs it and sets it)");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(&db)
            .current_dir(&dir)
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start json-server");
        let server = JsonServer {
            port,
            log,
            _child: child,
        };
        wait_until("json-server to answer", || async {
            server
                .try_request("GET", "/responses", None)
                .await
                .map(|_| ())
        })
        .await;
        server
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/responses", self.port)
    }

    /// One HTTP/1.1 request; the status and the body, or `None` when it could not be made.
    async fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Option<(u16, String)> {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .ok()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(format!("{head}{body}").as_bytes()).await.ok()?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.ok()?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let code = text.split(' ').nth(1)?.parse().ok()?;
        let body = text.split_once("\r\n\r\n")?.1.to_owned();
        Some((code, body))
    }

    /// json-server's records, as `GET /responses` answers.
    async fn records(&self) -> Vec<Value> {
        let (code, body) = self
            .try_request("GET", "/responses", None)
            .await
            .expect("GET /responses");
        assert_eq!(code, 200, "{body}");
        // json-server writes the body unchunked (`Connection: close`).
        serde_json::from_str::<Vec<Value>>(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    async fn wait_records(&self, what: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        wait_until(what, || async {
            Some(self.records().await).filter(|r| ok(r))
        })
        .await
    }

    /// The requests json-server logged (`METHOD /path STATUS …`), without its colours. Its CORS
    /// layer answers preflights before the log.
    fn requests(&self) -> String {
        let raw = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut out = String::new();
        let mut rest = raw.as_str();
        while let Some(i) = rest.find('\x1b') {
            out.push_str(&rest[..i]);
            rest = rest[i..].split_once('m').map_or("", |(_, after)| after);
        }
        out + rest
    }
}

/// Opens the REST test page with `update`, taps 3, picks a reason, writes a comment and
/// submits (after reloading the page, which continues the response, when `reload`);
/// returns the response id.
async fn answer(
    b: &Browser,
    pages: &Server,
    api: &JsonServer,
    update: &str,
    reload: bool,
) -> String {
    let page = format!(
        "{}/rest.html?endpoint={}&update={update}",
        pages.base,
        api.endpoint()
    );
    b.open(&page).await;
    b.find("#survey >> [data-score='3']").await;
    let id = b.js("return window.__handle.id").await;
    let id = id.as_str().unwrap().to_owned();
    b.click("#survey >> [data-score='3']").await;
    // The score is sent the moment it is chosen: wait for it, so the next stage is a later post.
    api.wait_records("the scored post", |r| !r.is_empty()).await;
    if reload {
        // Reload once the outbox has stored that the endpoint created it.
        let created = "return localStorage.getItem('nps:v1:outbox-created') || ''";
        wait_until("the created mark", || async {
            let ids = b.js(created).await;
            ids.as_str()?.split(' ').any(|i| i == id).then_some(())
        })
        .await;
        b.open(&page).await;
        b.find("#survey >> [data-reason='wait_time']").await;
        let again = b.js("return window.__handle.id").await;
        assert_eq!(again, json!(id), "the reload continues the response");
    }
    b.click("#survey >> [data-reason='wait_time']").await;
    b.find("#survey >> .nps-comment")
        .await
        .send_keys("The wait was long.")
        .await
        .unwrap();
    b.click("#survey >> .nps-submit").await;
    b.find("#survey >> .nps-outcome").await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_mode_keeps_one_record_in_json_server_created_by_post_and_updated_by_patch() {
    let api = JsonServer::start().await;
    let pages = Server::start().await;
    let b = Browser::start(Options::phone("en")).await;
    let id = answer(&b, &pages, &api, "patch", false).await;
    wait_until("✓ Sent", || async {
        (b.text("#survey >> .nps-status").await == "✓ Sent").then_some(())
    })
    .await;
    let records = api
        .wait_records("the completed record", |r| {
            r.iter().any(|x| x["stage"] == "completed")
        })
        .await;
    assert_eq!(records.len(), 1, "one record per response: {records:?}");
    let r = &records[0];
    assert_eq!(r["id"], json!(id));
    assert_eq!(r["stage"], "completed");
    assert_eq!(r["score"], 3);
    assert_eq!(r["reasons"], json!(["wait_time"]));
    assert_eq!(r["comment"], "The wait was long.");
    // Created once, then updated at its own URL. The page is on another origin (another
    // port), so Chromium sent the PATCH only after json-server's preflight allowed it.
    assert_ne!(pages.base, format!("http://127.0.0.1:{}", api.port));
    let log = api.requests();
    let line = |method: &str, path: &str, status: u16| {
        log.lines()
            .any(|l| l.contains(&format!("{method} {path} {status}")))
    };
    assert!(line("POST", "/responses", 201), "{log}");
    assert!(line("PATCH", &format!("/responses/{id}"), 200), "{log}");
    assert_eq!(log.matches("POST /responses").count(), 1, "{log}");
    // What update: "post" would have sent next, json-server refuses: the id exists already.
    let (code, _) = api
        .try_request("POST", "/responses", Some(r))
        .await
        .expect("POST /responses");
    assert_eq!(code, 500, "json-server refuses a second POST of an id");
    assert_eq!(api.records().await.len(), 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_mode_leaves_json_server_without_the_answer() {
    let api = JsonServer::start().await;
    let pages = Server::start().await;
    let b = Browser::start(Options::phone("en")).await;
    let id = answer(&b, &pages, &api, "post", false).await;
    // The collector's way posts each stage to the same URL, as text/plain (no preflight):
    // json-server reads no JSON from it and keeps a record of nothing per post.
    let records = api.wait_records("two posts", |r| r.len() == 2).await;
    assert!(
        records
            .iter()
            .all(|r| r["id"] != json!(id) && r.get("stage").is_none()),
        "{records:?}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_mode_continues_the_record_after_a_reload() {
    let api = JsonServer::start().await;
    let pages = Server::start().await;
    let b = Browser::start(Options::phone("en")).await;
    let id = answer(&b, &pages, &api, "patch", true).await;
    let records = api
        .wait_records("the completed record", |r| {
            r.iter().any(|x| x["stage"] == "completed")
        })
        .await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["id"], json!(id));
    assert_eq!(records[0]["comment"], "The wait was long.");
    // The page after the reload knew the record exists: it never POSTed it again.
    let log = api.requests();
    assert_eq!(log.matches("POST /responses").count(), 1, "{log}");
    assert!(log.contains(&format!("PATCH /responses/{id} 200")), "{log}");
    b.close().await;
}
