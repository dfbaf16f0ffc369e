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
    // 4: order to cash. Records of `dms-orders` are stored whole as JSON in `body`; the other
    // columns copy the ids, buyer, status, dates and amounts that queries filter and sort on.
    r#"
    -- One sales order per order request, whatever the device or the seller retried.
    CREATE TABLE sales_orders (
        sales_order_id   TEXT PRIMARY KEY,
        order_request_id TEXT NOT NULL UNIQUE REFERENCES order_requests(order_request_id),
        buyer_id         TEXT NOT NULL,
        status           TEXT NOT NULL,          -- accepted, partly_accepted, rejected
        decided_at       TEXT NOT NULL,
        decided_by       TEXT NOT NULL,          -- user id
        body             TEXT NOT NULL           -- JSON of dms_orders::SalesOrder
    );
    CREATE INDEX sales_orders_by_buyer ON sales_orders (buyer_id, decided_at);

    -- The whole stock book (levels, open reservations, issued quantities) is one JSON value,
    -- because reserving reads and changes all of it; `stock_levels` is its readable copy.
    CREATE TABLE stock_book (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        body        TEXT NOT NULL,              -- JSON of dms_orders::StockBook
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE stock_levels (
        warehouse_id TEXT NOT NULL,
        product_id   TEXT NOT NULL,
        on_hand      TEXT NOT NULL,             -- decimal text
        reserved     TEXT NOT NULL,
        PRIMARY KEY (warehouse_id, product_id)
    );
    CREATE TABLE stock_reservations (
        sales_order_id TEXT NOT NULL REFERENCES sales_orders(sales_order_id),
        line_no        INTEGER NOT NULL,
        product_id     TEXT NOT NULL,
        warehouse_id   TEXT NOT NULL,
        quantity       TEXT NOT NULL,
        reserved_at    TEXT NOT NULL
    );
    CREATE INDEX stock_reservations_by_order ON stock_reservations (sales_order_id);
    -- The quantity of each line the last reservation could not cover.
    CREATE TABLE backorders (
        sales_order_id TEXT NOT NULL REFERENCES sales_orders(sales_order_id),
        line_no        INTEGER NOT NULL,
        product_id     TEXT NOT NULL,
        quantity       TEXT NOT NULL,
        PRIMARY KEY (sales_order_id, line_no)
    );

    CREATE TABLE shipments (
        shipment_id         TEXT PRIMARY KEY,
        sales_order_id      TEXT NOT NULL REFERENCES sales_orders(sales_order_id),
        buyer_id            TEXT NOT NULL,
        status              TEXT NOT NULL,
        planned_dispatch_on TEXT NOT NULL,
        planned_delivery_on TEXT NOT NULL,
        vehicle_number      TEXT,
        lorry_receipt       TEXT,
        updated_at          TEXT NOT NULL,
        body                TEXT NOT NULL       -- JSON of dms_orders::Shipment
    );
    CREATE INDEX shipments_by_buyer ON shipments (buyer_id, planned_delivery_on);
    CREATE TABLE shipment_status_history (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        shipment_id  TEXT NOT NULL REFERENCES shipments(shipment_id),
        status       TEXT NOT NULL,
        changed_at   TEXT NOT NULL,
        changed_by   TEXT NOT NULL
    );
    CREATE INDEX shipment_status_history_by_shipment ON shipment_status_history (shipment_id, seq);

    -- Invoice and credit note numbering, one row per document kind and financial year
    -- (the year it starts, 2026 for 2026-27). The row is updated in the transaction that
    -- inserts the document, so the series has no gaps.
    CREATE TABLE invoice_series (
        kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
        financial_year  INTEGER NOT NULL,
        prefix          TEXT NOT NULL,
        next_serial     INTEGER NOT NULL,
        PRIMARY KEY (kind, financial_year)
    );

    CREATE TABLE invoices (
        invoice_id      TEXT PRIMARY KEY,
        number          TEXT NOT NULL UNIQUE,
        sales_order_id  TEXT NOT NULL REFERENCES sales_orders(sales_order_id),
        shipment_id     TEXT REFERENCES shipments(shipment_id),  -- NULL: billed from the order
        buyer_id        TEXT NOT NULL,
        invoice_date    TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        grand_total     TEXT NOT NULL,          -- rupees, decimal text
        body            TEXT NOT NULL           -- JSON of dms_orders::Invoice
    );
    CREATE INDEX invoices_by_buyer ON invoices (buyer_id, invoice_date);
    CREATE TABLE invoice_lines (
        invoice_id       TEXT NOT NULL REFERENCES invoices(invoice_id),
        line_no          INTEGER NOT NULL,
        order_line_no    INTEGER NOT NULL,
        shipment_line_no INTEGER,
        product_id       TEXT NOT NULL,
        quantity         TEXT NOT NULL,
        taxable_value    TEXT NOT NULL,
        total            TEXT NOT NULL,
        PRIMARY KEY (invoice_id, line_no)
    );

    CREATE TABLE credit_notes (
        credit_note_id  TEXT PRIMARY KEY,
        number          TEXT NOT NULL UNIQUE,
        invoice_id      TEXT NOT NULL REFERENCES invoices(invoice_id),
        buyer_id        TEXT NOT NULL,
        note_date       TEXT NOT NULL,
        grand_total     TEXT NOT NULL,
        body            TEXT NOT NULL           -- JSON of dms_orders::CreditNote
    );
    CREATE INDEX credit_notes_by_buyer ON credit_notes (buyer_id, note_date);

    CREATE TABLE payments (
        payment_id   TEXT PRIMARY KEY,
        buyer_id     TEXT NOT NULL,
        received_on  TEXT NOT NULL,
        amount       TEXT NOT NULL,
        recorded_by  TEXT NOT NULL,
        body         TEXT NOT NULL              -- JSON of dms_orders::Payment
    );
    CREATE INDEX payments_by_buyer ON payments (buyer_id, received_on);
    CREATE TABLE payment_allocations (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        payment_id   TEXT NOT NULL REFERENCES payments(payment_id),
        invoice_id   TEXT NOT NULL REFERENCES invoices(invoice_id),
        amount       TEXT NOT NULL
    );
    CREATE INDEX payment_allocations_by_invoice ON payment_allocations (invoice_id);
    "#,
    // 5: catalogs, shares and price lists. A category tree, partner groups, price lists with
    // items and assignments, catalog shares, and per-product sellable units and dated GST
    // rates. Existing products get a two-level tree from their Category and SubCategory text.
    concat!(
        r#"
    CREATE TABLE categories (
        category_id  TEXT PRIMARY KEY,
        parent_id    TEXT REFERENCES categories(category_id),  -- NULL for a top-level category
        name         TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE INDEX categories_by_parent ON categories (parent_id);

    ALTER TABLE catalog_products ADD COLUMN category_id TEXT;        -- NULL: in no category
    ALTER TABLE catalog_products ADD COLUMN sellable_units TEXT NOT NULL DEFAULT '{}'; -- JSON {channel: unit}
    ALTER TABLE catalog_products ADD COLUMN gst_rates TEXT NOT NULL DEFAULT '[]';      -- JSON of [DatedGstRate]

    CREATE TABLE partner_groups (
        group_id     TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE partner_group_members (
        group_id     TEXT NOT NULL REFERENCES partner_groups(group_id),
        party_id     TEXT NOT NULL,             -- a partner's party id
        PRIMARY KEY (group_id, party_id)
    );
    CREATE INDEX partner_group_members_by_party ON partner_group_members (party_id);

    CREATE TABLE price_lists (
        price_list_id TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        currency     TEXT NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE price_list_items (
        price_list_id TEXT NOT NULL REFERENCES price_lists(price_list_id),
        product_id   TEXT NOT NULL,
        price        TEXT NOT NULL,             -- rupees per `unit`, decimal text
        unit         TEXT,                      -- NULL: the product's base unit
        PRIMARY KEY (price_list_id, product_id)
    );
    CREATE TABLE price_list_assignments (
        price_list_id TEXT NOT NULL REFERENCES price_lists(price_list_id),
        target_kind  TEXT NOT NULL CHECK (target_kind IN ('partner', 'partner_group', 'distributor')),
        target_id    TEXT NOT NULL,
        PRIMARY KEY (price_list_id, target_kind, target_id)
    );

    -- While this table is empty every buyer sees every product.
    CREATE TABLE catalog_shares (
        share_id     TEXT PRIMARY KEY,
        target_kind  TEXT NOT NULL
            CHECK (target_kind IN ('partner', 'partner_group', 'distributor', 'everyone')),
        target_id    TEXT,                      -- NULL for 'everyone'
        all_products INTEGER NOT NULL DEFAULT 0 CHECK (all_products IN (0, 1)),
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE catalog_share_items (
        share_id     TEXT NOT NULL REFERENCES catalog_shares(share_id),
        item_kind    TEXT NOT NULL CHECK (item_kind IN ('category', 'product')),
        item_id      TEXT NOT NULL,
        PRIMARY KEY (share_id, item_kind, item_id)
    );
    "#,
        crate::category_tree_from_text_sql!()
    ),
    // 6: order-to-cash planning. Comments on shipments, the representative assigned to each
    // shipment's delivery (one row per shipment, replaced on reassignment), and supply entries
    // (the production schedule and purchase entries the fulfilment plan counts on). Records of
    // `dms-orders` are stored whole as JSON in `body`.
    r#"
    CREATE TABLE shipment_comments (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        comment_id   TEXT NOT NULL UNIQUE,
        shipment_id  TEXT NOT NULL REFERENCES shipments(shipment_id),
        author_id    TEXT NOT NULL,
        party_id     TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        body         TEXT NOT NULL       -- JSON of dms_orders::ShipmentComment
    );
    CREATE INDEX shipment_comments_by_shipment ON shipment_comments (shipment_id, seq);

    CREATE TABLE delivery_visits (
        shipment_id        TEXT PRIMARY KEY REFERENCES shipments(shipment_id),
        representative_id  TEXT NOT NULL,
        arrive_from        TEXT NOT NULL,
        arrive_to          TEXT NOT NULL,
        assigned_by        TEXT NOT NULL,
        assigned_at        TEXT NOT NULL,
        body               TEXT NOT NULL  -- JSON of dms_orders::DeliveryVisit
    );

    CREATE TABLE supply_entries (
        supply_entry_id  TEXT PRIMARY KEY,
        source           TEXT NOT NULL CHECK (source IN ('production', 'purchase')),
        product_id       TEXT NOT NULL,
        quantity         TEXT NOT NULL,
        expected_on      TEXT NOT NULL,  -- YYYY-MM-DD
        recorded_by      TEXT NOT NULL,
        recorded_at      TEXT NOT NULL,
        body             TEXT NOT NULL   -- JSON of dms_orders::SupplyEntry
    );
    CREATE INDEX supply_entries_by_product ON supply_entries (product_id, expected_on);
    "#,
    // 7: signed delivery acknowledgements applied to order-to-cash shipments
    // (`crate::orders::acknowledgement`): the outcome on each delivery, and the shortages and
    // damages per shipment line and sales order line.
    r#"
    ALTER TABLE deliveries ADD COLUMN shipment_outcome TEXT
        CHECK (shipment_outcome IN ('applied', 'skipped', 'refused'));
    ALTER TABLE deliveries ADD COLUMN shipment_outcome_reason TEXT;

    CREATE TABLE delivery_exceptions (
        shipment_id      TEXT NOT NULL REFERENCES shipments(shipment_id),
        shipment_line_no INTEGER NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('short', 'damaged')),
        sales_order_id   TEXT NOT NULL REFERENCES sales_orders(sales_order_id),
        order_line_no    INTEGER NOT NULL,
        product_id       TEXT NOT NULL,
        quantity         TEXT NOT NULL,     -- decimal text, above zero
        reason           TEXT,
        ack_id           TEXT NOT NULL,
        recorded_at      TEXT NOT NULL,     -- the acknowledgement's sign-off time
        recorded_by      TEXT NOT NULL,     -- the driver who signed it
        PRIMARY KEY (shipment_id, shipment_line_no, kind)
    );
    CREATE INDEX delivery_exceptions_by_order_line ON delivery_exceptions (sales_order_id, order_line_no);
    "#,
    // 8: sales territories. A buyer belongs to at most one territory, and schemes aimed at a
    // territory apply to its members.
    r#"
    CREATE TABLE territories (
        territory_id TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE territory_members (
        party_id     TEXT PRIMARY KEY,          -- a buyer's party id; one territory each
        territory_id TEXT NOT NULL REFERENCES territories(territory_id)
    );
    CREATE INDEX territory_members_by_territory ON territory_members (territory_id);
    "#,
    // 9: receipts against supply entries. Each receipt puts goods of a production schedule or
    // purchase entry into stock. An entry's open quantity is its quantity minus its receipts.
    r#"
    CREATE TABLE supply_receipts (
        receipt_id       TEXT PRIMARY KEY,  -- ULID
        supply_entry_id  TEXT NOT NULL REFERENCES supply_entries(supply_entry_id),
        warehouse        TEXT NOT NULL,
        product_id       TEXT NOT NULL,
        quantity         TEXT NOT NULL,     -- decimal text, above zero
        received_by      TEXT NOT NULL,
        received_at      TEXT NOT NULL
    );
    CREATE INDEX supply_receipts_by_entry ON supply_receipts (supply_entry_id, received_at);
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

    #[test]
    fn migration_5_builds_category_tree_from_text() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("tenant.sqlite");
        database_at_version_1(&path);

        let store = TenantStore::open(&path).unwrap();
        let categories = crate::pricing::catalog_setup::categories(store.connection()).unwrap();
        let tree: Vec<(&str, Option<&str>, &str)> = categories
            .iter()
            .map(|category| {
                (
                    category.id.as_str(),
                    category.parent_id.as_deref(),
                    category.name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            tree,
            [
                ("foodgrains-oil-and-masala", None, "Foodgrains, Oil & Masala"),
                (
                    "foodgrains-oil-and-masala--dals-and-pulses",
                    Some("foodgrains-oil-and-masala"),
                    "Dals & Pulses"
                ),
            ]
        );
        let category: Option<String> = store
            .connection()
            .query_row("SELECT category_id FROM catalog_products", [], |row| row.get(0))
            .unwrap();
        assert_eq!(category.as_deref(), Some("foodgrains-oil-and-masala--dals-and-pulses"));
    }
}
