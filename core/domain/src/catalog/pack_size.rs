//! Pack sizes parsed from catalog text: "500 g", "2 x 1 L", "3x(2x150 g)", or free text such as
//! "Combo" that is kept as written.
//!
//! Grammar of a measured size, with units and the `x` matched case-insensitively and spaces
//! optional between tokens:
//!
//! ```text
//! size   := (count "x")* ( "(" size ")" | amount unit )
//! count  := whole number greater than zero
//! amount := decimal number greater than zero, such as "1.5" (no sign, no leading ".")
//! ```
//!
//! The counts multiply, so "3x(2x150 g)" is 6 packs of 150 g. Text with anything else in it
//! ("1 L each", "5L (4.58 kg)", "25 pcs + 12 pcs", "60 Tablets", "13 x 13 cm") is kept as text.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Unit of a measured pack size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackUnit {
    Gram,
    Kilogram,
    /// Milligram, used by small packs such as saffron ("350 mg").
    Milligram,
    Millilitre,
    Litre,
    /// Countable items ("60 pcs", "1 pc", "6 Nos"). The amount is always a whole number.
    Piece,
}

impl PackUnit {
    /// Returns the symbol used when a pack size is displayed.
    pub fn symbol(self) -> &'static str {
        match self {
            PackUnit::Gram => "g",
            PackUnit::Kilogram => "kg",
            PackUnit::Milligram => "mg",
            PackUnit::Millilitre => "ml",
            PackUnit::Litre => "L",
            PackUnit::Piece => "pcs",
        }
    }

    /// Parses a unit as catalogs write it ("g", "gm", "Kg", "ML", "ltr", "Pcs.", "Nos"),
    /// ignoring ASCII case.
    ///
    /// NOTE: count nouns such as "Tablets", "Capsules", "Wipes" and "pulls" are not units, so
    /// "60 Tablets" stays text instead of losing its noun as "60 pcs".
    pub fn parse(text: &str) -> Option<PackUnit> {
        let unit = match text.to_ascii_lowercase().as_str() {
            "g" | "gm" | "gms" | "gram" | "grams" => PackUnit::Gram,
            "kg" | "kgs" | "kilogram" | "kilograms" => PackUnit::Kilogram,
            "mg" => PackUnit::Milligram,
            "ml" | "millilitre" | "millilitres" | "milliliter" | "milliliters" => PackUnit::Millilitre,
            "l" | "lt" | "ltr" | "ltrs" | "litre" | "litres" | "liter" | "liters" => PackUnit::Litre,
            "pc" | "pc." | "pcs" | "pcs." | "piece" | "pieces" | "nos" | "nos." => PackUnit::Piece,
            _ => return None,
        };
        Some(unit)
    }
}

impl fmt::Display for PackUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Size of one sellable pack, as printed in a catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PackSize {
    /// `count` packs of `quantity` `unit` each: "500 g" is count 1, and "2 x 1 L" is count 2
    /// with quantity 1 and unit Litre. `count` and `quantity` are greater than zero, and
    /// `quantity` is normalized, so "0.30 g" and "0.3 g" are the same value.
    Measured {
        count: u32,
        quantity: Decimal,
        unit: PackUnit,
    },
    /// Text that is not a measurable size, without surrounding whitespace: "Combo", "1 each".
    Text { text: String },
}

impl PackSize {
    /// Parses catalog pack-size text. Text that does not match the grammar in the module
    /// documentation becomes [`PackSize::Text`], so this never fails.
    pub fn parse(text: &str) -> PackSize {
        let text = text.trim();
        let mut scanner = Scanner::new(text);
        match scanner.size() {
            Some((count, quantity, unit)) if scanner.at_end() => PackSize::Measured {
                count,
                quantity: quantity.normalize(),
                unit,
            },
            _ => PackSize::Text { text: text.to_owned() },
        }
    }
}

impl fmt::Display for PackSize {
    /// Formats a measured size as "500 g" or "2 x 1 L", and text as it was written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackSize::Measured {
                count: 1,
                quantity,
                unit,
            } => write!(f, "{quantity} {unit}"),
            PackSize::Measured { count, quantity, unit } => write!(f, "{count} x {quantity} {unit}"),
            PackSize::Text { text } => f.write_str(text),
        }
    }
}

