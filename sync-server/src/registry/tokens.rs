//! Devices, access tokens and refresh tokens.
//!
//! A token is 32 random bytes shown once as hex. Only its SHA-256 is stored: the token has 256
//! bits of entropy, so a fast hash is enough and a stolen registry reveals no usable token.
//! Access tokens expire after [`ACCESS_TOKEN_SECONDS`]; refresh tokens after
//! [`REFRESH_TOKEN_SECONDS`] and are rotated on every use.

use dms_domain::{TenantId, Timestamp, UserId};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ulid::Ulid;

use super::{Registry, unix_now};
use crate::error::{Result, ServerError};

/// Lifetime of a login's access token: one hour.
pub const ACCESS_TOKEN_SECONDS: i64 = 60 * 60;
/// Lifetime of a refresh token: 30 days.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 24 * 60 * 60;

/// The caller a valid access token stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub device_id: Option<String>,
    /// The organisation the token is bound to, for tokens issued by `admin issue-token`.
    pub scope_org: Option<TenantId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub device_id: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceRecord {
    pub device_id: String,
    pub user_id: UserId,
    pub name: String,
    pub registered_at: String,
    pub revoked: bool,
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| ServerError::Task(format!("no randomness: {error}")))?;
    Ok(hex::encode(secret))
}

impl Registry {
    /// Registers a device for `user`, or reuses `existing` if it is the user's and live.
    pub fn register_device(&self, user: &UserId, name: &str, existing: Option<&str>) -> Result<String> {
        if let Some(existing) = existing {
            let device = self.device(existing)?;
            if let Some(device) = device.filter(|device| &device.user_id == user && !device.revoked) {
                return Ok(device.device_id);
            }
        }
        let name = match name.trim() {
            "" => "unnamed device",
            name => name,
        };
        let device_id = Ulid::generate().to_string();
        self.connection().execute(
            "INSERT INTO devices (device_id, user_id, name, registered_at) VALUES (?1, ?2, ?3, ?4)",
            params![device_id, user.as_str(), name, Timestamp::now().to_string()],
        )?;
        Ok(device_id)
    }

    pub fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>> {
        let row = self
            .connection()
            .query_row(
                "SELECT device_id, user_id, name, registered_at, revoked_at IS NOT NULL FROM devices
                 WHERE device_id = ?1",
                [device_id],
                device_columns,
            )
            .optional()?;
        row.map(into_device).transpose()
    }

    pub fn devices_of(&self, user: &UserId) -> Result<Vec<DeviceRecord>> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT device_id, user_id, name, registered_at, revoked_at IS NOT NULL FROM devices
             WHERE user_id = ?1 ORDER BY device_id",
        )?;
        let rows = statement.query_map([user.as_str()], device_columns)?;
        rows.map(|row| into_device(row?)).collect()
    }

    /// Revokes a device and every token issued to it.
    pub fn revoke_device(&self, device_id: &str) -> Result<()> {
        let now = Timestamp::now().to_string();
        let connection = self.connection();
        connection.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, now],
        )?;
        connection.execute(
            "UPDATE access_tokens SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, now],
        )?;
        connection.execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
            params![device_id, now],
        )?;
        Ok(())
    }

    /// Issues an access token and a refresh token for a user's device.
    pub fn issue_token_pair(&self, user: &UserId, device_id: &str) -> Result<TokenPair> {
        let access_token = new_token()?;
        let refresh_token = new_token()?;
        let now = unix_now();
        let created = Timestamp::now().to_string();
        let connection = self.connection();
        connection.execute(
            "INSERT INTO access_tokens (token_sha256, user_id, device_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_digest(&access_token),
                user.as_str(),
                device_id,
                created,
                now + ACCESS_TOKEN_SECONDS
            ],
        )?;
        connection.execute(
            "INSERT INTO refresh_tokens (token_sha256, user_id, device_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_digest(&refresh_token),
                user.as_str(),
                device_id,
                created,
                now + REFRESH_TOKEN_SECONDS
            ],
        )?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            expires_in: ACCESS_TOKEN_SECONDS,
            device_id: device_id.to_owned(),
        })
    }

    /// Issues an access token bound to one organisation, with no device and no refresh token:
    /// the form `admin issue-token` prints for scripts and tests.
    pub fn issue_scoped_token(&self, user: &UserId, org: &TenantId, lifetime_seconds: i64) -> Result<String> {
        self.context(user, org)?;
        let token = new_token()?;
        self.connection().execute(
            "INSERT INTO access_tokens (token_sha256, user_id, scope_org, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_digest(&token),
                user.as_str(),
                org.as_str(),
                Timestamp::now().to_string(),
                unix_now() + lifetime_seconds
            ],
        )?;
        Ok(token)
    }

    /// Looks a presented access token up. Unknown, expired and revoked tokens, and tokens of
    /// revoked users or devices, are all the same error.
    pub fn authenticate(&self, token: &str) -> Result<Session> {
        let row = self
            .connection()
            .query_row(
                "SELECT t.user_id, t.device_id, t.scope_org FROM access_tokens t
                 JOIN users u ON u.user_id = t.user_id
                 LEFT JOIN devices d ON d.device_id = t.device_id
                 WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL AND t.expires_at > ?2
                   AND u.revoked_at IS NULL AND d.revoked_at IS NULL",
                params![token_digest(token), unix_now()],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((user_id, device_id, scope_org)) = row else {
            return Err(ServerError::InvalidToken);
        };
        Ok(Session {
            user_id: UserId::new(user_id)?,
            device_id,
            scope_org: scope_org.map(TenantId::new).transpose()?,
        })
    }

    /// Trades a refresh token for a new pair; the old refresh token stops working.
    pub fn refresh(&self, refresh_token: &str) -> Result<TokenPair> {
        let digest = token_digest(refresh_token);
        let row = self
            .connection()
            .query_row(
                "SELECT r.user_id, r.device_id FROM refresh_tokens r
                 JOIN users u ON u.user_id = r.user_id JOIN devices d ON d.device_id = r.device_id
                 WHERE r.token_sha256 = ?1 AND r.revoked_at IS NULL AND r.expires_at > ?2
                   AND u.revoked_at IS NULL AND d.revoked_at IS NULL",
                params![digest, unix_now()],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?;
        let Some((user_id, device_id)) = row else {
            return Err(ServerError::InvalidToken);
        };
        // Only the caller whose update marks the token used gets a new pair, so one refresh
        // token presented twice at once still yields one pair.
        let used = self.connection().execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            params![digest, Timestamp::now().to_string()],
        )?;
        if used == 0 {
            return Err(ServerError::InvalidToken);
        }
        self.issue_token_pair(&UserId::new(user_id)?, &device_id)
    }

    /// Revokes one access token (logout).
    pub fn revoke_access_token(&self, token: &str) -> Result<()> {
        self.connection().execute(
            "UPDATE access_tokens SET revoked_at = ?2 WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            params![token_digest(token), Timestamp::now().to_string()],
        )?;
        Ok(())
    }
}

type DeviceColumns = (String, String, String, String, bool);

fn device_columns(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceColumns> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn into_device((device_id, user_id, name, registered_at, revoked): DeviceColumns) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        device_id,
        user_id: UserId::new(user_id)?,
        name,
        registered_at,
        revoked,
    })
}
