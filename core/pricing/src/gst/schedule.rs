//! Loader for the CBIC goods rate schedule as a CSV file with the columns Schedule, S.No.,
//! Chapter/Heading/Sub-heading/Tariff item, Description of Goods, CGST (%), SGST/UTGST (%),
//! IGST (%), Compensation Cess.
//!
//! Every data row ends in exactly one of three places: a rate entry, the omitted count, or the
//! rejected list with the reason. Nothing is dropped silently. Omitted rows are entries that
//! later amendments deleted; their description reads `Omitted` or `[Omitted]`.
//!
//! A row is loaded only when CGST equals SGST and together they equal IGST, because a row that
//! breaks this is a transcription error. Compensation cess rows carry a cess and no GST rate,
//! so they are rejected as having no GST rate. This crate does not compute cess.
//!
//! The published schedule with 5, 12, 18 and 28 % rates was replaced from 22 September 2025,
//! so its entries are loaded with [`SCHEDULE_2017_LAST_DAY`] as their last day by default.
//! NOTE: the file gives no start date per entry (entries were amended many times after
//! 1 July 2017), so entries load with no `effective_from` and a lookup for an early date can
//! return a rate that was set later.

use std::io::Read;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

use super::heading::{HeadingProblem, parse_heading};
use super::rates::GstRateEntry;
use crate::error::{PricingError, Result};

/// Last day the goods rate schedule of 2017, as amended, was in force.
pub const SCHEDULE_2017_LAST_DAY: Date = date!(2025 - 09 - 21);

/// Result of loading a schedule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleImport {
    pub entries: Vec<GstRateEntry>,
    /// Rows marked "Omitted" in the schedule.
    pub omitted: usize,
    /// Rows that are neither omitted nor loaded, with the reason.
    pub rejected: Vec<RejectedScheduleRow>,
}

/// A row the loader could not turn into a rate entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedScheduleRow {
    /// Line number in the file, counting the header as line 1.
    pub line: u64,
    pub schedule: String,
    pub serial: String,
    pub heading: String,
    pub problem: ScheduleRowProblem,
}

/// Reason a schedule row was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleRowProblem {
    /// The CGST, SGST and IGST cells are all empty (compensation cess rows, blank rows).
    NoGstRate,
    /// A rate cell is not a number.
    InvalidRate { text: String },
    /// CGST and SGST differ, or do not add up to IGST.
    InconsistentRates { cgst: String, sgst: String, igst: String },
    /// The heading cell is empty or "-".
    MissingHeading,
    /// The entry applies to goods of any chapter and can only be identified by its description.
    AnyChapter,
    /// The heading cell could not be read as HSN codes.
    UnparseableHeading { reason: String },
}

/// Loads the schedule with entries in force until [`SCHEDULE_2017_LAST_DAY`].
pub fn load_cbic_goods_rates<R: Read>(reader: R) -> Result<ScheduleImport> {
    load_cbic_goods_rates_in_force(reader, None, Some(SCHEDULE_2017_LAST_DAY))
}

/// Loads the schedule with the given first and last day for every entry.
pub fn load_cbic_goods_rates_in_force<R: Read>(
    reader: R,
    effective_from: Option<Date>,
    effective_to: Option<Date>,
) -> Result<ScheduleImport> {
    let mut csv_reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let mut import = ScheduleImport {
        entries: Vec::new(),
        omitted: 0,
        rejected: Vec::new(),
    };

    for record in csv_reader.records() {
        let record = record.map_err(|error| PricingError::ScheduleRead {
            reason: error.to_string(),
        })?;
        let cell = |index: usize| record.get(index).unwrap_or("").trim().to_owned();
        let row = Row {
            line: record.position().map_or(0, |position| position.line()),
            schedule: cell(0),
            serial: cell(1),
            heading: cell(2),
            description: cell(3),
            cgst: cell(4),
            sgst: cell(5),
            igst: cell(6),
        };

        if is_omitted(&row.description) {
            import.omitted += 1;
            continue;
        }
        match row.to_entry(effective_from, effective_to) {
            Ok(entry) => import.entries.push(entry),
            Err(problem) => import.rejected.push(RejectedScheduleRow {
                line: row.line,
                schedule: row.schedule,
                serial: row.serial,
                heading: row.heading,
                problem,
            }),
        }
    }
    Ok(import)
}

struct Row {
    line: u64,
    schedule: String,
    serial: String,
    heading: String,
    description: String,
    cgst: String,
    sgst: String,
    igst: String,
}

