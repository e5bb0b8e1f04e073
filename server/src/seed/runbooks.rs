//! The demo runbooks source: its documents, identities and the role that searches it.

use gatehouse_api::admin::RoleDescriptor;
use gatehouse_api::search::{
    ExternalIdentity, UserProperty, ALLOW_PERMISSIONS, DENY_PERMISSIONS, USERNAME_ATTRIBUTE,
};
use rusqlite::params;
use serde_json::{json, Value};

use crate::admin::roles;
use crate::authz::{self};
use crate::platform::db::{self, Db};

use crate::search::*;

// ---------------------------------------------------------------------------------------------
// Demo data
// ---------------------------------------------------------------------------------------------

pub(crate) struct Runbook {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) tags: &'static [&'static str],
    pub(crate) allow: &'static [&'static str],
    pub(crate) deny: &'static [&'static str],
    pub(crate) body: &'static str,
}

pub(crate) const IR: &[&str] = &["ir-team"];
pub(crate) const OPEN: &[&str] = &[];

/// Incident-response runbooks, tagged with the lead generator's tags (entity type, `<level>-risk`,
/// `alerts`, asset criticality) so leads can find them.
pub(crate) const RUNBOOKS: &[Runbook] = &[
    Runbook {
        id: "rb-001",
        title: "Isolate a compromised host",
        tags: &["host", "critical-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "When a host shows signs of compromise (ransomware notes, beaconing, credential dumping), isolate it from the network with the endpoint agent before anything else. Keep the machine powered on so memory can be captured. Record the isolation time, the analyst and the lead that triggered it, then notify the asset owner.",
    },
    Runbook {
        id: "rb-002",
        title: "Ransomware containment and recovery",
        tags: &["host", "critical-risk", "extreme_impact", "alerts"],
        allow: IR,
        deny: OPEN,
        body: "Ransomware playbook for the IR team. Disable the affected accounts, block the encryption process hashes fleet-wide, isolate every host that contacted the same command-and-control address and snapshot file shares. Do not pay or contact the actors; legal and the CISO decide on disclosure. Restore from the offline backups only after the initial access vector is closed.",
    },
    Runbook {
        id: "rb-003",
        title: "Triage a high-risk user account",
        tags: &["user", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Review the user's sign-in history, MFA prompts and recent privilege changes. Compare the source addresses with the user's usual locations. If any sign-in is unexplained, revoke the user's sessions and ask them to confirm the activity through a known channel.",
    },
    Runbook {
        id: "rb-004",
        title: "Reset credentials of a privileged account",
        tags: &["user", "critical-risk", "high_impact"],
        allow: OPEN,
        deny: &["contractors"],
        body: "Step-by-step credential reset for domain administrators and service owners: rotate the password and the Kerberos keys twice, revoke refresh tokens, re-enrol MFA, and review delegated permissions. Uses the break-glass vault procedure, which is not shared with contractors.",
    },
    Runbook {
        id: "rb-005",
        title: "Suspicious service account activity",
        tags: &["service", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Service accounts should sign in from a fixed set of hosts at predictable times. Alert on interactive logons, new source hosts and access to systems outside the service's scope. Confirm with the service owner, then rotate the account's credentials and restrict where it may log on.",
    },
    Runbook {
        id: "rb-006",
        title: "Lateral movement investigation",
        tags: &["host", "user", "high-risk", "alerts"],
        allow: IR,
        deny: OPEN,
        body: "Trace remote logons, SMB and WinRM sessions and remote service creation from the first compromised host. Build a timeline of every account used and every host reached. Contain hosts in the order the attacker reached them and hunt for persistence on each.",
    },
    Runbook {
        id: "rb-007",
        title: "Phishing triage: reported emails",
        tags: &["user", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "For each reported email, extract the sender, links and attachments. Detonate attachments in the sandbox, search mailboxes for the same message and purge it. If anyone clicked, reset the user's password and check for new inbox rules and OAuth grants.",
    },
    Runbook {
        id: "rb-008",
        title: "Business email compromise response",
        tags: &["user", "critical-risk", "high_impact"],
        allow: IR,
        deny: OPEN,
        body: "When a mailbox is used to redirect payments: freeze pending wire transfers with finance, remove forwarding rules, revoke sessions and app passwords, and preserve the mailbox audit log. Coordinate with the bank's fraud team within the first hours.",
    },
    Runbook {
        id: "rb-009",
        title: "Malware on a workstation: the first hour",
        tags: &["host", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Confirm the detection, collect the process tree and the file hash, and look the hash up in threat intelligence. Quarantine the file, run a full scan and check whether the same hash appears on other hosts. Escalate to the IR team when the malware has network capability.",
    },
    Runbook {
        id: "rb-010",
        title: "Exposed cloud service credentials",
        tags: &["service", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Leaked cloud access keys: deactivate the key at once, list every API call made with it since the leak, and look for new users, keys, roles and compute instances. Rotate secrets the service could read and review the storage buckets it had access to for exfiltration.",
    },
    Runbook {
        id: "rb-011",
        title: "Brute-force attempts against the VPN gateway",
        tags: &["service", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Many failed logons from few addresses: block the sources at the edge, check for any successful logon from them and make sure lockout thresholds are enforced. Password spraying across many users looks different: low counts per user from many addresses.",
    },
    Runbook {
        id: "rb-012",
        title: "Data exfiltration: evidence collection",
        tags: &["host", "user", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Collect proxy and firewall logs for large outbound transfers, cloud storage uploads and DNS anomalies. Image the hosts involved, hash every image and record the chain of custody. Estimate what data left and inform legal before anyone contacts the user.",
    },
    Runbook {
        id: "rb-013",
        title: "Insider threat: coordinating with HR",
        tags: &["user", "high-risk", "high_impact"],
        allow: IR,
        deny: OPEN,
        body: "Investigations of an employee run quietly: no account changes that would alert them until HR and legal agree. Monitor file access and mail forwarding, preserve evidence and keep the circle of people who know to a minimum.",
    },
    Runbook {
        id: "rb-014",
        title: "VIP laptop: handling the CFO's device",
        tags: &["host", "user", "extreme_impact"],
        allow: &["vip-care"],
        deny: OPEN,
        body: "The CFO's laptop is handled by two named responders only. Collect it in person, image it in the secure room, and never attach it to the shared forensic network. Notes about the device stay in this source.",
    },
    Runbook {
        id: "rb-015",
        title: "Impossible travel sign-ins",
        tags: &["user", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Two sign-ins too far apart for the time between them. Rule out VPN egress points and mobile carriers first, then ask the user. If the second sign-in is not theirs, revoke sessions and reset the password.",
    },
    Runbook {
        id: "rb-016",
        title: "Web shell on an internet-facing server",
        tags: &["host", "service", "critical-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "A script in the web root that runs commands: take the server out of the load balancer, copy the web root and logs, and find the upload request in the access log. Patch the vulnerable application before rebuilding the server from a clean image.",
    },
    Runbook {
        id: "rb-017",
        title: "Kerberoasting follow-up",
        tags: &["user", "service", "high-risk"],
        allow: OPEN,
        deny: OPEN,
        body: "Many service ticket requests with RC4 encryption from one user: find which service accounts were targeted, give them long random passwords, and check whether the requesting account was compromised.",
    },
    Runbook {
        id: "rb-018",
        title: "Domain controller compromise",
        tags: &["host", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Assume the whole domain is compromised. Reset the KRBTGT account twice, rebuild trust from a clean domain controller, and hunt for golden tickets, new administrators and modified group policies. This runbook names the out-of-band communication channels.",
    },
    Runbook {
        id: "rb-019",
        title: "Low-risk alert hygiene: closing the noise",
        tags: &["host", "low-risk", "alerts", "low_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Low-risk hosts with many low-severity alerts: group the alerts by rule, tune the rules that fire on known-good behaviour and document each exception with an owner and an expiry date.",
    },
    Runbook {
        id: "rb-020",
        title: "Moderate-risk host review checklist",
        tags: &["host", "moderate-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Check patch level, local administrators, autoruns and recent software installs. Confirm the endpoint agent is healthy and reporting. Close the lead with a note when nothing stands out.",
    },
    Runbook {
        id: "rb-021",
        title: "Unusual process on a database server",
        tags: &["host", "service", "high-risk", "high_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A shell or scripting engine spawned by the database service often means SQL injection or a stolen database account. Capture the command line, the parent process and the database audit log, and check for new database users.",
    },
    Runbook {
        id: "rb-022",
        title: "Suspicious PowerShell execution",
        tags: &["host", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Encoded commands, download cradles and AMSI bypasses: decode the script block log, extract every address and file it touched, and search for the same script on other hosts.",
    },
    Runbook {
        id: "rb-023",
        title: "MFA fatigue attack",
        tags: &["user", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Many push prompts in a short time means someone has the password. Reset it, revoke sessions, switch the user to number matching, and check whether any prompt was approved.",
    },
    Runbook {
        id: "rb-024",
        title: "API key committed to source code",
        tags: &["service", "high-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Revoke the key, issue a new one through the secrets manager and rewrite the repository history only after revocation. Review the provider's logs for use of the key since the commit.",
    },
    Runbook {
        id: "rb-025",
        title: "DNS tunnelling investigation",
        tags: &["host", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Long, random-looking subdomains and high query volumes to one domain: identify the process making the queries, block the domain and check when the traffic started.",
    },
    Runbook {
        id: "rb-026",
        title: "Evidence preservation and chain of custody",
        tags: &["host", "user", "service", "critical-risk"],
        allow: IR,
        deny: OPEN,
        body: "Every image, log export and memory capture gets a hash, a label and a custody record naming who held it and when. Store evidence in the sealed evidence share; never analyse originals.",
    },
    Runbook {
        id: "rb-027",
        title: "Contacting law enforcement",
        tags: &["critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Only the IR lead, with legal, contacts law enforcement. This runbook lists the contacts, what to hand over and what must stay confidential.",
    },
    Runbook {
        id: "rb-028",
        title: "Escalation matrix and on-call rota",
        tags: &["alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Who to call for which severity: critical leads page the on-call responder at once, high leads within the hour, moderate and low leads are reviewed on the next business day.",
    },
    Runbook {
        id: "rb-029",
        title: "Outage or attack? Telling them apart",
        tags: &["service", "moderate-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A service that stops answering may be failing or under attack. Check deployments and capacity first, then look for traffic floods, configuration changes by unexpected accounts and deleted resources.",
    },
    Runbook {
        id: "rb-030",
        title: "Unmanaged device on the network",
        tags: &["host", "low-risk", "low_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A host without the endpoint agent: find its switch port or access point, identify the owner, and either enrol the device or move it to the guest network.",
    },
    Runbook {
        id: "rb-031",
        title: "Account takeover of a low-risk user",
        tags: &["user", "low-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Even a low-risk user's account can be a foothold: reset the password, revoke sessions and look for mailbox rules, new MFA devices and shared file links created by the attacker.",
    },
    Runbook {
        id: "rb-032",
        title: "Crypto-mining on a build server",
        tags: &["host", "service", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Sustained CPU use by an unknown process and connections to mining pools: kill the process, find how it started (often a poisoned dependency or an exposed CI runner) and rotate the secrets the build server holds.",
    },
];

/// Demo identities of the Runbooks source: `(external_user_id, users, permissions)`.
/// `leads_full_user` holds two, which add up to `ir-team` + `vip-care`.
const RUNBOOK_IDENTITIES: &[(&str, &[&str], &[&str])] = &[
    ("ir-lead", &["leads_full_user"], &["ir-team"]),
    ("soc-admin", &["elastic"], &["ir-team"]),
    ("vip-desk", &["leads_full_user", "elastic"], &["vip-care"]),
    ("contractor-bob", &["bob"], &["contractors"]),
    (
        "contractor-night-shift",
        &["leads_no_access_user"],
        &["contractors"],
    ),
];

pub fn runbook_documents() -> Vec<Value> {
    RUNBOOKS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": r.id,
                "title": r.title,
                "body": r.body,
                "url": format!("https://runbooks.gatehouse.example/{}", r.id),
                "type": "runbook",
                "created_at": format!("2025-01-{:02}T09:00:00Z", 1 + i % 28),
                "tags": r.tags,
                ALLOW_PERMISSIONS: r.allow,
                DENY_PERMISSIONS: r.deny,
            })
        })
        .collect()
}

pub fn runbook_identities() -> Vec<ExternalIdentity> {
    RUNBOOK_IDENTITIES
        .iter()
        .map(|(id, users, permissions)| ExternalIdentity {
            content_source_id: RUNBOOKS_SOURCE.into(),
            external_user_id: id.to_string(),
            external_user_properties: users
                .iter()
                .map(|u| UserProperty {
                    attribute_name: USERNAME_ATTRIBUTE.into(),
                    attribute_value: u.to_string(),
                })
                .collect(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        })
        .collect()
}

const SEEDED_KEY: &str = "runbooks_seeded";

/// Seeds the `Runbooks` source, its identities and the `search_user` role, once per database
/// (a deleted source stays deleted). Returns whether it seeded.
pub fn seed_runbooks(db: &Db) -> anyhow::Result<bool> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        let seeded: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM ws_meta WHERE key = ?1)",
            [SEEDED_KEY],
            |r| r.get(0),
        )?;
        if seeded {
            return Ok(false);
        }
        if source_name(&tx, RUNBOOKS_SOURCE)?.is_none() {
            insert_source(&tx, RUNBOOKS_SOURCE, RUNBOOKS_NAME)?;
        }
        for document in runbook_documents() {
            let valid = validate_document(&document)
                .map_err(|e| anyhow::anyhow!("demo runbook is invalid: {:?}", e.errors))?;
            upsert_document(&tx, RUNBOOKS_SOURCE, &valid)?;
        }
        for identity in runbook_identities() {
            put_identity(&tx, &identity)?;
        }
        if roles::get_role(&tx, SEARCH_USER_ROLE)?.is_none() {
            let role = RoleDescriptor {
                applications: vec![authz::app_grant(
                    gatehouse_api::security::KIBANA_APPLICATION,
                    &[&format!(
                        "feature_{}.read",
                        gatehouse_api::search::FEATURE_ID
                    )],
                    &["space:default"],
                )],
                metadata: json!({}),
                description: Some("Searches the sources of the Search app.".into()),
                ..Default::default()
            };
            roles::store_role(&tx, SEARCH_USER_ROLE, &role)?;
        }
        tx.execute(
            "INSERT INTO ws_meta (key, value) VALUES (?1, ?2)",
            params![SEEDED_KEY, db::now_secs().to_string()],
        )?;
        tx.commit()?;
        tracing::info!(
            documents = RUNBOOKS.len(),
            "seeded the Runbooks search source"
        );
        Ok(true)
    })
}
