//! Serde form of the calendar dates in this crate's records: "YYYY-MM-DD", such as
//! "2026-12-04". Use it with `#[serde(with = "crate::iso_date")]`, or with
//! `#[serde(default, with = "crate::iso_date::option")]` on an `Option<Date>`.
//!
//! Reading also accepts the `time` crate's default serde form, the tuple `[year, ordinal day]`
//! (`[2026, 338]` for 4 December 2026). Records written before this module existed were stored
//! that way in tenant databases and on buyers' devices, and they must still load.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};
use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

const FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Writes `date` as "YYYY-MM-DD".
pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    let text = date.format(FORMAT).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// Reads "YYYY-MM-DD", or the older `[year, ordinal day]` tuple.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
    deserializer.deserialize_any(DateVisitor)
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a date as \"YYYY-MM-DD\" or as [year, day of the year]")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        Date::parse(text, FORMAT)
            .map_err(|error| E::custom(format!("invalid date {text:?}: {error}; expected \"YYYY-MM-DD\"")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Date, A::Error> {
        let year: i32 = sequence
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let ordinal: u16 = sequence
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if sequence.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Date::from_ordinal_date(year, ordinal)
            .map_err(|error| de::Error::custom(format!("invalid date [{year}, {ordinal}]: {error}")))
    }
}

/// The same form for an `Option<Date>`: `null` when absent.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes `Some(date)` as "YYYY-MM-DD" and `None` as `null`.
    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serialize(date, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null`, "YYYY-MM-DD" or the older `[year, ordinal day]` tuple.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] Date);

        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(date)| date))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use time::macros::date;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "crate::iso_date")]
        on: Date,
        #[serde(default, with = "crate::iso_date::option")]
        due: Option<Date>,
    }

    #[test]
    fn date_is_written_as_iso_text() {
        let dated = Dated {
            on: date!(2026 - 12 - 04),
            due: Some(date!(2027 - 01 - 03)),
        };
        assert_eq!(
            serde_json::to_value(&dated).unwrap(),
            json!({"on": "2026-12-04", "due": "2027-01-03"})
        );
        let without = Dated {
            on: date!(2026 - 03 - 31),
            due: None,
        };
        assert_eq!(
            serde_json::to_value(&without).unwrap(),
            json!({"on": "2026-03-31", "due": null})
        );
    }

    #[test]
    fn iso_text_reads_back() {
        let dated: Dated = serde_json::from_value(json!({"on": "2026-12-04", "due": "2027-01-03"})).unwrap();
        assert_eq!(dated.on, date!(2026 - 12 - 04));
        assert_eq!(dated.due, Some(date!(2027 - 01 - 03)));
        let missing: Dated = serde_json::from_value(json!({"on": "2026-12-04"})).unwrap();
        assert_eq!(missing.due, None);
    }

    #[test]
    fn old_tuple_form_still_reads() {
        // 4 December 2026 is day 338 of the year; the old form of `time`'s serde.
        let dated: Dated = serde_json::from_value(json!({"on": [2026, 338], "due": [2027, 3]})).unwrap();
        assert_eq!(dated.on, date!(2026 - 12 - 04));
        assert_eq!(dated.due, Some(date!(2027 - 01 - 03)));
        assert_eq!(
            serde_json::to_value(&dated).unwrap(),
            json!({"on": "2026-12-04", "due": "2027-01-03"})
        );
    }

    #[test]
    fn old_form_is_what_time_wrote() {
        let old = serde_json::to_value(date!(2026 - 12 - 04)).unwrap();
        assert_eq!(old, json!([2026, 338]));
        let dated: Dated = serde_json::from_value(json!({"on": old})).unwrap();
        assert_eq!(dated.on, date!(2026 - 12 - 04));
    }

    #[test]
    fn invalid_dates_are_rejected() {
        for bad in [
            json!("2026-13-01"),
            json!("04/12/2026"),
            json!([2026, 366]),
            json!([2026]),
            json!([2026, 1, 1]),
            json!(20261204),
        ] {
            let result = serde_json::from_value::<Dated>(json!({ "on": bad }));
            assert!(result.is_err(), "{bad} should be rejected");
        }
    }
}
