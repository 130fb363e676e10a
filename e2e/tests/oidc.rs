//! Single sign-on against a real OpenID provider nobody here wrote: oidc-provider (npm;
//! `NPS_OIDC_PROVIDER` names its entry module, `cargo xtask test` installs it) run by
//! `e2e/oidc/provider.mjs` with `node` on 127.0.0.2 (another site than the collector on
//! 127.0.0.1, so its redirect back is a cross-site navigation, as in production), and the
//! collector with the single sign-on file's rules (group `nps-store-SZ-FT` → store SZ-FT).
//!
//! In Chromium a store manager signs in at the provider and lands on the dashboard signed
//! in; without a browser (plain HTTP through the provider's login form), a forged or
//! mismatched state, a replayed callback, a person no rule matches, an unverified email and
//! a disabled account are each refused with a page, and audited.

use std::sync::Arc;

use nps_collector::sso;
use nps_core::scoring::analysis::Names;
use nps_e2e::{wait_until, Browser, Options, Server, DEADLINE};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SECRET: &str = "e2e-client-secret";

/// oidc-provider, started by `e2e/oidc/provider.mjs`.
struct Provider {
    issuer: String,
    _child: Child,
}

impl Provider {
    /// On a free port, or on `port` (0: any).
    async fn start(redirect_uri: &str) -> Provider {
        Provider::start_at(redirect_uri, 0).await
    }

    async fn start_at(redirect_uri: &str, port: u16) -> Provider {
        let module = std::env::var_os("NPS_OIDC_PROVIDER").expect(
            "NPS_OIDC_PROVIDER names oidc-provider's lib/index.js (cargo xtask test installs it and sets it)",
        );
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("NPS_OIDC_PROVIDER", module)
            .env("CLIENT_SECRET", SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env("PORT", port.to_string())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start node e2e/oidc/provider.mjs (node comes with npm)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(issuer) = line.strip_prefix("issuer ") {
                    return issuer.to_owned();
                }
            }
            panic!("the provider stopped before it listened");
        })
        .await
        .expect("the provider to listen");
        // It writes notices to stdout later: read them, or it dies of a closed pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Provider {
            issuer,
            _child: child,
        }
    }
}

/// The provider, and the collector (on 127.0.0.1) with single sign-on to it.
async fn start() -> (Provider, Server) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = Provider::start(&format!("{base}{}", sso::CALLBACK)).await;
    let server = collector(listener, &provider.issuer).await;
    (provider, server)
}

/// The collector on `listener`, with single sign-on to `issuer` (docs/org.toml's stores; group
/// `nps-store-CODE` → store CODE).
async fn collector(listener: tokio::net::TcpListener, issuer: &str) -> Server {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let callback = format!("{base}{}", sso::CALLBACK);
    let org = nps_collector::org_file::read(include_str!("../../docs/org.toml")).unwrap();
    let text = format!(
        "issuer = \"{}\"\nclient_id = \"nps-collector\"\nredirect_url = \"{callback}\"\n\
         scopes = [\"email\", \"groups\"]\n\n[[rule]]\ngroup_prefix = \"nps-store-\"\nrole = \"store\"\n",
        issuer
    );
    let settled = sso::file::read(&text, &org)
        .unwrap()
        .settle(Some(SECRET.into()), &[])
        .unwrap();
    Server::start_on(listener, |s| {
        s.sso = Some(Arc::new(settled));
        s.names = Names::default().with_org(org);
    })
    .await
}

/// The accounts: (email, role, scope, disabled).
fn users(server: &Server) -> Vec<(String, String, Value, bool)> {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT email, role, scope, disabled_at IS NOT NULL FROM users ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        let scope: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            serde_json::from_str(&scope).unwrap(),
            r.get(3)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The audit trail: (who, action, detail), oldest first.
fn audit(server: &Server) -> Vec<(String, String, Value)> {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let mut stmt = conn
        .prepare("SELECT who, action, detail FROM audit ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        let detail: String = r.get(2)?;
        Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&detail).unwrap()))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// An account made beforehand (as `user add` would).
fn add_user(server: &Server, email: &str, role: &str, scope: &str) {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.execute(
        "INSERT INTO users (email, role, scope, created_at) VALUES (?1, ?2, ?3, '2026-01-01T00:00:00.000Z')",
        rusqlite::params![email, role, scope],
    )
    .unwrap();
}

