//! Invoice and credit note numbers: one gapless series per seller and financial year.
//!
//! GST invoice rules ask for a consecutive serial number, unique for
//! the financial year, of at most 16 characters of letters, digits, `-` and `/`. The
//! financial year runs from 1 April to 31 March, and the day a document belongs to is its
//! date in India Standard Time, whatever zone its timestamp was recorded in.
//!
//! A number reads `{prefix}/{yy-yy}/{serial:05}`, such as "INV/26-27/00001" (15 characters).
//! [`InvoiceSeries::allocate`] is the only way to take a number. It checks everything before
//! it changes the series, so a failed call leaves no gap. It starts the next financial
//! year's series at serial 1 for the first date on or after 1 April and rejects a date from a
//! financial year before the series'. The caller stores the series and the document in one
//! transaction; this crate has no storage to make that atomic.

use std::fmt;

use dms_domain::timestamp::IST;
use dms_domain::{PartyId, Timestamp};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::error::{OrderError, Result};

/// Maximum length of an invoice number under GST, in characters.
pub const MAX_INVOICE_NUMBER_LEN: usize = 16;

/// An Indian financial year, named by the calendar year it starts in: 2026 is FY 2026-27,
/// from 1 April 2026 to 31 March 2027.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// Returns the financial year of a calendar date.
    pub fn of_date(date: Date) -> Self {
        if date.month() >= Month::April {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    /// Returns the financial year of a moment, taken on its date in IST.
    pub fn of(at: Timestamp) -> Self {
        Self::of_date(ist_date(at))
    }

    /// "26-27" for FY 2026-27.
    pub fn short_label(self) -> String {
        format!("{:02}-{:02}", self.0.rem_euclid(100), (self.0 + 1).rem_euclid(100))
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

/// Returns the calendar date of `at` in India Standard Time.
pub fn ist_date(at: Timestamp) -> Date {
    at.offset_date_time().to_offset(IST).date()
}

/// A number taken from an [`InvoiceSeries`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The numbering state of one seller's series: the prefix, the financial year it numbers
/// and the next serial to give out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSeries {
    pub seller: PartyId,
    pub prefix: String,
    pub financial_year: FinancialYear,
    pub next: u32,
}

impl InvoiceSeries {
    /// Starts a series at serial 1. The prefix is letters and digits, `-` and `/`, short
    /// enough that the first number fits in 16 characters (at most 4 characters).
    pub fn new(seller: PartyId, prefix: &str, financial_year: FinancialYear) -> Result<Self> {
        let invalid = |reason| OrderError::InvalidSeriesPrefix {
            prefix: prefix.to_owned(),
            reason,
        };
        if prefix.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
        {
            return Err(invalid("only ASCII letters, digits, '-' and '/' are allowed"));
        }
        let series = Self {
            seller,
            prefix: prefix.to_owned(),
            financial_year,
            next: 1,
        };
        if series.format(financial_year, 1).len() > MAX_INVOICE_NUMBER_LEN {
            return Err(invalid(
                "is too long: a number must fit in 16 characters, so at most 4 characters",
            ));
        }
        Ok(series)
    }

    /// Takes the next number for a document dated `at`, starting the next financial year's
    /// series at 1 when `at` falls in a later financial year. Fails, changing nothing, for a
    /// date in an earlier financial year or when the number would exceed 16 characters.
    pub fn allocate(&mut self, at: Timestamp) -> Result<InvoiceNumber> {
        let date = ist_date(at);
        let year = FinancialYear::of_date(date);
        if year < self.financial_year {
            return Err(OrderError::DateBeforeSeries {
                date,
                date_financial_year: year.to_string(),
                series_financial_year: self.financial_year.to_string(),
            });
        }
        let serial = if year > self.financial_year { 1 } else { self.next };

        let number = self.format(year, serial);
        if number.len() > MAX_INVOICE_NUMBER_LEN {
            return Err(OrderError::InvoiceNumberTooLong {
                length: number.len(),
                number,
            });
        }

        self.financial_year = year;
        self.next = serial.saturating_add(1);
        Ok(InvoiceNumber(number))
    }

    /// Fails unless the series belongs to `seller`.
    pub(crate) fn ensure_seller(&self, seller: &PartyId) -> Result<()> {
        if &self.seller != seller {
            return Err(OrderError::SeriesOfOtherSeller {
                series_seller: self.seller.clone(),
                seller: seller.clone(),
            });
        }
        Ok(())
    }

    fn format(&self, year: FinancialYear, serial: u32) -> String {
        format!("{}/{}/{serial:05}", self.prefix, year.short_label())
    }
}
