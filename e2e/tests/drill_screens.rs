//! "逐级查看", the places table, in headless Chromium (Beijing time, zh-CN), signed in as an
//! admin: on the demo set, drilled region → city → store → advisor by tapping names (each
//! level's rows, the link keeping the place, the rows adding up to the headline's n, the
//! collector's response rates and open cases filled in), back up by the crumbs, and a store
//! found by its name, at 375 and 1280 px (with `NPS_SCREENSHOTS=DIR`, a PNG of each; nothing
//! wider than a phone's screen). Then a generated 500-store brand: the table of every store
//! and a search, each timed from the change to the rows in the DOM (docs/PERFORMANCE.md).

use nps_collector::demo::{self, brand::Brand};
use nps_core::access::{Role, Scope};
use nps_e2e::{wait_until, Browser, Options, Server};
use serde_json::{json, Value};

async fn shot(b: &Browser, name: &str) {
    b.find(".drill[aria-busy=false]").await;
    b.js("document.querySelector('.drill').scrollIntoView({block: 'start'}); return 0")
        .await;
    b.at_rest().await;
    b.screenshot(name).await;
}

/// The rows shown, as (code, level of the table).
async fn rows(b: &Browser) -> (Vec<String>, String) {
    let v = b
        .js("const t = document.querySelector('.drill table'); \
             return [t ? [...t.querySelectorAll('tbody tr')].map(r => r.dataset.code) : [], t ? t.dataset.level : '']")
        .await;
    let codes = v[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (codes, v[1].as_str().unwrap().to_owned())
}

/// Waits until the table shows `level`.
async fn at_level(b: &Browser, level: &str) -> Vec<String> {
    wait_until(&format!("the places table at {level}"), || async {
        let (codes, l) = rows(b).await;
        (l == level && !codes.is_empty()).then_some(codes)
    })
    .await
}

/// Taps the name of the row `code`.
async fn open(b: &Browser, code: &str) {
    b.tap(&format!(".drill tbody tr[data-code='{code}'] button.open"))
        .await;
}

/// A whole number in a text ("3,512 条回答" → 3512).
fn number(text: &str) -> u64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number in {text:?}"))
}

/// The n of every row shown, summed.
async fn n_sum(b: &Browser) -> u64 {
    let cells = b
        .js("return [...document.querySelectorAll('.drill tbody tr')].map(r => r.cells[3].textContent)")
        .await;
    cells
        .as_array()
        .unwrap()
        .iter()
        .map(|c| number(c.as_str().unwrap()))
        .sum()
}

/// The places table fits the screen: nothing in it wider than the card, the card within
/// the viewport, no sideways scroll of the page.
async fn fits(b: &Browser, what: &str) {
    let wide = b
        .js("const d = document.querySelector('.drill'); \
             return [d.scrollWidth - d.clientWidth, Math.max(0, Math.ceil(d.getBoundingClientRect().right) - innerWidth), \
                     document.scrollingElement.scrollWidth - innerWidth]")
        .await;
    assert_eq!(
        wide,
        json!([0, 0, 0]),
        "{what}: nothing wider than the screen"
    );
}

