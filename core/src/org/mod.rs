//! The brand's organisation: brand → region → city → store → advisor. The brand's own
//! target (`[brand] target = 45`), regions (id, name, target), the cities its stores name, stores (id, name, region, city, owner, target) and
//! advisors (id, name, store), with the lookups a scope needs: the stores of a region or a
//! city, the region and city of a store, the store of an advisor.
//!
//! An `Org` is made only by `check::build` (every rule checked, every error named), by
//! `Org::from_value` (the JSON the collector serves, checked by the same rules) or by
//! `Org::from_names` (a names file: stores and advisors with their names, and nothing above
//! them). An org file is a superset of a names file: `Org::names` gives the store and advisor
//! names back.
//!
//! A target is looked up from the bottom: a store's own, else its region's, else the
//! brand's (`target_of_store`, `target_of_region`, `Target::from` says which).

pub mod check;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::contract::context::Dimension;
use crate::contract::error::FieldError;
use crate::scoring::analysis::Names;

pub use check::{build, OrgError, Table, TARGET_MAX, TARGET_MIN};

/// A region of the brand (华南大区), with the score it aims at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    pub name: String,
    /// The NPS aimed at, −100 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
}

/// A store (a dealer): where it is, who answers for it, the score it aims at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Store {
    pub id: String,
    pub name: String,
    /// The region's id; `None` only for a store known from a names file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The city as the store names it (深圳); `None` only for a store from a names file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The store owner's email. Never served (`skip_serializing`): it is a person's address.
    #[serde(default, skip_serializing)]
    pub owner: Option<String>,
    /// The NPS aimed at, −100 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
}

/// An advisor and the store they work at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisor {
    pub id: String,
    pub name: String,
    /// The store's id; `None` only for an advisor known from a names file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
}

/// A city, as its stores name it, and the region it is in (the first store's, in file order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// The brand as an org file has it (`[brand]`): the NPS it aims at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
}

/// Whether the brand gives no target (its table is then not served).
fn untargeted(b: &Brand) -> bool {
    b.target.is_none()
}

/// Whose target a figure is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetFrom {
    Store,
    Region,
    Brand,
}

/// A target and whose it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub nps: i64,
    pub from: TargetFrom,
}

/// The organisation, checked: ids are unique in their table, every reference resolves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Org {
    brand: Brand,
    regions: Vec<Region>,
    stores: Vec<Store>,
    advisors: Vec<Advisor>,
}

/// The JSON the collector serves (`GET /api/names`, key `org`); `cities` is derived, so it
/// is written and ignored on reading.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    /// Left out when the brand has no target, as before `[brand]` existed.
    #[serde(default, skip_serializing_if = "untargeted")]
    brand: Brand,
    regions: Vec<Region>,
    #[serde(default)]
    cities: Vec<City>,
    stores: Vec<Store>,
    advisors: Vec<Advisor>,
}

impl Org {
    /// The organisation a names file gives: its stores and advisors by name, in code order,
    /// with no region, city or store above them.
    pub fn from_names(names: &Names) -> Org {
        let stores = names.codes(Dimension::Store);
        let advisors = names.codes(Dimension::Advisor);
        Org {
            brand: Brand { target: None },
            regions: Vec::new(),
            stores: stores
                .map(|(id, name)| Store {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    region: None,
                    city: None,
                    owner: None,
                    target: None,
                })
                .collect(),
            advisors: advisors
                .map(|(id, name)| Advisor {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    store: None,
                })
                .collect(),
        }
    }

    pub(crate) fn new_unchecked(
        regions: Vec<Region>,
        stores: Vec<Store>,
        advisors: Vec<Advisor>,
    ) -> Org {
        Org {
            brand: Brand { target: None },
            regions,
            stores,
            advisors,
        }
    }

    /// The names of its stores and advisors, as a names file gives them.
    pub fn names(&self) -> Names {
        let mut names = Names::default();
        for s in &self.stores {
            names.set(Dimension::Store, &s.id, &s.name);
        }
        for a in &self.advisors {
            names.set(Dimension::Advisor, &a.id, &a.name);
        }
        names
    }

