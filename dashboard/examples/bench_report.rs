//! What a filter change costs at 1,000,000 answers, natively: `report::build_with` with the
//! default view and with one store picked, and `drill::every_row` at the store and region
//! levels (medians of 5), all on the compact index and the filters' choices computed once per
//! set of answers (timed apart: `compact::Index::new` from records, `compact::Index::of` from
//! the collector's columns as the signed-in page reads them, `Index::options`).
//! `cargo run --release -p nps-dashboard --example bench_report`; the wasm
//! in a browser is some 1.5–3× slower (docs/PERFORMANCE.md). With `-- --digest` it also
//! prints a hash of many views' reports and tables: making them faster must not change it.

use std::time::{Duration, Instant};

use nps_core::contract::columns::Writer;
use nps_core::contract::context::Dimension;
use nps_core::org::Org;
use nps_core::scoring::analysis::minutes_of;
use nps_dashboard::compact::Index;
use nps_dashboard::data::{Answers, LeftOut, Record};
use nps_dashboard::drill::{self, Level, Reach};
use nps_dashboard::filters::Filters;
use nps_dashboard::report::{self, Context};
use serde_json::json;

const ANSWERS: usize = 1_000_000;
const STORES: usize = 300;
const ADVISORS: usize = 2_000;
const RUNS: usize = 5;

/// A small xorshift: the same data on every run, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// 6 regions × 5 cities × 10 stores, each store's advisors in turn.
fn org() -> Org {
    let regions: Vec<_> = (0..6)
        .map(|r| json!({"id": format!("R{r}"), "name": format!("大区{r}"), "target": 40}))
        .collect();
    let stores: Vec<_> = (0..STORES)
        .map(|i| {
            let (region, city) = (i % 6, i % 30);
            json!({"id": format!("S{i:03}"), "name": format!("城市{city}第{}店", i / 30),
                   "region": format!("R{region}"), "city": format!("城市{city}"), "target": 50})
        })
        .collect();
    let advisors: Vec<_> = (0..ADVISORS)
        .map(|a| json!({"id": format!("A{a:04}"), "name": format!("顾问{a}"), "store": format!("S{:03}", a % STORES)}))
        .collect();
    Org::from_value(
        &json!({"regions": regions, "stores": stores, "advisors": advisors}),
        "org",
    )
    .expect("a valid org")
}

/// A year of answers up to the end of 2026-11: mostly promoters, a fifth detractors, a few
/// reasons, some comments, one in a hundred flagged.
fn records() -> Vec<Record> {
    const REASONS: [&str; 5] = [
        "wait_time",
        "price",
        "repair_quality",
        "staff",
        "cleanliness",
    ];
    const MODELS: [&str; 8] = ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"];
    const SERVICES: [&str; 3] = ["maintenance", "repair", "warranty"];
    const TOUCHPOINTS: [&str; 3] = ["service", "sales", "delivery"];
    let end = minutes_of("2026-11-30T23:59:00Z").expect("a time");
    let year = 365 * 24 * 60;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..ANSWERS)
        .map(|i| {
            let advisor = rng.below(ADVISORS);
            let store = advisor % STORES;
            let score = match rng.below(100) {
                0..=19 => rng.below(7),
                20..=44 => 7 + rng.below(2),
                _ => 9 + rng.below(2),
            } as u8;
            let mut r = Record::scored(format!("r{i}"), score, end - rng.below(year) as i64);
            r.survey = ["after-sales", "sales"][rng.below(2)].to_owned();
            r.reasons = (0..rng.below(3))
                .map(|_| REASONS[rng.below(REASONS.len())].to_owned())
                .collect();
            if rng.below(20) == 0 {
                r.comment = Some(format!("评论 {i}"));
            }
            if rng.below(100) == 0 {
                r.flagged = Some(LeftOut::TooFast);
            }
            let dims = [
                (Dimension::Store, format!("S{store:03}")),
                (Dimension::Advisor, format!("A{advisor:04}")),
                (Dimension::Model, MODELS[rng.below(MODELS.len())].to_owned()),
                (Dimension::ServiceType, SERVICES[rng.below(3)].to_owned()),
                (Dimension::Touchpoint, TOUCHPOINTS[rng.below(3)].to_owned()),
            ];
            for (d, code) in dims {
                r.dims[d.index()] = code;
            }
            r
        })
        .collect()
}

/// The median of `RUNS` runs of `f`, and its last result.
fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(start.elapsed());
    }
    times.sort();
    (times[RUNS / 2], last.expect("a run"))
}

