//! Parses the free-text "Chapter/Heading/Sub-heading/Tariff item" cell of the CBIC goods rate
//! schedule into HSN prefixes and excluded prefixes.
//!
//! Accepted forms, all seen in the schedule:
//! - lists separated by ",", "/", "or" and "and" ("0202, 0203", "1905 or 2106");
//! - ranges of equal-length codes ("5004 to 5006");
//! - codes written in groups ("2402 20 10"). A new code starts at each 4-digit group, which
//!   also splits lists with a missing comma ("2711 12 00 2711 13 00");
//! - exclusions in brackets or after "other than" or "except" ("0507 [Except 050790]",
//!   "63 other than 6309");
//! - an unmatched "[" at the very start, which in the notification marks an amended entry.
//!
//! Rejected, so the loader reports them: "Any Chapter" entries (the goods are named only by
//! description), a 3-, 5- or 7-digit code (a digit is missing, and padding would guess which),
//! and any other bracket or word. A single digit is taken as a chapter that lost its leading
//! zero in the spreadsheet ("7" is chapter 07).

/// Prefixes parsed from one heading cell.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HeadingCodes {
    pub(crate) include: Vec<String>,
    pub(crate) exclude: Vec<String>,
}

/// Reason a heading cell could not be turned into prefixes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadingProblem {
    Missing,
    AnyChapter,
    Unparseable(String),
}

/// Largest number of codes a range may expand to; larger ranges are treated as typing mistakes.
const MAX_RANGE_LENGTH: u32 = 100;

pub(crate) fn parse_heading(text: &str) -> Result<HeadingCodes, HeadingProblem> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Err(HeadingProblem::Missing);
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("any chapter") || lower.contains("any other chapter") {
        return Err(HeadingProblem::AnyChapter);
    }

    let text = match text.strip_prefix('[') {
        Some(rest) if !rest.contains(']') => rest,
        _ => text,
    };
    let (main, mut exclusion_texts) = extract_bracketed_exclusions(text)?;
    let (main, trailing_exclusion) = split_unbracketed_exclusion(&main);
    exclusion_texts.extend(trailing_exclusion);

    let include = parse_code_list(&main)?;
    if include.is_empty() {
        return Err(HeadingProblem::Unparseable("no HSN code found".to_owned()));
    }
    let mut exclude = Vec::new();
    for exclusion in exclusion_texts {
        exclude.extend(parse_code_list(&exclusion)?);
    }
    Ok(HeadingCodes { include, exclude })
}

/// Removes "[other than …]", "[Except …]" and "(Except …)" groups and returns their contents.
fn extract_bracketed_exclusions(text: &str) -> Result<(String, Vec<String>), HeadingProblem> {
    let mut rest = text.to_owned();
    let mut exclusions = Vec::new();
    while let Some(open) = rest.find(['[', '(']) {
        let close_char = if rest[open..].starts_with('[') { ']' } else { ')' };
        let Some(close) = rest[open..].find(close_char).map(|offset| open + offset) else {
            return Err(HeadingProblem::Unparseable("unmatched bracket".to_owned()));
        };
        let inner = rest[open + 1..close].trim();
        let Some(codes) = strip_exclusion_keyword(inner) else {
            return Err(HeadingProblem::Unparseable(format!(
                "unexpected bracketed text {inner:?}"
            )));
        };
        exclusions.push(codes.to_owned());
        rest.replace_range(open..=close, " ");
    }
    if rest.contains([']', ')']) {
        return Err(HeadingProblem::Unparseable("unmatched bracket".to_owned()));
    }
    Ok((rest, exclusions))
}

/// Splits "63 other than 6309" into "63" and "6309".
fn split_unbracketed_exclusion(text: &str) -> (String, Option<String>) {
    let lower = text.to_ascii_lowercase();
    for keyword in ["other than", "except"] {
        if let Some(position) = lower.find(keyword) {
            let main = text[..position].to_owned();
            let excluded = text[position + keyword.len()..].to_owned();
            return (main, Some(excluded));
        }
    }
    (text.to_owned(), None)
}

fn strip_exclusion_keyword(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    ["other than", "except"]
        .iter()
        .find(|keyword| lower.starts_with(*keyword))
        .map(|keyword| &text[keyword.len()..])
}

/// One element of a code list: a code, or the "to" of a range.
#[derive(Debug)]
enum Item {
    Code(String),
    To,
}

fn parse_code_list(text: &str) -> Result<Vec<String>, HeadingProblem> {
    let spaced = text.replace([',', '/', ';'], " , ");
    let mut items = Vec::new();
    let mut current = String::new();

    for word in spaced.split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "," | "or" | "and" => flush(&mut current, &mut items),
            "to" => {
                flush(&mut current, &mut items);
                items.push(Item::To);
            }
            group if group.bytes().all(|byte| byte.is_ascii_digit()) => {
                let starts_new_code = group.len() != 2 || current.len() + group.len() > 8;
                if starts_new_code {
                    flush(&mut current, &mut items);
                }
                current.push_str(group);
            }
            other => {
                return Err(HeadingProblem::Unparseable(format!("unexpected word {other:?}")));
            }
        }
    }
    flush(&mut current, &mut items);

    expand_items(items)
}

