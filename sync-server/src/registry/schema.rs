//! Numbered migrations of `registry.sqlite`. Migration 1 is the first slice's token table;
//! migration 2 replaces it with organisations, users, grants, links, licences, devices and
//! expiring tokens. Tokens issued under migration 1 stop working: they named a role that no
//! longer exists, so they are dropped rather than guessed into the new roles.

pub const MIGRATIONS: &[&str] = &[
    // 1: tenants and the minimal token table.
    r#"
    CREATE TABLE tenants (
        tenant_id   TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE access_tokens (
        token_sha256 TEXT PRIMARY KEY,
        tenant_id    TEXT NOT NULL REFERENCES tenants(tenant_id),
        user_id      TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('partner', 'staff')),
        party_id     TEXT,
        created_at   TEXT NOT NULL,
        revoked_at   TEXT,
        CHECK ((role = 'partner') = (party_id IS NOT NULL))
    );
    "#,
    // 2: the trust model of the network.
    r#"
    CREATE TABLE organisations (
        org_id        TEXT PRIMARY KEY,          -- also the tenant id of its database
        kind          TEXT NOT NULL CHECK (kind IN ('company', 'distributor')),
        legal_name    TEXT NOT NULL,
        registration  TEXT NOT NULL UNIQUE,      -- GSTIN or registration number, upper case
        created_at    TEXT NOT NULL
    );
    INSERT INTO organisations (org_id, kind, legal_name, registration, created_at)
        SELECT tenant_id, 'distributor', name, 'TENANT-' || upper(tenant_id), created_at FROM tenants;
    DROP TABLE access_tokens;
    DROP TABLE tenants;

    -- Partners are parties in their distributors' databases, not organisations.
    CREATE TABLE partners (
        party_id      TEXT PRIMARY KEY,
        legal_name    TEXT NOT NULL,
        registration  TEXT UNIQUE,               -- GSTIN or registration number, if known
        created_at    TEXT NOT NULL
    );

    CREATE TABLE users (
        user_id       TEXT PRIMARY KEY,
        login         TEXT NOT NULL UNIQUE,      -- lower case
        password_hash TEXT,                      -- Argon2id PHC string; NULL: cannot log in
        created_at    TEXT NOT NULL,
        revoked_at    TEXT
    );

    -- One role per user and organisation; a partner user's grant names its party.
    CREATE TABLE grants (
        user_id       TEXT NOT NULL REFERENCES users(user_id),
        org_id        TEXT NOT NULL REFERENCES organisations(org_id),
        role          TEXT NOT NULL,
        party_id      TEXT,
        created_at    TEXT NOT NULL,
        revoked_at    TEXT,
        PRIMARY KEY (user_id, org_id),
        CHECK ((role = 'partner_user') = (party_id IS NOT NULL))
    );

    -- Trading links: company→distributor (buyer_id is an org id) and distributor→partner
    -- (buyer_id is a party id).
    CREATE TABLE links (
        seller_org    TEXT NOT NULL REFERENCES organisations(org_id),
        buyer_kind    TEXT NOT NULL CHECK (buyer_kind IN ('distributor', 'partner')),
        buyer_id      TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        PRIMARY KEY (seller_org, buyer_id)
    );
    CREATE INDEX links_by_buyer ON links (buyer_id);

    CREATE TABLE licences (
        licence_id    TEXT PRIMARY KEY,          -- ULID
        org_id        TEXT NOT NULL REFERENCES organisations(org_id),
        modules       TEXT NOT NULL,             -- 'DMS' or 'DMS,PRM'
        valid_from    TEXT NOT NULL,             -- ISO date, inclusive
        valid_to      TEXT NOT NULL,             -- ISO date, inclusive
        status        TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
        paid_by       TEXT NOT NULL REFERENCES organisations(org_id),
        created_at    TEXT NOT NULL
    );

    CREATE TABLE devices (
        device_id     TEXT PRIMARY KEY,          -- ULID
        user_id       TEXT NOT NULL REFERENCES users(user_id),
        name          TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        revoked_at    TEXT
    );

    -- Only SHA-256 digests of 256-bit random tokens are stored. scope_org binds a token to
    -- one organisation (tokens from `admin issue-token`); login tokens have none.
    CREATE TABLE access_tokens (
        token_sha256  TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL REFERENCES users(user_id),
        device_id     TEXT REFERENCES devices(device_id),
        scope_org     TEXT,
        created_at    TEXT NOT NULL,
        expires_at    INTEGER NOT NULL,          -- unix seconds
        revoked_at    TEXT
    );
    CREATE TABLE refresh_tokens (
        token_sha256  TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL REFERENCES users(user_id),
        device_id     TEXT NOT NULL REFERENCES devices(device_id),
        created_at    TEXT NOT NULL,
        expires_at    INTEGER NOT NULL,
        revoked_at    TEXT                       -- set when rotated or revoked
    );
    "#,
    // 3: the name and mobile number a buyer sees when this user is coming to deliver.
    r#"
    ALTER TABLE users ADD COLUMN contact_name  TEXT;
    ALTER TABLE users ADD COLUMN contact_phone TEXT;  -- ten digits
    "#,
];
