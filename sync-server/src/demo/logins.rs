//! The demo's network, set up as a real one is: a company bootstrapped from the command
//! line's code path, then over REST the distributor onboarded with a DMS+PRM licence,
//! partners onboarded in bulk from CSV (and a second user each, singly), sales reps created,
//! and every device logged in with its login name and password.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::access::Module;
use crate::admin;
use crate::app::AppState;
use crate::password;

pub const COMPANY: &str = "demo-company";
pub const DISTRIBUTOR: &str = "demo-distributor";

/// A login name and the password it was given.
#[derive(Clone, Debug)]
pub struct Login {
    pub login: String,
    pub password: String,
}

/// Bootstraps the company and its admin directly on the state, before the server starts.
pub fn bootstrap(state: &AppState) -> anyhow::Result<Login> {
    let admin = Login {
        login: "company-admin".to_owned(),
        password: password::generate()?,
    };
    admin::bootstrap_company(
        state,
        Some(COMPANY),
        "Demo Company Ltd",
        "27AAACD0000A1Z5",
        &admin.login,
        &admin.password,
        &[Module::Dms],
    )?;
    Ok(admin)
}

/// A REST client of the demo server.
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, login: &Login, device_name: &str) -> anyhow::Result<String> {
        let body = json!({"login": login.login, "password": login.password, "device_name": device_name});
        let response = self
            .send(self.http.post(self.url("/api/v1/auth/login")).json(&body))
            .await?;
        text_field(&response, "access_token")
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(self.http.post(self.url(path)).bearer_auth(token).json(body))
            .await
    }

    pub async fn post_csv(&self, token: &str, path: &str, body: String) -> anyhow::Result<Value> {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(body);
        self.send(request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let response = request.send().await.context("request to the demo server")?;
        let status = response.status();
        let body: Value = response.json().await.context("JSON body")?;
        if !status.is_success() {
            bail!("the demo server answered {status}: {body}");
        }
        Ok(body)
    }
}

/// Onboards the distributor with a DMS+PRM licence and returns its admin's login.
pub async fn onboard_distributor(api: &Api, company_admin: &Login) -> anyhow::Result<Login> {
    let token = api.login(company_admin, "company admin laptop").await?;
    let body = json!({
        "org_id": DISTRIBUTOR,
        "legal_name": "Demo Distributor",
        "registration": "27AAADD1111B1Z6",
        "admin_login": "distributor-admin",
        "modules": ["DMS", "PRM"],
    });
    let onboarded = api
        .post_json(&token, &format!("/api/v1/orgs/{COMPANY}/distributors"), &body)
        .await?;
    Ok(Login {
        login: text_field(&onboarded["admin"], "login")?,
        password: text_field(&onboarded["admin"], "password")?,
    })
}

/// Onboards partners: the first user of each from one CSV, the second singly. Returns the
/// logins by partner number, two per partner.
pub async fn onboard_partners(api: &Api, admin_token: &str, partners: u32) -> anyhow::Result<Vec<[Login; 2]>> {
    let mut csv = String::from("party_id,legal_name,registration,login\n");
    for number in 0..partners {
        csv.push_str(&format!(
            "partner-{number:03},Partner {number} Stores,27PRTNR{number:04}Z,partner-{number:03}-user-0\n"
        ));
    }
    let imported = api
        .post_csv(admin_token, &format!("/api/v1/orgs/{DISTRIBUTOR}/partners/import"), csv)
        .await?;
    let rejected = imported["rejected"].as_array().map(Vec::len).unwrap_or_default();
    if rejected > 0 {
        bail!("the partner import rejected {rejected} rows: {}", imported["rejected"]);
    }
    let first_logins = imported["onboarded"].as_array().cloned().unwrap_or_default();

    let mut logins = Vec::new();
    for (number, first) in (0..partners).zip(first_logins) {
        let second = api
            .post_json(
                admin_token,
                &format!("/api/v1/orgs/{DISTRIBUTOR}/partners"),
                &json!({
                    "party_id": format!("partner-{number:03}"),
                    "legal_name": format!("Partner {number} Stores"),
                    "login": format!("partner-{number:03}-user-1"),
                }),
            )
            .await?;
        logins.push([credentials(&first)?, credentials(&second)?]);
    }
    Ok(logins)
}

/// Creates a distributor salesperson and returns its login.
pub async fn create_sales_rep(api: &Api, admin_token: &str, number: u32) -> anyhow::Result<Login> {
    let created = api
        .post_json(
            admin_token,
            &format!("/api/v1/orgs/{DISTRIBUTOR}/users"),
            &json!({"login": format!("rep-{number:03}"), "role": "distributor_salesperson"}),
        )
        .await?;
    Ok(Login {
        login: text_field(&created, "login")?,
        password: text_field(&created, "password")?,
    })
}

fn credentials(onboarded: &Value) -> anyhow::Result<Login> {
    Ok(Login {
        login: text_field(&onboarded["credentials"], "login")?,
        password: text_field(&onboarded["credentials"], "password")?,
    })
}

fn text_field(value: &Value, name: &str) -> anyhow::Result<String> {
    value[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the demo server's answer has no {name}: {value}"))
}
