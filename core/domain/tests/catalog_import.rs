//! Catalog CSV import against the real BigBasket export (`bigbasket_products.csv` in the shared
//! data folder beside the repository), a hand-made file with bad rows, and header variants.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use dms_domain::catalog::{ImportReport, PackSize, PackUnit, Product, RejectedRow, import_csv};
use dms_domain::{Money, ProductId};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const BIGBASKET_HEADER: &str =
    "ProductID,ProductName,Brand,Price,DiscountPrice,Image_Url,Quantity,Category,SubCategory,Absolute_Url";

fn real_catalog_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/catalog/bigbasket_products.csv");
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the BigBasket catalog at {}: {error}. The test needs the shared data \
             folder next to the repository checkout",
            path.display()
        )
    })
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

fn product<'a>(report: &'a ImportReport, id: &str) -> &'a Product {
    report
        .products
        .iter()
        .find(|product| product.id.as_str() == id)
        .unwrap_or_else(|| panic!("product {id} was not imported"))
}

fn price(text: &str) -> Money {
    Money::parse_price(text).expect("test price is valid")
}

fn measured(count: u32, quantity: Decimal, unit: PackUnit) -> PackSize {
    PackSize::Measured { count, quantity, unit }
}

fn rejected_lines(report: &ImportReport) -> Vec<u64> {
    report.rejected.iter().map(|row| row.line).collect()
}

fn rejection_at(report: &ImportReport, line: u64) -> &RejectedRow {
    report
        .rejected
        .iter()
        .find(|row| row.line == line)
        .unwrap_or_else(|| panic!("line {line} was not rejected: {:?}", report.rejected))
}

fn assert_reason_contains(report: &ImportReport, line: u64, expected: &str) {
    let row = rejection_at(report, line);
    assert!(
        row.reason.contains(expected),
        "line {line}: reason {:?} does not contain {expected:?}",
        row.reason
    );
}

#[test]
fn real_bigbasket_catalog_imports() {
    let report = import_csv(real_catalog_bytes().as_slice());

    assert_eq!(report.rows_read, 8208);
    assert_eq!(report.products.len(), 8208);
    assert!(report.rejected.is_empty(), "rejected rows: {:?}", report.rejected);

    let onion = product(&report, "2");
    assert_eq!(onion.name, "Onion");
    assert_eq!(onion.brand, "Fresho");
    assert_eq!(onion.mrp, price("174.35"));
    assert_eq!(onion.selling_price, price("130"));
    assert_eq!(onion.pack_size, measured(1, dec!(5), PackUnit::Kilogram));
    assert_eq!(onion.category, "Fruits & Vegetables");
    assert_eq!(onion.sub_category, "Potato, Onion & Tomato");

    // The brand is "MAGGI " with a trailing space in the file, and the selling price is the MRP.
    let noodles = product(&report, "40");
    assert_eq!(noodles.name, "Masala Instant Noodles Vegetarian");
    assert_eq!(noodles.brand, "MAGGI");
    assert_eq!(noodles.mrp, price("14"));
    assert_eq!(noodles.selling_price, price("14"));
    assert_eq!(noodles.pack_size, measured(1, dec!(70), PackUnit::Gram));

    let sesame_oil = product(&report, "1219");
    assert_eq!(sesame_oil.mrp, price("900"));
    assert_eq!(sesame_oil.selling_price, price("620"));
    assert_eq!(sesame_oil.pack_size, measured(2, dec!(1), PackUnit::Litre));

    let toothpaste = product(&report, "773");
    assert_eq!(toothpaste.pack_size, measured(6, dec!(150), PackUnit::Gram));

    let saffron = product(&report, "5895");
    assert_eq!(saffron.pack_size, measured(1, dec!(350), PackUnit::Milligram));

    let combo = product(&report, "231");
    assert_eq!(combo.brand, "bb Combo");
    assert_eq!(combo.selling_price, price("331.5"));
    assert_eq!(combo.pack_size.to_string(), "Combo");

    let toilet_cleaner = product(&report, "23");
    assert_eq!(toilet_cleaner.pack_size.to_string(), "1 L each");
    assert!(matches!(toilet_cleaner.pack_size, PackSize::Text { .. }));

    // The only quoted field with a line break in the file: the name is kept as written.
    let face_cream = product(&report, "5732");
    assert!(
        face_cream.name.ends_with("Red Raspberry & \nAvocado"),
        "{:?}",
        face_cream.name
    );

    let last = report.products.last().expect("products imported");
    assert_eq!(last.id.as_str(), "8208");
    assert_eq!(last.brand, "Lakme");
    assert_eq!(last.pack_size, measured(1, dec!(100), PackUnit::Gram));
}

