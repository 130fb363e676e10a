//! The demo's catalogue: the models and service types a visit draws, the reasons and comments
//! each category tends to give, and the names file that turns the demo's codes into names.

use nps_core::scoring::analysis::Names;
use serde_json::{json, Value};

use super::STORES;

/// (code, name) of the models and the service types, each visit drawing one.
pub(super) const MODELS: &[(&str, &str)] = &[
    ("s5", "星辰 S5"),
    ("s7", "星辰 S7"),
    ("ev3", "星辰 EV3"),
    ("x9", "星辰 X9"),
];
pub(super) const SERVICES: &[(&str, &str, &str)] = &[
    ("maintenance", "保养", "maintenance"),
    ("repair", "维修", "repair"),
    ("bodywork", "钣喷", "repair"),
    ("warranty", "质保", "after_service"),
];

/// Reasons each category tends to pick (the after-sales presets' ids), most likely first.
pub(super) const PRAISE: &[&str] = &[
    "advisor_attitude",
    "repair_quality",
    "handover",
    "lounge",
    "booking",
];
pub(super) const COMPLAINTS: &[&str] = &[
    "wait_time",
    "price_transparency",
    "progress_updates",
    "repair_quality",
    "advisor_attitude",
];

pub(super) const COMMENTS_PROMOTER: &[&str] = &[
    "服务很周到，师傅讲解得很清楚。",
    "保养很快，休息区也舒服。",
    "顾问很专业，下次还来。",
    "交车时把车洗得很干净，谢谢！",
    "Quick service and a friendly advisor.",
];
pub(super) const COMMENTS_PASSIVE: &[&str] = &[
    "整体还行，就是等的时间有点长。",
    "价格可以再透明一些。",
    "预约有点难约上。",
    "服务不错，但没有主动告知进度。",
    "Fine overall, the wait could be shorter.",
];
pub(super) const COMMENTS_DETRACTOR: &[&str] = &[
    "等了三个多小时，没人告诉我进度。",
    "报价和结算对不上，多收了费用。",
    "修完第二天问题又出现了。",
    "顾问态度很差，问什么都不耐烦。",
    "说好的时间没修好，耽误了上班。",
    "Waited all afternoon with no update.",
];

/// The names file of the demo set.
pub fn names() -> Names {
    let mut store = serde_json::Map::new();
    let mut advisor = serde_json::Map::new();
    for s in STORES {
        store.insert(s.code.into(), json!(s.name));
        for (code, name, _) in s.advisors {
            advisor.insert(code.into(), json!(name));
        }
    }
    let model: serde_json::Map<String, Value> = MODELS
        .iter()
        .map(|(c, n)| ((*c).into(), json!(n)))
        .collect();
    let service: serde_json::Map<String, Value> = SERVICES
        .iter()
        .map(|(c, n, _)| ((*c).into(), json!(n)))
        .collect();
    Names::from_value(
        &json!({"store": store, "advisor": advisor, "model": model, "service_type": service}),
    )
    .expect("the demo's names are valid")
}