/// The status, the page's fetch of `path` from inside the browser.
async fn fetch_status(b: &Browser, path: &str) -> i64 {
    let script = format!(
        "const done = arguments[0]; fetch({path:?}).then(r => done(r.status), () => done(0));"
    );
    let v = b.client.execute_async(&script, vec![]).await.unwrap();
    v.as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_manager_signs_in_through_the_provider_in_chromium() {
    let (_provider, server) = start().await;
    let b = Browser::start(Options::default()).await;
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    assert_eq!(
        fetch_status(&b, "/api/names").await,
        401,
        "not signed in yet"
    );
    // As a manager would: the dashboard's "sign in", then the sign-in page's company link.
    b.click(".signin a.primary").await;
    b.click("a.nps-sso").await;
    // At the provider: its login form (any password), then its consent if it asks.
    let login = b.find("input[name=login]").await;
    assert!(
        b.js("return location.href")
            .await
            .as_str()
            .unwrap()
            .starts_with(&_provider.issuer),
        "at the provider"
    );
    login.send_keys("li").await.unwrap();
    b.find("input[name=password]")
        .await
        .send_keys("any password")
        .await
        .unwrap();
    b.click("button[type=submit]").await;
    let dashboard = format!("{}/dashboard.html", server.base);
    wait_until("the dashboard, after the provider", || async {
        let here = b.js("return location.href").await;
        let here = here.as_str().unwrap_or_default().to_owned();
        let here = here.split('#').next().unwrap_or_default().to_owned();
        if here.starts_with(&_provider.issuer) {
            // The consent page: its one button.
            let consent = "return !!document.querySelector('input[name=prompt][value=consent]')";
            if b.js(consent).await == json!(true) {
                let _ = b
                    .client
                    .find(fantoccini::Locator::Css("button[type=submit]"))
                    .await
                    .ok()?
                    .click()
                    .await;
            }
        }
        (here == dashboard).then_some(())
    })
    .await;
    // Signed in: the page's own requests carry the session (SameSite=Strict, same site).
    assert_eq!(fetch_status(&b, "/api/names").await, 200);
    let cookies = b.client.get_all_cookies().await.unwrap();
    let names: Vec<&str> = cookies.iter().map(|c| c.name()).collect();
    assert!(names.contains(&"nps_session"), "{names:?}");
    assert!(
        !names.contains(&"nps_oidc"),
        "the sign-in under way is cleared: {names:?}"
    );
    // The dashboard says who is signed in, and so does `GET /api/session`.
    wait_until("the header's name", || async {
        b.text(".bar .me")
            .await
            .contains("li@brand.example")
            .then_some(())
    })
    .await;
    let me = b
        .client
        .execute_async(
            "const done = arguments[0]; fetch('/api/session').then(r => r.json()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        (&me["who"], &me["role"], &me["scope"]),
        (
            &json!("user:li@brand.example"),
            &json!("store"),
            &json!({"stores": ["SZ-FT"]})
        ),
        "{me}"
    );
    // The account the session is for.
    assert_eq!(
        users(&server),
        [(
            "li@brand.example".to_owned(),
            "store".to_owned(),
            json!({"stores": ["SZ-FT"]}),
            false
        )]
    );
    let trail = audit(&server);
    assert!(
        trail.contains(&(
            "user:li@brand.example".into(),
            "signin".into(),
            json!({"via": "oidc"})
        )),
        "{trail:?}"
    );
    assert!(
        trail
            .iter()
            .any(|(who, action, _)| who == "oidc" && action == "user_add"),
        "{trail:?}"
    );
    b.close().await;
}

/// A plain HTTP client that follows nothing, with each host's cookies kept by name (enough
/// for the provider's login form).
struct Http {
    agent: ureq::Agent,
    jar: Vec<(String, String, String)>,
}

/// An answer: status, `Location`, `Set-Cookie`s, body.
struct Reply {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

impl Http {
    fn new() -> Http {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Http {
            agent,
            jar: Vec::new(),
        }
    }

    fn host(url: &str) -> String {
        url::Url::parse(url).unwrap().authority().to_owned()
    }

    fn cookie_header(&self, url: &str) -> String {
        let host = Http::host(url);
        let pairs: Vec<String> = self
            .jar
            .iter()
            .filter(|(h, ..)| *h == host)
            .map(|(_, k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("; ")
    }

    fn keep(&mut self, url: &str, cookies: &[String]) {
        let host = Http::host(url);
        for c in cookies {
            let pair = c.split(';').next().unwrap_or_default();
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            self.jar.retain(|(h, name, _)| !(*h == host && name == k));
            if !v.is_empty() {
                self.jar.push((host.clone(), k.to_owned(), v.to_owned()));
            }
        }
    }

    /// `GET url` (or `POST` a form), with this host's cookies; keeps the ones set.
    fn send(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> Reply {
        let cookie = self.cookie_header(url);
        let resp = match form {
            None => self.agent.get(url).header("cookie", &cookie).call(),
            Some(pairs) => {
                let body: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                self.agent
                    .post(url)
                    .header("cookie", &cookie)
                    .content_type("application/x-www-form-urlencoded")
                    .send(body)
            }
        }
        .unwrap_or_else(|e| panic!("{url}: {e}"));
        let text = |v: &ureq::http::HeaderValue| v.to_str().unwrap().to_owned();
        let location = resp
            .headers()
            .get("location")
            .map(text)
            .map(|l| url::Url::parse(url).unwrap().join(&l).unwrap().to_string());
        let cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(text)
            .collect();
        let status = resp.status().as_u16();
        let body = resp.into_body().read_to_string().unwrap_or_default();
        self.keep(url, &cookies);
        Reply {
            status,
            location,
            cookies,
            body,
        }
    }

    /// From the collector's `/signin/oidc` through the provider's login (as `login`) and
    /// consent: the callback URL the provider sends the browser to (not yet followed).
    fn through_provider(&mut self, base: &str, login: &str) -> String {
        let start = self.send(
            &format!("{base}{}?next=/dashboard.html%3Fx%3D1&lang=en", sso::START),
            None,
        );
        assert_eq!(start.status, 302, "{}", start.body);
        let mut url = start.location.expect("a Location to the provider");
        for _ in 0..12 {
            if url.starts_with(base) {
                return url;
            }
            let mut reply = self.send(&url, None);
            if reply.status == 200 {
                let prompt = match reply.body.contains("name=\"login\"") {
                    true => vec![("prompt", "login"), ("login", login), ("password", "x")],
                    false => vec![("prompt", "consent")],
                };
                reply = self.send(&url, Some(&prompt));
            }
            url = reply
                .location
                .unwrap_or_else(|| panic!("{url}: {} {}", reply.status, reply.body));
        }
        panic!("the provider never sent the browser back");
    }
}

/// Runs plain-HTTP steps off the async runtime, which serves the collector.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

fn set_cookie<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(String::as_str)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_mismatched_state_is_refused() {
    let (_provider, server) = start().await;
    let base = server.base.clone();
    blocking(move || {
        let mut http = Http::new();
        let start = http.send(&format!("{base}{}", sso::START), None);
        assert_eq!(start.status, 302);
        // The sign-in under way: only this browser has it, and the provider's redirect back
        // (a top-level navigation from another site) carries it: Lax, not Strict.
        let pending = set_cookie(&start, "nps_oidc").expect("the nps_oidc cookie");
        for part in [
            "HttpOnly",
            "SameSite=Lax",
            "Path=/signin/oidc",
            "Max-Age=600",
        ] {
            assert!(pending.contains(part), "{pending}");
        }
        let to = url::Url::parse(start.location.as_deref().unwrap()).unwrap();
        let query: Vec<(String, String)> = to.query_pairs().into_owned().collect();
        let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.clone());
        assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
        assert!(get("nonce").is_some() && get("code_challenge").is_some());
        let state = get("state").unwrap();
        let callback = |state: &str| format!("{base}{}?code=made-up&state={state}", sso::CALLBACK);
        // Forged: a state this browser did not start.
        let forged = http.send(&callback("forged-state"), None);
        assert_eq!(forged.status, 400, "{}", forged.body);
        // In the browser's language, zh-CN when it says none.
        assert!(forged.body.contains("登录已失效"), "{}", forged.body);
        assert!(set_cookie(&forged, "nps_session").is_none());
        // The right state in another browser (no cookie): login CSRF, refused (not audited:
        // nothing was under way there).
        let mut other = Http::new();
        let elsewhere = other.send(&callback(&state), None);
        assert_eq!(elsewhere.status, 400, "{}", elsewhere.body);
        // A second start in this browser replaces the first: the first's state is stale.
        let again = http.send(&format!("{base}{}", sso::START), None);
        assert_eq!(again.status, 302);
        let stale = http.send(&callback(&state), None);
        assert_eq!(stale.status, 400, "{}", stale.body);
    })
    .await;
    let failed: Vec<_> = audit(&server)
        .into_iter()
        .filter(|(_, a, _)| a == "signin_failed")
        .collect();
    // The forged and the stale state, each of a sign-in under way.
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().all(|(who, _, d)| who.starts_with("client:")
            && *d == json!({"via": "oidc", "why": "state"})),
        "{failed:?}"
    );
    assert!(users(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_callback_is_refused() {
    let (_provider, server) = start().await;
    let base = server.base.clone();
    blocking(move || {
        let mut http = Http::new();
        let callback = http.through_provider(&base, "li");
        let pending = http.cookie_header(&base);
        let first = http.send(&callback, None);
        assert_eq!(first.status, 303, "{}", first.body);
        assert_eq!(
            first.location.as_deref().unwrap(),
            format!("{base}/dashboard.html?x=1")
        );
        assert!(set_cookie(&first, "nps_session")
            .unwrap()
            .contains("SameSite=Strict"));
        assert!(set_cookie(&first, "nps_oidc")
            .unwrap()
            .contains("Max-Age=0"));
        // Replayed by the same browser: nothing is under way any more (nor audited).
        let again = http.send(&callback, None);
        assert_eq!(again.status, 400, "{}", again.body);
        assert!(set_cookie(&again, "nps_session").is_none());
        // Replayed with the sign-in's cookie captured too: the provider refuses the used code.
        let mut thief = Http::new();
        thief.keep(&base, &[pending.clone()]);
        let stolen = thief.send(&callback, None);
        assert_eq!(stolen.status, 502, "{}", stolen.body);
        assert!(set_cookie(&stolen, "nps_session").is_none());
    })
    .await;
    let trail = audit(&server);
    let actions: Vec<(&str, &str)> = trail
        .iter()
        .map(|(_, a, d)| (a.as_str(), d["why"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        actions,
        [
            ("user_add", ""),
            ("signin", ""),
            ("signin_failed", "token_exchange")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_signs_in_is_the_rules_and_the_accounts_say() {
    let (_provider, server) = start().await;
    // Li was an analyst; Wu (unverified at the provider) is not let in; a disabled account
    // stays out; a guest no rule matches is told to ask.
    add_user(&server, "li@brand.example", "analyst", "\"all\"");
    let base = server.base.clone();
    let replies = blocking(move || {
        ["li", "guest", "unverified"].map(|login| {
            let mut http = Http::new();
            let callback = http.through_provider(&base, login);
            http.send(&callback, None)
        })
    })
    .await;
    let [li, guest, unverified] = replies;
    assert_eq!(li.status, 303, "{}", li.body);
    assert_eq!(guest.status, 403);
    assert!(
        guest.body.contains("guest@elsewhere.example")
            && guest.body.contains("add you to the right group"),
        "{}",
        guest.body
    );
    assert_eq!(unverified.status, 403);
    assert!(
        unverified.body.contains("verified email"),
        "{}",
        unverified.body
    );
    assert_eq!(
        users(&server)[0],
        (
            "li@brand.example".into(),
            "store".into(),
            json!({"stores": ["SZ-FT"]}),
            false
        )
    );
    let trail = audit(&server);
    assert!(
        trail.contains(&(
            "oidc".into(),
            "user_role".into(),
            json!({"email": "li@brand.example", "from": {"role": "analyst", "scope": "all"},
               "to": {"role": "store", "scope": {"stores": ["SZ-FT"]}}, "via": "oidc"})
        )),
        "{trail:?}"
    );
    assert!(
        trail.contains(&(
            "user:guest@elsewhere.example".into(),
            "signin_failed".into(),
            json!({"via": "oidc", "why": "no_rule"})
        )),
        "{trail:?}"
    );
    assert!(
        trail
            .iter()
            .any(|(_, a, d)| a == "signin_failed" && d["why"] == "email_not_verified"),
        "{trail:?}"
    );
    // Disabled now: the next sign-in through the provider makes no session.
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.execute(
        "UPDATE users SET disabled_at = '2026-01-02T00:00:00.000Z'",
        [],
    )
    .unwrap();
    let base = server.base.clone();
    let disabled = blocking(move || {
        let mut http = Http::new();
        let callback = http.through_provider(&base, "li");
        http.send(&callback, None)
    })
    .await;
    assert_eq!(disabled.status, 403, "{}", disabled.body);
    assert!(set_cookie(&disabled, "nps_session").is_none());
    assert!(disabled.body.contains("disabled"), "{}", disabled.body);
    assert!(audit(&server)
        .iter()
        .any(|(_, a, d)| a == "signin_failed" && d["why"] == "disabled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_is_down_is_a_page_and_tried_again_at_the_next_sign_in() {
    // A port on the provider's address where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.2:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = collector(listener, &format!("http://127.0.0.2:{port}")).await;
    let base = server.base.clone();
    let down = blocking(move || {
        let mut http = Http::new();
        let down = http.send(&format!("{base}{}?lang=en", sso::START), None);
        let health = http.send(&format!("{base}/healthz"), None);
        (down, health)
    })
    .await;
    assert_eq!(down.0.status, 503, "{}", down.0.body);
    assert!(
        down.0.body.contains("can&#39;t be reached") && down.0.body.contains("password"),
        "{}",
        down.0.body
    );
    assert!(set_cookie(&down.0, "nps_oidc").is_none());
    assert_eq!(down.1.status, 200, "the collector serves on");
    // The provider comes up: the next sign-in discovers it.
    let _provider = Provider::start_at(&format!("{}{}", server.base, sso::CALLBACK), port).await;
    let base = server.base.clone();
    let up = blocking(move || Http::new().send(&format!("{base}{}", sso::START), None)).await;
    assert_eq!(up.status, 302, "{}", up.body);
    assert!(up
        .location
        .unwrap()
        .starts_with(&format!("http://127.0.0.2:{port}/auth?")));
}
