//! Images captured on the device (delivery signatures and photos), kept by the SHA-256 of
//! their bytes in the device's SQLite store until the server has them.
//!
//! A blob is committed before the document edit that references it, both before the edit
//! call returns, so an app killed at any moment loses neither. Sync rounds upload blobs the
//! server does not yet have; the server checks each hash on arrival.

use dms_domain::Timestamp;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::error::{DeviceError, Result};
use crate::store::DeviceStore;

/// Largest image accepted, in bytes; the server accepts up to 5 MiB.
pub const MAX_BLOB_BYTES: usize = 5 * 1024 * 1024;

/// A blob waiting for upload.
pub struct PendingBlob {
    pub sha256: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl DeviceStore {
    /// Stores a blob durably and returns its hash. Storing the same bytes twice is harmless.
    pub fn put_blob(&mut self, bytes: &[u8], media_type: &str) -> Result<String> {
        if bytes.is_empty() {
            return Err(DeviceError::InvalidInput("an image must not be empty".to_owned()));
        }
        if bytes.len() > MAX_BLOB_BYTES {
            return Err(DeviceError::InvalidInput(format!(
                "an image of {} bytes exceeds the limit of {MAX_BLOB_BYTES} bytes",
                bytes.len()
            )));
        }
        if !media_type.starts_with("image/") {
            return Err(DeviceError::InvalidInput(format!(
                "media type {media_type:?} is not an image type"
            )));
        }
        let sha256 = sha256_hex(bytes);
        self.connection().execute(
            "INSERT OR IGNORE INTO blobs (sha256, media_type, bytes, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha256, media_type, bytes, Timestamp::now().to_string()],
        )?;
        Ok(sha256)
    }

    /// The bytes of a blob held on the device.
    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .connection()
            .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |row| row.get(0))
            .optional()?)
    }

    /// Blobs the server has not confirmed yet, oldest first.
    pub fn pending_blobs(&self) -> Result<Vec<PendingBlob>> {
        let mut statement = self.connection().prepare(
            "SELECT sha256, media_type, bytes FROM blobs WHERE uploaded_at IS NULL ORDER BY created_at, sha256",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(PendingBlob {
                sha256: row.get(0)?,
                media_type: row.get(1)?,
                bytes: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn mark_blob_uploaded(&mut self, sha256: &str) -> Result<()> {
        self.connection().execute(
            "UPDATE blobs SET uploaded_at = ?2 WHERE sha256 = ?1",
            params![sha256, Timestamp::now().to_string()],
        )?;
        Ok(())
    }
}
