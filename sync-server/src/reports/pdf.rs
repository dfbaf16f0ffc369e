//! A small PDF writer: one A4 page of text lines in Helvetica, enough for a printable report.
//!
//! The file has five objects (catalog, page tree, page, font, content stream), a cross-reference
//! table with each object's byte offset, and a trailer, as PDF 1.4 describes. Helvetica is one
//! of the standard 14 fonts, so nothing is embedded. Text outside printable ASCII is written as
//! `?`, because the built-in encoding used here covers ASCII only.

/// Lines that fit on one A4 page at the line height used here; later lines are cut and the
/// last line says so.
pub const MAX_LINES: usize = 60;

const PAGE_WIDTH: u32 = 595;
const PAGE_HEIGHT: u32 = 842;
const MARGIN: u32 = 40;
const FONT_SIZE: u32 = 9;
const LINE_HEIGHT: u32 = 12;

/// Writes `lines` as a one-page PDF; the first line is set larger as a title.
pub fn one_page(lines: &[String]) -> Vec<u8> {
    let mut shown: Vec<&str> = lines.iter().map(String::as_str).take(MAX_LINES).collect();
    if lines.len() > MAX_LINES {
        shown.pop();
        shown.push("(report cut: it does not fit on one page; see the HTML report)");
    }
    let content = content_stream(&shown);

    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
             /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", index + 1).as_bytes());
    }

    let xref_offset = out.len();
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        xref.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.extend_from_slice(xref.as_bytes());
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_offset}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn content_stream(lines: &[&str]) -> String {
    let top = PAGE_HEIGHT - MARGIN;
    let mut stream = format!("BT\n/F1 14 Tf\n{MARGIN} {top} Td\n{LINE_HEIGHT} TL\n");
    for (index, line) in lines.iter().enumerate() {
        if index == 1 {
            stream.push_str(&format!("/F1 {FONT_SIZE} Tf\n"));
        }
        stream.push_str(&format!("({}) Tj\nT*\n", escape(line)));
        if index == 0 {
            stream.push_str("T*\n");
        }
    }
    stream.push_str("ET");
    stream
}

/// Escapes a PDF literal string: backslash and parentheses get a backslash, anything outside
/// printable ASCII becomes `?`.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' | '(' | ')' => {
                escaped.push('\\');
                escaped.push(character);
            }
            ' '..='~' => escaped.push(character),
            _ => escaped.push('?'),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file as text with one character per byte, so text offsets are byte offsets.
    fn ascii(pdf: &[u8]) -> String {
        pdf.iter()
            .map(|&byte| if byte.is_ascii() { byte as char } else { '?' })
            .collect()
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = one_page(&["Title".to_owned(), "a (b) \\ c".to_owned()]);
        let text = ascii(&pdf);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));

        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text.as_bytes()[start..].starts_with(b"xref\n0 6\n"));
        let entries: Vec<&str> = text[start..].lines().skip(3).take(5).collect();
        for (index, entry) in entries.iter().enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let expected = format!("{} 0 obj", index + 1);
            assert!(pdf[offset..].starts_with(expected.as_bytes()), "object {}", index + 1);
        }
        assert!(text.contains("(a \\(b\\) \\\\ c) Tj"));
    }

    #[test]
    fn stream_length_matches_content() {
        let text = ascii(&one_page(&["Title".to_owned()]));
        let length: usize = text
            .split("/Length ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let start = text.find(">>\nstream\n").unwrap() + ">>\nstream\n".len();
        let end = text.find("\nendstream").unwrap();
        assert_eq!(end - start, length);
    }

    #[test]
    fn long_reports_are_cut_to_one_page() {
        let lines: Vec<String> = (0..100).map(|index| format!("line {index}")).collect();
        let text = ascii(&one_page(&lines));
        assert!(text.contains("report cut"));
        assert!(!text.contains("line 99"));
        assert_eq!(text.matches("/Type /Page ").count(), 1);
    }
}