#[test]
fn real_bigbasket_pack_sizes_measured() {
    let report = import_csv(real_catalog_bytes().as_slice());

    let count_unit = |unit: PackUnit| {
        report
            .products
            .iter()
            .filter(|product| matches!(product.pack_size, PackSize::Measured { unit: found, .. } if found == unit))
            .count()
    };
    let text_count = report
        .products
        .iter()
        .filter(|product| matches!(product.pack_size, PackSize::Text { .. }))
        .count();
    let combo_count = report
        .products
        .iter()
        .filter(|product| product.pack_size.to_string() == "Combo")
        .count();

    assert_eq!(count_unit(PackUnit::Gram), 2792);
    assert_eq!(count_unit(PackUnit::Millilitre), 2399);
    assert_eq!(count_unit(PackUnit::Piece), 1787);
    assert_eq!(count_unit(PackUnit::Kilogram), 436);
    assert_eq!(count_unit(PackUnit::Litre), 424);
    assert_eq!(count_unit(PackUnit::Milligram), 1);
    assert_eq!(text_count, 369);
    assert_eq!(combo_count, 274);
}

#[test]
fn real_bigbasket_line_numbers_after_quoted_line_break() {
    // Product 5732 spans lines 5733 and 5734, so product 5733 starts on line 5735 and the
    // 8,208 products end on line 8210. Appended copies of rows are duplicates, which are
    // rejected with the line of the first row.
    let mut data = real_catalog_bytes();
    data.extend_from_slice(b"5733,Copy,Brand,10,9,,1 kg,Category,SubCategory,\r\n");
    data.extend_from_slice(b"2,Copy,Brand,10,9,,1 kg,Category,SubCategory,\r\n");
    let report = import_csv(data.as_slice());

    assert_eq!(report.rows_read, 8210);
    assert_eq!(report.products.len(), 8208);
    assert_eq!(rejected_lines(&report), vec![8211, 8212]);
    assert_reason_contains(&report, 8211, "duplicate ProductID \"5733\": first used on line 5735");
    assert_reason_contains(&report, 8212, "duplicate ProductID \"2\": first used on line 3");
}

#[test]
fn fixture_with_bad_rows_rejects_each() {
    let data = fixture_bytes("catalog_with_bad_rows.csv");
    assert!(
        data.windows(2).any(|pair| pair == b"\r\n"),
        "fixture must have CRLF line ends"
    );
    let report = import_csv(data.as_slice());

    assert_eq!(report.rows_read, 12);
    assert_eq!(report.products.len(), 4);
    assert_eq!(rejected_lines(&report), vec![4, 5, 6, 9, 11, 12, 13, 14]);

    assert_reason_contains(&report, 4, "Price (MRP) \"abc\" is invalid: not a decimal number");
    assert_reason_contains(
        &report,
        5,
        "DiscountPrice (selling price) 95.50 is greater than Price (MRP) 90.00",
    );
    assert_reason_contains(&report, 6, "duplicate ProductID \"102\": first used on line 3");
    assert_reason_contains(&report, 9, "expected 10 fields as in the header, found 9");
    assert_reason_contains(&report, 11, "ProductID is missing");
    assert_reason_contains(
        &report,
        12,
        "Price (MRP) \"210.999\" is invalid: must have at most 2 decimal places",
    );
    assert_reason_contains(&report, 13, "DiscountPrice (selling price) is missing");

    // Line 14 breaks three rules, and all three are reported.
    assert_reason_contains(&report, 14, "ProductID \"A/7\" is invalid");
    assert_reason_contains(&report, 14, "ProductName is empty");
    assert_reason_contains(&report, 14, "Price (MRP) \"-5\" is invalid: must not be negative");

    assert_eq!(rejection_at(&report, 4).product_id.as_deref(), Some("103"));
    assert_eq!(rejection_at(&report, 9).product_id.as_deref(), Some("106"));
    assert_eq!(rejection_at(&report, 11).product_id, None);
    assert_eq!(rejection_at(&report, 14).product_id.as_deref(), Some("A/7"));
}

