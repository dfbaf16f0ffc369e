//! The server-wide registry (`registry.sqlite` in the data directory): which tenants exist and
//! the access tokens devices present.
//!
//! A token is 32 random bytes shown once as hex. Only its SHA-256 is stored: the token has 256
//! bits of entropy, so a fast hash is enough and a stolen registry reveals no usable token.
//! This is the minimal token table of the first slice; password logins, refresh tokens and
//! device registration replace the manual issuing here.

use std::path::Path;
use std::sync::Mutex;

use dms_domain::{PartyId, TenantId, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::access::{Principal, Role};
use crate::error::{Result, ServerError};
use crate::tenant::lock;

const MIGRATIONS: &[&str] = &[r#"
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
"#];

pub struct Registry {
    connection: Mutex<Connection>,
}

impl Registry {
    pub fn open(data_dir: &Path) -> Result<Registry> {
        std::fs::create_dir_all(data_dir)?;
        let connection = dms_device::sqlite::open(&data_dir.join("registry.sqlite"), MIGRATIONS)?;
        Ok(Registry {
            connection: Mutex::new(connection),
        })
    }

    pub fn create_tenant(&self, tenant_id: &TenantId, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServerError::InvalidInput("tenant name must not be empty".to_owned()));
        }
        let connection = lock(&self.connection);
        let inserted = connection.execute(
            "INSERT OR IGNORE INTO tenants (tenant_id, name, created_at) VALUES (?1, ?2, ?3)",
            params![tenant_id.as_str(), name, Timestamp::now().to_string()],
        )?;
        if inserted == 0 {
            return Err(ServerError::TenantExists(tenant_id.to_string()));
        }
        Ok(())
    }

    pub fn tenant_exists(&self, tenant_id: &TenantId) -> Result<bool> {
        let connection = lock(&self.connection);
        let found: Option<i64> = connection
            .query_row("SELECT 1 FROM tenants WHERE tenant_id = ?1", [tenant_id.as_str()], |row| row.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// Issues a token for a user of a tenant and returns it; it is not retrievable later.
    pub fn issue_token(&self, principal: &Principal) -> Result<String> {
        if (principal.role == Role::Partner) != principal.party_id.is_some() {
            return Err(ServerError::InvalidInput(
                "a partner user needs the party it buys for, and a staff user must not have one".to_owned(),
            ));
        }
        if !self.tenant_exists(&principal.tenant_id)? {
            return Err(ServerError::TenantNotFound(principal.tenant_id.to_string()));
        }

        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|error| ServerError::Task(format!("no randomness: {error}")))?;
        let token = hex::encode(secret);

        let connection = lock(&self.connection);
        connection.execute(
            "INSERT INTO access_tokens (token_sha256, tenant_id, user_id, role, party_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                token_digest(&token),
                principal.tenant_id.as_str(),
                principal.user_id.as_str(),
                principal.role.as_str(),
                principal.party_id.as_ref().map(PartyId::as_str),
                Timestamp::now().to_string(),
            ],
        )?;
        Ok(token)
    }

    /// Looks a presented token up. Unknown and revoked tokens are the same error.
    pub fn authenticate(&self, token: &str) -> Result<Principal> {
        let connection = lock(&self.connection);
        let row = connection
            .query_row(
                "SELECT tenant_id, user_id, role, party_id FROM access_tokens
                 WHERE token_sha256 = ?1 AND revoked_at IS NULL",
                [token_digest(token)],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((tenant_id, user_id, role, party_id)) = row else {
            return Err(ServerError::InvalidToken);
        };
        Ok(Principal {
            tenant_id: TenantId::new(tenant_id)?,
            user_id: UserId::new(user_id)?,
            role: Role::parse(&role).ok_or_else(|| ServerError::Corrupt(format!("token role {role:?}")))?,
            party_id: party_id.map(PartyId::new).transpose()?,
        })
    }
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
