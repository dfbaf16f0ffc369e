//! Shared harness for the cross-crate and end-to-end tests in `tests/tests/`: a real sync
//! server on a loopback port with a fresh data folder, tenants, tokens and devices.

pub mod back_office;
pub mod raw_peer;

use std::path::{Path, PathBuf};

use dms_device::{Device, DeviceConfig, DeviceIdentity};
use dms_domain::{PartyId, TenantId, UserId};
use dms_server::access::Principal;
use dms_server::{AppState, admin};
use tempfile::TempDir;

/// The demo's built-in catalog: 24 products with ids DM-001 to DM-024.
pub const BUILTIN_CATALOG: &str = dms_server::demo::BUILTIN_CATALOG;

/// A running server and the folder it writes to; both go away when dropped.
pub struct TestServer {
    pub state: AppState,
    pub url: String,
    pub folder: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<dms_server::Result<()>>>,
}

impl TestServer {
    /// Starts a server on a free loopback port. Call inside a tokio runtime.
    pub async fn start() -> TestServer {
        let folder = tempfile::tempdir().expect("temporary folder");
        Self::start_in(folder).await
    }

    /// Starts a server whose state `configure` adjusts first, such as a shorter
    /// `header_read_timeout`.
    pub async fn start_configured(configure: impl FnOnce(&mut AppState)) -> TestServer {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut state = AppState::open(folder.path().join("server")).expect("open server state");
        configure(&mut state);
        Self::serve(folder, state).await
    }

    /// Starts a server over an existing folder, as after a restart.
    pub async fn start_in(folder: TempDir) -> TestServer {
        let state = AppState::open(folder.path().join("server")).expect("open server state");
        Self::serve(folder, state).await
    }

    async fn serve(folder: TempDir, state: AppState) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(dms_server::serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        TestServer {
            state,
            url,
            folder,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops serving and returns the data folder, so a new server can start over it.
    pub async fn stop(mut self) -> TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let folder = tempfile::tempdir().expect("temporary folder");
        std::mem::replace(&mut self.folder, folder)
    }

    /// Registers a tenant and imports the built-in catalog into it.
    pub fn tenant_with_catalog(&self, tenant: &str) -> TenantId {
        let tenant_id = TenantId::new(tenant).expect("tenant id");
        admin::create_tenant(&self.state, &tenant_id, tenant).expect("create tenant");
        let import = admin::import_catalog(&self.state, &tenant_id, BUILTIN_CATALOG.as_bytes()).expect("import");
        assert_eq!(import.imported, 24);
        tenant_id
    }

    /// Issues a token bound to `tenant` for a partner user buying for `party`, making the
    /// user, the partner, the link and the grant as `admin issue-token` does.
    pub fn partner_token(&self, tenant: &TenantId, user: &str, party: &str) -> (Principal, String) {
        let party = PartyId::new(party).expect("party id");
        self.token_for(tenant, user, "partner", Some(&party))
    }

    /// Issues a token bound to `tenant` for a distributor salesperson (a sales rep).
    pub fn staff_token(&self, tenant: &TenantId, user: &str) -> (Principal, String) {
        self.token_for(tenant, user, "staff", None)
    }

    /// Issues a token bound to `tenant` for `user` with `role` (a role name).
    pub fn token_for(&self, tenant: &TenantId, user: &str, role: &str, party: Option<&PartyId>) -> (Principal, String) {
        let user = UserId::new(user).expect("user id");
        let token = admin::issue_token(&self.state, tenant, &user, role, party).expect("issue token");
        let principal = self.state.registry.context(&user, tenant).expect("acting context");
        (principal, token)
    }

    /// Opens a device store in this server's folder, logged in with `token`.
    pub fn device(&self, name: &str, principal: &Principal, token: &str) -> Device {
        open_device(&self.folder.path().join("devices"), name, &self.url, principal, token)
    }

    pub fn sync_url(&self) -> String {
        format!("{}/sync", self.url.replacen("http", "ws", 1))
    }
}

/// Opens a device store at `folder/name.sqlite`.
pub fn open_device(folder: &Path, name: &str, url: &str, principal: &Principal, token: &str) -> Device {
    Device::open(
        &device_path(folder, name),
        DeviceConfig {
            server_url: url.to_owned(),
            access_token: token.to_owned(),
            refresh_token: None,
            identity: DeviceIdentity {
                tenant_id: principal.tenant_id.clone(),
                user_id: principal.user_id.clone(),
                party_id: principal.party_id.clone(),
                device_id: name.to_owned(),
            },
        },
    )
    .expect("open device")
}

pub fn device_path(folder: &Path, name: &str) -> PathBuf {
    folder.join(format!("{name}.sqlite"))
}

/// Opens a device store at `folder/name.sqlite` for `user` of `tenant`, buying for `party`
/// when given. A child process uses it because it has no server state to make a
/// [`Principal`] from.
pub fn open_device_as(
    folder: &Path,
    name: &str,
    url: &str,
    tenant: &TenantId,
    user: &UserId,
    party: Option<&PartyId>,
    token: &str,
) -> Device {
    Device::open(
        &device_path(folder, name),
        DeviceConfig {
            server_url: url.to_owned(),
            access_token: token.to_owned(),
            refresh_token: None,
            identity: DeviceIdentity {
                tenant_id: tenant.clone(),
                user_id: user.clone(),
                party_id: party.cloned(),
                device_id: name.to_owned(),
            },
        },
    )
    .expect("open device")
}

/// Starts the running test binary again as a child process that runs only the ignored test
/// `test_name`, with `env` set and its standard output piped, for tests that kill a device
/// process with SIGKILL.
pub fn spawn_child_test(test_name: &str, env: &[(&str, &std::ffi::OsStr)]) -> std::process::Child {
    let mut command = std::process::Command::new(std::env::current_exe().expect("test binary path"));
    command
        .args(["--exact", test_name, "--ignored", "--nocapture", "--test-threads=1"])
        .stdout(std::process::Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().expect("start child test process")
}

/// Reads the child's standard output until `count` lines contain `marker`, and returns the
/// text after the marker on each of those lines. Returns fewer when the output ends first.
pub fn read_markers(child: &mut std::process::Child, marker: &str, count: usize) -> Vec<String> {
    use std::io::BufRead;

    let stdout = child.stdout.take().expect("child stdout is piped");
    let mut found = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("child stdout line");
        // libtest may print "test <name> ... " on the same line, so match anywhere.
        if let Some(at) = line.find(marker) {
            found.push(line[at + marker.len()..].trim().to_owned());
            if found.len() == count {
                break;
            }
        }
    }
    found
}

/// Kills the child with SIGKILL (no destructors, no flush) and checks that it did not finish
/// by itself first.
pub fn kill_child(mut child: std::process::Child) {
    child.kill().expect("SIGKILL the child");
    let status = child.wait().expect("wait for the killed child");
    assert!(!status.success(), "the child must have been killed, not finished");
}
