//! The brands the demo generator writes for: the demo's own (six stores, `www/demo-org.toml`)
//! or a large one drawn from a seed (`large`: hundreds of stores in five regions and forty
//! cities, each with its advisors, its own promoter and detractor shares and weight, and
//! targets), with its org file, so that the dashboard can be tried on a year of a brand the
//! size of a national network (`nps-collector seed --stores 500 --org-out org.toml`).

use std::fmt::Write as _;

use super::Spec;

/// The demo's org file.
const DEMO_ORG: &str = include_str!("../../../www/demo-org.toml");

/// Regions (id, name, target) and their cities (code, name).
const REGIONS: [(&str, &str, i64, [(&str, &str); 8]); 5] = [
    (
        "south",
        "华南大区",
        55,
        [
            ("SZ", "深圳"),
            ("GZ", "广州"),
            ("DG", "东莞"),
            ("FS", "佛山"),
            ("XM", "厦门"),
            ("FZ", "福州"),
            ("NN", "南宁"),
            ("ZH", "珠海"),
        ],
    ),
    (
        "east",
        "华东大区",
        55,
        [
            ("SH", "上海"),
            ("HZ", "杭州"),
            ("NJ", "南京"),
            ("SU", "苏州"),
            ("NB", "宁波"),
            ("WX", "无锡"),
            ("HF", "合肥"),
            ("JN", "济南"),
        ],
    ),
    (
        "north",
        "华北大区",
        50,
        [
            ("BJ", "北京"),
            ("TJ", "天津"),
            ("SY", "沈阳"),
            ("DL", "大连"),
            ("QD", "青岛"),
            ("SJZ", "石家庄"),
            ("TY", "太原"),
            ("HEB", "哈尔滨"),
        ],
    ),
    (
        "west",
        "西部大区",
        50,
        [
            ("CD", "成都"),
            ("CQ", "重庆"),
            ("KM", "昆明"),
            ("GY", "贵阳"),
            ("XA", "西安"),
            ("LZ", "兰州"),
            ("NX", "银川"),
            ("UR", "乌鲁木齐"),
        ],
    ),
    (
        "central",
        "华中大区",
        50,
        [
            ("WH", "武汉"),
            ("CS", "长沙"),
            ("ZZ", "郑州"),
            ("NC", "南昌"),
            ("YC", "宜昌"),
            ("XY", "襄阳"),
            ("LY", "洛阳"),
            ("ZHZ", "株洲"),
        ],
    ),
];

/// The part of town a store is named after (a city's k-th store takes the k-th).
const DISTRICTS: [&str; 16] = [
    "中心",
    "高新",
    "开发区",
    "东城",
    "西城",
    "南城",
    "北城",
    "新区",
    "滨江",
    "湖滨",
    "机场",
    "大学城",
    "科技园",
    "工业园",
    "港区",
    "火车站",
];
const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "鹏", "婷",
];

/// The most stores a generated brand has (a city's districts, in every city).
pub const MAX_STORES: usize = 5 * 8 * DISTRICTS.len();

/// A brand to write answers for: its stores and its org file.
#[derive(Clone, Debug, PartialEq)]
pub struct Brand {
    pub stores: Vec<Spec>,
    /// The org file (TOML), as `--org` reads it.
    pub org: String,
}

impl Brand {
    /// The demo's six stores and `www/demo-org.toml`.
    pub fn demo() -> Brand {
        Brand {
            stores: super::six(),
            org: DEMO_ORG.into(),
        }
    }

    /// Whether this is the demo's own brand (its invitations, referrals and counter tablet
    /// are written for its stores only).
    pub fn is_demo(&self) -> bool {
        self.org == DEMO_ORG
    }

