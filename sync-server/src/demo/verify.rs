//! Checks of a demo run against the documented merge rules.
//!
//! An edit counts as lost when its change never reached the server, or when the server's
//! final cart contradicts the merge rules for the edits made on that line:
//! - among the edits to one line, those not followed (causally) by another edit to the same
//!   line are its latest edits;
//! - if any latest edit is a set, the line must exist with one of the latest sets' quantities
//!   (concurrent sets keep one winner; a change beats a concurrent removal);
//! - if every latest edit is a removal, the line must be absent.

use std::collections::{BTreeMap, HashSet};

use automerge::{Automerge, ChangeHash, ReadDoc};
use dms_documents::DocumentId;
use dms_documents::cart::CartView;
use dms_domain::{ProductId, Quantity};
use serde::Serialize;

/// One cart-line edit a simulated device made.
#[derive(Clone, Debug)]
pub struct EditRecord {
    pub document_id: DocumentId,
    pub product_id: ProductId,
    pub effect: EditEffect,
    /// The change the edit produced on the device.
    pub change: ChangeHash,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditEffect {
    Set(Quantity),
    Remove,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LostEdits {
    /// Edits whose change the server does not hold.
    pub missing_changes: u64,
    /// Lines whose final state no latest edit explains.
    pub contradicted_lines: u64,
}

impl LostEdits {
    pub fn total(&self) -> u64 {
        self.missing_changes + self.contradicted_lines
    }
}

/// Counts lost edits of one cart, given the server's final copy of it.
pub fn lost_edits(server_doc: &Automerge, edits: &[&EditRecord]) -> LostEdits {
    let mut lost = LostEdits::default();
    let held: Vec<&EditRecord> = edits
        .iter()
        .copied()
        .filter(|edit| server_doc.get_change_by_hash(&edit.change).is_some())
        .collect();
    lost.missing_changes = (edits.len() - held.len()) as u64;

    let Ok(cart) = CartView::read(server_doc) else {
        lost.contradicted_lines = held.len() as u64;
        return lost;
    };

    let mut by_line: BTreeMap<&ProductId, Vec<&EditRecord>> = BTreeMap::new();
    for edit in held {
        by_line.entry(&edit.product_id).or_default().push(edit);
    }

    for (product_id, line_edits) in by_line {
        let latest = latest_edits(server_doc, &line_edits);
        let allowed: HashSet<Quantity> = latest
            .iter()
            .filter_map(|edit| match edit.effect {
                EditEffect::Set(quantity) => Some(quantity),
                EditEffect::Remove => None,
            })
            .collect();
        let final_quantity = cart.lines.get(product_id).map(|line| line.quantity);
        let explained = match final_quantity {
            Some(quantity) => allowed.contains(&quantity),
            None => allowed.is_empty(),
        };
        if !explained {
            lost.contradicted_lines += 1;
        }
    }
    lost
}

/// The edits not in the history of another edit of the same line.
fn latest_edits<'a>(doc: &Automerge, edits: &[&'a EditRecord]) -> Vec<&'a EditRecord> {
    edits
        .iter()
        .copied()
        .filter(|edit| {
            !edits
                .iter()
                .any(|other| other.change != edit.change && in_history_of(doc, edit.change, other.change))
        })
        .collect()
}

/// Whether change `earlier` is an ancestor of change `later`.
fn in_history_of(doc: &Automerge, earlier: ChangeHash, later: ChangeHash) -> bool {
    // `get_changes(&[later])` lists the changes outside `later`'s history.
    !doc.get_changes(&[later]).iter().any(|change| change.hash() == earlier)
}
