//! Numbered migrations of a tenant's database. Each tenant (a company or a distributor, in
//! its role as seller) has its own SQLite file; nothing in it refers to another tenant.

pub const MIGRATIONS: &[&str] = &[
    // 1: documents and their changes, the catalog, order requests.
    r#"
    CREATE TABLE documents (
        document_id  TEXT PRIMARY KEY,          -- base58check automerge-repo id
        kind         TEXT NOT NULL,             -- 'cart' or 'untyped'
        owner_user   TEXT NOT NULL,             -- user whose device first sent it
        buyer_id     TEXT,                      -- carts: the buying party
        status       TEXT,                      -- carts: draft or submitted
        heads        TEXT NOT NULL,             -- current heads, hex hashes joined by ','
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );

    -- Every change ever accepted, in the order accepted. A document is its changes loaded in
    -- this order; automerge orders them causally itself, so arrival order is enough.
    CREATE TABLE document_changes (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id  TEXT NOT NULL REFERENCES documents(document_id),
        hash         TEXT NOT NULL,
        bytes        BLOB NOT NULL,
        received_from TEXT NOT NULL,            -- user id of the sending device
        received_at  TEXT NOT NULL,
        UNIQUE (document_id, hash)
    );

    CREATE TABLE catalog_products (
        product_id    TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        brand         TEXT NOT NULL,
        mrp           TEXT NOT NULL,            -- rupees, decimal text
        selling_price TEXT NOT NULL,            -- rupees, decimal text
        pack_size     TEXT NOT NULL,            -- JSON of PackSize
        category      TEXT NOT NULL,
        sub_category  TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );

    CREATE TABLE catalog_state (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        version  INTEGER NOT NULL               -- bumped on every import
    );
    INSERT INTO catalog_state (id, version) VALUES (1, 0);

    -- One order request per submitted cart: the UNIQUE cart_id is what makes reconciliation
    -- exactly-once, whichever device's submission arrives first and however often.
    CREATE TABLE order_requests (
        order_request_id TEXT PRIMARY KEY,      -- ULID
        cart_id          TEXT NOT NULL UNIQUE,
        document_id      TEXT NOT NULL REFERENCES documents(document_id),
        buyer_id         TEXT NOT NULL,
        created_by       TEXT NOT NULL,
        submitted_by     TEXT NOT NULL,
        submitted_at     TEXT NOT NULL,
        submitted_from_device TEXT NOT NULL,
        submitted_heads  TEXT NOT NULL,          -- cart heads the lines were read at
        total            TEXT NOT NULL,          -- rupees, decimal text, sum of line totals
        total_seen       TEXT NOT NULL,          -- what the devices showed
        reconciled_at    TEXT NOT NULL
    );

    CREATE TABLE order_request_lines (
        order_request_id TEXT NOT NULL REFERENCES order_requests(order_request_id),
        product_id       TEXT NOT NULL,
        product_name     TEXT NOT NULL,
        quantity         TEXT NOT NULL,
        unit_price       TEXT NOT NULL,          -- catalog selling price at reconciliation
        unit_price_seen  TEXT,                   -- price the device showed, if any
        line_total       TEXT NOT NULL,
        PRIMARY KEY (order_request_id, product_id)
    );

    -- Cart edits that reached the server after the cart's order request was made. They are
    -- kept in the document but not in the order request; the seller sees them here.
    CREATE TABLE late_cart_edits (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        cart_id      TEXT NOT NULL,
        heads        TEXT NOT NULL,
        received_from TEXT NOT NULL,
        received_at  TEXT NOT NULL
    );
    "#,
    // 2: pricing. Per-product pricing data on the catalog, the tenant's scheme book and GST
    // settings, and the authoritative priced result on each order request.
    r#"
    -- A product has pricing data when both `hsn` and `gst_rate` are set; without them an
    -- order is priced at selling price times quantity and says so.
    ALTER TABLE catalog_products ADD COLUMN hsn TEXT;                -- 2 to 8 digits
    ALTER TABLE catalog_products ADD COLUMN gst_rate TEXT;           -- percent, decimal text
    ALTER TABLE catalog_products ADD COLUMN base_unit TEXT NOT NULL DEFAULT 'pack';
    ALTER TABLE catalog_products ADD COLUMN unit_conversions TEXT NOT NULL DEFAULT '[]'; -- JSON of [UnitConversion]
    ALTER TABLE catalog_products ADD COLUMN price_includes_gst INTEGER NOT NULL DEFAULT 0
        CHECK (price_includes_gst IN (0, 1));

    -- The scheme book. A scheme left out of a new book is kept with `removed_at` set, so an
    -- order priced later can name the scheme a device still applied offline.
    CREATE TABLE schemes (
        scheme_id   TEXT PRIMARY KEY,
        body        TEXT NOT NULL,              -- JSON of dms_pricing::Scheme
        updated_at  TEXT NOT NULL,
        removed_at  TEXT                        -- NULL while in the book
    );

    CREATE TABLE pricing_settings (
        id                    INTEGER PRIMARY KEY CHECK (id = 1),
        supplier_state        TEXT,             -- GST state code; NULL: from the tenant's GSTIN
        place_of_supply_basis TEXT NOT NULL DEFAULT 'bill_to'
            CHECK (place_of_supply_basis IN ('bill_to', 'ship_to')),
        updated_at            TEXT
    );
    INSERT INTO pricing_settings (id) VALUES (1);

    -- Order requests made before this migration keep NULL here and `pricing_method`
    -- 'selling_price': they were priced at selling price times quantity.
    ALTER TABLE order_requests ADD COLUMN pricing_method TEXT NOT NULL DEFAULT 'selling_price'
        CHECK (pricing_method IN ('engine', 'selling_price'));
    ALTER TABLE order_requests ADD COLUMN priced TEXT;               -- JSON of dms_pricing::PricedOrder
    ALTER TABLE order_requests ADD COLUMN taxable_value TEXT;
    ALTER TABLE order_requests ADD COLUMN cgst TEXT;
    ALTER TABLE order_requests ADD COLUMN sgst TEXT;
    ALTER TABLE order_requests ADD COLUMN igst TEXT;
    ALTER TABLE order_requests ADD COLUMN round_off TEXT;
    ALTER TABLE order_requests ADD COLUMN grand_total TEXT;
    ALTER TABLE order_requests ADD COLUMN pricing_explanation TEXT NOT NULL DEFAULT '[]'; -- JSON list of text
    ALTER TABLE order_requests ADD COLUMN figures_differ INTEGER NOT NULL DEFAULT 0
        CHECK (figures_differ IN (0, 1));
    ALTER TABLE order_requests ADD COLUMN pricing_note TEXT;
    "#,
    // 3: field documents. Visit plans, delivery acknowledgements and business plans are
    // reconciled into these tables in the transaction that accepts their changes.
    r#"
    -- The user a field document is about: a visit plan's rep, an acknowledgement's driver.
    -- `buyer_id` holds an acknowledgement's buyer and a business plan's distributor.
    ALTER TABLE documents ADD COLUMN subject_user TEXT;

    -- One row per visit of every visit plan, replaced whenever the plan changes.
    CREATE TABLE visits (
        plan_id         TEXT NOT NULL,
        visit_id        TEXT NOT NULL,          -- ULID
        document_id     TEXT NOT NULL REFERENCES documents(document_id),
        rep_id          TEXT NOT NULL,          -- the visit's owner
        party_id        TEXT NOT NULL,          -- the distributor or partner visited
        visit_date      TEXT NOT NULL,          -- YYYY-MM-DD of window_from, in IST
        window_from     TEXT NOT NULL,
        window_to       TEXT NOT NULL,
        unplanned       INTEGER NOT NULL CHECK (unplanned IN (0, 1)),
        objectives      TEXT NOT NULL,          -- JSON list of text
        vehicle_number  TEXT,
        vehicle_kind    TEXT,
        check_in_at     TEXT,
        check_in_latitude  TEXT,
        check_in_longitude TEXT,
        check_in_accuracy_m TEXT,
        check_out_at    TEXT,
        check_out_latitude  TEXT,
        check_out_longitude TEXT,
        check_out_accuracy_m TEXT,
        outcome         TEXT,
        status          TEXT NOT NULL
            CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (plan_id, visit_id)
    );
    CREATE INDEX visits_by_rep_and_date ON visits (rep_id, visit_date);
    CREATE INDEX visits_by_party ON visits (party_id);

    -- One delivery per shipment, made from its acknowledgement. There is no shipments table
    -- yet, so this row is the server's only record of the shipment.
    CREATE TABLE deliveries (
        shipment_id     TEXT PRIMARY KEY,       -- ULID
        ack_id          TEXT NOT NULL UNIQUE,
        document_id     TEXT NOT NULL REFERENCES documents(document_id),
        buyer_id        TEXT NOT NULL,
        driver_id       TEXT NOT NULL,
        vehicle_number  TEXT NOT NULL,
        status          TEXT NOT NULL
            CHECK (status IN ('unsigned', 'delivered', 'partly_delivered')),
        dispatched      TEXT NOT NULL,          -- totals over the lines, decimal text
        delivered       TEXT NOT NULL,
        short           TEXT NOT NULL,
        damaged         TEXT NOT NULL,
        receiver_name   TEXT,
        receiver_phone  TEXT,
        signature_sha256 TEXT,
        captured_at     TEXT,
        captured_latitude  TEXT,
        captured_longitude TEXT,
        signed_by       TEXT,
        signed_at       TEXT,
        content_sha256  TEXT,
        countersigned_by TEXT,
        countersigned_at TEXT,
        countersign_verdict TEXT CHECK (countersign_verdict IN ('accepted', 'disputed')),
        countersign_note TEXT,
        updated_at      TEXT NOT NULL
    );

    -- Per product: what was dispatched, delivered, short and damaged, and why.
    CREATE TABLE delivery_lines (
        shipment_id     TEXT NOT NULL REFERENCES deliveries(shipment_id),
        product_id      TEXT NOT NULL,
        product_name    TEXT NOT NULL,          -- from the catalog; the id when unknown
        dispatched      TEXT NOT NULL,
        delivered       TEXT NOT NULL,
        short           TEXT NOT NULL,
        damaged         TEXT NOT NULL,
        reason          TEXT,
        PRIMARY KEY (shipment_id, product_id)
    );

    -- Images an acknowledgement references, so reading a blob can be checked against the
    -- acknowledgements that use it.
    CREATE TABLE delivery_images (
        shipment_id     TEXT NOT NULL REFERENCES deliveries(shipment_id),
        sha256          TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('signature', 'photo')),
        media_type      TEXT NOT NULL,
        PRIMARY KEY (shipment_id, sha256, role)
    );
    CREATE INDEX delivery_images_by_hash ON delivery_images (sha256);

    -- Signature and photo bytes by the SHA-256 of their content, written once.
    CREATE TABLE blobs (
        sha256          TEXT PRIMARY KEY,       -- lower-case hex of `bytes`
        bytes           BLOB NOT NULL,
        size            INTEGER NOT NULL,
        media_type      TEXT NOT NULL,
        uploaded_by     TEXT NOT NULL,
        uploaded_at     TEXT NOT NULL
    );

    -- Refused changes that would have altered a signed acknowledgement: a late offline edit
    -- or a tampering client. Nothing of the change is stored except this report.
    CREATE TABLE signed_record_alterations (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id     TEXT NOT NULL,
        ack_id          TEXT NOT NULL,
        shipment_id     TEXT NOT NULL,
        signed_by       TEXT NOT NULL,
        signed_at       TEXT NOT NULL,
        signed_sha256   TEXT NOT NULL,
        altered_sha256  TEXT,                   -- content hash after the change, when readable
        received_from   TEXT NOT NULL,
        received_at     TEXT NOT NULL,
        reason          TEXT NOT NULL
    );

    -- Goals of every business plan, replaced whenever the plan changes.
    CREATE TABLE business_plan_goals (
        plan_id         TEXT NOT NULL,
        goal_id         TEXT NOT NULL,
        document_id     TEXT NOT NULL REFERENCES documents(document_id),
        distributor_id  TEXT NOT NULL,
        scope           TEXT NOT NULL CHECK (scope IN ('category', 'product')),
        target          TEXT NOT NULL,          -- category name or product id
        period_from     TEXT NOT NULL,
        period_to       TEXT NOT NULL,
        quantity        TEXT,                   -- target in the base unit, decimal text
        value           TEXT,                   -- target in rupees, decimal text
        PRIMARY KEY (plan_id, goal_id)
    );
    "#,
];

