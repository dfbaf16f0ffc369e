//! Partner groups and their members.

use dms_domain::PartyId;
use rusqlite::{Connection, params};

use super::*;

pub fn partner_groups(connection: &Connection) -> Result<Vec<PartnerGroup>> {
    let sets = member_sets(
        connection,
        "SELECT group_id, name FROM partner_groups ORDER BY group_id",
        "SELECT party_id FROM partner_group_members WHERE group_id = ?1 ORDER BY party_id",
    )?;
    Ok(sets
        .into_iter()
        .map(|(id, name, members)| PartnerGroup { id, name, members })
        .collect())
}

/// Inserts or replaces a partner group and its members.
pub fn put_partner_group(connection: &mut Connection, group: &PartnerGroup) -> Result<()> {
    check_id("partner group", &group.id)?;
    let transaction = connection.transaction()?;
    transaction.execute(
        "INSERT INTO partner_groups (group_id, name, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        params![group.id, group.name, now()],
    )?;
    transaction.execute("DELETE FROM partner_group_members WHERE group_id = ?1", [&group.id])?;
    for member in &group.members {
        transaction.execute(
            "INSERT OR IGNORE INTO partner_group_members (group_id, party_id) VALUES (?1, ?2)",
            params![group.id, member.as_str()],
        )?;
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Deletes a partner group and its memberships. Rejected while a scheme, price list or
/// catalog share uses it.
pub fn delete_partner_group(connection: &mut Connection, id: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    reject_if_in_use(&transaction, AimedAt::PartnerGroup, id)?;
    transaction.execute("DELETE FROM partner_group_members WHERE group_id = ?1", [id])?;
    if transaction.execute("DELETE FROM partner_groups WHERE group_id = ?1", [id])? == 0 {
        return Err(not_found("partner group", id));
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Groups `party` belongs to, sorted by id.
pub fn groups_of(connection: &Connection, party: &PartyId) -> Result<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT group_id FROM partner_group_members WHERE party_id = ?1 ORDER BY group_id")?;
    let rows = statement.query_map([party.as_str()], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
