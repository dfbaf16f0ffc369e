//! Users (one global login each), their grants (one role per organisation), and the
//! resolution of an acting context from a user and the organisation it asks to act in.

use dms_domain::{PartyId, TenantId, Timestamp, UserId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{OrgKind, Registry};
use crate::access::{Principal, Role, Standing};
use crate::error::{Result, ServerError};

/// A user's role in one organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub org_id: TenantId,
    pub role: Role,
    pub party_id: Option<PartyId>,
}

/// A user as an organisation's user list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    pub user_id: UserId,
    pub login: String,
    pub role: Role,
    pub party_id: Option<PartyId>,
    pub revoked: bool,
    /// The name and mobile number buyers see when this user delivers to them.
    pub contact: Option<Contact>,
}

/// A person's name and ten-digit Indian mobile number, as buyers see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

impl Contact {
    /// Checks the name is not blank and the phone is a mobile number, with the rules of a
    /// shipment's driver ("+91" or "0" allowed before the ten digits, spaces and hyphens
    /// ignored), and keeps the trimmed name and the ten digits.
    pub fn new(name: &str, phone: &str) -> Result<Contact> {
        let checked = dms_orders::Driver::new(name, phone)
            .map_err(|error| ServerError::InvalidInput(format!("contact: {error}")))?;
        if checked.name.chars().count() > 100 {
            return Err(ServerError::InvalidInput(
                "contact: the name must be at most 100 characters".to_owned(),
            ));
        }
        Ok(Contact {
            name: checked.name,
            phone: checked.phone,
        })
    }
}

/// What a login attempt needs: the user and its stored hash.
pub struct LoginRecord {
    pub user_id: UserId,
    pub password_hash: Option<String>,
    pub revoked: bool,
}

/// Normalises a login name: trimmed, lower case, a valid id.
pub fn normalise_login(login: &str) -> Result<String> {
    let login = login.trim().to_ascii_lowercase();
    UserId::new(login.clone())?;
    Ok(login)
}

impl Registry {
    /// Creates a user whose id is its login name; returns the existing user when the login
    /// is taken and `reuse` is true.
    pub fn create_user(&self, login: &str, password_hash: Option<&str>, reuse: bool) -> Result<(UserId, bool)> {
        let login = normalise_login(login)?;
        let connection = self.connection();
        let inserted = connection.execute(
            "INSERT OR IGNORE INTO users (user_id, login, password_hash, created_at) VALUES (?1, ?1, ?2, ?3)",
            params![login, password_hash, Timestamp::now().to_string()],
        )?;
        if inserted == 0 && !reuse {
            return Err(ServerError::Conflict(format!("login {login} is taken")));
        }
        Ok((UserId::new(login)?, inserted == 1))
    }

    /// Sets or clears the contact details of `user`. Returns `false` when no such user exists.
    pub fn set_contact(&self, user: &UserId, contact: Option<&Contact>) -> Result<bool> {
        let updated = self.connection().execute(
            "UPDATE users SET contact_name = ?2, contact_phone = ?3 WHERE user_id = ?1",
            params![
                user.as_str(),
                contact.map(|contact| contact.name.as_str()),
                contact.map(|contact| contact.phone.as_str())
            ],
        )?;
        Ok(updated == 1)
    }

    pub fn login_record(&self, login: &str) -> Result<Option<LoginRecord>> {
        let Ok(login) = normalise_login(login) else {
            return Ok(None);
        };
        let row = self
            .connection()
            .query_row(
                "SELECT user_id, password_hash, revoked_at IS NOT NULL FROM users WHERE login = ?1",
                [login],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, bool>(2)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(user_id, password_hash, revoked)| {
            Ok(LoginRecord {
                user_id: UserId::new(user_id)?,
                password_hash,
                revoked,
            })
        })
        .transpose()
    }

    /// Grants `user` a role in `org`. A user has one role per organisation: granting the
    /// same again is a no-op, a different one is a conflict.
    pub fn grant(&self, user: &UserId, org: &TenantId, role: Role, party: Option<&PartyId>) -> Result<()> {
        if (role == Role::PartnerUser) != party.is_some() {
            return Err(ServerError::InvalidInput(
                "a partner user needs the party it buys for, and staff must not have one".to_owned(),
            ));
        }
        let organisation = self
            .organisation(org)?
            .ok_or_else(|| ServerError::TenantNotFound(org.to_string()))?;
        let expected = if role.is_company_role() {
            OrgKind::Company
        } else {
            OrgKind::Distributor
        };
        if organisation.kind != expected {
            return Err(ServerError::InvalidInput(format!(
                "role {} belongs to a {}, and {org} is a {}",
                role.as_str(),
                expected.as_str(),
                organisation.kind.as_str()
            )));
        }
        if let Some(existing) = self.grants(user)?.into_iter().find(|grant| &grant.org_id == org) {
            if existing.role == role && existing.party_id.as_ref() == party {
                return Ok(());
            }
            return Err(ServerError::Conflict(format!(
                "user {user} already has role {} in {org}",
                existing.role.as_str()
            )));
        }
        self.connection().execute(
            "INSERT INTO grants (user_id, org_id, role, party_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role, party_id = excluded.party_id,
               created_at = excluded.created_at, revoked_at = NULL",
            params![
                user.as_str(),
                org.as_str(),
                role.as_str(),
                party.map(PartyId::as_str),
                Timestamp::now().to_string()
            ],
        )?;
        Ok(())
    }