#[cfg(test)]
mod tests {
    use dms_domain::catalog::PackSize;

    use super::MIGRATIONS;
    use crate::pricing::cart::PricingMethod;
    use crate::pricing::store::{all_product_pricing, current_schemes, pricing_settings};
    use crate::pricing::{DEFAULT_BASE_UNIT, PricingSettings};
    use crate::tenant::store::TenantStore;

    const CART_ID: &str = "01JDZ7QW1S9Y3D7N5ZK1V0QH2M";

    /// Creates a database at migration 1 holding one product, one cart and its order request.
    fn database_at_version_1(path: &std::path::Path) {
        let connection = dms_device::sqlite::open(path, &MIGRATIONS[..1]).unwrap();
        let pack_size = serde_json::to_string(&PackSize::parse("1 kg")).unwrap();
        connection
            .execute(
                "INSERT INTO catalog_products
                   (product_id, name, brand, mrp, selling_price, pack_size, category, sub_category, updated_at)
                 VALUES ('DM-001', 'Toor Dal', 'Village Mill', '189.00', '172.50', ?1,
                         'Foodgrains, Oil & Masala', 'Dals & Pulses', '2026-12-01T10:00:00Z')",
                [pack_size],
            )
            .unwrap();
        connection
            .execute_batch(&format!(
                "INSERT INTO documents VALUES ('doc-1', 'cart', 'asha', 'kirana-12', 'submitted', '',
                     '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z');
                 INSERT INTO order_requests VALUES ('01JDZ7QW1S9Y3D7N5ZK1V0QH2N', '{CART_ID}', 'doc-1',
                     'kirana-12', 'asha', 'asha', '2026-12-01T10:05:00Z', 'phone-a', '', '345.00', '345.00',
                     '2026-12-01T10:05:01Z');
                 INSERT INTO order_request_lines VALUES ('01JDZ7QW1S9Y3D7N5ZK1V0QH2N', 'DM-001', 'Toor Dal',
                     '2', '172.50', '172.50', '345.00');"
            ))
            .unwrap();
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, 1);
    }

    #[test]
    fn migration_3_keeps_documents_and_adds_field_tables() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("tenant.sqlite");
        database_at_version_1(&path);
        drop(dms_device::sqlite::open(&path, &MIGRATIONS[..2]).unwrap());

        let store = TenantStore::open(&path).unwrap();
        let (kind, subject_user): (String, Option<String>) = store
            .connection()
            .query_row("SELECT kind, subject_user FROM documents", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(kind, "cart");
        assert_eq!(subject_user, None);
        assert_eq!(store.order_requests(None).unwrap().len(), 1);
        assert!(store.visits(None, None).unwrap().is_empty());
        assert_eq!(store.delivery_counts().unwrap(), (0, 0));
        assert_eq!(store.alteration_count().unwrap(), 0);
        assert!(store.goals("any-plan").unwrap().is_empty());
    }

    #[test]
    fn migration_2_keeps_rows_with_defaults() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("tenant.sqlite");
        database_at_version_1(&path);

        let store = TenantStore::open(&path).unwrap();
        let version: i64 = store
            .connection()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());

        let products = store.products().unwrap();
        assert_eq!(products.len(), 1);
        assert_eq!(products[0].name, "Toor Dal");
        let pricing = all_product_pricing(store.connection()).unwrap();
        let dal = &pricing[&products[0].id];
        assert_eq!(dal.hsn, None);
        assert_eq!(dal.gst_rate, None);
        assert_eq!(dal.base_unit, DEFAULT_BASE_UNIT);
        assert!(dal.unit_conversions.is_empty());
        assert!(!dal.price_includes_gst);
        assert!(!dal.is_complete());

        let orders = store.order_requests(None).unwrap();
        assert_eq!(orders.len(), 1);
        let order = &orders[0];
        assert_eq!(order.cart_id.to_string(), CART_ID);
        assert_eq!(order.total.to_string(), "345.00");
        assert_eq!(order.lines.len(), 1);
        assert_eq!(order.pricing_method, PricingMethod::SellingPrice);
        assert_eq!(order.tax, None);
        assert_eq!(order.priced, None);
        assert!(order.explanation.is_empty());
        assert!(!order.figures_differ);
        assert_eq!(order.note, None);

        assert!(current_schemes(store.connection()).unwrap().is_empty());
        assert_eq!(
            pricing_settings(store.connection()).unwrap(),
            PricingSettings::default()
        );
    }
}
