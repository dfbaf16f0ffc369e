//! The server-wide registry (`registry.sqlite` in the data directory): organisations and the
//! links between them, users and their grants, licences, devices and tokens.
//!
//! Every method is blocking (SQLite behind one mutex); async callers use
//! [`crate::rest::blocking`]. The file is split by subject: [`orgs`] (organisations, partners,
//! links), [`users`] (logins, grants, acting contexts), [`licences`], [`tokens`] (devices,
//! access and refresh tokens).

pub mod licences;
pub mod orgs;
mod schema;
pub mod tokens;
pub mod users;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::error::Result;
use crate::tenant::lock;

pub use licences::{Licence, LicenceReportRow, LicenceStatus};
pub use orgs::{Link, OrgKind, Organisation};
pub use tokens::{Session, TokenPair};
pub use users::{Contact, Grant, UserSummary};

pub struct Registry {
    connection: Mutex<Connection>,
}

impl Registry {
    pub fn open(data_dir: &Path) -> Result<Registry> {
        std::fs::create_dir_all(data_dir)?;
        let connection = dms_device::sqlite::open(&data_dir.join("registry.sqlite"), schema::MIGRATIONS)?;
        connection.execute_batch("PRAGMA foreign_keys = ON")?;
        Ok(Registry {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        lock(&self.connection)
    }

    /// Whether an organisation (and so a tenant database) with this id is registered.
    pub fn tenant_exists(&self, tenant_id: &dms_domain::TenantId) -> Result<bool> {
        Ok(self.organisation(tenant_id)?.is_some())
    }
}

/// Today's date in UTC as ISO text, the form licence dates are stored in.
pub fn today() -> String {
    iso_date(time::OffsetDateTime::now_utc().date())
}

pub fn iso_date(date: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Current unix time in seconds.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
