//! Licences: which modules an organisation may use, for which dates, paid by whom; and the
//! licence report a company is billed from.

use dms_domain::{TenantId, Timestamp};
use rusqlite::params;
use serde::Serialize;
use ulid::Ulid;

use super::{Registry, today};
use crate::access::{LicenceState, Module};
use crate::error::{Result, ServerError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    Active,
    Suspended,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Licence {
    pub licence_id: String,
    pub org_id: TenantId,
    pub modules: Vec<Module>,
    pub valid_from: String,
    pub valid_to: String,
    pub status: LicenceStatus,
    pub paid_by: TenantId,
}

/// One line of a company's licence report: a distributor whose licence overlaps the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LicenceReportRow {
    pub distributor: TenantId,
    pub legal_name: String,
    pub modules: Vec<Module>,
    pub valid_from: String,
    pub valid_to: String,
    pub status: LicenceStatus,
    /// Partners linked to the distributor.
    pub partners: i64,
}

impl LicenceStatus {
    fn as_str(self) -> &'static str {
        match self {
            LicenceStatus::Active => "active",
            LicenceStatus::Suspended => "suspended",
        }
    }

    fn parse(text: &str) -> Result<LicenceStatus> {
        match text {
            "active" => Ok(LicenceStatus::Active),
            "suspended" => Ok(LicenceStatus::Suspended),
            other => Err(ServerError::Corrupt(format!("licence status {other:?}"))),
        }
    }
}

fn parse_modules(text: &str) -> Result<Vec<Module>> {
    text.split(',')
        .map(|name| Module::parse(name).ok_or_else(|| ServerError::Corrupt(format!("licence module {name:?}"))))
        .collect()
}

/// Checks an ISO date (`YYYY-MM-DD`).
pub fn check_date(text: &str) -> Result<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map(super::iso_date)
        .map_err(|_| ServerError::InvalidInput(format!("date {text:?} is invalid: use YYYY-MM-DD")))
}

impl Registry {
    /// Issues a licence for `org`, paid by `paid_by`.
    pub fn issue_licence(
        &self,
        org: &TenantId,
        modules: &[Module],
        valid_from: &str,
        valid_to: &str,
        paid_by: &TenantId,
    ) -> Result<Licence> {
        let valid_from = check_date(valid_from)?;
        let valid_to = check_date(valid_to)?;
        if valid_to < valid_from {
            return Err(ServerError::InvalidInput(format!(
                "licence ends ({valid_to}) before it starts ({valid_from})"
            )));
        }
        if modules.is_empty() {
            return Err(ServerError::InvalidInput(
                "a licence needs at least one module".to_owned(),
            ));
        }
        let mut modules = modules.to_vec();
        modules.sort_by_key(|module| module.as_str());
        modules.dedup();
        let licence = Licence {
            licence_id: Ulid::generate().to_string(),
            org_id: org.clone(),
            modules,
            valid_from,
            valid_to,
            status: LicenceStatus::Active,
            paid_by: paid_by.clone(),
        };
        let module_text = licence
            .modules
            .iter()
            .map(|module| module.as_str())
            .collect::<Vec<_>>()
            .join(",");
        self.connection().execute(
            "INSERT INTO licences (licence_id, org_id, modules, valid_from, valid_to, status, paid_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7)",
            params![
                licence.licence_id,
                org.as_str(),
                module_text,
                licence.valid_from,
                licence.valid_to,
                paid_by.as_str(),
                Timestamp::now().to_string()
            ],
        )?;
        Ok(licence)
    }

    /// Ends every licence of `org` that runs past `last_day`, so it expires after that day.
    /// Returns how many licences changed. Data stays; only new orders and logins stop.
    pub fn end_licences(&self, org: &TenantId, last_day: &str) -> Result<usize> {
        let last_day = check_date(last_day)?;
        Ok(self.connection().execute(
            "UPDATE licences SET valid_to = ?2 WHERE org_id = ?1 AND valid_to > ?2",
            params![org.as_str(), last_day],
        )?)
    }

