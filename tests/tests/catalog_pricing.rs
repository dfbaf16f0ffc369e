//! Catalog import with a category → HSN mapping and catalog CSV export, against the real
//! BigBasket product export (`bigbasket_products.csv` in the shared data folder beside the
//! repository) and `examples/catalog/bigbasket_hsn_map.csv`.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use dms_domain::TenantId;
use dms_server::pricing::admin::{self as pricing_admin, CatalogImport, CatalogImportOptions};
use dms_server::pricing::hsn_map::HsnMap;
use dms_server::pricing::store::all_product_pricing;
use dms_tests::TestServer;

fn bigbasket_bytes() -> Vec<u8> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/catalog/bigbasket_products.csv"
    ));
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the BigBasket catalog at {}: {error}. The test needs the shared data \
             folder beside the repository",
            path.display()
        )
    })
}

fn bigbasket_map() -> HsnMap {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/catalog/bigbasket_hsn_map.csv");
    HsnMap::read(std::fs::File::open(path).unwrap()).unwrap()
}

fn import(
    server: &TestServer,
    tenant: &str,
    bytes: &[u8],
    options: &CatalogImportOptions,
) -> (TenantId, CatalogImport) {
    let tenant = TenantId::new(tenant).unwrap();
    dms_server::admin::create_tenant(&server.state, &tenant, tenant.as_str()).unwrap();
    let outcome = pricing_admin::import_catalog(&server.state, &tenant, bytes, options).unwrap();
    (tenant, outcome)
}

/// Number of products per (HSN code, GST rate) in a tenant's catalog.
fn hsn_counts(server: &TestServer, tenant: &TenantId) -> BTreeMap<(String, String), usize> {
    let handle = server.state.hub.tenant(tenant).unwrap();
    let guard = handle.lock();
    let mut counts = BTreeMap::new();
    for pricing in all_product_pricing(guard.store().connection()).unwrap().values() {
        let key = (
            pricing.hsn.clone().unwrap_or_default(),
            pricing.gst_rate.map(|rate| rate.to_string()).unwrap_or_default(),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bigbasket_import_with_hsn_map() {
    let server = TestServer::start().await;
    let options = CatalogImportOptions {
        hsn_map: Some(bigbasket_map()),
        prices_include_gst: true,
    };
    let (tenant, outcome) = import(&server, "bigbasket", &bigbasket_bytes(), &options);

    // Every row of the file is a valid product, and every product's category has a map row.
    assert_eq!(outcome.imported, 8208);
    assert!(outcome.rejected.is_empty(), "{:?}", outcome.rejected);
    assert_eq!(outcome.priced, 8208);
    assert!(outcome.unmatched.is_empty());
    assert_eq!(outcome.without_pricing, 0);

    // Products per HSN code and rate: each map row's category or sub-category size, less
    // the sub-categories that have their own row.
    let expected: BTreeMap<(String, String), usize> = [
        ("0207", "0", 352),
        ("0405", "12", 9),
        ("0406", "12", 8),
        ("0407", "0", 8),
        ("0703", "0", 11),
        ("0709", "0", 106),
        ("0713", "5", 30),
        ("0801", "5", 21),
        ("0901", "5", 3),
        ("0902", "5", 127),
        ("0910", "5", 22),
        ("1006", "5", 616),
        ("1101", "5", 14),
        ("1701", "5", 15),
        ("1806", "18", 19),
        ("1902", "12", 35),
        ("1905", "18", 165),
        ("19054000", "5", 16),
        ("2009", "12", 17),
        ("2106", "18", 761),
        ("210690", "12", 54),
        ("3304", "18", 3493),
        ("3305", "18", 201),
        ("3306", "18", 45),
        ("33074100", "5", 10),
        ("3401", "18", 73),
        ("3402", "18", 552),
        ("3924", "18", 1187),
        ("7323", "12", 80),
        ("8539", "18", 54),
        ("96190010", "0", 25),
        ("96190090", "12", 79),
    ]
    .into_iter()
    .map(|(hsn, rate, count)| ((hsn.to_owned(), rate.to_owned()), count))
    .collect();
    assert_eq!(hsn_counts(&server, &tenant), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reports_products_without_a_map_row() {
    let server = TestServer::start().await;
    let map = "Category,SubCategory,HSN,GSTRate\nBeverages,,0902,5\nBeverages,Juices,2009,12\n";
    let options = CatalogImportOptions {
        hsn_map: Some(HsnMap::read(map.as_bytes()).unwrap()),
        prices_include_gst: false,
    };
    let (tenant, outcome) = import(&server, "partial", &bigbasket_bytes(), &options);

    // 147 Beverages products, 17 of them juices; the other 8,061 are imported without
    // pricing data and reported, in file order.
    assert_eq!(outcome.imported, 8208);
    assert_eq!(outcome.priced, 147);
    assert_eq!(outcome.unmatched.len(), 8061);
    assert_eq!(outcome.without_pricing, 8061);
    let first: Vec<&str> = outcome.unmatched.iter().take(3).map(|id| id.as_str()).collect();
    assert_eq!(first, ["1", "2", "3"]);
    let counts = hsn_counts(&server, &tenant);
    assert_eq!(counts[&("0902".to_owned(), "5".to_owned())], 130);
    assert_eq!(counts[&("2009".to_owned(), "12".to_owned())], 17);
    assert_eq!(counts[&(String::new(), String::new())], 8061);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_export_imports_as_identical_products() {
    let server = TestServer::start().await;
    let options = CatalogImportOptions {
        hsn_map: Some(bigbasket_map()),
        prices_include_gst: true,
    };
    let (source, _) = import(&server, "source", &bigbasket_bytes(), &options);

    let (_, token) = server.staff_token(&source, "rep-ravi");
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/orgs/{source}/catalog.csv", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let exported = response.text().await.unwrap();
    assert_eq!(exported, pricing_admin::export_catalog(&server.state, &source).unwrap());

    // No map this time: the pricing comes from the file's own columns.
    let (copy, outcome) = import(&server, "copy", exported.as_bytes(), &CatalogImportOptions::default());
    assert!(outcome.rejected.is_empty(), "{:?}", &outcome.rejected[..1]);
    assert!(outcome.unmatched.is_empty());

    let read = |tenant: &TenantId| {
        let handle = server.state.hub.tenant(tenant).unwrap();
        let guard = handle.lock();
        let store = guard.store();
        (
            store.products().unwrap(),
            all_product_pricing(store.connection()).unwrap(),
        )
    };
    let (source_products, source_pricing) = read(&source);
    let (copy_products, copy_pricing) = read(&copy);
    assert_eq!(copy_products.len(), source_products.len());
    assert_eq!(copy_products, source_products);
    assert_eq!(copy_pricing, source_pricing);
    assert_eq!(pricing_admin::export_catalog(&server.state, &copy).unwrap(), exported);
}