    /// The JSON the collector serves: regions, cities, stores (without owners), advisors.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(Wire {
            brand: self.brand.clone(),
            regions: self.regions.clone(),
            cities: self.cities(),
            stores: self.stores.clone(),
            advisors: self.advisors.clone(),
        })
        .expect("the org is plain data")
    }

    /// Reads what `to_value` wrote, checked by the same rules as an org file; the first
    /// error is named from `field` (`org.store[2].region`).
    pub fn from_value(v: &Value, field: &str) -> Result<Org, FieldError> {
        let wire: Wire = serde_json::from_value(v.clone()).map_err(|e| {
            FieldError::invalid(
                field,
                crate::contract::error::shown(v),
                format!("regions, cities, stores and advisors ({e})"),
            )
        })?;
        build(wire.regions, wire.stores, wire.advisors)
            .map_err(|errors| {
                let first = errors.into_iter().next().expect("an error");
                let mut e = first.error;
                e.field = format!("{field}.{}[{}].{}", first.table.key(), first.index, e.field);
                e
            })?
            .with_brand(wire.brand)
            .map_err(|mut e| {
                e.field = format!("{field}.{}", e.field);
                e
            })
    }

    /// The org with the brand's `[brand]` table; a target out of range is named
    /// (`brand.target`).
    pub fn with_brand(mut self, brand: Brand) -> Result<Org, FieldError> {
        if let Some(t) = brand.target {
            check::brand_target(t)?;
        }
        self.brand = brand;
        Ok(self)
    }

    pub fn brand(&self) -> &Brand {
        &self.brand
    }

    /// The brand's target.
    pub fn brand_target(&self) -> Option<Target> {
        self.brand.target.map(|nps| Target {
            nps,
            from: TargetFrom::Brand,
        })
    }

    /// A region's target, else the brand's.
    pub fn target_of_region(&self, region: &str) -> Option<Target> {
        self.region(region)
            .and_then(|r| r.target)
            .map(|nps| Target {
                nps,
                from: TargetFrom::Region,
            })
            .or_else(|| self.brand_target())
    }

    /// A store's own target, else its region's, else the brand's.
    pub fn target_of_store(&self, store: &str) -> Option<Target> {
        let s = self.store(store);
        match s.and_then(|s| s.target) {
            Some(nps) => Some(Target {
                nps,
                from: TargetFrom::Store,
            }),
            None => match s.and_then(|s| s.region.as_deref()) {
                Some(region) => self.target_of_region(region),
                None => self.brand_target(),
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.brand.target.is_none()
            && self.regions.is_empty()
            && self.stores.is_empty()
            && self.advisors.is_empty()
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn stores(&self) -> &[Store] {
        &self.stores
    }

    pub fn advisors(&self) -> &[Advisor] {
        &self.advisors
    }

    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    pub fn store(&self, id: &str) -> Option<&Store> {
        self.stores.iter().find(|s| s.id == id)
    }

    pub fn advisor(&self, id: &str) -> Option<&Advisor> {
        self.advisors.iter().find(|a| a.id == id)
    }

    /// The cities the stores name, each once, in file order, with the first store's region.
    pub fn cities(&self) -> Vec<City> {
        let mut out: Vec<City> = Vec::new();
        for s in &self.stores {
            if let Some(city) = &s.city {
                if !out.iter().any(|c| &c.name == city) {
                    out.push(City {
                        name: city.clone(),
                        region: s.region.clone(),
                    });
                }
            }
        }
        out
    }

    /// The stores of a region, in file order (none for an unknown region).
    pub fn stores_of_region<'a>(&'a self, region: &'a str) -> impl Iterator<Item = &'a Store> {
        self.stores
            .iter()
            .filter(move |s| s.region.as_deref() == Some(region))
    }

    /// The stores of a city, in file order.
    pub fn stores_of_city<'a>(&'a self, city: &'a str) -> impl Iterator<Item = &'a Store> {
        self.stores
            .iter()
            .filter(move |s| s.city.as_deref() == Some(city))
    }

    /// The advisors of a store, in file order.
    pub fn advisors_of_store<'a>(&'a self, store: &'a str) -> impl Iterator<Item = &'a Advisor> {
        self.advisors
            .iter()
            .filter(move |a| a.store.as_deref() == Some(store))
    }

    /// The region a store is in.
    pub fn region_of_store(&self, store: &str) -> Option<&Region> {
        self.region(self.store(store)?.region.as_deref()?)
    }

    /// The city a store is in.
    pub fn city_of_store(&self, store: &str) -> Option<&str> {
        self.store(store)?.city.as_deref()
    }

    /// The store an advisor works at.
    pub fn store_of_advisor(&self, advisor: &str) -> Option<&Store> {
        self.store(self.advisor(advisor)?.store.as_deref()?)
    }
}

#[cfg(test)]
pub(crate) mod tests;
