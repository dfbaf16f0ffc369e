//! GST rates by HSN code and date. An entry covers every HSN code that starts with one of its
//! prefixes (a chapter "04", a heading "0401", a subheading or tariff item), minus codes that
//! start with one of its excluded prefixes, between two optional dates.
//!
//! Lookup takes the entries in force on the date that cover the code and keeps those with the
//! longest matching prefix, because the schedule's more specific entry is the one that
//! applies. If those entries disagree on the rate, the lookup fails as ambiguous instead of
//! guessing: the official schedule often gives one heading several rates depending on the
//! description of the goods, and only a person can read the description. A product's own
//! `gst_rate` settles such cases.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::iso_date;
use crate::error::{PricingError, Result};

/// One rate for a set of HSN prefixes over a date range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GstRateEntry {
    /// Even-length digit prefixes, 2 to 8 digits.
    pub hsn_prefixes: Vec<String>,
    #[serde(default)]
    pub excluded_prefixes: Vec<String>,
    /// Total GST rate in percent (IGST, or CGST plus SGST).
    pub rate: Decimal,
    /// First day in force; `None` means since GST began.
    #[serde(default, with = "iso_date::option")]
    pub effective_from: Option<Date>,
    /// Last day in force, inclusive; `None` means still in force.
    #[serde(default, with = "iso_date::option")]
    pub effective_to: Option<Date>,
    /// Origin of the entry, such as "Schedule III, S.No. 45".
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub description: String,
}

impl GstRateEntry {
    fn is_in_force(&self, date: Date) -> bool {
        self.effective_from.is_none_or(|from| from <= date) && self.effective_to.is_none_or(|to| date <= to)
    }

    fn excludes(&self, hsn: &str) -> bool {
        self.excluded_prefixes
            .iter()
            .any(|prefix| hsn.starts_with(prefix.as_str()))
    }

    fn validate(&self) -> Result<()> {
        if self.hsn_prefixes.is_empty() {
            return Err(PricingError::InvalidHsn {
                value: self.source.clone(),
                reason: "a rate entry must list at least one HSN prefix",
            });
        }
        for prefix in self.hsn_prefixes.iter().chain(&self.excluded_prefixes) {
            validate_hsn(prefix)?;
        }
        validate_gst_rate(self.rate, &format!("rate entry {:?}", self.source))
    }
}

/// GST rate entries indexed by HSN prefix. Serialized as the list of entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<GstRateEntry>", into = "Vec<GstRateEntry>")]
pub struct GstRateTable {
    entries: Vec<GstRateEntry>,
    by_prefix: BTreeMap<String, Vec<usize>>,
}

impl GstRateTable {
    /// Validates the entries and indexes them by prefix.
    pub fn new(entries: Vec<GstRateEntry>) -> Result<Self> {
        let mut by_prefix: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, entry) in entries.iter().enumerate() {
            entry.validate()?;
            for prefix in &entry.hsn_prefixes {
                let indexes = by_prefix.entry(prefix.clone()).or_default();
                if !indexes.contains(&index) {
                    indexes.push(index);
                }
            }
        }
        Ok(Self { entries, by_prefix })
    }

    pub fn entries(&self) -> &[GstRateEntry] {
        &self.entries
    }

    /// Finds the entry that sets the rate for `hsn` on `date`.
    ///
    /// Fails with [`PricingError::GstRateNotFound`] when no entry covers the code and with
    /// [`PricingError::AmbiguousGstRate`] when the most specific entries give different rates.
    pub fn rate_for(&self, hsn: &str, date: Date) -> Result<&GstRateEntry> {
        validate_hsn(hsn)?;
        for length in (2..=hsn.len()).rev().step_by(2) {
            let Some(indexes) = self.by_prefix.get(&hsn[..length]) else {
                continue;
            };
            let candidates: Vec<&GstRateEntry> = indexes
                .iter()
                .map(|index| &self.entries[*index])
                .filter(|entry| entry.is_in_force(date) && !entry.excludes(hsn))
                .collect();
            let Some(first) = candidates.first() else {
                continue;
            };
            if candidates.iter().all(|entry| entry.rate == first.rate) {
                return Ok(first);
            }
            let listed: Vec<String> = candidates
                .iter()
                .map(|entry| format!("{} ({}%)", entry.source, entry.rate.normalize()))
                .collect();
            return Err(PricingError::AmbiguousGstRate {
                hsn: hsn.to_owned(),
                date,
                candidates: listed.join(", "),
            });
        }
        Err(PricingError::GstRateNotFound {
            hsn: hsn.to_owned(),
            date,
        })
    }
}

