//! The device store's pricing data: a store made before pricing data existed downloads the
//! catalog again after the migration, and a download replaces the catalog, each product's
//! pricing data and the pricing terms together.

#![allow(clippy::unwrap_used)]

use dms_device::store::DeviceStore;
use dms_domain::ProductId;
use dms_domain::catalog::{Product, import_csv};
use dms_pricing::{PricingTerms, ProductPricing};

fn dal() -> Product {
    let csv = "ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory\n\
               DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,Foodgrains,Dals & Pulses\n";
    let mut report = import_csv(csv.as_bytes());
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    report.products.remove(0)
}

#[test]
fn migration_clears_cached_catalog_version() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("device.sqlite");
    {
        let connection = dms_device::sqlite::open(&path, &[]).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE documents (document_id TEXT PRIMARY KEY, acked_heads TEXT NOT NULL DEFAULT '',
                   created_at TEXT NOT NULL);
                 CREATE TABLE document_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, document_id TEXT NOT NULL,
                   hash TEXT NOT NULL, bytes BLOB NOT NULL, UNIQUE (document_id, hash));
                 CREATE TABLE catalog_products (product_id TEXT PRIMARY KEY, name TEXT NOT NULL,
                   brand TEXT NOT NULL, mrp TEXT NOT NULL, selling_price TEXT NOT NULL, pack_size TEXT NOT NULL,
                   category TEXT NOT NULL, sub_category TEXT NOT NULL, search_text TEXT NOT NULL);
                 INSERT INTO meta (key, value) VALUES ('catalog_version', '7');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
    }

    let store = DeviceStore::open(&path).unwrap();
    assert_eq!(store.catalog_version().unwrap(), None);
    assert!(store.pricing_terms().unwrap().is_none());
}

#[test]
fn download_replaces_catalog_pricing_and_terms() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = DeviceStore::open(&folder.path().join("device.sqlite")).unwrap();
    let pricing = ProductPricing {
        hsn: Some("0713".to_owned()),
        gst_rate: Some("5".parse().unwrap()),
        ..ProductPricing::default()
    };
    let terms: PricingTerms = serde_json::from_value(serde_json::json!({ "supplier_state": "27" })).unwrap();

    let products = [(dal(), Some(pricing.clone()))];
    store
        .replace_download(Some((3, &products[..])), Some(("v1", &terms)))
        .unwrap();
    let id = ProductId::new("DM-001").unwrap();
    assert_eq!(store.catalog_version().unwrap(), Some(3));
    assert_eq!(store.product_pricing(&id).unwrap(), Some(pricing));
    assert_eq!(store.pricing_terms().unwrap(), Some(("v1".to_owned(), terms.clone())));

    // New terms alone leave the catalog as it is; a catalog without pricing data clears it.
    let products = [(dal(), None)];
    store
        .replace_download(None, Some(("v2", &PricingTerms::default())))
        .unwrap();
    assert_eq!(store.catalog_version().unwrap(), Some(3));
    store.replace_download(Some((4, &products[..])), None).unwrap();
    assert_eq!(store.product_pricing(&id).unwrap(), None);
    assert_eq!(store.pricing_terms().unwrap().unwrap().0, "v2");
}
