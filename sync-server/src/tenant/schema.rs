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
];
