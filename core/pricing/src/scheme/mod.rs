//! Schemes: the trade promotions a company or distributor runs (discounts, slabs, free goods,
//! order-level discounts). A scheme is plain data, serializable to JSON, so the server stores
//! it as a document and a simulator can read it from a file.
//!
//! A scheme has an inclusive date window, targeting (the parties it is for), a priority and
//! stacking policy (how it competes with other schemes) and a kind (what it does). The rules for
//! choosing among competing schemes live in `select.rs`.

mod book;
mod kind;
mod validate;

use std::fmt;

use dms_domain::PartyId;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::iso_date;
use crate::order::OrderParties;

pub use book::SchemeBook;
pub use kind::{Benefit, FreeGoods, FreeGoodsSlab, OrderBenefit, SchemeKind, Slab, Trigger};

/// Identifier of a scheme, as the company's scheme master assigns it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemeId(String);

impl SchemeId {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Rule for combining a scheme with other schemes of the same priority on one line or order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StackingPolicy {
    /// Applies only when no other scheme shares its priority; otherwise the engine reports a conflict.
    Exclusive,
    /// Each discount is computed on the list amount and the discounts are added up.
    Additive,
    /// Each discount is computed on the amount left by the previous one, in scheme id order.
    Compounding,
}

impl fmt::Display for StackingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StackingPolicy::Exclusive => "exclusive",
            StackingPolicy::Additive => "additive",
            StackingPolicy::Compounding => "compounding",
        })
    }
}

/// Parties a scheme is for. Each non-empty list must contain the order's value, so the lists
/// combine with AND, and any entry of one list matches (OR). All lists empty means everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targeting {
    #[serde(default)]
    pub distributor_ids: Vec<PartyId>,
    #[serde(default)]
    pub partner_ids: Vec<PartyId>,
    #[serde(default)]
    pub partner_group_ids: Vec<String>,
    #[serde(default)]
    pub territories: Vec<String>,
}

impl Targeting {
    /// Targeting that matches every order.
    pub fn everyone() -> Self {
        Self::default()
    }

    /// Returns whether an order between these parties is targeted.
    pub fn matches(&self, parties: &OrderParties) -> bool {
        let distributor_matches =
            self.distributor_ids.is_empty() || self.distributor_ids.contains(&parties.distributor_id);
        let partner_matches = self.partner_ids.is_empty()
            || parties
                .partner_id
                .as_ref()
                .is_some_and(|partner| self.partner_ids.contains(partner));
        let group_matches = self.partner_group_ids.is_empty()
            || parties
                .partner_group_ids
                .iter()
                .any(|group| self.partner_group_ids.contains(group));
        let territory_matches = self.territories.is_empty()
            || parties
                .territory
                .as_ref()
                .is_some_and(|territory| self.territories.contains(territory));
        distributor_matches && partner_matches && group_matches && territory_matches
    }
}

/// A trade scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub id: SchemeId,
    pub name: String,
    /// First day the scheme runs, inclusive.
    #[serde(with = "iso_date")]
    pub valid_from: Date,
    /// Last day the scheme runs, inclusive.
    #[serde(with = "iso_date")]
    pub valid_to: Date,
    #[serde(default)]
    pub targeting: Targeting,
    /// Higher numbers win: only the highest-priority applicable schemes are used.
    pub priority: i32,
    /// `None` (unspecified) can only apply alone; with another scheme of the same priority it
    /// is a conflict.
    #[serde(default)]
    pub stacking: Option<StackingPolicy>,
    pub kind: SchemeKind,
}

impl Scheme {
    /// Returns whether the scheme runs on `date` for an order between `parties`.
    pub fn is_active_for(&self, date: Date, parties: &OrderParties) -> bool {
        self.valid_from <= date && date <= self.valid_to && self.targeting.matches(parties)
    }
}
