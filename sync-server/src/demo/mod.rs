//! The demo: a server on loopback and simulated field devices that go offline, edit carts
//! concurrently, reconnect and submit; then a check of the outcome against the merge rules.
//!
//! Roles: about one device in five is a distributor's sales rep, who creates carts for
//! partners; the rest are partners' phones in pairs, two users of one partner sharing one cart
//! (an odd one out gets a cart of its own). For half of the pairs both phones submit the cart
//! while offline, so the server sees the same submission twice.
//!
//! Then field documents: each rep's visit plan is edited offline by the rep (a check-in) while
//! the distributor's admin reschedules the same visit, and a driver delivers to the first
//! partners, signs off, and has a late edit from a second phone refused (see [`field`]).
//!
//! Last, order to cash: the order requests become sales orders, shipments, invoices and
//! payments over REST, and the money must reconcile (see [`order_to_cash`]).

mod field;
pub mod logins;
mod order_to_cash;
mod rng;
mod scenario;
pub mod verify;

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

pub use scenario::run;

/// The built-in catalog used when no file is given: 24 everyday grocery products.
pub const BUILTIN_CATALOG: &str = include_str!("builtin_catalog.csv");

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub catalog: Option<PathBuf>,
    pub devices: u32,
    pub seed: u64,
    /// Print progress lines while running.
    pub progress: bool,
}

/// Figures of one demo run; `--json` prints this object.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DemoOutcome {
    pub devices: u32,
    pub partners: u32,
    pub sales_reps: u32,
    pub catalog_products: usize,
    pub catalog_rejected_rows: usize,
    /// Cart edits made by devices: line sets and removals, and submissions.
    pub edits: u64,
    /// Documents the server holds at the end.
    pub documents: u64,
    /// Every device's copy of every cart it holds has the server's heads.
    pub converged: bool,
    pub sync_rounds: u32,
    pub submitted_carts: u64,
    /// Submissions made, counting both phones of a pair that both submitted.
    pub submissions: u64,
    pub order_requests: u64,
    pub duplicate_orders: u64,
    pub lost_edits: u64,
    pub late_edits: u64,
    /// Sum of all order requests' totals, rupees.
    pub order_value: String,
    /// Visits in the reconciled `visits` table, and those with a check-out.
    pub visits: u64,
    pub visits_completed: u64,
    /// Deliveries reconciled from acknowledgements, and those signed off.
    pub acknowledgements: u64,
    pub acknowledgements_signed: u64,
    /// Late edits of signed acknowledgements the server refused and recorded.
    pub alterations_refused: u64,
    /// Order-to-cash shipments the driver's signed acknowledgement moved, and the shortage and
    /// damage rows that recorded against sales order lines.
    pub shipments_acknowledged: u64,
    pub delivery_exceptions: u64,
    /// Every check-in survived its reschedule, every acknowledgement arrived signed, every
    /// late edit after sign-off was refused, and every acknowledgement of a shipment moved it.
    pub field_checks_passed: bool,
    /// Order to cash: sales orders made from the order requests (rejected ones included),
    /// shipments, invoices and payments.
    pub sales_orders: u64,
    pub shipments: u64,
    pub invoices: u64,
    pub payments: u64,
    /// Rupees: invoice grand totals, payments allocated to invoices, and what is still owed.
    pub invoiced_total: String,
    pub paid_total: String,
    pub outstanding_total: String,
    /// `invoiced_total` equals `paid_total` plus `outstanding_total`, to the paisa.
    pub money_reconciles: bool,
    pub duration_ms: u64,
}

impl DemoOutcome {
    /// Whether the run met every check.
    pub fn passed(&self) -> bool {
        self.converged
            && self.lost_edits == 0
            && self.duplicate_orders == 0
            && self.order_requests == self.submitted_carts
            && self.field_checks_passed
            && self.money_reconciles
    }

    /// The readable report printed without `--json`.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        let verdict = |ok: bool| if ok { "ok" } else { "FAILED" };
        let _ = writeln!(text, "\nDemo finished in {} ms", self.duration_ms);
        let _ = writeln!(
            text,
            "  devices           {} ({} partners, {} sales reps)",
            self.devices, self.partners, self.sales_reps
        );
        let _ = writeln!(
            text,
            "  catalog           {} products, {} rows rejected",
            self.catalog_products, self.catalog_rejected_rows
        );
        let _ = writeln!(text, "  edits             {}", self.edits);
        let _ = writeln!(text, "  documents         {}", self.documents);
        let _ = writeln!(text, "  sync rounds       {}", self.sync_rounds);
        let _ = writeln!(
            text,
            "  converged         {} [{}]",
            self.converged,
            verdict(self.converged)
        );
        let _ = writeln!(
            text,
            "  order requests    {} for {} submitted carts ({} submissions) [{}]",
            self.order_requests,
            self.submitted_carts,
            self.submissions,
            verdict(self.order_requests == self.submitted_carts)
        );
        let _ = writeln!(
            text,
            "  duplicate orders  {} [{}]",
            self.duplicate_orders,
            verdict(self.duplicate_orders == 0)
        );
        let _ = writeln!(
            text,
            "  lost edits        {} [{}]",
            self.lost_edits,
            verdict(self.lost_edits == 0)
        );
        let _ = writeln!(text, "  order value       Rs {}", self.order_value);
        let _ = writeln!(
            text,
            "  visits            {} ({} completed)",
            self.visits, self.visits_completed
        );
        let _ = writeln!(
            text,
            "  acknowledgements  {} ({} signed), {} late edits refused [{}]",
            self.acknowledgements,
            self.acknowledgements_signed,
            self.alterations_refused,
            verdict(self.field_checks_passed)
        );
        let _ = writeln!(
            text,
            "  order to cash     {} sales orders, {} shipments, {} invoices, {} payments",
            self.sales_orders, self.shipments, self.invoices, self.payments
        );
        let _ = writeln!(
            text,
            "  deliveries        {} shipments moved by signed acknowledgements, {} shortages recorded",
            self.shipments_acknowledged, self.delivery_exceptions
        );
        let _ = writeln!(
            text,
            "  money             Rs {} invoiced = Rs {} paid + Rs {} outstanding [{}]",
            self.invoiced_total,
            self.paid_total,
            self.outstanding_total,
            verdict(self.money_reconciles)
        );
        text
    }
}
