//! The context keys and values the core itself knows: the segment dimensions a manager reads
//! the answers by (`Dimension`, each a context key), and the touchpoints with a question of
//! their own (`Touchpoint`, the values of the `touchpoint` key). One enum each, so a list
//! kept in order by hand elsewhere is a `match` the compiler checks.

use crate::words::Text;

/// A context key a manager segments by, in the order the dashboard offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Store,
    Advisor,
    Model,
    ServiceType,
    Touchpoint,
}

impl Dimension {
    /// Every dimension, in the dashboard's order (`index` is the position here).
    pub const ALL: [Dimension; 5] = [
        Dimension::Store,
        Dimension::Advisor,
        Dimension::Model,
        Dimension::ServiceType,
        Dimension::Touchpoint,
    ];

    /// The context keys, in the order of `ALL` (for "expected one of" messages).
    pub const KEYS: [&'static str; 5] = [
        Dimension::Store.key(),
        Dimension::Advisor.key(),
        Dimension::Model.key(),
        Dimension::ServiceType.key(),
        Dimension::Touchpoint.key(),
    ];

    /// Its context key (and its key in a names file and in the dashboard's link).
    pub const fn key(self) -> &'static str {
        match self {
            Dimension::Store => "store",
            Dimension::Advisor => "advisor",
            Dimension::Model => "model",
            Dimension::ServiceType => "service_type",
            Dimension::Touchpoint => "touchpoint",
        }
    }

    /// The dimension of a context key.
    pub fn from_key(key: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == key)
    }

    /// Its position in `ALL`, for arrays indexed by dimension.
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The context key whose values are touchpoints.
pub const TOUCHPOINT: &str = Dimension::Touchpoint.key();

/// A touchpoint (the `touchpoint` context value) that has a question of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Touchpoint {
    Maintenance,
    Repair,
    AfterService,
}

impl Touchpoint {
    pub const ALL: [Touchpoint; 3] = [
        Touchpoint::Maintenance,
        Touchpoint::Repair,
        Touchpoint::AfterService,
    ];

    /// Its value of the `touchpoint` context key.
    pub const fn code(self) -> &'static str {
        match self {
            Touchpoint::Maintenance => "maintenance",
            Touchpoint::Repair => "repair",
            Touchpoint::AfterService => "after_service",
        }
    }

    /// The touchpoint of a context value.
    pub fn from_code(code: &str) -> Option<Touchpoint> {
        Touchpoint::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The question asked at this touchpoint.
    pub const fn question(self) -> Text {
        match self {
            Touchpoint::Maintenance => Text::QuestionMaintenance,
            Touchpoint::Repair => Text::QuestionRepair,
            Touchpoint::AfterService => Text::QuestionAfterSales,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dimension_round_trips_through_its_key_in_order() {
        for (i, d) in Dimension::ALL.into_iter().enumerate() {
            assert_eq!(Dimension::from_key(d.key()), Some(d), "{d:?}");
            assert_eq!((d.index(), Dimension::KEYS[i]), (i, d.key()), "{d:?}");
        }
        assert_eq!(Dimension::from_key("region"), None);
        assert_eq!(
            Dimension::Touchpoint.key(),
            crate::contract::context::TOUCHPOINT
        );
    }

    #[test]
    fn every_touchpoint_round_trips_through_its_code_and_has_its_own_question() {
        let mut questions = Vec::new();
        for t in Touchpoint::ALL {
            assert_eq!(Touchpoint::from_code(t.code()), Some(t), "{t:?}");
            questions.push(t.question());
        }
        questions.dedup();
        assert_eq!(questions.len(), Touchpoint::ALL.len());
        assert_eq!(Touchpoint::from_code("kiosk"), None);
    }
}
