//! Timestamps that always carry their UTC offset. Stored and sent as RFC 3339 text
//! ("2026-12-04T21:24:39.120+05:30"), so a reader never has to guess the zone.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::error::{DomainError, Result};

/// India Standard Time, UTC+05:30, the default zone for display.
pub const IST: UtcOffset = match UtcOffset::from_hms(5, 30, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// A point in time with the offset it was recorded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time, in UTC.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    pub fn from_offset_date_time(value: OffsetDateTime) -> Self {
        Self(value)
    }

    pub fn offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Formats for people in India: "04-12-2026 21:24 IST".
    pub fn display_ist(self) -> String {
        let local = self.0.to_offset(IST);
        format!(
            "{:02}-{:02}-{:04} {:02}:{:02} IST",
            local.day(),
            u8::from(local.month()),
            local.year(),
            local.hour(),
            local.minute()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl FromStr for Timestamp {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(Self)
            .map_err(|error| DomainError::InvalidTimestamp {
                value: text.to_owned(),
                reason: error.to_string(),
            })
    }
}

impl TryFrom<String> for Timestamp {
    type Error = DomainError;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Timestamp> for String {
    fn from(timestamp: Timestamp) -> String {
        timestamp.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_keeps_its_offset() {
        let text = "2026-12-04T21:24:39+05:30";
        let parsed: Timestamp = text.parse().unwrap();
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.display_ist(), "04-12-2026 21:24 IST");
    }

    #[test]
    fn timestamp_without_zone_is_rejected() {
        assert!("2026-12-04T21:24:39".parse::<Timestamp>().is_err());
    }

    #[test]
    fn utc_is_shown_in_ist() {
        let parsed: Timestamp = "2026-12-04T18:30:00Z".parse().unwrap();
        assert_eq!(parsed.display_ist(), "05-12-2026 00:00 IST");
    }
}
