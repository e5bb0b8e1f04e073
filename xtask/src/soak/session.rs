//! One signed-in session of the soak: a demo user's mix of reads and writes, each answer
//! checked against what that user must get, its own dashboards' content checked after every
//! acknowledged write.

#![cfg(feature = "bench")]

use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use gatehouse_api::dashboards::{
    AccessControlResult, ChangeAccessModeRequest, CreateDashboard, Dashboard, DashboardAccessMode,
    DashboardData, Panel, SavedObjectRef, UpdateDashboard, CHANGE_ACCESS_MODE_PATH,
    DASHBOARDS_PATH,
};
use gatehouse_api::leads::{GenerateRequest, LEADS_BASE};
use reqwest::{Method, StatusCode};

use super::users::{Live, Stats, User, SEEDED};
use crate::http::Client;

/// Own dashboards each session (of a user who may create them) creates and edits.
const OWN_DASHBOARDS: usize = 2;

/// Small deterministic generator (xorshift64*), one per session.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What the session last had acknowledged for one of its own dashboards.
struct Own {
    id: String,
    data: DashboardData,
    version: String,
    /// The version before the last acknowledged change: a write carrying it must get 409.
    stale: Option<String>,
    mode: DashboardAccessMode,
    edits: u64,
}

pub struct Session {
    index: usize,
    pub user: User,
    client: Client,
    rng: Rng,
    own: Vec<Own>,
    pub stats: Stats,
    live: Arc<Live>,
}

/// Same content as far as the user can tell: title, description and panels.
fn same_content(a: &DashboardData, b: &DashboardData) -> bool {
    a.title == b.title && a.description == b.description && a.panels == b.panels
}

impl Session {
    /// Session `index` of the run, signed in as `user` through `client`.
    pub fn new(index: usize, user: User, client: Client, live: Arc<Live>) -> Session {
        Session {
            index,
            user,
            client,
            rng: Rng(0x9e37_79b9_7f4a_7c15 ^ ((index as u64 + 1) * 0x1000_0001)),
            own: Vec::new(),
            stats: Stats::default(),
            live,
        }
    }

