//! Chooses which of the applicable schemes are used, for one product or for the order.
//!
//! 1. Only schemes that apply (in force on the order date, targeted at the order's parties,
//!    condition met) take part.
//! 2. The highest priority number wins; every applicable scheme with a lower priority is set
//!    aside and reported with the reason.
//! 3. One scheme at the top priority applies alone, whatever its stacking policy.
//! 4. Several schemes at the top priority apply together only when all are `additive` (each
//!    computed on the list amount, then added) or all are `compounding` (each computed on what
//!    the previous one left, in scheme id order). Any other mix, including an `exclusive` or
//!    unspecified policy, is a [`PricingError::SchemeConflict`] naming every scheme in the tie.
//!
//! A conflict is an error rather than a silent pick because the device and the server must
//! reach the same price. A tie broken by an arbitrary rule would also hide a mistake in the
//! scheme master from the people who can fix it.

use crate::error::{PricingError, Result};
use crate::priced::SetAsideScheme;
use crate::scheme::{Scheme, StackingPolicy};

/// Combination rule for the chosen schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Combination {
    /// One scheme, or none.
    Single,
    Additive,
    Compounding,
}

/// A scheme that applies, with what it gives.
#[derive(Clone, Debug)]
pub(crate) struct Candidate<'a, T> {
    pub(crate) scheme: &'a Scheme,
    pub(crate) resolution: T,
}

/// The schemes chosen, sorted by scheme id, and those set aside.
#[derive(Clone, Debug)]
pub(crate) struct Selection<'a, T> {
    pub(crate) combination: Combination,
    pub(crate) chosen: Vec<Candidate<'a, T>>,
    pub(crate) set_aside: Vec<SetAsideScheme>,
}

/// Applies the priority and stacking rules to the applicable schemes of `scope` (a product or
/// the order, named in the conflict error).
pub(crate) fn select<'a, T>(scope: &str, mut candidates: Vec<Candidate<'a, T>>) -> Result<Selection<'a, T>> {
    candidates.sort_by(|left, right| left.scheme.id.cmp(&right.scheme.id));
    let Some(top) = candidates.iter().map(|candidate| candidate.scheme.priority).max() else {
        return Ok(Selection {
            combination: Combination::Single,
            chosen: Vec::new(),
            set_aside: Vec::new(),
        });
    };

    let (chosen, outranked): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|candidate| candidate.scheme.priority == top);
    let winner_ids: Vec<&str> = chosen.iter().map(|candidate| candidate.scheme.id.as_str()).collect();
    let set_aside = outranked
        .iter()
        .map(|candidate| SetAsideScheme {
            scheme_id: candidate.scheme.id.clone(),
            priority: candidate.scheme.priority,
            reason: format!(
                "outranked by priority {top} ({}); only the highest priority applies",
                winner_ids.join(", ")
            ),
        })
        .collect();

    let combination = combine(scope, top, &chosen)?;
    Ok(Selection {
        combination,
        chosen,
        set_aside,
    })
}

fn combine<T>(scope: &str, priority: i32, chosen: &[Candidate<'_, T>]) -> Result<Combination> {
    if chosen.len() <= 1 {
        return Ok(Combination::Single);
    }
    let all = |policy| chosen.iter().all(|candidate| candidate.scheme.stacking == Some(policy));
    if all(StackingPolicy::Additive) {
        return Ok(Combination::Additive);
    }
    if all(StackingPolicy::Compounding) {
        return Ok(Combination::Compounding);
    }

    let policies: Vec<String> = chosen
        .iter()
        .map(|candidate| {
            let policy = candidate
                .scheme
                .stacking
                .map_or("unspecified".to_owned(), |policy| policy.to_string());
            format!("{} {policy}", candidate.scheme.id)
        })
        .collect();
    Err(PricingError::SchemeConflict {
        scope: scope.to_owned(),
        priority,
        schemes: chosen.iter().map(|candidate| candidate.scheme.id.clone()).collect(),
        policies: policies.join(", "),
    })
}
