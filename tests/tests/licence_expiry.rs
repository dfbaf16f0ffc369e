//! A distributor whose licence ended yesterday: no new orders, with a clear reason, while
//! everything already stored stays readable.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_documents::DocumentId;
use dms_domain::{ProductId, Quantity, TenantId};
use dms_server::access::{LicenceState, Module};
use dms_server::admin;
use dms_server::registry::OrgKind;
use dms_tests::{BUILTIN_CATALOG, TestServer};
use time::OffsetDateTime;

fn day(offset_days: i64) -> String {
    let date = OffsetDateTime::now_utc().date() + time::Duration::days(offset_days);
    date.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_licence_refuses_new_orders_but_keeps_data_readable() {
    let server = TestServer::start().await;
    let tenant = TenantId::new("lapsed-dist").unwrap();
    server
        .state
        .registry
        .register_organisation(&tenant, OrgKind::Distributor, "Lapsed Distributors", "REG-LAPSED-1")
        .unwrap();
    // A licence in force today, and a cart made under it.
    server
        .state
        .registry
        .issue_licence(&tenant, &[Module::Dms, Module::Prm], &day(-30), &day(30), &tenant)
        .unwrap();
    server.state.hub.tenant(&tenant).unwrap();
    admin::import_catalog(&server.state, &tenant, BUILTIN_CATALOG.as_bytes()).unwrap();
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let phone = server.device("phone-a", &owner, &token);
    phone.sync_now().await.unwrap();
    let old_cart = phone.create_cart(None).unwrap();
    let quantity: Quantity = "2".parse().unwrap();
    phone
        .set_line(old_cart, &ProductId::new("DM-001").unwrap(), quantity)
        .unwrap();
    phone.sync_now().await.unwrap();

    // The licence ends yesterday.
    assert_eq!(server.state.registry.end_licences(&tenant, &day(-1)).unwrap(), 1);
    let state = server.state.registry.licence_state(&tenant).unwrap();
    assert!(matches!(state, LicenceState::Expired { .. }), "{state:?}");

    // A new cart is refused with the licence named.
    let new_cart = phone.create_cart(None).unwrap();
    let error = phone.sync_now().await.unwrap_err().to_string();
    assert!(
        error.contains("the licence of organisation lapsed-dist expired on"),
        "{error}"
    );
    assert!(error.contains("[licence_expired]"), "{error}");
    assert!(error.contains(&DocumentId::for_cart(new_cart).to_string()), "{error}");

    // Old data stays readable over REST.
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/documents", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["document_id"], DocumentId::for_cart(old_cart).to_string());
}