    /// The session's cookie, for requests made on its behalf after the load.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// How many dashboards of its own the session created.
    pub fn owned(&self) -> usize {
        self.own.len()
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, path)
    }

    /// Sends, counts the status, and checks it against `expect`; the body on a response.
    async fn send(
        &mut self,
        op: &'static str,
        req: reqwest::RequestBuilder,
        expect: StatusCode,
    ) -> Option<(StatusCode, Vec<u8>)> {
        *self.stats.by_op.entry(op).or_default() += 1;
        self.live.requests.fetch_add(1, Ordering::Relaxed);
        let answer = match req.send().await {
            Ok(r) => {
                let status = r.status();
                r.bytes().await.map(|b| (status, b.to_vec()))
            }
            Err(e) => Err(e),
        };
        let (status, body) = match answer {
            Ok(a) => a,
            Err(e) => {
                self.stats.transport_errors += 1;
                let who = self.user.name;
                self.stats
                    .example(format!("{op} as {who}: transport error {e}"));
                return None;
            }
        };
        *self.stats.by_status.entry(status.as_u16()).or_default() += 1;
        if status.is_server_error() {
            self.live.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        if status != expect {
            self.stats.unexpected += 1;
            let who = self.user.name;
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            self.stats.example(format!(
                "{op} as {who}: {status}, expected {expect}: {text}"
            ));
        }
        Some((status, body))
    }

    fn content(&mut self, slot: usize, edit: u64) -> DashboardData {
        let panels = (0..1 + self.rng.below(4))
            .map(|p| Panel {
                id: format!("p{p}"),
                title: format!("Panel {p} of edit {edit}"),
                panel_type: ["metric", "line", "bar", "table"][(self.rng.below(4)) as usize]
                    .to_string(),
                description: Some(format!("rng {}", self.rng.next())),
                query: None,
            })
            .collect();
        DashboardData {
            title: format!("soak s{} d{slot} edit {edit}", self.index),
            description: format!(
                "session {} ({}) edit {edit}: {:016x}",
                self.index,
                self.user.name,
                self.rng.next()
            ),
            panels,
            access_control: None,
        }
    }

    pub async fn create_own(&mut self) -> Result<()> {
        for slot in 0..OWN_DASHBOARDS {
            let mode = if slot % 2 == 0 {
                DashboardAccessMode::Default
            } else {
                DashboardAccessMode::WriteRestricted
            };
            let data = self.content(slot, 0);
            let mut body = CreateDashboard::new(&data.title, &data.description, mode);
            body.data.panels = data.panels.clone();
            let req = self.request(Method::POST, DASHBOARDS_PATH).json(&body);
            let Some((StatusCode::OK, bytes)) = self.send("create", req, StatusCode::OK).await
            else {
                bail!(
                    "session {} ({}) could not create its dashboard",
                    self.index,
                    self.user.name
                );
            };
            let created: Dashboard = serde_json::from_slice(&bytes).context("create answer")?;
            let version = created
                .version()
                .context("create answered no version")?
                .to_string();
            self.own.push(Own {
                id: created.id,
                data,
                version,
                stale: None,
                mode,
                edits: 0,
            });
        }
        Ok(())
    }

    /// Reads own dashboard `slot` and checks it returns the last acknowledged content, version
    /// and mode; returns what it read.
    pub async fn verify_own(&mut self, slot: usize, op: &'static str) -> Option<Dashboard> {
        let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
        let req = self.request(Method::GET, &path);
        let (status, bytes) = self.send(op, req, StatusCode::OK).await?;
        if status != StatusCode::OK {
            return None;
        }
        let Ok(read) = serde_json::from_slice::<Dashboard>(&bytes) else {
            self.stats.unexpected += 1;
            self.stats.example(format!("{op}: unreadable dashboard"));
            return None;
        };
        let own = &self.own[slot];
        let content_ok = same_content(&read.data, &own.data);
        let version_ok = read.version() == Some(own.version.as_str());
        let mode_ok = read.access_mode() == own.mode;
        if content_ok && version_ok && mode_ok {
            self.stats.verified_reads += 1;
        } else {
            self.stats.lost_updates += 1;
            let msg = format!(
                "lost update on {} (session {}, {}): acknowledged v{} {:?} mode {:?}, read v{:?} {:?} mode {:?}",
                own.id,
                self.index,
                self.user.name,
                own.version,
                own.data.title,
                own.mode,
                read.version(),
                read.data.title,
                read.access_mode()
            );
            self.stats.example(msg);
        }
        Some(read)
    }

    async fn edit_own(&mut self, slot: usize) {
        let edit = self.own[slot].edits + 1;
        let data = self.content(slot, edit);
        let body = UpdateDashboard {
            data: data.clone(),
            version: Some(self.own[slot].version.clone()),
        };
        let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
        let req = self.request(Method::PUT, &path).json(&body);
        let Some((StatusCode::OK, bytes)) = self.send("edit", req, StatusCode::OK).await else {
            return;
        };
        let Ok(saved) = serde_json::from_slice::<Dashboard>(&bytes) else {
            self.stats.unexpected += 1;
            self.stats.example("edit: unreadable answer".into());
            return;
        };
        let Some(version) = saved.version().map(str::to_string) else {
            self.stats.unexpected += 1;
            self.stats.example("edit: answer without a version".into());
            return;
        };
        let own = &mut self.own[slot];
        if !same_content(&saved.data, &data) || version == own.version {
            self.stats.unexpected += 1;
            self.stats.example(format!(
                "edit of {}: the answer is not the saved content with a new version",
                own.id
            ));
        }
        // Acknowledged: from now on every read must return exactly this.
        self.stats.acked_writes += 1;
        own.stale = Some(std::mem::replace(&mut own.version, version));
        own.data = data;
        own.edits = edit;
    }

    /// A write carrying an outdated version: 409, and the stored content must not change.
    async fn stale_write(&mut self, slot: usize) {
        let Some(stale) = self.own[slot].stale.clone() else {
            return;
        };
        let data = self.content(slot, 999_999);
        let body = UpdateDashboard {
            data,
            version: Some(stale),
        };
        let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
        let req = self.request(Method::PUT, &path).json(&body);
        if let Some((StatusCode::CONFLICT, _)) =
            self.send("stale edit", req, StatusCode::CONFLICT).await
        {
            if self.verify_own(slot, "read own").await.is_some() {
                self.stats.stale_refused += 1;
            }
        }
    }

    async fn change_mode(&mut self, slot: usize) {
        let mode = match self.own[slot].mode {
            DashboardAccessMode::Default => DashboardAccessMode::WriteRestricted,
            DashboardAccessMode::WriteRestricted => DashboardAccessMode::Default,
        };
        let body = ChangeAccessModeRequest {
            objects: vec![SavedObjectRef::dashboard(&self.own[slot].id)],
            access_mode: mode,
        };
        let req = self
            .request(Method::POST, CHANGE_ACCESS_MODE_PATH)
            .json(&body);
        let Some((StatusCode::OK, bytes)) = self.send("mode", req, StatusCode::OK).await else {
            return;
        };
        match serde_json::from_slice::<AccessControlResult>(&bytes) {
            Ok(r) if r.errors().next().is_none() => {}
            _ => {
                self.stats.unexpected += 1;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.stats.example(format!("mode change refused: {text}"));
                return;
            }
        }
        self.stats.mode_changes += 1;
        // The mode change bumps the version; read it back: content as last saved, new mode,
        // a newer version.
        let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
        let req = self.request(Method::GET, &path);
        let Some((StatusCode::OK, bytes)) = self.send("read own", req, StatusCode::OK).await else {
            return;
        };
        let Ok(read) = serde_json::from_slice::<Dashboard>(&bytes) else {
            self.stats.unexpected += 1;
            return;
        };
        let own = &mut self.own[slot];
        let newer = read
            .version()
            .and_then(|v| v.parse::<i64>().ok())
            .zip(own.version.parse::<i64>().ok())
            .is_some_and(|(read, had)| read > had);
        if same_content(&read.data, &own.data) && read.access_mode() == mode && newer {
            self.stats.verified_reads += 1;
            own.stale = Some(std::mem::replace(
                &mut own.version,
                read.version().unwrap_or_default().to_string(),
            ));
            own.mode = mode;
        } else {
            self.stats.lost_updates += 1;
            let msg = format!(
                "after a mode change of {}: acknowledged {:?} mode {mode:?} after v{}, read v{:?} {:?} mode {:?}",
                own.id,
                own.data.title,
                own.version,
                read.version(),
                read.data.title,
                read.access_mode()
            );
            self.stats.example(msg);
        }
    }

    pub async fn one_op(&mut self) {
        let u = self.user;
        let ok_or_403 = |allowed: bool| {
            if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            }
        };
        // Weights out of 100.
        let roll = self.rng.below(100);
        let has_own = !self.own.is_empty();
        let slot = self.rng.below(self.own.len() as u64) as usize;
        match roll {
            0..=11 => {
                let req = self.request(Method::GET, &format!("{LEADS_BASE}/privileges"));
                self.send("leads privileges", req, ok_or_403(u.leads_route()))
                    .await;
            }
            12..=23 => {
                let page = 1 + self.rng.below(3);
                let req =
                    self.request(Method::GET, &format!("{LEADS_BASE}?page={page}&perPage=20"));
                self.send("leads find", req, ok_or_403(u.leads_read()))
                    .await;
            }
            24..=29 if u.generate() => {
                let body = GenerateRequest {
                    connector_id: gatehouse_api::leads::connector::BUILTIN_CONNECTOR_ID.into(),
                    max_leads: Some(1 + self.rng.below(20) as u32),
                };
                let req = self
                    .request(Method::POST, &format!("{LEADS_BASE}/generate"))
                    .json(&body);
                self.send("generate", req, StatusCode::OK).await;
            }
            24..=41 => {
                let search = ["", "soak", "overview", "s1 d0"][self.rng.below(4) as usize];
                let req = self.request(
                    Method::GET,
                    &format!(
                        "{DASHBOARDS_PATH}?search={}&page=1&perPage=20",
                        search.replace(' ', "+")
                    ),
                );
                self.send("dashboards list", req, StatusCode::OK).await;
            }
            42..=55 => {
                let id = SEEDED[self.rng.below(SEEDED.len() as u64) as usize];
                let req = self.request(Method::GET, &format!("{DASHBOARDS_PATH}/{id}"));
                self.send("dashboard get", req, StatusCode::OK).await;
            }
            56..=77 if has_own => {
                self.edit_own(slot).await;
                // Half the edits are read back at once; the rest at a later read.
                if self.rng.below(2) == 0 {
                    self.verify_own(slot, "read own").await;
                }
            }
            78..=85 if has_own => {
                self.verify_own(slot, "read own").await;
            }
            86..=89 if has_own => self.stale_write(slot).await,
            90..=94 if has_own => self.change_mode(slot).await,
            95..=99 => {
                if let Some(id) = u.forbidden_edit {
                    let body = UpdateDashboard {
                        data: DashboardData {
                            title: format!("forbidden write by {}", u.name),
                            ..DashboardData::default()
                        },
                        version: None,
                    };
                    let req = self
                        .request(Method::PUT, &format!("{DASHBOARDS_PATH}/{id}"))
                        .json(&body);
                    self.send("forbidden edit", req, StatusCode::FORBIDDEN)
                        .await;
                } else {
                    let req =
                        self.request(Method::GET, &format!("{DASHBOARDS_PATH}/{}", SEEDED[0]));
                    self.send("dashboard get", req, StatusCode::OK).await;
                }
            }
            _ => {
                let req =
                    self.request(Method::GET, &format!("{DASHBOARDS_PATH}?page=1&perPage=20"));
                self.send("dashboards list", req, StatusCode::OK).await;
            }
        }
    }
}

/// Seeded dashboards' versions: the refused writes must leave them as they were.
pub async fn seeded_versions(client: &Client) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for id in SEEDED {
        let d: Dashboard = client
            .get_json(&format!("{DASHBOARDS_PATH}/{id}"))
            .await
            .with_context(|| format!("read {id}"))?;
        out.push((id.to_string(), d.meta.version));
    }
    Ok(out)
}