impl TryFrom<Vec<GstRateEntry>> for GstRateTable {
    type Error = PricingError;

    fn try_from(entries: Vec<GstRateEntry>) -> Result<Self> {
        Self::new(entries)
    }
}

impl From<GstRateTable> for Vec<GstRateEntry> {
    fn from(table: GstRateTable) -> Self {
        table.entries
    }
}

/// Checks that an HSN code or prefix has 2, 4, 6 or 8 digits.
pub fn validate_hsn(value: &str) -> Result<()> {
    let invalid = |reason| PricingError::InvalidHsn {
        value: value.to_owned(),
        reason,
    };
    if !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid("must contain only digits"));
    }
    if !matches!(value.len(), 2 | 4 | 6 | 8) {
        return Err(invalid("must have 2, 4, 6 or 8 digits"));
    }
    Ok(())
}

/// Checks that a GST rate is a percentage from 0 to 100.
pub fn validate_gst_rate(rate: Decimal, context: &str) -> Result<()> {
    if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
        return Err(PricingError::InvalidGstRate {
            context: context.to_owned(),
            rate,
            reason: "must be from 0 to 100 percent",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::date;

    use super::*;

    fn entry(prefixes: &[&str], rate: Decimal, from: Option<Date>, to: Option<Date>, source: &str) -> GstRateEntry {
        GstRateEntry {
            hsn_prefixes: prefixes.iter().map(|prefix| (*prefix).to_owned()).collect(),
            excluded_prefixes: Vec::new(),
            rate,
            effective_from: from,
            effective_to: to,
            source: source.to_owned(),
            description: String::new(),
        }
    }

    #[test]
    fn rate_changes_on_effective_date() {
        let table = GstRateTable::new(vec![
            entry(&["1905"], dec!(18), None, Some(date!(2025 - 09 - 21)), "old"),
            entry(&["1905"], dec!(5), Some(date!(2025 - 09 - 22)), None, "new"),
        ])
        .unwrap();
        assert_eq!(
            table.rate_for("19053100", date!(2025 - 09 - 21)).unwrap().rate,
            dec!(18)
        );
        assert_eq!(table.rate_for("19053100", date!(2025 - 09 - 22)).unwrap().rate, dec!(5));
    }

    #[test]
    fn longest_prefix_wins_and_exclusions_apply() {
        let mut chapter = entry(&["09"], dec!(5), None, None, "chapter");
        chapter.excluded_prefixes = vec!["091011".to_owned()];
        let table = GstRateTable::new(vec![chapter, entry(&["090121"], dec!(12), None, None, "roasted")]).unwrap();
        let day = date!(2024 - 01 - 01);
        assert_eq!(table.rate_for("09012110", day).unwrap().rate, dec!(12));
        assert_eq!(table.rate_for("09041100", day).unwrap().rate, dec!(5));
        assert!(matches!(
            table.rate_for("09101110", day),
            Err(PricingError::GstRateNotFound { .. })
        ));
    }

    #[test]
    fn disagreeing_entries_are_ambiguous() {
        let table = GstRateTable::new(vec![
            entry(&["0401"], dec!(5), None, None, "Schedule I, S.No. 7"),
            entry(&["0401"], dec!(0), None, None, "Nil rate, S.No. 1"),
        ])
        .unwrap();
        let error = table.rate_for("0401", date!(2024 - 01 - 01)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "GST rate for HSN 0401 on 2024-01-01 is ambiguous between Schedule I, S.No. 7 (5%), \
             Nil rate, S.No. 1 (0%); set the product's GST rate explicitly"
        );
    }

    #[test]
    fn hsn_must_be_even_length_digits() {
        assert!(validate_hsn("0401").is_ok());
        assert!(validate_hsn("401").is_err());
        assert!(validate_hsn("04a1").is_err());
        assert!(validate_hsn("040110000").is_err());
    }
}