/// Recursive-descent parser over the pack-size grammar. Each method returns `None` when the
/// text does not match, and the caller then keeps the whole text as [`PackSize::Text`].
struct Scanner<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, position: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.position..]
    }

    fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.rest().is_empty()
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.position += rest.len() - rest.trim_start().len();
    }

    /// Consumes `expected` if the next non-space character is one of its characters.
    fn eat_any(&mut self, expected: &[char]) -> bool {
        self.skip_whitespace();
        match self.rest().chars().next() {
            Some(c) if expected.contains(&c) => {
                self.position += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    /// Consumes a number of the form `digits` or `digits.digits` and returns its text.
    fn number(&mut self) -> Option<&'a str> {
        self.skip_whitespace();
        let rest = self.rest();
        let whole = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if whole == 0 {
            return None;
        }
        let mut end = whole;
        let after_whole = &rest[whole..];
        if let Some(fraction) = after_whole.strip_prefix('.') {
            let digits = fraction.len() - fraction.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                end += 1 + digits;
            }
        }
        self.position += end;
        Some(&rest[..end])
    }

    /// Parses `size`, returning the product of all counts, the amount and the unit.
    fn size(&mut self) -> Option<(u32, Decimal, PackUnit)> {
        let mut count: u32 = 1;
        loop {
            if self.eat_any(&['(']) {
                let (inner_count, quantity, unit) = self.size()?;
                if !self.eat_any(&[')']) {
                    return None;
                }
                return Some((count.checked_mul(inner_count)?, quantity, unit));
            }

            let number = self.number()?;
            if self.eat_any(&['x', 'X', '×']) {
                let factor: u32 = number.parse().ok()?;
                if factor == 0 {
                    return None;
                }
                count = count.checked_mul(factor)?;
                continue;
            }

            let quantity = Decimal::from_str_exact(number).ok()?;
            let unit = self.unit()?;
            if quantity <= Decimal::ZERO {
                return None;
            }
            if unit == PackUnit::Piece && !quantity.fract().is_zero() {
                return None;
            }
            return Some((count, quantity, unit));
        }
    }

    /// Consumes a unit word: letters, optionally followed by one '.' ("pcs.").
    fn unit(&mut self) -> Option<PackUnit> {
        self.skip_whitespace();
        let rest = self.rest();
        let mut end = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
        if rest[end..].starts_with('.') {
            end += 1;
        }
        let unit = PackUnit::parse(&rest[..end])?;
        self.position += end;
        Some(unit)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn measured(count: u32, quantity: Decimal, unit: PackUnit) -> PackSize {
        PackSize::Measured { count, quantity, unit }
    }

    fn text(value: &str) -> PackSize {
        PackSize::Text { text: value.to_owned() }
    }

    #[test]
    fn parse_single_amounts() {
        let cases = [
            ("500 g", measured(1, dec!(500), PackUnit::Gram)),
            ("5 kg", measured(1, dec!(5), PackUnit::Kilogram)),
            ("200 ml", measured(1, dec!(200), PackUnit::Millilitre)),
            ("1 L", measured(1, dec!(1), PackUnit::Litre)),
            ("60 pcs", measured(1, dec!(60), PackUnit::Piece)),
            ("1 pc", measured(1, dec!(1), PackUnit::Piece)),
            ("350 mg", measured(1, dec!(350), PackUnit::Milligram)),
        ];
        for (input, expected) in cases {
            assert_eq!(PackSize::parse(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn parse_unit_spellings_ignore_case() {
        let cases = [
            ("50 gm", PackUnit::Gram),
            ("50 gms", PackUnit::Gram),
            ("60G", PackUnit::Gram),
            ("50 grams", PackUnit::Gram),
            ("1 Kg", PackUnit::Kilogram),
            ("2 KGS", PackUnit::Kilogram),
            ("225 ML", PackUnit::Millilitre),
            ("1 l", PackUnit::Litre),
            ("1 ltr", PackUnit::Litre),
            ("13 Litre", PackUnit::Litre),
            ("2 liters", PackUnit::Litre),
            ("1 Pc", PackUnit::Piece),
            ("3 Pcs", PackUnit::Piece),
            ("1 pc.", PackUnit::Piece),
            ("3 Pcs.", PackUnit::Piece),
            ("6 Nos", PackUnit::Piece),
            ("4 pieces", PackUnit::Piece),
        ];
        for (input, unit) in cases {
            match PackSize::parse(input) {
                PackSize::Measured { unit: parsed, .. } => assert_eq!(parsed, unit, "input {input:?}"),
                other => panic!("input {input:?} parsed as {other:?}, expected unit {unit:?}"),
            }
        }
    }

    #[test]
    fn parse_without_or_with_extra_spaces() {
        assert_eq!(PackSize::parse("100g"), measured(1, dec!(100), PackUnit::Gram));
        assert_eq!(PackSize::parse("2L"), measured(1, dec!(2), PackUnit::Litre));
        assert_eq!(PackSize::parse("1pc"), measured(1, dec!(1), PackUnit::Piece));
        assert_eq!(PackSize::parse("35  ml"), measured(1, dec!(35), PackUnit::Millilitre));
        assert_eq!(PackSize::parse("  500 g \t"), measured(1, dec!(500), PackUnit::Gram));
    }

    #[test]
    fn parse_decimal_amounts_normalized() {
        assert_eq!(PackSize::parse("1.5 L"), measured(1, dec!(1.5), PackUnit::Litre));
        assert_eq!(PackSize::parse("2.9gm"), measured(1, dec!(2.9), PackUnit::Gram));
        assert_eq!(PackSize::parse("28.5ml"), measured(1, dec!(28.5), PackUnit::Millilitre));

        let normalized = PackSize::parse("3.950 L");
        assert_eq!(normalized, measured(1, dec!(3.95), PackUnit::Litre));
        assert_eq!(normalized.to_string(), "3.95 L");
        assert_eq!(PackSize::parse("0.30 g").to_string(), "0.3 g");
    }

    #[test]
    fn parse_multipacks() {
        let cases = [
            ("2 x 1 L", measured(2, dec!(1), PackUnit::Litre)),
            ("4 x 100 g", measured(4, dec!(100), PackUnit::Gram)),
            ("2x150g", measured(2, dec!(150), PackUnit::Gram)),
            ("2X100 g", measured(2, dec!(100), PackUnit::Gram)),
            ("2 X 100 g", measured(2, dec!(100), PackUnit::Gram)),
            ("2 x 1.5 L", measured(2, dec!(1.5), PackUnit::Litre)),
            ("2X0.35 g", measured(2, dec!(0.35), PackUnit::Gram)),
            ("2x1 pc", measured(2, dec!(1), PackUnit::Piece)),
            ("6x125 gm", measured(6, dec!(125), PackUnit::Gram)),
            ("2 × 500 ml", measured(2, dec!(500), PackUnit::Millilitre)),
        ];
        for (input, expected) in cases {
            assert_eq!(PackSize::parse(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn parse_nested_multipacks_multiply_counts() {
        assert_eq!(PackSize::parse("3x(2x150 g)"), measured(6, dec!(150), PackUnit::Gram));
        assert_eq!(PackSize::parse("3x(3x125 g)"), measured(9, dec!(125), PackUnit::Gram));
        assert_eq!(PackSize::parse("2 x 3 x 100 g"), measured(6, dec!(100), PackUnit::Gram));
    }

    #[test]
    fn parse_keeps_non_quantities_as_text() {
        let inputs = [
            "Combo",
            "combo",
            "bb Combo",
            "1 each",
            "set of 4",
            "Set Of 3 pcs",
            "Pack of 2",
            "(Pack Of 50)",
            "60 Tablets",
            "30 Wipes",
            "200 pulls",
            "10's pack",
            "1 L each",
            "45ml each",
            "5L (4.58 kg)",
            "1 pc (approx. 1 -3 kg)",
            "25 pcs + 12 pcs",
            "120 g 12 pcs",
            "1.3 g & 12 ml",
            "13 x 13 cm",
            "22 cm",
            "50 Ba g x 2 g Each",
            "",
        ];
        for input in inputs {
            assert_eq!(PackSize::parse(input), text(input), "input {input:?}");
        }
    }

    #[test]
    fn parse_rejects_invalid_numbers_as_text() {
        let inputs = [
            "0 g",
            "0.0 L",
            "0 x 100 g",
            "2.5 x 100 g",
            "1.5 pcs",
            "-1 kg",
            ".5 L",
            "1. L",
            "g",
            "2 x",
            "3x(2x150 g",
            "99999999999 x 1 g",
        ];
        for input in inputs {
            assert_eq!(PackSize::parse(input), text(input), "input {input:?}");
        }
    }

    #[test]
    fn text_is_trimmed() {
        assert_eq!(PackSize::parse("  Combo "), text("Combo"));
    }

    #[test]
    fn display_formats() {
        assert_eq!(PackSize::parse("500 g").to_string(), "500 g");
        assert_eq!(PackSize::parse("2 x 1 ltr").to_string(), "2 x 1 L");
        assert_eq!(PackSize::parse("60 Pcs.").to_string(), "60 pcs");
        assert_eq!(PackSize::parse("3x(2x150 g)").to_string(), "6 x 150 g");
        assert_eq!(PackSize::parse("Combo").to_string(), "Combo");
    }

    #[test]
    fn display_round_trips_through_parse() {
        for input in ["500 g", "2 x 1 L", "1.5 kg", "350 mg", "60 pcs", "4 x 100 ml"] {
            let parsed = PackSize::parse(input);
            assert_eq!(PackSize::parse(&parsed.to_string()), parsed, "input {input:?}");
        }
    }
}