fn fragment(v: Value) -> String {
    v.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_drills_from_the_regions_to_a_stores_advisors_and_finds_a_store() {
    let org = nps_collector::org_file::read(include_str!("../../www/demo-org.toml")).unwrap();
    let server = Server::start_with(|s| s.names = demo::names().with_org(org)).await;
    demo::seed(&server.db, 4000, 6, 7).unwrap();
    for (width, height) in [(375, 667), (1280, 800)] {
        let b = Browser::start(Options {
            width,
            height,
            lang: "zh-CN",
            ..Options::default()
        })
        .await;
        b.beijing_time().await;
        b.sign_in_as(&server, Role::Admin, Scope::All).await;
        b.goto(&format!("{}/dashboard.html", server.base)).await;
        b.find(".glance .n").await;

        // The whole brand: a row per region, adding up to the headline's n.
        let regions = at_level(&b, "region").await;
        let mut sorted = regions.clone();
        sorted.sort();
        assert_eq!(sorted, ["east", "north", "south", "west"]);
        let n = number(&b.text(".glance .n").await);
        assert_eq!(n_sum(&b).await, n, "the regions add up to the headline");
        let south = b.text(".drill tbody tr[data-code=south] th").await;
        assert!(south.contains("华南大区"), "{south}");
        // The collector's response rate and open cases, summed over the region's stores.
        let cells = wait_until("the collector's figures", || async {
            let cells = b
                .js("return [...document.querySelector('.drill tbody tr[data-code=south]').cells].map(c => c.textContent)")
                .await;
            (cells[4] != "—" && cells[5] != "—").then_some(cells)
        })
        .await;
        assert!(
            cells[4].as_str().unwrap().ends_with('%'),
            "a response rate: {cells}"
        );
        number(cells[5].as_str().unwrap());
        assert!(
            cells[6].as_str().unwrap().starts_with("55"),
            "the target: {cells}"
        );
        // Under 30 answers (the demo's west): greyed, "too few answers" with how many, no
        // interval, never against the target.
        let west = b
            .js(
                "const r = document.querySelector('.drill tbody tr[data-code=west]'); \
                 return [r.className, r.cells[0].textContent, r.cells[6].textContent, \
                 r.querySelector('.range').textContent]",
            )
            .await;
        assert_eq!(west[0], "thin", "{west}");
        let badge = west[1].as_str().unwrap();
        assert!(
            badge.contains("样本不足（") && !badge.contains('{'),
            "{west}"
        );
        assert!(!west[2].as_str().unwrap().contains("比目标"), "{west}");
        assert_eq!(west[3], "", "no interval: {west}");
        fits(&b, &format!("regions at {width}")).await;
        shot(&b, &format!("drill-{width}-zh-cn-regions")).await;

        // South → its cities → 深圳 → its one store → its advisors; the link keeps each.
        open(&b, "south").await;
        let cities = at_level(&b, "city").await;
        let mut cities_sorted = cities.clone();
        cities_sorted.sort();
        assert_eq!(cities_sorted, ["广州", "深圳"]);
        assert!(fragment(b.js("return location.hash").await).contains("region=south"));
        let in_south = number(&b.text(".glance .n").await);
        assert_eq!(n_sum(&b).await, in_south, "the cities add up to the region");
        assert!(in_south < n);
        open(&b, "深圳").await;
        assert_eq!(at_level(&b, "store").await, ["SZ-FT"]);
        open(&b, "SZ-FT").await;
        let advisors = at_level(&b, "advisor").await;
        let mut advisors_sorted = advisors.clone();
        advisors_sorted.sort();
        assert_eq!(advisors_sorted, ["chen", "liu", "wang"]);
        let hash = fragment(b.js("return decodeURIComponent(location.hash)").await);
        assert!(
            hash.contains("store=SZ-FT") && hash.contains("city=深圳"),
            "{hash}"
        );
        assert_eq!(
            n_sum(&b).await,
            number(&b.text(".glance .n").await),
            "the advisors add up to the store"
        );
        let crumbs = b.text(".drill nav.crumbs").await;
        assert!(
            crumbs.contains("全品牌")
                && crumbs.contains("华南大区")
                && crumbs.contains("深圳福田店"),
            "{crumbs}"
        );
        fits(&b, &format!("advisors at {width}")).await;
        shot(&b, &format!("drill-{width}-zh-cn-advisors")).await;

        // Back to the whole brand by the first crumb, then every store, searched by name.
        b.tap(".drill nav.crumbs button[data-level='']").await;
        at_level(&b, "region").await;
        assert!(!fragment(b.js("return location.hash").await).contains("region="));
        b.tap(".drill .levels button[data-level=store]").await;
        assert_eq!(at_level(&b, "store").await.len(), 6);
        b.tap(".drill input.find").await;
        b.keys("杭州").await;
        wait_until("the search to find 杭州西湖店", || async {
            (rows(&b).await.0 == ["HZ-XH"]).then_some(())
        })
        .await;
        assert_eq!(b.text(".drill .found").await, "找到 1 个，共 6 个");
        let hash = fragment(b.js("return decodeURIComponent(location.hash)").await);
        assert!(
            hash.contains("level=store") && hash.contains("find=杭州"),
            "{hash}"
        );
        // Another order, kept in the link.
        b.js(
            "const s = document.querySelector('.drill select.sort'); s.value = 'n'; \
              s.dispatchEvent(new Event('change', {bubbles: true})); return 0",
        )
        .await;
        wait_until("the order in the link", || async {
            fragment(b.js("return location.hash").await)
                .contains("sort=n")
                .then_some(())
        })
        .await;
        fits(&b, &format!("search at {width}")).await;
        shot(&b, &format!("drill-{width}-zh-cn-search")).await;
        b.close().await;
    }
}

/// Milliseconds from running `change` to the table showing `rows` rows of `level`.
async fn timed(b: &Browser, change: &str, level: &str, rows: usize) -> f64 {
    b.js(&format!(
        "window.__took = null; const t0 = performance.now(); \
         const done = () => {{ const t = document.querySelector('.drill table[data-level={level}]'); \
           return t && t.querySelectorAll('tbody tr').length === {rows}; }}; \
         const o = new MutationObserver(() => {{ if (window.__took === null && done()) {{ \
           window.__took = performance.now() - t0; o.disconnect(); }} }}); \
         o.observe(document.body, {{subtree: true, childList: true, attributes: true, characterData: true}}); \
         {change}; return 0"
    ))
    .await;
    wait_until(&format!("{rows} rows of {level}"), || async {
        b.js("return window.__took").await.as_f64()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_stores_are_listed_and_searched_at_once() {
    let brand = Brand::large(500, 7);
    let org = nps_collector::org_file::read(&brand.org).unwrap();
    let server = Server::start_with(|s| s.names = demo::names().with_org(org)).await;
    demo::seed_brand(&server.db, &brand, 20_000, 3, 7).unwrap();
    let b = Browser::start(Options {
        lang: "zh-CN",
        ..Options::default()
    })
    .await;
    b.beijing_time().await;
    b.sign_in_as(&server, Role::Admin, Scope::All).await;
    b.goto(&format!("{}/dashboard.html", server.base)).await;
    at_level(&b, "region").await;
    // Every store: the first page of rows, out of 500.
    let all = timed(&b, "location.hash = 'level=store'", "store", 50).await;
    assert_eq!(
        b.text(".drill button.more").await,
        "再显示 50 个（还有 450 个）"
    );
    // A search over the 500: 深圳's stores (a city's share of them).
    let search = timed(
        &b,
        "const i = document.querySelector('.drill input.find'); i.value = '深圳'; \
         i.dispatchEvent(new InputEvent('input', {bubbles: true}))",
        "store",
        13,
    )
    .await;
    let found = rows(&b).await.0;
    assert!(found.iter().all(|c| c.starts_with("SZ-")), "{found:?}");
    println!("500 stores: the store level in {all:.0} ms, a search in {search:.0} ms");
    assert!(all < 1500.0 && search < 1500.0, "{all} ms, {search} ms");
    b.close().await;
}
