//! Physical line numbers of CSV records.
//!
//! The csv crate (1.4) takes a record's `Position` where the previous record ended, before the
//! parser skips the rest of that record's terminator and any blank lines. So `Position::line()`
//! is one line too small for every record after the first in a CRLF file, and too small by the
//! number of blank lines before a record. [`LineTracker`] instead keeps the bytes the parser
//! has read and finds the line of each record's first byte.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Input wrapper that counts line feeds in the bytes the CSV parser consumes.
///
/// The parser reads ahead through a buffer, so the bytes are kept until
/// [`LineTracker::record_start_line`] receives the parser's byte offset. At most one read-ahead
/// buffer plus one record is kept.
pub(super) struct LineTracker<R> {
    inner: R,
    /// Bytes read from `inner` that are not yet attributed to a record.
    pending: VecDeque<u8>,
    /// Byte offset in the input of `pending[0]`.
    pending_offset: u64,
    /// One-based line number of `pending[0]`.
    pending_line: u64,
}

impl<R> LineTracker<R> {
    pub(super) fn new(inner: R) -> Self {
        Self {
            inner,
            pending: VecDeque::new(),
            pending_offset: 0,
            pending_line: 1,
        }
    }

    /// Consumes the input up to byte offset `end`, where the parser stopped after a record,
    /// and returns the line of that record's first byte.
    ///
    /// Carriage returns and line feeds before the record are the previous record's
    /// terminator or blank lines, which the parser skips, so they are not the record's start.
    /// When the bytes up to `end` hold nothing else, this returns the line at `end`.
    pub(super) fn record_start_line(&mut self, end: u64) -> u64 {
        let available = u64::try_from(self.pending.len()).unwrap_or(u64::MAX);
        let consumed = end.saturating_sub(self.pending_offset).min(available);
        let consumed_len = usize::try_from(consumed).unwrap_or(self.pending.len());

        let mut start_line = None;
        for byte in self.pending.drain(..consumed_len) {
            if start_line.is_none() && byte != b'\r' && byte != b'\n' {
                start_line = Some(self.pending_line);
            }
            if byte == b'\n' {
                self.pending_line += 1;
            }
        }
        self.pending_offset += consumed;
        start_line.unwrap_or(self.pending_line)
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.pending.extend(&buffer[..count]);
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use csv::{ByteRecord, ReaderBuilder};

    use super::*;

    /// Returns the first field and start line of every record after the header.
    fn record_lines(data: &[u8]) -> Vec<(String, u64)> {
        let mut reader = ReaderBuilder::new().flexible(true).from_reader(LineTracker::new(data));
        reader.byte_headers().expect("header reads");
        let end = reader.position().byte();
        reader.get_mut().record_start_line(end);

        let mut lines = Vec::new();
        let mut record = ByteRecord::new();
        while reader.read_byte_record(&mut record).expect("record reads") {
            let end = reader.position().byte();
            let line = reader.get_mut().record_start_line(end);
            let first = String::from_utf8_lossy(record.get(0).unwrap_or_default()).into_owned();
            lines.push((first, line));
        }
        lines
    }

    fn expected(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(field, line)| ((*field).to_owned(), *line)).collect()
    }

    #[test]
    fn crlf_lines() {
        let lines = record_lines(b"id,name\r\na,1\r\nb,2\r\nc,3\r\n");
        assert_eq!(lines, expected(&[("a", 2), ("b", 3), ("c", 4)]));
    }

    #[test]
    fn lf_lines() {
        let lines = record_lines(b"id,name\na,1\nb,2\nc,3");
        assert_eq!(lines, expected(&[("a", 2), ("b", 3), ("c", 4)]));
    }

    #[test]
    fn quoted_line_breaks_and_blank_lines() {
        let data = b"id,name\r\na,\"x,\r\ny\"\r\n\r\n\r\nb,2\r\n\"c\r\nc\",3\r\nd,4\r\n";
        let lines = record_lines(data);
        assert_eq!(lines, expected(&[("a", 2), ("b", 6), ("c\r\nc", 7), ("d", 9)]));
    }

    #[test]
    fn byte_order_mark_and_blank_lines_before_header() {
        let mut reader = ReaderBuilder::new().from_reader(LineTracker::new(&b"\r\n\r\nid\r\na\r\n"[..]));
        reader.byte_headers().expect("header reads");
        let end = reader.position().byte();
        assert_eq!(reader.get_mut().record_start_line(end), 3);

        let lines = record_lines(b"\xEF\xBB\xBFid,name\r\na,1\r\n");
        assert_eq!(lines, expected(&[("a", 2)]));
    }
}
