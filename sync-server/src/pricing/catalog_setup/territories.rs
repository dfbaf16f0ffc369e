//! Sales territories and the buyers in each. A buyer is in at most one territory, so a scheme
//! aimed at a territory reaches a buyer through exactly one membership.

use dms_domain::PartyId;
use rusqlite::{Connection, OptionalExtension, params};

use super::*;

pub fn territories(connection: &Connection) -> Result<Vec<Territory>> {
    let sets = member_sets(
        connection,
        "SELECT territory_id, name FROM territories ORDER BY territory_id",
        "SELECT party_id FROM territory_members WHERE territory_id = ?1 ORDER BY party_id",
    )?;
    Ok(sets
        .into_iter()
        .map(|(id, name, members)| Territory { id, name, members })
        .collect())
}

/// Inserts or replaces a territory and its members. Refuses, changing nothing, a member that
/// is already in another territory: it has to leave that one first.
pub fn put_territory(connection: &mut Connection, territory: &Territory) -> Result<()> {
    check_id("territory", &territory.id)?;
    if territory.name.trim().is_empty() {
        return Err(ServerError::InvalidInput(format!(
            "territory {} needs a name",
            territory.id
        )));
    }
    let transaction = connection.transaction()?;
    for member in &territory.members {
        if let Some(other) = territory_of(&transaction, member)?
            && other != territory.id
        {
            return Err(ServerError::InvalidInput(format!(
                "party {member} is already in territory {other}; remove it from there first"
            )));
        }
    }
    transaction.execute(
        "INSERT INTO territories (territory_id, name, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (territory_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        params![territory.id, territory.name.trim(), now()],
    )?;
    transaction.execute("DELETE FROM territory_members WHERE territory_id = ?1", [&territory.id])?;
    for member in &territory.members {
        transaction.execute(
            "INSERT INTO territory_members (party_id, territory_id) VALUES (?1, ?2)",
            params![member.as_str(), territory.id],
        )?;
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Deletes a territory and its memberships. Rejected while a scheme is aimed at it.
pub fn delete_territory(connection: &mut Connection, id: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    reject_if_in_use(&transaction, AimedAt::Territory, id)?;
    transaction.execute("DELETE FROM territory_members WHERE territory_id = ?1", [id])?;
    if transaction.execute("DELETE FROM territories WHERE territory_id = ?1", [id])? == 0 {
        return Err(not_found("territory", id));
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Returns the territory `party` belongs to, if any.
pub fn territory_of(connection: &Connection, party: &PartyId) -> Result<Option<String>> {
    Ok(connection
        .query_row(
            "SELECT territory_id FROM territory_members WHERE party_id = ?1",
            [party.as_str()],
            |row| row.get(0),
        )
        .optional()?)
}

/// Reads every buyer's territory, by buyer.
pub fn territory_memberships(connection: &Connection) -> Result<BTreeMap<PartyId, String>> {
    let mut statement = connection.prepare("SELECT party_id, territory_id FROM territory_members")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    let mut memberships = BTreeMap::new();
    for row in rows {
        let (party, territory) = row?;
        memberships.insert(PartyId::new(party)?, territory);
    }
    Ok(memberships)
}