fn flush(current: &mut String, items: &mut Vec<Item>) {
    if !current.is_empty() {
        items.push(Item::Code(std::mem::take(current)));
    }
}

fn expand_items(items: Vec<Item>) -> Result<Vec<String>, HeadingProblem> {
    let mut codes = Vec::new();
    let mut iter = items.into_iter().peekable();
    while let Some(item) = iter.next() {
        let Item::Code(first) = item else {
            return Err(HeadingProblem::Unparseable("range without a start".to_owned()));
        };
        let first = normalize_code(&first)?;
        if matches!(iter.peek(), Some(Item::To)) {
            iter.next();
            let Some(Item::Code(last)) = iter.next() else {
                return Err(HeadingProblem::Unparseable("range without an end".to_owned()));
            };
            codes.extend(expand_range(&first, &normalize_code(&last)?)?);
        } else {
            codes.push(first);
        }
    }
    Ok(codes)
}

fn normalize_code(code: &str) -> Result<String, HeadingProblem> {
    match code.len() {
        1 => Ok(format!("0{code}")),
        2 | 4 | 6 | 8 => Ok(code.to_owned()),
        length => Err(HeadingProblem::Unparseable(format!(
            "code {code} has {length} digits; HSN codes have 2, 4, 6 or 8"
        ))),
    }
}

fn expand_range(first: &str, last: &str) -> Result<Vec<String>, HeadingProblem> {
    let invalid = || HeadingProblem::Unparseable(format!("invalid range {first} to {last}"));
    if first.len() != last.len() {
        return Err(invalid());
    }
    let start: u32 = first.parse().map_err(|_| invalid())?;
    let end: u32 = last.parse().map_err(|_| invalid())?;
    if end < start || end - start >= MAX_RANGE_LENGTH {
        return Err(invalid());
    }
    let width = first.len();
    Ok((start..=end).map(|code| format!("{code:0width$}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> (Vec<String>, Vec<String>) {
        let parsed = parse_heading(text).unwrap();
        (parsed.include, parsed.exclude)
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn heading_lists_and_groups() {
        assert_eq!(codes("0202, 0203").0, strings(&["0202", "0203"]));
        assert_eq!(codes("1905 or 2106").0, strings(&["1905", "2106"]));
        assert_eq!(codes("4802 / 4907").0, strings(&["4802", "4907"]));
        assert_eq!(codes("2402 20 10").0, strings(&["24022010"]));
        assert_eq!(
            codes("2711 12 00 2711 13 00, 2711 19 00").0,
            strings(&["27111200", "27111300", "27111900"])
        );
        assert_eq!(codes("7, 9 or 10").0, strings(&["07", "09", "10"]));
    }

    #[test]
    fn heading_ranges_expand() {
        assert_eq!(codes("5004 to 5006").0, strings(&["5004", "5005", "5006"]));
        assert_eq!(codes("50 to 55").0.len(), 6);
    }

    #[test]
    fn heading_exclusions() {
        assert_eq!(
            codes("0507 [Except 050790]"),
            (strings(&["0507"]), strings(&["050790"]))
        );
        assert_eq!(codes("63 other than 6309"), (strings(&["63"]), strings(&["6309"])));
        assert_eq!(
            codes("[2515 (Except 2515 12 10, 2515 12 20, 2515 12 90) or 6802"),
            (
                strings(&["2515", "6802"]),
                strings(&["25151210", "25151220", "25151290"])
            )
        );
        assert_eq!(
            codes("8422 20 00, 842290 other than 8422 11 00,8422 19 00"),
            (strings(&["84222000", "842290"]), strings(&["84221100", "84221900"]))
        );
        assert_eq!(codes("[3304").0, strings(&["3304"]));
    }

    #[test]
    fn heading_problems_are_reported() {
        assert_eq!(parse_heading(""), Err(HeadingProblem::Missing));
        assert_eq!(parse_heading("-"), Err(HeadingProblem::Missing));
        assert_eq!(parse_heading("Any Chapter except 71"), Err(HeadingProblem::AnyChapter));
        assert_eq!(parse_heading("30 or any Chapter"), Err(HeadingProblem::AnyChapter));
        assert!(matches!(parse_heading("386"), Err(HeadingProblem::Unparseable(_))));
        assert!(matches!(
            parse_heading("1404 [other than 1404 90 10] [1404 90 60"),
            Err(HeadingProblem::Unparseable(_))
        ));
    }
}
