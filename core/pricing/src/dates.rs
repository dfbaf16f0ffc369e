//! Serde format for calendar dates: ISO 8601 text such as "2025-09-21". The `time` crate's
//! default serde form for `Date` is a (year, ordinal day) pair, which people cannot read in a
//! scheme file, so every date field in this crate goes through this module.

time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");
