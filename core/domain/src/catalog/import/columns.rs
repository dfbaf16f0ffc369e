//! Locates the catalog columns in a CSV header by name, so files with extra or reordered
//! columns import the same way as the BigBasket export.

use csv::ByteRecord;

/// Header names of the columns the import reads, in the order of the BigBasket export.
pub(super) const REQUIRED_COLUMNS: [&str; 8] = [
    "ProductID",
    "ProductName",
    "Brand",
    "Price",
    "DiscountPrice",
    "Quantity",
    "Category",
    "SubCategory",
];

/// Zero-based field indices of the columns the import reads, and the field count of the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Columns {
    pub product_id: usize,
    pub name: usize,
    pub brand: usize,
    pub mrp: usize,
    pub selling_price: usize,
    pub pack_size: usize,
    pub category: usize,
    pub sub_category: usize,
    pub field_count: usize,
}

impl Columns {
    /// Finds each required column in `header`. Names match after trimming whitespace and
    /// ignoring ASCII case, and columns with other names are ignored.
    ///
    /// Returns an error message when the header is empty, lacks a required column or names a
    /// required column twice.
    pub(super) fn locate(header: &ByteRecord) -> Result<Columns, String> {
        if header.is_empty() {
            return Err(format!(
                "the file is empty, but a header row with the columns {} is required",
                REQUIRED_COLUMNS.join(", ")
            ));
        }

        let names: Vec<String> = header
            .iter()
            .map(|field| String::from_utf8_lossy(field).trim().to_owned())
            .collect();

        let mut indices = [0usize; REQUIRED_COLUMNS.len()];
        let mut missing = Vec::new();
        for (slot, required) in indices.iter_mut().zip(REQUIRED_COLUMNS) {
            let matches: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, name)| name.eq_ignore_ascii_case(required))
                .map(|(index, _)| index)
                .collect();
            match matches.as_slice() {
                [] => missing.push(required),
                [index] => *slot = *index,
                [first, second, ..] => {
                    return Err(format!(
                        "the header names column {required} more than once (columns {} and {}), \
                         so the import cannot tell which one to read",
                        first + 1,
                        second + 1
                    ));
                }
            }
        }

        if !missing.is_empty() {
            return Err(format!(
                "the header is missing the required column(s) {}. It has the columns {}",
                missing.join(", "),
                names.join(", ")
            ));
        }

        let [
            product_id,
            name,
            brand,
            mrp,
            selling_price,
            pack_size,
            category,
            sub_category,
        ] = indices;
        Ok(Columns {
            product_id,
            name,
            brand,
            mrp,
            selling_price,
            pack_size,
            category,
            sub_category,
            field_count: header.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> ByteRecord {
        ByteRecord::from(names.to_vec())
    }

    #[test]
    fn locate_bigbasket_header() {
        let columns = Columns::locate(&header(&[
            "ProductID",
            "ProductName",
            "Brand",
            "Price",
            "DiscountPrice",
            "Image_Url",
            "Quantity",
            "Category",
            "SubCategory",
            "Absolute_Url",
        ]))
        .expect("BigBasket header is accepted");
        assert_eq!(columns.product_id, 0);
        assert_eq!(columns.pack_size, 6);
        assert_eq!(columns.sub_category, 8);
        assert_eq!(columns.field_count, 10);
    }

    #[test]
    fn locate_ignores_case_and_spaces() {
        let columns = Columns::locate(&header(&[
            " subcategory",
            "CATEGORY",
            "quantity ",
            "discountprice",
            "price",
            "brand",
            "productname",
            "productid",
        ]))
        .expect("names match ignoring case and spaces");
        assert_eq!(columns.sub_category, 0);
        assert_eq!(columns.product_id, 7);
    }

    #[test]
    fn locate_rejects_duplicate_column() {
        let error = Columns::locate(&header(&[
            "ProductID",
            "ProductName",
            "Brand",
            "Price",
            "DiscountPrice",
            "Quantity",
            "Category",
            "SubCategory",
            "price",
        ]))
        .expect_err("a column named twice is ambiguous");
        assert!(
            error.contains("column Price more than once (columns 4 and 9)"),
            "{error}"
        );
    }

    #[test]
    fn locate_rejects_empty_header() {
        let error = Columns::locate(&ByteRecord::new()).expect_err("no header");
        assert!(error.contains("the file is empty"), "{error}");
    }
}