    /// Suspends or reactivates every licence of `org`.
    pub fn set_licence_status(&self, org: &TenantId, status: LicenceStatus) -> Result<usize> {
        Ok(self.connection().execute(
            "UPDATE licences SET status = ?2 WHERE org_id = ?1",
            params![org.as_str(), status.as_str()],
        )?)
    }

    /// Licences of `org`, newest first.
    pub fn licences_of(&self, org: &TenantId) -> Result<Vec<Licence>> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT licence_id, org_id, modules, valid_from, valid_to, status, paid_by FROM licences
             WHERE org_id = ?1 OR paid_by = ?1 ORDER BY valid_to DESC, licence_id DESC",
        )?;
        let rows = statement.query_map([org.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (licence_id, org_id, modules, valid_from, valid_to, status, paid_by) = row?;
            Ok(Licence {
                licence_id,
                org_id: TenantId::new(org_id)?,
                modules: parse_modules(&modules)?,
                valid_from,
                valid_to,
                status: LicenceStatus::parse(&status)?,
                paid_by: TenantId::new(paid_by)?,
            })
        })
        .collect()
    }

    /// The state of `org`'s licence today: the modules of every active licence in force, or
    /// else why there is none (suspended wins over expired, expired over missing).
    pub fn licence_state(&self, org: &TenantId) -> Result<LicenceState> {
        let today = today();
        let licences: Vec<Licence> = self
            .licences_of(org)?
            .into_iter()
            .filter(|licence| &licence.org_id == org)
            .collect();
        let in_force = |licence: &&Licence| licence.valid_from <= today && today <= licence.valid_to;

        let mut modules: Vec<Module> = licences
            .iter()
            .filter(in_force)
            .filter(|licence| licence.status == LicenceStatus::Active)
            .flat_map(|licence| licence.modules.iter().copied())
            .collect();
        if !modules.is_empty() {
            modules.sort_by_key(|module| module.as_str());
            modules.dedup();
            return Ok(LicenceState::Active {
                organisation: org.clone(),
                modules,
            });
        }
        if licences
            .iter()
            .filter(in_force)
            .any(|licence| licence.status == LicenceStatus::Suspended)
        {
            return Ok(LicenceState::Suspended {
                organisation: org.clone(),
            });
        }
        Ok(match licences.first() {
            Some(latest) if latest.status == LicenceStatus::Suspended => LicenceState::Suspended {
                organisation: org.clone(),
            },
            Some(latest) => LicenceState::Expired {
                organisation: org.clone(),
                valid_to: latest.valid_to.clone(),
            },
            None => LicenceState::Missing {
                organisation: org.clone(),
            },
        })
    }

    /// The licence report of `company` for the period `from..=to`: each distributor licence
    /// it pays for that overlaps the period, with the distributor's partner count.
    pub fn licence_report(&self, company: &TenantId, from: &str, to: &str) -> Result<Vec<LicenceReportRow>> {
        let from = check_date(from)?;
        let to = check_date(to)?;
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT l.org_id, o.legal_name, l.modules, l.valid_from, l.valid_to, l.status,
                    (SELECT COUNT(*) FROM links p WHERE p.seller_org = l.org_id AND p.buyer_kind = 'partner')
             FROM licences l JOIN organisations o ON o.org_id = l.org_id
             WHERE l.paid_by = ?1 AND l.org_id != ?1 AND l.valid_from <= ?3 AND l.valid_to >= ?2
             ORDER BY l.org_id, l.valid_from",
        )?;
        let rows = statement.query_map(params![company.as_str(), from, to], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (org, legal_name, modules, valid_from, valid_to, status, partners) = row?;
            Ok(LicenceReportRow {
                distributor: TenantId::new(org)?,
                legal_name,
                modules: parse_modules(&modules)?,
                valid_from,
                valid_to,
                status: LicenceStatus::parse(&status)?,
                partners,
            })
        })
        .collect()
    }
}