impl Row {
    fn to_entry(
        &self,
        effective_from: Option<Date>,
        effective_to: Option<Date>,
    ) -> Result<GstRateEntry, ScheduleRowProblem> {
        let rate = self.rate()?;
        let codes = parse_heading(&self.heading).map_err(|problem| match problem {
            HeadingProblem::Missing => ScheduleRowProblem::MissingHeading,
            HeadingProblem::AnyChapter => ScheduleRowProblem::AnyChapter,
            HeadingProblem::Unparseable(reason) => ScheduleRowProblem::UnparseableHeading { reason },
        })?;
        Ok(GstRateEntry {
            hsn_prefixes: codes.include,
            excluded_prefixes: codes.exclude,
            rate,
            effective_from,
            effective_to,
            source: self.source(),
            description: self.description.clone(),
        })
    }

    /// Returns the IGST rate after checking CGST = SGST and CGST + SGST = IGST.
    fn rate(&self) -> Result<Decimal, ScheduleRowProblem> {
        if self.cgst.is_empty() && self.sgst.is_empty() && self.igst.is_empty() {
            return Err(ScheduleRowProblem::NoGstRate);
        }
        let cgst = parse_rate(&self.cgst)?;
        let sgst = parse_rate(&self.sgst)?;
        let igst = parse_rate(&self.igst)?;
        if cgst != sgst || cgst + sgst != igst {
            return Err(ScheduleRowProblem::InconsistentRates {
                cgst: self.cgst.clone(),
                sgst: self.sgst.clone(),
                igst: self.igst.clone(),
            });
        }
        Ok(igst.normalize())
    }

    /// "Schedule III, S.No. 45" for the numbered schedules, "Nil rate, S.No. 7" otherwise.
    fn source(&self) -> String {
        let is_roman = !self.schedule.is_empty() && self.schedule.chars().all(|c| matches!(c, 'I' | 'V' | 'X'));
        if is_roman {
            format!("Schedule {}, S.No. {}", self.schedule, self.serial)
        } else {
            format!("{}, S.No. {}", self.schedule, self.serial)
        }
    }
}

fn parse_rate(text: &str) -> Result<Decimal, ScheduleRowProblem> {
    let value: Decimal = text
        .parse()
        .map_err(|_| ScheduleRowProblem::InvalidRate { text: text.to_owned() })?;
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(ScheduleRowProblem::InvalidRate { text: text.to_owned() });
    }
    Ok(value)
}

/// Returns whether a description marks an omitted entry: "Omitted", "[Omitted]", or
/// "[Omitted" with its closing bracket lost in transcription.
fn is_omitted(description: &str) -> bool {
    description
        .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
        .eq_ignore_ascii_case("omitted")
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    const SAMPLE: &str = "Schedules,S.No.,Chapter/Heading/Sub-heading/Tariffitem,DescriptionofGoods,CGST(%),SGST/UTGST(%),IGST(%),CompensationCess
I,1,\"0202, 0203\",Meat pre-packaged,2.5,2.5,5.0,
I,3,,[Omitted],,,,
III,9,1905,Biscuits,9.0,9.0,18.0,
III,10,1906,Odd,9.0,6.0,18.0,
Nil rate,153,Any Chapter,Gift items,0.0,0.0,0.0,
Compensation Cess,2,2202 10 10,Aerated waters,,,,12%
";

    #[test]
    fn sample_rows_are_loaded_omitted_or_rejected() {
        let import = load_cbic_goods_rates(SAMPLE.as_bytes()).unwrap();
        assert_eq!(import.entries.len(), 2);
        assert_eq!(import.omitted, 1);
        assert_eq!(import.rejected.len(), 3);

        let meat = &import.entries[0];
        assert_eq!(meat.hsn_prefixes, vec!["0202".to_owned(), "0203".to_owned()]);
        assert_eq!(meat.rate, dec!(5));
        assert_eq!(meat.source, "Schedule I, S.No. 1");
        assert_eq!(meat.effective_to, Some(SCHEDULE_2017_LAST_DAY));

        let problems: Vec<_> = import
            .rejected
            .iter()
            .map(|row| (row.line, row.problem.clone()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (
                    5,
                    ScheduleRowProblem::InconsistentRates {
                        cgst: "9.0".to_owned(),
                        sgst: "6.0".to_owned(),
                        igst: "18.0".to_owned()
                    }
                ),
                (6, ScheduleRowProblem::AnyChapter),
                (7, ScheduleRowProblem::NoGstRate),
            ]
        );
    }
}
