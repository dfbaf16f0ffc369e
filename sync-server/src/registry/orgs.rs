//! Organisations (companies and distributors), partners, and the trading links between them.

use dms_domain::{PartyId, TenantId, Timestamp};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Registry;
use crate::error::{Result, ServerError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Company,
    Distributor,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub org_id: TenantId,
    pub kind: OrgKind,
    pub legal_name: String,
    pub registration: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    pub seller_org: TenantId,
    /// `distributor` or `partner`.
    pub buyer_kind: String,
    pub buyer_id: String,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Company => "company",
            OrgKind::Distributor => "distributor",
        }
    }

    fn parse(text: &str) -> Result<OrgKind> {
        match text {
            "company" => Ok(OrgKind::Company),
            "distributor" => Ok(OrgKind::Distributor),
            other => Err(ServerError::Corrupt(format!("organisation kind {other:?}"))),
        }
    }
}

/// Normalises a GSTIN or registration number: trimmed, upper case, 3 to 32 letters, digits
/// or `-`/`/`.
pub fn normalise_registration(text: &str) -> Result<String> {
    let value = text.trim().to_ascii_uppercase();
    let valid =
        (3..=32).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    if !valid {
        return Err(ServerError::InvalidInput(format!(
            "registration number {text:?} is invalid: use 3 to 32 letters, digits, '-' or '/'"
        )));
    }
    Ok(value)
}

impl Registry {
    /// Registers an organisation, or returns the one already registered under the same
    /// GSTIN or registration number. The flag says whether it was created now.
    pub fn register_organisation(
        &self,
        org_id: &TenantId,
        kind: OrgKind,
        legal_name: &str,
        registration: &str,
    ) -> Result<(Organisation, bool)> {
        let legal_name = legal_name.trim();
        if legal_name.is_empty() {
            return Err(ServerError::InvalidInput("legal name must not be empty".to_owned()));
        }
        let registration = normalise_registration(registration)?;
        if let Some(existing) = self.organisation_by_registration(&registration)? {
            if existing.kind != kind {
                return Err(ServerError::Conflict(format!(
                    "registration {registration} belongs to a {} already",
                    existing.kind.as_str()
                )));
            }
            return Ok((existing, false));
        }
        let inserted = self.connection().execute(
            "INSERT OR IGNORE INTO organisations (org_id, kind, legal_name, registration, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                org_id.as_str(),
                kind.as_str(),
                legal_name,
                registration,
                Timestamp::now().to_string()
            ],
        )?;
        if inserted == 0 {
            return Err(ServerError::TenantExists(org_id.to_string()));
        }
        let organisation = Organisation {
            org_id: org_id.clone(),
            kind,
            legal_name: legal_name.to_owned(),
            registration,
        };
        Ok((organisation, true))
    }

    pub fn organisation(&self, org_id: &TenantId) -> Result<Option<Organisation>> {
        self.organisation_where("org_id = ?1", org_id.as_str())
    }

    pub fn organisation_by_registration(&self, registration: &str) -> Result<Option<Organisation>> {
        self.organisation_where("registration = ?1", registration)
    }

    fn organisation_where(&self, condition: &str, value: &str) -> Result<Option<Organisation>> {
        let row = self
            .connection()
            .query_row(
                &format!("SELECT org_id, kind, legal_name, registration FROM organisations WHERE {condition}"),
                [value],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(org_id, kind, legal_name, registration)| {
            Ok(Organisation {
                org_id: TenantId::new(org_id)?,
                kind: OrgKind::parse(&kind)?,
                legal_name,
                registration,
            })
        })
        .transpose()
    }

    /// Registers a partner, or returns the party id of the one with the same registration.
    pub fn register_partner(
        &self,
        party_id: &PartyId,
        legal_name: &str,
        registration: Option<&str>,
    ) -> Result<PartyId> {
        let registration = registration
            .filter(|text| !text.trim().is_empty())
            .map(normalise_registration)
            .transpose()?;
        let connection = self.connection();
        if let Some(registration) = &registration {
            let existing: Option<String> = connection
                .query_row(
                    "SELECT party_id FROM partners WHERE registration = ?1",
                    [registration],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(PartyId::new(existing)?);
            }
        }
        connection.execute(
            "INSERT INTO partners (party_id, legal_name, registration, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (party_id) DO NOTHING",
            params![
                party_id.as_str(),
                legal_name.trim(),
                registration,
                Timestamp::now().to_string()
            ],
        )?;
        Ok(party_id.clone())
    }

    /// The GSTIN or registration number of a buying party: a partner, or a distributor
    /// buying from its company. `None` when the party is unknown or has none on record.
    pub fn party_registration(&self, party_id: &PartyId) -> Result<Option<String>> {
        let connection = self.connection();
        let partner: Option<Option<String>> = connection
            .query_row(
                "SELECT registration FROM partners WHERE party_id = ?1",
                [party_id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(registration) = partner {
            return Ok(registration);
        }
        Ok(connection
            .query_row(
                "SELECT registration FROM organisations WHERE org_id = ?1",
                [party_id.as_str()],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Links a seller to a buyer; linking twice is a no-op.
    pub fn link(&self, seller: &TenantId, buyer_kind: &str, buyer_id: &str) -> Result<()> {
        self.connection().execute(
            "INSERT OR IGNORE INTO links (seller_org, buyer_kind, buyer_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![seller.as_str(), buyer_kind, buyer_id, Timestamp::now().to_string()],
        )?;
        Ok(())
    }

    pub fn is_linked(&self, seller: &TenantId, buyer_id: &str) -> Result<bool> {
        let found: Option<i64> = self
            .connection()
            .query_row(
                "SELECT 1 FROM links WHERE seller_org = ?1 AND buyer_id = ?2",
                params![seller.as_str(), buyer_id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Links where `org` is the seller or the buying distributor.
    pub fn links_of(&self, org: &TenantId) -> Result<Vec<Link>> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT seller_org, buyer_kind, buyer_id FROM links WHERE seller_org = ?1 OR buyer_id = ?1
             ORDER BY seller_org, buyer_id",
        )?;
        let rows = statement.query_map([org.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (seller, buyer_kind, buyer_id) = row?;
            Ok(Link {
                seller_org: TenantId::new(seller)?,
                buyer_kind,
                buyer_id,
            })
        })
        .collect()
    }

    /// The company a distributor is linked to, if any.
    pub fn company_of(&self, distributor: &TenantId) -> Result<Option<TenantId>> {
        let found: Option<String> = self
            .connection()
            .query_row(
                "SELECT seller_org FROM links WHERE buyer_kind = 'distributor' AND buyer_id = ?1",
                [distributor.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        found.map(TenantId::new).transpose().map_err(Into::into)
    }
}
