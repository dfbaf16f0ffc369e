//! The visit report of one rep for one day (IST): planned, completed, missed and unplanned
//! visits, with the list.

use dms_domain::Timestamp;
use serde::Serialize;

use crate::tenant::field_store::VisitRow;

/// Counts and rows of one rep's visits on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitReport {
    pub rep: String,
    pub date: String,
    /// Planned visits of the day, not counting cancelled ones.
    pub planned: u32,
    /// Visits with a check-out, planned or not.
    pub completed: u32,
    /// Planned visits without a check-in whose window had ended when the report was made.
    pub missed: u32,
    /// Visits the rep added on the day.
    pub unplanned: u32,
    pub cancelled: u32,
    pub visits: Vec<VisitRow>,
}

/// Builds the report from the day's visits of `rep`, judging "missed" at `now`.
pub fn visit_report(rep: &str, date: &str, visits: Vec<VisitRow>, now: Timestamp) -> VisitReport {
    let mut report = VisitReport {
        rep: rep.to_owned(),
        date: date.to_owned(),
        planned: 0,
        completed: 0,
        missed: 0,
        unplanned: 0,
        cancelled: 0,
        visits: Vec::new(),
    };
    for visit in &visits {
        let cancelled = visit.status == "cancelled";
        if cancelled {
            report.cancelled += 1;
        } else if visit.unplanned {
            report.unplanned += 1;
        } else {
            report.planned += 1;
        }
        if visit.status == "completed" {
            report.completed += 1;
        }
        let ended = visit
            .window_to
            .parse::<Timestamp>()
            .is_ok_and(|window_to| window_to < now);
        if !visit.unplanned && !cancelled && visit.check_in.is_none() && ended {
            report.missed += 1;
        }
    }
    report.visits = visits;
    report
}
