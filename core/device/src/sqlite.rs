//! Opening SQLite databases the way both the device store and the server store need them:
//! WAL journal, full synchronous commits, foreign keys on, and numbered migrations recorded in
//! `user_version`. Commits are `synchronous=FULL` because an edit must survive the phone being
//! killed the moment the call returns, and the server acknowledges a change to a device only
//! once it is on disk; WAL with `synchronous=NORMAL` may lose the last commits on power loss.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// Opens (creating if needed) a database file and applies `migrations` not yet applied.
/// Migration `i` (0-based) brings the schema to version `i + 1`, inside one transaction.
pub fn open(path: &Path, migrations: &[&str]) -> rusqlite::Result<Connection> {
    let mut connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut connection, migrations)?;
    Ok(connection)
}

fn migrate(connection: &mut Connection, migrations: &[&str]) -> rusqlite::Result<()> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in migrations.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= current {
            continue;
        }
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
        tracing::debug!(version, "applied migration");
    }
    Ok(())
}
