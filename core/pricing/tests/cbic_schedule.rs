//! Loads the real CBIC goods rate schedule (the rates in force before 22 September 2025) and
//! checks the row counts and a few rates.

use std::fs::File;

use dms_pricing::PricingError;
use dms_pricing::gst::schedule::SCHEDULE_2017_LAST_DAY;
use dms_pricing::gst::{GstRateTable, ScheduleImport, ScheduleRowProblem, load_cbic_goods_rates};
use rust_decimal_macros::dec;
use time::macros::date;

const SCHEDULE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/gst/cbic_gst_goods_rates.csv"
);

fn load_schedule() -> ScheduleImport {
    let file = File::open(SCHEDULE_PATH).unwrap_or_else(|error| {
        panic!("cannot open the CBIC GST schedule at {SCHEDULE_PATH}: {error}; the data folder must sit beside the repository")
    });
    load_cbic_goods_rates(file).expect("the schedule file is valid CSV")
}

fn count(import: &ScheduleImport, matches: fn(&ScheduleRowProblem) -> bool) -> usize {
    import.rejected.iter().filter(|row| matches(&row.problem)).count()
}

#[test]
fn schedule_rows_are_all_accounted_for() {
    let import = load_schedule();
    assert_eq!(import.entries.len(), 1406);
    assert_eq!(import.omitted, 349);
    assert_eq!(import.rejected.len(), 95);
    assert_eq!(import.entries.len() + import.omitted + import.rejected.len(), 1850);

    // 66 compensation cess rows and 2 blank rows carry no GST rate.
    assert_eq!(
        count(&import, |problem| matches!(problem, ScheduleRowProblem::NoGstRate)),
        68
    );
    assert_eq!(
        count(&import, |problem| matches!(problem, ScheduleRowProblem::AnyChapter)),
        21
    );
    assert_eq!(
        count(&import, |problem| matches!(problem, ScheduleRowProblem::MissingHeading)),
        3
    );
    let unparseable: Vec<(u64, &str)> = import
        .rejected
        .iter()
        .filter(|row| matches!(row.problem, ScheduleRowProblem::UnparseableHeading { .. }))
        .map(|row| (row.line, row.heading.as_str()))
        .collect();
    assert_eq!(
        unparseable,
        vec![
            (85, "1404 [other than 1404 90 10, 1404 90 40, 1404 90 50] [1404 90 60"),
            (214, "386"),
            (1656, "714"),
        ]
    );
}

#[test]
fn schedule_rates_by_hsn() {
    let table = GstRateTable::new(load_schedule().entries).unwrap();
    let day = date!(2025 - 01 - 01);

    let aerated = table.rate_for("22021010", day).unwrap();
    assert_eq!(aerated.rate, dec!(28));
    assert_eq!(aerated.source, "Schedule IV, S.No. 12");

    let milk_powder = table.rate_for("04021010", day).unwrap();
    assert_eq!(milk_powder.rate, dec!(5));
    assert_eq!(milk_powder.source, "Schedule I, S.No. 8");

    let soap = table.rate_for("3401", day).unwrap();
    assert_eq!(soap.rate, dec!(18));
    assert_eq!(soap.source, "Schedule III, S.No. 61");

    // Schedule I, S.No. 44 covers 0910 except fresh ginger, which the Nil rate schedule covers.
    let fresh_ginger = table.rate_for("09101110", day).unwrap();
    assert_eq!(fresh_ginger.rate, dec!(0));
    assert_eq!(fresh_ginger.source, "Nil rate, S.No. 63");
    assert_eq!(table.rate_for("09102000", day).unwrap().rate, dec!(5));
}

#[test]
fn schedule_heading_with_several_rates_is_ambiguous() {
    let table = GstRateTable::new(load_schedule().entries).unwrap();
    let result = table.rate_for("1905", date!(2025 - 01 - 01));
    let Err(PricingError::AmbiguousGstRate { candidates, .. }) = result else {
        panic!("expected an ambiguous rate for 1905, got {result:?}");
    };
    assert!(candidates.contains("Schedule III, S.No. 16 (18%)"), "{candidates}");
}

#[test]
fn schedule_ends_on_21_september_2025() {
    let table = GstRateTable::new(load_schedule().entries).unwrap();
    assert_eq!(SCHEDULE_2017_LAST_DAY, date!(2025 - 09 - 21));
    assert_eq!(table.rate_for("3401", date!(2025 - 09 - 21)).unwrap().rate, dec!(18));
    assert!(matches!(
        table.rate_for("3401", date!(2025 - 09 - 22)),
        Err(PricingError::GstRateNotFound { .. })
    ));
}