    /// A brand of `stores` stores (1 to `MAX_STORES`) drawn from `seed`: spread over the
    /// five regions' cities in turn, named "{city}{district}店" and coded `SZ-03`; three to
    /// five advisors each (`sz-03-1`); a store's promoter and detractor shares drawn around the
    /// brand's (a few stores clearly worse), its weight in the visits from 1 to 30; the
    /// brand's target, every region's, and a target for about one store in three.
    pub fn large(stores: usize, seed: u64) -> Brand {
        let stores = stores.clamp(1, MAX_STORES);
        let mut rng = fastrand::Rng::with_seed(seed ^ 0xb2a9d);
        let cities: Vec<(usize, &str, &str)> = (0..8)
            .flat_map(|c| {
                (0..REGIONS.len()).map(move |r| (r, REGIONS[r].3[c].0, REGIONS[r].3[c].1))
            })
            .collect();
        let mut org = String::from(
            "# A generated brand (`nps-collector seed --stores`): regions, cities, stores and\n\
             # advisors drawn from a seed.\n\n[brand]\ntarget = 45\n",
        );
        for (id, name, target, _) in REGIONS {
            let _ = write!(
                org,
                "\n[[region]]\nid = \"{id}\"\nname = \"{name}\"\ntarget = {target}\n"
            );
        }
        let mut specs = Vec::with_capacity(stores);
        let mut advisors_toml = String::new();
        for i in 0..stores {
            let (region, city_code, city) = cities[i % cities.len()];
            let k = i / cities.len();
            let code = format!("{city_code}-{:02}", k + 1);
            let name = format!("{city}{}店", DISTRICTS[k]);
            // Most stores near the brand; one in twelve clearly worse.
            let worse = rng.f64() < 1.0 / 12.0;
            let promoters =
                (0.56 + (rng.f64() - 0.5) * 0.24 - if worse { 0.14 } else { 0.0 }).clamp(0.2, 0.85);
            let detractors =
                (0.13 + (rng.f64() - 0.5) * 0.1 + if worse { 0.12 } else { 0.0 }).clamp(0.03, 0.4);
            let weight = 1 + rng.u32(..30);
            let n_advisors = 3 + rng.usize(..3);
            let advisors: Vec<(String, String, f64)> = (0..n_advisors)
                .map(|a| {
                    let name = format!(
                        "{}{}",
                        SURNAMES[rng.usize(..SURNAMES.len())],
                        GIVEN[rng.usize(..GIVEN.len())]
                    );
                    let shift = (rng.f64() - 0.5) * 0.1;
                    (format!("{}-{}", code.to_lowercase(), a + 1), name, shift)
                })
                .collect();
            let _ = write!(
                org,
                "\n[[store]]\nid = \"{code}\"\nname = \"{name}\"\nregion = \"{}\"\ncity = \"{city}\"\n",
                REGIONS[region].0
            );
            if rng.f64() < 1.0 / 3.0 {
                let _ = writeln!(org, "target = {}", 45 + 5 * rng.i64(0..4));
            }
            for (a_code, a_name, _) in &advisors {
                let _ = write!(
                    advisors_toml,
                    "\n[[advisor]]\nid = \"{a_code}\"\nname = \"{a_name}\"\nstore = \"{code}\"\n"
                );
            }
            specs.push(Spec {
                code,
                name,
                promoters,
                detractors,
                weight,
                advisors,
            });
        }
        org.push_str(&advisors_toml);
        Brand { stores: specs, org }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_brand_is_a_valid_org_that_places_every_store_and_advisor() {
        let b = Brand::large(500, 7);
        assert_eq!(b, Brand::large(500, 7), "the same seed, the same brand");
        assert_eq!(b.stores.len(), 500);
        let org = crate::org_file::read(&b.org).expect("a valid org file");
        assert_eq!(org.stores().len(), 500);
        assert_eq!(org.regions().len(), 5);
        assert_eq!(org.brand().target, Some(45), "the brand's own target");
        let mut cities: Vec<&str> = b
            .stores
            .iter()
            .map(|s| org.city_of_store(&s.code).expect("a city"))
            .collect();
        cities.sort_unstable();
        cities.dedup();
        assert_eq!(cities.len(), 40);
        for s in &b.stores {
            assert_eq!(
                org.store(&s.code).map(|o| o.name.as_str()),
                Some(s.name.as_str())
            );
            assert!(org.region_of_store(&s.code).is_some());
            assert!((3..=5).contains(&s.advisors.len()));
            for (code, name, _) in &s.advisors {
                let a = org.advisor(code).expect("every advisor in the org");
                assert_eq!(
                    (a.name.as_str(), a.store.as_deref()),
                    (name.as_str(), Some(s.code.as_str()))
                );
            }
            assert!(s.promoters + s.detractors < 1.0 && s.weight >= 1);
        }
        let worse = b.stores.iter().filter(|s| s.detractors > 0.2).count();
        assert!(
            (10..=100).contains(&worse),
            "a few stores clearly worse: {worse}"
        );
        assert!(Brand::demo().is_demo() && !b.is_demo());
        assert_eq!(Brand::large(MAX_STORES + 10, 1).stores.len(), MAX_STORES);
    }
}