#[test]
fn fixture_with_bad_rows_imports_good() {
    let report = import_csv(fixture_bytes("catalog_with_bad_rows.csv").as_slice());
    let ids: Vec<&str> = report.products.iter().map(|product| product.id.as_str()).collect();
    assert_eq!(ids, vec!["101", "102", "105", "BB-110.a"]);

    let dal = product(&report, "101");
    let expected_dal = Product {
        id: ProductId::new("101").expect("valid id"),
        name: "Toor Dal".to_owned(),
        brand: "Tata Sampann".to_owned(),
        mrp: price("180.50"),
        selling_price: price("165"),
        pack_size: measured(1, dec!(1), PackUnit::Kilogram),
        category: "Foodgrains, Oil & Masala".to_owned(),
        sub_category: "Dals & Pulses".to_owned(),
    };
    assert_eq!(dal, &expected_dal);

    let biscuits = product(&report, "102");
    assert_eq!(biscuits.name, "Biscuits, Cream");
    assert_eq!(biscuits.mrp, price("40"));
    assert_eq!(biscuits.selling_price, price("40"));
    assert_eq!(biscuits.pack_size, measured(4, dec!(100), PackUnit::Gram));
    assert_eq!(biscuits.category, "Bakery, Cakes & Dairy");

    let hamper = product(&report, "105");
    assert_eq!(hamper.name, "Festive Hamper");
    assert_eq!(hamper.brand, "bb Royal");
    assert_eq!(hamper.mrp, price("1299"));
    assert_eq!(hamper.selling_price, price("999.99"));
    assert_eq!(
        hamper.pack_size,
        PackSize::Text {
            text: "Combo".to_owned()
        }
    );
    assert_eq!(hamper.sub_category, "Gift Hampers");

    let oil = product(&report, "BB-110.a");
    assert_eq!(oil.name, "Kachi Ghani Mustard Oil");
    assert_eq!(oil.brand, "Fortune");
    assert_eq!(oil.mrp, price("210"));
    assert_eq!(oil.selling_price, price("199"));
    assert_eq!(oil.pack_size, measured(1, dec!(1.5), PackUnit::Litre));
    assert_eq!(oil.category, "Foodgrains, Oil & Masala");
    assert_eq!(oil.sub_category, "Edible Oils & Ghee");
}

#[test]
fn rejected_line_numbers_lf_and_crlf() {
    // Line 2 starts a row whose quoted name runs onto line 3, line 4 is blank, and the row
    // on line 6 follows two blank lines. The reported line is where each row starts.
    let lines = [
        BIGBASKET_HEADER,
        "1,\"Tea Bags,",
        "Assorted\",Brand,abc,9,,1 kg,Category,SubCategory,",
        "",
        "2,Good,Brand,10,9,,1 kg,Category,SubCategory,",
        "",
        "3,Bad,Brand,10,11,,1 kg,Category,SubCategory,",
        "4,\"Bad\",Brand,10,,,1 kg,Category,SubCategory,",
    ];
    for line_end in ["\n", "\r\n"] {
        let data = lines.join(line_end) + line_end;
        let report = import_csv(data.as_bytes());

        assert_eq!(rejected_lines(&report), vec![2, 7, 8], "line end {line_end:?}");
        assert_reason_contains(&report, 2, "Price (MRP) \"abc\" is invalid");
        assert_eq!(report.products.len(), 1, "line end {line_end:?}");
    }
}

#[test]
fn reordered_and_extra_columns() {
    let data = "Notes, subcategory ,Quantity,DISCOUNTPRICE,Price,Category,Brand,ProductName,ProductID,HSN\n\
                fresh stock,Dals & Pulses,500 gm,62.5,70,Foodgrains,BB Royal,Moong Dal,900,0713\n";
    let report = import_csv(data.as_bytes());

    assert!(report.rejected.is_empty(), "rejected rows: {:?}", report.rejected);
    assert_eq!(report.rows_read, 1);
    let dal = product(&report, "900");
    assert_eq!(dal.name, "Moong Dal");
    assert_eq!(dal.brand, "BB Royal");
    assert_eq!(dal.mrp, price("70"));
    assert_eq!(dal.selling_price, price("62.5"));
    assert_eq!(dal.pack_size, measured(1, dec!(500), PackUnit::Gram));
    assert_eq!(dal.category, "Foodgrains");
    assert_eq!(dal.sub_category, "Dals & Pulses");
}