    /// Revokes `user`'s grant in `org`. Returns whether there was one to revoke.
    pub fn revoke_grant(&self, user: &UserId, org: &TenantId) -> Result<bool> {
        let changed = self.connection().execute(
            "UPDATE grants SET revoked_at = ?3 WHERE user_id = ?1 AND org_id = ?2 AND revoked_at IS NULL",
            params![user.as_str(), org.as_str(), Timestamp::now().to_string()],
        )?;
        Ok(changed > 0)
    }

    /// The user's grants that are not revoked, in organisation order.
    pub fn grants(&self, user: &UserId) -> Result<Vec<Grant>> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT org_id, role, party_id FROM grants WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY org_id",
        )?;
        let rows = statement.query_map([user.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (org, role, party) = row?;
            Ok(Grant {
                org_id: TenantId::new(org)?,
                role: Role::parse(&role).ok_or_else(|| ServerError::Corrupt(format!("grant role {role:?}")))?,
                party_id: party.map(PartyId::new).transpose()?,
            })
        })
        .collect()
    }

    /// Users with a grant in `org`, revoked ones included.
    pub fn users_of(&self, org: &TenantId) -> Result<Vec<UserSummary>> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT u.user_id, u.login, g.role, g.party_id, g.revoked_at IS NOT NULL OR u.revoked_at IS NOT NULL,
                    u.contact_name, u.contact_phone
             FROM grants g JOIN users u ON u.user_id = g.user_id WHERE g.org_id = ?1 ORDER BY u.login",
        )?;
        let rows = statement.query_map([org.as_str()], |row| {
            Ok((
                (
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, bool>(4)?,
                ),
                (row.get::<_, Option<String>>(5)?, row.get::<_, Option<String>>(6)?),
            ))
        })?;
        rows.map(|row| {
            let ((user_id, login, role, party, revoked), contact) = row?;
            Ok(UserSummary {
                user_id: UserId::new(user_id)?,
                login,
                role: Role::parse(&role).ok_or_else(|| ServerError::Corrupt(format!("grant role {role:?}")))?,
                party_id: party.map(PartyId::new).transpose()?,
                revoked,
                contact: match contact {
                    (Some(name), Some(phone)) => Some(Contact { name, phone }),
                    _ => None,
                },
            })
        })
        .collect()
    }

    /// Resolves the acting context of `user` in `org` from its grants and the links.
    ///
    /// Returns `OrgNotFound` when no grant or link reaches `org`, exactly as for an
    /// organisation that does not exist: this is where tenant isolation is decided.
    pub fn context(&self, user: &UserId, org: &TenantId) -> Result<Principal> {
        let not_found = || ServerError::OrgNotFound(org.to_string());
        let grants = self.grants(user)?;

        // A grant in the organisation itself: staff, or a partner buying from it.
        if let Some(grant) = grants.iter().find(|grant| &grant.org_id == org) {
            let standing = if grant.role == Role::PartnerUser {
                Standing::Buyer
            } else {
                Standing::Member
            };
            // A partner's orders are governed by its distributor's licence.
            return Ok(Principal {
                tenant_id: org.clone(),
                user_id: user.clone(),
                role: grant.role,
                standing,
                party_id: grant.party_id.clone(),
                licence: self.licence_state(org)?,
            });
        }

        // Through a link: a company's users oversee its distributors; a distributor's admin
        // buys from its company.
        for grant in &grants {
            let reached = match grant.role {
                Role::CompanyAdmin | Role::CompanySalesRep if self.is_linked(&grant.org_id, org.as_str())? => {
                    Some((Standing::Overseer, None))
                }
                Role::DistributorAdmin if self.is_linked(org, grant.org_id.as_str())? => {
                    Some((Standing::Buyer, Some(PartyId::new(grant.org_id.as_str())?)))
                }
                _ => None,
            };
            if let Some((standing, party_id)) = reached {
                return Ok(Principal {
                    tenant_id: org.clone(),
                    user_id: user.clone(),
                    role: grant.role,
                    standing,
                    party_id,
                    licence: self.licence_state(&grant.org_id)?,
                });
            }
        }
        Err(not_found())
    }

    /// Marks a user revoked: every grant, device and token stops working.
    pub fn revoke_user(&self, user: &UserId) -> Result<()> {
        let now = Timestamp::now().to_string();
        let connection = self.connection();
        connection.execute(
            "UPDATE users SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![user.as_str(), now],
        )?;
        connection.execute(
            "UPDATE access_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![user.as_str(), now],
        )?;
        connection.execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![user.as_str(), now],
        )?;
        Ok(())
    }
}