fn ms(d: Duration) -> String {
    format!("{:7.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let started = Instant::now();
    let (org, records) = (org(), records());
    println!(
        "{} answers, {} stores, {} advisors (made in {})",
        records.len(),
        org.stores().len(),
        org.advisors().len(),
        ms(started.elapsed())
    );
    let cx = Context {
        now: records.iter().map(|r| r.created).max().unwrap_or(0),
        offset: 480,
        min_n: 30,
    };
    let all = Filters::default();
    let mut one = Filters::default();
    one.only[Dimension::Store.index()] = Some("S042".into());
    let stores = Filters {
        level: Some(Level::Store),
        ..Filters::default()
    };
    let reach = Reach::default();

    let body = columns_of(&records);
    let (t_columns, _) = median(|| {
        let answers = Answers::from_columns(&body).expect("the writer's own body");
        Index::of(&answers, &org, cx.offset)
    });
    let (t_index, index) = median(|| Index::new(&records, &org, cx.offset));
    let (t_options, options) = median(|| index.options());
    let build = |f: &Filters| report::build_with(&records, &index, &options, &org, f, cx);
    let (t_all, r_all) = median(|| build(&all));
    let (t_one, r_one) = median(|| build(&one));
    let range = (r_all.from, r_all.to);
    let (t_rows, rows) = median(|| drill::every_row(&index, &org, &stores, cx, range, &reach));
    let (t_regions, _) = median(|| drill::every_row(&index, &org, &all, cx, range, &reach));
    println!(
        "columns read + Index::of (once) {}  ({:.1} MB)",
        ms(t_columns),
        body.len() as f64 / 1e6
    );
    println!("compact::Index::new (once)      {}", ms(t_index));
    println!("Index::options (once)           {}", ms(t_options));
    println!(
        "report::build, default view     {}  (n {})",
        ms(t_all),
        r_all.tally.n()
    );
    println!(
        "report::build, one store        {}  (n {})",
        ms(t_one),
        r_one.tally.n()
    );
    println!(
        "drill::every_row, store level   {}  ({} rows)",
        ms(t_rows),
        rows.rows.len()
    );
    println!("drill::every_row, region level  {}", ms(t_regions));
    println!("a filter change (build + rows)  {}", ms(t_all + t_rows));
    if std::env::args().any(|a| a == "--digest") {
        let d = digest(&records, &org, cx);
        println!("digest of the results           {d:016x}");
    }
}

/// The body of `GET /api/responses?format=columns` for `records`, as the collector writes it.
fn columns_of(records: &[Record]) -> Vec<u8> {
    let mut w = Writer::new();
    for r in records {
        w.push(&r.row());
    }
    w.finish()
}

/// A hash of the reports and tables of many views: a change meant only to make them faster
/// leaves it as it was.
fn digest(records: &[Record], org: &Org, cx: Context) -> u64 {
    use nps_core::scoring::analysis::Period;
    use nps_core::scoring::score::Category;
    use nps_dashboard::filters::By;
    use std::hash::{DefaultHasher, Hash, Hasher};
    let changes: [fn(&mut Filters); 19] = [
        |_| {},
        |f| f.only[Dimension::Store.index()] = Some("S042".into()),
        |f| f.only[Dimension::Advisor.index()] = Some("A0042".into()),
        |f| f.only[Dimension::Model.index()] = Some("M3".into()),
        |f| f.region = Some("R2".into()),
        |f| f.city = Some("城市7".into()),
        |f| f.survey = Some("sales".into()),
        |f| f.by = By::Region,
        |f| f.by = By::City,
        |f| f.by = By::Dim(Dimension::Advisor),
        |f| f.trend = Period::Month,
        |f| f.comments = Some(Category::Detractor),
        |f| f.search = "评论 1".into(),
        |f| f.reason = Some("price".into()),
        |f| (f.from, f.to) = (Some(20_500), Some(20_600)),
        |f| f.level = Some(Level::City),
        |f| f.level = Some(Level::Store),
        |f| f.level = Some(Level::Advisor),
        |f| {
            f.region = Some("R1".into());
            f.level = Some(Level::Advisor);
        },
    ];
    let index = Index::new(records, org, cx.offset);
    let mut h = DefaultHasher::new();
    for change in changes {
        let mut f = Filters::default();
        change(&mut f);
        let r = report::build(records, org, &f, cx);
        format!("{r:?}").hash(&mut h);
        let t = drill::every_row(&index, org, &f, cx, (r.from, r.to), &Reach::default());
        format!("{t:?}").hash(&mut h);
    }
    h.finish()
}