#[test]
fn missing_header_column_rejects_file() {
    let data = "ProductID,ProductName,Brand,Price,Quantity,Category\r\n\
                1,Onion,Fresho,20,1 kg,Vegetables\r\n\
                2,Potato,Fresho,30,1 kg,Vegetables\r\n";
    let report = import_csv(data.as_bytes());

    assert!(report.products.is_empty());
    assert_eq!(report.rows_read, 0);
    assert_eq!(rejected_lines(&report), vec![1]);
    assert_eq!(report.rejected[0].product_id, None);
    assert_reason_contains(&report, 1, "missing the required column(s) DiscountPrice, SubCategory");
}

#[test]
fn empty_input_rejects_file() {
    let report = import_csv(&b""[..]);

    assert!(report.products.is_empty());
    assert_eq!(report.rows_read, 0);
    assert_eq!(rejected_lines(&report), vec![1]);
    assert_reason_contains(&report, 1, "the file is empty");
}

#[test]
fn byte_order_mark_and_lf_line_ends() {
    let data = format!("\u{feff}{BIGBASKET_HEADER}\n7,Tomato,Fresho,40,31.5,,1 kg,Vegetables,Tomato,\n");
    let report = import_csv(data.as_bytes());

    assert!(report.rejected.is_empty(), "rejected rows: {:?}", report.rejected);
    assert_eq!(product(&report, "7").selling_price, price("31.5"));
}

#[test]
fn invalid_utf8_field_rejects_row() {
    let mut data = format!("{BIGBASKET_HEADER}\r\n").into_bytes();
    data.extend_from_slice(b"8,Bad \xFF Name,Brand,10,9,,1 kg,Category,SubCategory,\r\n");
    data.extend_from_slice(b"9,Good Name,Brand,10,9,,1 kg,Category,SubCategory,\r\n");
    let report = import_csv(data.as_slice());

    assert_eq!(report.rows_read, 2);
    assert_eq!(rejected_lines(&report), vec![2]);
    assert_reason_contains(&report, 2, "ProductName \"Bad \u{FFFD} Name\" is not valid UTF-8");
    assert_eq!(product(&report, "9").name, "Good Name");
}

#[test]
fn read_error_stops_with_report() {
    /// Returns its data, then fails every later read.
    struct FailingReader {
        data: &'static [u8],
    }

    impl std::io::Read for FailingReader {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.data.is_empty() {
                return Err(std::io::Error::other("disk unplugged"));
            }
            let count = buffer.len().min(self.data.len());
            buffer[..count].copy_from_slice(&self.data[..count]);
            self.data = &self.data[count..];
            Ok(count)
        }
    }

    let data: &'static [u8] =
        b"ProductID,ProductName,Brand,Price,DiscountPrice,Image_Url,Quantity,Category,SubCategory,Absolute_Url\r\n\
        1,Onion,Fresho,20,18,,1 kg,Vegetables,Onion,\r\n\
        2,Potato,Fresho,30,27,,1 kg,Vegetables,Potato,\r\n";
    let report = import_csv(FailingReader { data });

    assert_eq!(report.products.len(), 2);
    assert_eq!(report.rows_read, 2);
    assert_eq!(report.rejected.len(), 1);
    assert_reason_contains(&report, 4, "reading the file failed: disk unplugged");
}

#[test]
fn pack_size_json_shape_is_stable() {
    use dms_domain::catalog::PackSize;

    let measured = PackSize::parse("2 x 1.5 L");
    let json = serde_json::to_string(&measured).unwrap();
    assert_eq!(json, r#"{"kind":"measured","count":2,"quantity":"1.5","unit":"litre"}"#);
    assert_eq!(serde_json::from_str::<PackSize>(&json).unwrap(), measured);

    let text = PackSize::parse("Combo");
    let json = serde_json::to_string(&text).unwrap();
    assert_eq!(json, r#"{"kind":"text","text":"Combo"}"#);
    assert_eq!(serde_json::from_str::<PackSize>(&json).unwrap(), text);
}
