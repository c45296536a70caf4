//! Scale mode: millions of realistic CloudTrail records in S3 delivery
//! layout, for benchmarks and for measuring analyses at scale.
//!
//! The scenarios tell one story each; this mode writes the background a
//! real organisation's trail carries: several accounts and regions, a
//! realistic mix of read-only and mutating calls across 30 services, every
//! `userIdentity` type, STS sessions whose later calls use the keys minted
//! for them, calls AWS services make on a caller's behalf, and a 1–3 %
//! error rate. A scenario can be planted inside the noise
//! ([`ScaleOptions::scenario`]) so that analyses can be measured at scale.
//!
//! Output is a pure function of the options. The work is split into
//! delivery cells (account, region, 5-minute window); each cell draws from
//! its own random stream derived from the seed and the cell, so files are
//! written in parallel and the bytes do not depend on thread timing.
//!
//! ```no_run
//! use backtrail::synth::scale::{ScaleOptions, write_scale};
//! let summary = write_scale(
//!     &ScaleOptions { events: 1_000_000, ..ScaleOptions::default() },
//!     std::path::Path::new("big"),
//! )?;
//! println!("{} events in {} files", summary.events, summary.files);
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use rayon::prelude::*;
use serde_json::{Value, json};

use super::api::{signin, sts};
use super::delivery::gzip;
use super::identity::{Agent, Caller, RoleDef, Secs, Session, Who, World, at, iso, parse_time};
use super::json::write_record;
use super::records::{Call, RequestId, render};
use super::rng::Rng;
use super::{SynthError, SynthSummary};

mod calls;
mod plant;

use calls::{Menu, maybe_fail, menu_call, service_call, slot_call};
use plant::{Plant, load_plant};

/// The generated range ends here (a Monday, 00:00 UTC), so the last seven
/// days are ISO week 2026-W10 and `--days 35` adds a 4-week baseline.
pub const SCALE_END: &str = "2026-03-09T00:00:00Z";

/// Default number of accounts.
pub const DEFAULT_ACCOUNTS: u32 = 8;
/// Default number of regions per account.
pub const DEFAULT_REGIONS: u32 = 4;
/// Default number of days.
pub const DEFAULT_DAYS: u32 = 7;

/// CloudTrail delivers a file about every five minutes per account and region.
const WINDOW: Secs = 300;
/// Records per delivery file at most; a busier window is split into several files.
const MAX_FILE_RECORDS: usize = 5_000;
/// Share of background records that are STS mints (per mille of `events`).
const MINT_PER_MILLE: u64 = 15;
/// Records delivered in the next window's file (per mille).
const LATE_PER_MILLE: u32 = 40;

/// What to generate at scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOptions {
    /// Background records to write (the planted scenario's records come on top).
    pub events: u64,
    /// Seed of every random choice; the same options give the same bytes.
    pub seed: u64,
    /// Accounts (1..=1000); the first is the busiest.
    pub accounts: u32,
    /// Regions per account (1..=16); the first is each account's home region.
    pub regions: u32,
    /// Days, ending at [`SCALE_END`] (1..=366).
    pub days: u32,
    /// A scenario (see [`super::scenario_names`]) whose records are merged
    /// into the delivery files; its account becomes the first account.
    pub scenario: Option<String>,
    /// Epoch seconds the scenario's first record is moved to; default: the
    /// middle of the range, on the hour.
    pub plant_at: Option<i64>,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        ScaleOptions {
            events: 1_000_000,
            seed: super::DEFAULT_SEED,
            accounts: DEFAULT_ACCOUNTS,
            regions: DEFAULT_REGIONS,
            days: DEFAULT_DAYS,
            scenario: None,
            plant_at: None,
        }
    }
}

/// The time range `[start, end)` (epoch seconds) that `opts` covers.
pub fn time_range(opts: &ScaleOptions) -> (i64, i64) {
    let end = parse_time(SCALE_END);
    (end - i64::from(opts.days) * 86_400, end)
}

/// Writes `opts.events` background records (plus a planted scenario's) into
/// `out` in CloudTrail's S3 layout, gzip, in parallel. Refuses a directory
/// that already holds an `AWSLogs` tree.
pub fn write_scale(opts: &ScaleOptions, out: &Path) -> anyhow::Result<SynthSummary> {
    validate(opts)?;
    let logs = out.join("AWSLogs");
    if logs.exists() {
        return Err(SynthError::NotEmpty { path: logs }.into());
    }
    let (start, end) = time_range(opts);
    let plant = match &opts.scenario {
        Some(name) => Some(load_plant(name, opts.seed, opts.plant_at, start, end)?),
        None => None,
    };
    let accounts = build_accounts(opts, plant.as_ref(), start, end);
    let cells = plan_cells(opts, &accounts, plant.as_ref(), start, end);

    let files = AtomicUsize::new(0);
    let records = AtomicUsize::new(0);
    cells
        .par_iter()
        .try_for_each(|cell| -> anyhow::Result<()> {
            let (f, r) = write_cell(opts.seed, &accounts, cell, out, start, end)?;
            files.fetch_add(f, Ordering::Relaxed);
            records.fetch_add(r, Ordering::Relaxed);
            Ok(())
        })?;

    let mut key_events = Vec::new();
    if let Some(p) = plant {
        for (path, bytes) in &p.extra_files {
            let path = out.join(path);
            let write = || -> std::io::Result<()> {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, bytes)
            };
            write().map_err(|source| SynthError::Write {
                path: path.clone(),
                source,
            })?;
        }
        key_events = p.key_events;
    }
    Ok(SynthSummary {
        files: files.into_inner(),
        events: records.into_inner(),
        key_events,
    })
}

fn validate(opts: &ScaleOptions) -> anyhow::Result<()> {
    let bad = |what: &str| Err(anyhow::anyhow!("synth at scale: {what}"));
    if !(1..=1000).contains(&opts.accounts) {
        return bad("--accounts must be 1 to 1000");
    }
    if !(1..=16).contains(&opts.regions) {
        return bad("--regions must be 1 to 16");
    }
    if !(1..=366).contains(&opts.days) {
        return bad("--days must be 1 to 366");
    }
    if opts.events > 2_000_000_000 {
        return bad("--events must be at most 2,000,000,000");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The organisation: accounts, their principals and resources.

/// Who acts in an account. Every principal with temporary credentials is
/// a slot: its sessions rotate every `period` seconds, each minted by an
/// event in the home region (AssumeRole, a console sign-in, ...), and its
/// calls between two mints carry that session's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An application on EC2 (instance-profile credentials).
    Instance,
    /// A Lambda function's execution role.
    Lambda,
    /// An ECS task role.
    Ecs,
    /// A GitHub Actions deployment through OIDC (web identity).
    GitHub,
    /// An IAM Identity Center user through a permission set (SAML).
    Sso,
    /// A security tool of another account (AWSAccount caller).
    CrossAccount,
    /// An AI agent's role, assumed with a developer's key.
    Agent,
    /// A federated user (GetFederationToken).
    Federated,
    /// The Auto Scaling service-linked role, acting through the service.
    AutoScaling,
    /// The AWS Config service-linked role, acting through the service.
    Config,
    /// An IAM user signed in to the console.
    Console,
    /// The root user in the console.
    Root,
    /// An IAM Identity Center user in the access portal.
    IdentityCenter,
}

/// The order slots are created in: every kind appears in the first 13.
const KIND_CYCLE: &[Kind] = &[
    Kind::Instance,
    Kind::Sso,
    Kind::Lambda,
    Kind::GitHub,
    Kind::Ecs,
    Kind::CrossAccount,
    Kind::Agent,
    Kind::Federated,
    Kind::AutoScaling,
    Kind::Config,
    Kind::Console,
    Kind::IdentityCenter,
    Kind::Root,
    Kind::Instance,
    Kind::Lambda,
    Kind::Ecs,
    Kind::Instance,
    Kind::Sso,
    Kind::Lambda,
    Kind::Instance,
    Kind::Ecs,
    Kind::GitHub,
    Kind::Lambda,
    Kind::Console,
    Kind::Instance,
    Kind::Sso,
    Kind::Agent,
    Kind::IdentityCenter,
];

impl Kind {
    /// Share of the account's calls (relative).
    fn weight(self) -> u32 {
        match self {
            Kind::Instance => 600,
            Kind::Lambda => 450,
            Kind::Ecs => 450,
            Kind::GitHub => 100,
            Kind::Sso => 140,
            Kind::CrossAccount => 100,
            Kind::Agent => 80,
            Kind::Federated => 30,
            Kind::AutoScaling => 40,
            Kind::Config => 140,
            Kind::Console => 60,
            // The root user is rare, as it should be.
            Kind::Root => 1,
            Kind::IdentityCenter => 30,
        }
    }

    /// Session length relative to the account's base period (per cent).
    fn period_percent(self) -> i64 {
        match self {
            Kind::GitHub | Kind::Agent => 60,
            Kind::Sso | Kind::Console | Kind::IdentityCenter => 250,
            Kind::Root => 800,
            _ => 100,
        }
    }

    /// Injected errors, per mille of calls (some calls also fail by nature).
    fn error_per_mille(self) -> u32 {
        match self {
            Kind::Agent | Kind::Sso | Kind::Console | Kind::CrossAccount => 40,
            Kind::Federated | Kind::IdentityCenter | Kind::Root => 20,
            Kind::GitHub => 15,
            _ => 10,
        }
    }
}

#[derive(Debug, Clone)]
struct Slot {
    kind: Kind,
    role: RoleDef,
    /// Instance ID, function name, user e-mail, federated user name, ...
    name: String,
    period: Secs,
    phase: Secs,
    ip: String,
    agent: Agent,
    vpce: Option<String>,
    mfa: bool,
    /// GitHub subject, cross-account principal, or IAM user index (agent, federated).
    minter: Minter,
    weight: u32,
}

#[derive(Debug, Clone)]
enum Minter {
    Service(&'static str),
    WebIdentity(String),
    Saml(String),
    Account(String, String),
    User(usize),
    SignIn,
    Portal(String),
}

/// A principal with a long-term access key.
#[derive(Debug, Clone)]
struct KeyUser {
    name: String,
    id: String,
    key: String,
    ip: String,
    agent: Agent,
    menu: Menu,
    weight: u32,
}

#[derive(Debug, Clone, Copy)]
enum Actor {
    Slot(usize),
    User(usize),
    Service,
}

/// What an account holds; calls name these.
#[derive(Debug, Clone)]
struct Resources {
    buckets: Vec<String>,
    tables: Vec<String>,
    functions: Vec<String>,
    secrets: Vec<String>,
    params: Vec<String>,
    stacks: Vec<(String, String)>,
    queues: Vec<String>,
    topics: Vec<String>,
    repos: Vec<String>,
    clusters: Vec<(String, Vec<String>)>,
    log_groups: Vec<String>,
    instances: Vec<String>,
    volumes: Vec<String>,
    groups: Vec<String>,
    keys: Vec<String>,
    asgs: Vec<String>,
    dbs: Vec<String>,
    state_machines: Vec<String>,
    zones: Vec<String>,
    lambda_role: RoleDef,
    identity_store: String,
}

#[derive(Debug, Clone)]
struct Account {
    id: String,
    partition: String,
    dns_suffix: String,
    console_domain: String,
    regions: Vec<String>,
    /// Relative share of the organisation's calls.
    weight: u64,
    slots: Vec<Slot>,
    users: Vec<KeyUser>,
    actors: Vec<Actor>,
    actor_weights: Vec<u32>,
    saml: (String, String),
    oidc: String,
    res: Resources,
}

impl Account {
    fn world(&self, region: &str, start: Secs, end: Secs) -> World {
        World {
            account: self.id.clone(),
            partition: self.partition.clone(),
            home: region.to_string(),
            start,
            end,
            dns_suffix: self.dns_suffix.clone(),
            console_domain: self.console_domain.clone(),
        }
    }
}

const AWS_REGIONS: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "ap-northeast-1",
    "eu-central-1",
    "ap-southeast-1",
    "us-east-2",
    "ap-south-1",
    "eu-west-2",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
    "ap-northeast-2",
    "us-west-1",
    "eu-west-3",
];

fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn partition_regions(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws-cn" => &["cn-north-1", "cn-northwest-1"],
        "aws-us-gov" => &["us-gov-west-1", "us-gov-east-1"],
        _ => AWS_REGIONS,
    }
}

const CLI: &str = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard";
const CLI_MAC: &str = "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard";
const BOTO_LAMBDA: &str = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.69";
const JAVA_EC2: &str = "aws-sdk-java/2.25.16 Linux/6.1.82-99.168.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS Java/21.0.2 vendor/Amazon.com_Inc. exec-env/AWS_EC2 io/sync http/Apache cfg/retry-mode/legacy";
const JS_ECS: &str =
    "aws-sdk-js/3.515.0 ua/2.0 os/linux#5.10.219-229.864.amzn2.x86_64 lang/js md/nodejs#20.12.2";
const GO_ECS: &str = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE";
const TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64";
const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
const AGENT_CLI: &str = "aws-cli/2.27.15 md/awscrt#0.26.1 ua/2.1 os/macos#24.4.0 md/arch#arm64 lang/python#3.13.3 md/pyimpl#CPython exec-env/claude-code cfg/retry-mode#standard";
const AGENT_MCP: &str = "Boto3/1.38.23 md/Botocore#1.38.23 ua/2.1 os/linux#6.8.0-1021-aws md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.38.23 md/awslabs#mcp";
const SECURITY_SCANNER: &str = "Boto3/1.34.100 md/Botocore#1.34.100 ua/2.0 os/linux#5.15.0-1061-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#adaptive Botocore/1.34.100 prowler/4.2.1";

const PEOPLE: &[&str] = &[
    "ana.silva",
    "ben.okafor",
    "chen.wei",
    "dana.levi",
    "emil.novak",
    "fatima.rahman",
    "gus.meyer",
    "hana.sato",
    "ivan.petrov",
    "jade.moreau",
    "kofi.mensah",
    "lena.berg",
    "mateo.ruiz",
    "nora.khan",
    "omar.haddad",
    "priya.nair",
    "quinn.ross",
    "rosa.costa",
];
const APPS: &[&str] = &[
    "orders",
    "payments",
    "catalog",
    "checkout",
    "search",
    "inventory",
    "billing",
    "notifications",
    "accounts",
    "reports",
    "shipping",
    "pricing",
];
const PERMISSION_SETS: &[&str] = &[
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "DataEngineer",
];

fn cli_agent(prefix: &str) -> Agent {
    Agent::AwsCli {
        prefix: prefix.to_string(),
        suffix: String::new(),
    }
}

fn public_ip(r: &mut Rng) -> String {
    const FIRST: &[u8] = &[62, 81, 85, 91, 104, 146, 176, 185, 193, 203, 212, 217];
    format!(
        "{}.{}.{}.{}",
        r.pick(FIRST),
        r.range(1, 254),
        r.range(1, 254),
        r.range(1, 254)
    )
}

fn private_ip(r: &mut Rng) -> String {
    format!(
        "10.{}.{}.{}",
        r.range(0, 31),
        r.range(0, 255),
        r.range(4, 250)
    )
}

fn build_accounts(
    opts: &ScaleOptions,
    plant: Option<&Plant>,
    start: Secs,
    end: Secs,
) -> Vec<Account> {
    let range = (end - start).max(1);
    let n = opts.accounts as usize;
    let weights: Vec<u64> = (0..n).map(|i| 100_000 / (i as u64 + 1)).collect();
    let total_weight: u64 = weights.iter().sum();
    // Slots per account grow with its traffic, so a bigger trail has more
    // workloads rather than busier ones.
    let slot_counts: Vec<usize> = weights
        .iter()
        .map(|w| {
            let per_day =
                opts.events as f64 * *w as f64 / total_weight as f64 / f64::from(opts.days);
            (13.0 + per_day / 3_000.0).min(160.0) as usize
        })
        .collect();
    let total_slots: usize = slot_counts.iter().sum();
    // Base session length, chosen so that mints are ~1.5 % of the records.
    let mints_wanted = (opts.events * MINT_PER_MILLE / 1000).max(1);
    let per_slot = (mints_wanted as f64 / total_slots as f64).max(0.5);
    let base_period = ((range as f64 / per_slot) as Secs).clamp(900, range.max(900));

    (0..n)
        .map(|i| {
            let mut r = Rng::derive(opts.seed, &format!("scale/account/{i}"));
            let (id, partition, regions) = match (i, plant) {
                (0, Some(p)) => {
                    let mut regions = p.regions.clone();
                    for reg in partition_regions(&p.partition) {
                        if regions.len() >= opts.regions as usize {
                            break;
                        }
                        if !regions.iter().any(|x| x == reg) {
                            regions.push(reg.to_string());
                        }
                    }
                    (p.account.clone(), p.partition.clone(), regions)
                }
                _ => {
                    let id = format!("{}{:011}", 1 + r.below(9), r.below(100_000_000_000));
                    // Accounts have different home regions.
                    let first = i % 3;
                    let mut regions: Vec<String> = vec![AWS_REGIONS[first].to_string()];
                    for reg in AWS_REGIONS {
                        if regions.len() >= opts.regions as usize {
                            break;
                        }
                        if *reg != AWS_REGIONS[first] {
                            regions.push(reg.to_string());
                        }
                    }
                    (id, "aws".to_string(), regions)
                }
            };
            let (dns_suffix, console_domain) = match partition.as_str() {
                "aws-cn" => ("amazonaws.com.cn", "amazonaws.cn"),
                "aws-us-gov" => ("amazonaws.com", "amazonaws-us-gov.com"),
                _ => ("amazonaws.com", "aws.amazon.com"),
            };
            let mut account = Account {
                id,
                partition,
                dns_suffix: dns_suffix.to_string(),
                console_domain: console_domain.to_string(),
                regions,
                weight: weights[i],
                slots: Vec::new(),
                users: Vec::new(),
                actors: Vec::new(),
                actor_weights: Vec::new(),
                saml: (
                    format!("AWSSSO_{}_DO_NOT_DELETE", r.hex(16)),
                    format!("{}=", r.base64(27)),
                ),
                oidc: String::new(),
                res: resources(&mut r, i),
            };
            account.oidc = format!(
                "arn:{}:iam::{}:oidc-provider/token.actions.githubusercontent.com",
                account.partition, account.id
            );
            account.users = key_users(&mut r, i);
            account.slots = (0..slot_counts[i])
                .map(|k| make_slot(&mut r, &account, k, base_period, range))
                .collect();
            for (k, s) in account.slots.iter().enumerate() {
                account.actors.push(Actor::Slot(k));
                account.actor_weights.push(s.weight);
            }
            for (k, u) in account.users.iter().enumerate() {
                account.actors.push(Actor::User(k));
                account.actor_weights.push(u.weight);
            }
            account.actors.push(Actor::Service);
            account.actor_weights.push(80 * slot_counts[i] as u32 / 13);
            account
        })
        .collect()
}

fn resources(r: &mut Rng, i: usize) -> Resources {
    let apps: Vec<&str> = (0..6).map(|k| APPS[(i * 5 + k) % APPS.len()]).collect();
    let env = ["prod", "staging"];
    Resources {
        buckets: vec![
            format!("{}-artifacts-{}", apps[0], r.hex(8)),
            format!("{}-assets-{}", apps[1], r.hex(8)),
            format!("data-lake-raw-{}", r.hex(10)),
            format!("{}-exports-{}", apps[2], r.hex(8)),
            format!("cloudtrail-logs-{}", r.hex(10)),
        ],
        tables: apps
            .iter()
            .take(4)
            .map(|a| format!("{a}-{}", env[0]))
            .collect(),
        functions: apps
            .iter()
            .flat_map(|a| [format!("{a}-api"), format!("{a}-worker")])
            .collect(),
        secrets: apps
            .iter()
            .take(4)
            .map(|a| format!("prod/{a}/db-credentials-{}", r.alnum(6)))
            .collect(),
        params: apps
            .iter()
            .flat_map(|a| {
                [
                    format!("/prod/{a}/feature-flags"),
                    format!("/prod/{a}/endpoint"),
                ]
            })
            .collect(),
        stacks: apps
            .iter()
            .take(4)
            .map(|a| (format!("{a}-{}", env[0]), r.uuid()))
            .collect(),
        queues: apps.iter().take(4).map(|a| format!("{a}-events")).collect(),
        topics: apps.iter().take(3).map(|a| format!("{a}-alerts")).collect(),
        repos: apps
            .iter()
            .take(4)
            .map(|a| format!("{a}-service"))
            .collect(),
        clusters: vec![
            (
                format!("{}-cluster", env[0]),
                apps.iter().take(3).map(|a| format!("{a}-svc")).collect(),
            ),
            (
                format!("{}-cluster", env[1]),
                vec![format!("{}-svc", apps[3])],
            ),
        ],
        log_groups: apps
            .iter()
            .map(|a| format!("/aws/lambda/{a}-api"))
            .chain(std::iter::once("/ecs/prod-cluster".to_string()))
            .collect(),
        instances: (0..6).map(|_| r.ec2_id("i")).collect(),
        volumes: (0..6).map(|_| r.ec2_id("vol")).collect(),
        groups: (0..4).map(|_| r.ec2_id("sg")).collect(),
        keys: (0..3).map(|_| r.uuid()).collect(),
        asgs: apps
            .iter()
            .take(2)
            .map(|a| format!("{a}-web-asg"))
            .collect(),
        dbs: apps
            .iter()
            .take(2)
            .map(|a| format!("{a}-db-{}", env[0]))
            .collect(),
        state_machines: apps
            .iter()
            .take(2)
            .map(|a| format!("{a}-workflow"))
            .collect(),
        zones: (0..2).map(|_| format!("Z0{}", r.upper_alnum(19))).collect(),
        lambda_role: RoleDef {
            name: format!("{}-lambda-role", apps[0]),
            path: "/".to_string(),
            id: r.iam_id("AROA"),
        },
        identity_store: format!("d-{}", r.hex(10)),
    }
}

fn key_users(r: &mut Rng, i: usize) -> Vec<KeyUser> {
    let mut user = |name: &str, agent: Agent, menu: Menu, weight: u32| KeyUser {
        name: name.to_string(),
        id: r.iam_id("AIDA"),
        key: r.access_key("AKIA"),
        ip: public_ip(r),
        agent,
        menu,
        weight: weight * 10,
    };
    vec![
        user(
            "terraform-ci",
            Agent::Fixed(TERRAFORM.into()),
            Menu::Deploy,
            6,
        ),
        user(
            "metrics-exporter",
            Agent::Fixed(JAVA_EC2.into()),
            Menu::Monitor,
            8,
        ),
        user("backup-runner", cli_agent(CLI), Menu::Backup, 2),
        user(
            "federation-broker",
            Agent::Fixed(GO_ECS.into()),
            Menu::Broker,
            1,
        ),
        user(
            &format!("{}-dev", PEOPLE[i % PEOPLE.len()]),
            cli_agent(CLI_MAC),
            Menu::Developer,
            2,
        ),
    ]
}

fn make_slot(r: &mut Rng, a: &Account, k: usize, base_period: Secs, range: Secs) -> Slot {
    let kind = KIND_CYCLE[k % KIND_CYCLE.len()];
    let app = APPS[(k * 7 + a.weight as usize) % APPS.len()];
    let person = PEOPLE[(k * 5 + a.id.len() + (a.weight % 17) as usize) % PEOPLE.len()];
    let role = |r: &mut Rng, name: String, path: &str| RoleDef {
        name,
        path: path.to_string(),
        id: r.iam_id("AROA"),
    };
    let jitter = r.range(70, 130);
    let period =
        (base_period * kind.period_percent() / 100 * jitter / 100).clamp(900, range.max(900));
    let phase = r.range(0, period - 1);
    let mut slot = Slot {
        kind,
        role: role(r, String::new(), "/"),
        name: String::new(),
        period,
        phase,
        ip: public_ip(r),
        agent: Agent::Fixed(BROWSER.into()),
        vpce: None,
        mfa: false,
        minter: Minter::SignIn,
        weight: kind.weight(),
    };
    match kind {
        Kind::Instance => {
            slot.role = role(r, format!("{app}-instance-role"), "/");
            slot.name = r.ec2_id("i");
            slot.ip = private_ip(r);
            slot.agent = Agent::Fixed(JAVA_EC2.into());
            if r.chance(400) {
                slot.vpce = Some(format!("vpce-0{}", r.hex(16)));
            } else {
                slot.ip = format!(
                    "{}.{}.{}.{}",
                    r.pick(&[3u8, 18, 52, 54]),
                    r.range(1, 254),
                    r.range(1, 254),
                    r.range(1, 254)
                );
            }
            slot.minter = Minter::Service("ec2.amazonaws.com");
        }
        Kind::Lambda => {
            slot.role = role(r, format!("{app}-lambda-role"), "/service-role/");
            slot.name = format!("{app}-{}", r.pick(&["api", "worker", "resizer", "webhook"]));
            slot.ip = format!(
                "{}.{}.{}.{}",
                r.pick(&[3u8, 18, 34, 44, 52]),
                r.range(1, 254),
                r.range(1, 254),
                r.range(1, 254)
            );
            slot.agent = Agent::Fixed(BOTO_LAMBDA.into());
            slot.minter = Minter::Service("lambda.amazonaws.com");
        }
        Kind::Ecs => {
            slot.role = role(r, format!("{app}-task-role"), "/");
            slot.name = app.to_string();
            slot.ip = private_ip(r);
            slot.agent = if r.chance(500) {
                Agent::JsSdk {
                    prefix: JS_ECS.into(),
                    suffix: " exec-env/AWS_ECS_FARGATE".into(),
                }
            } else {
                Agent::Fixed(GO_ECS.into())
            };
            if r.chance(500) {
                slot.vpce = Some(format!("vpce-0{}", r.hex(16)));
            }
            slot.minter = Minter::Service("ecs-tasks.amazonaws.com");
        }
        Kind::GitHub => {
            slot.role = role(r, format!("github-actions-{app}-deploy"), "/");
            slot.name = "GitHubActions".to_string();
            slot.ip = format!(
                "{}.{}.{}.{}",
                r.pick(&[4u8, 13, 20, 40, 52]),
                r.range(1, 254),
                r.range(1, 254),
                r.range(1, 254)
            );
            slot.agent = cli_agent(CLI);
            slot.minter = Minter::WebIdentity(format!(
                "repo:example-org/{app}-service:ref:refs/heads/main"
            ));
        }
        Kind::Sso => {
            let set = r.pick(PERMISSION_SETS);
            let suffix = r.hex(16);
            slot.role = role(
                r,
                format!("AWSReservedSSO_{set}_{suffix}"),
                &format!("/aws-reserved/sso.amazonaws.com/{}/", a.regions[0]),
            );
            slot.name = format!("{person}@example.com");
            slot.agent = if r.chance(500) {
                Agent::Console
            } else {
                cli_agent(CLI_MAC)
            };
            slot.minter = Minter::Saml(slot.name.clone());
        }
        Kind::CrossAccount => {
            slot.role = role(r, "security-audit".to_string(), "/");
            slot.name = "prowler".to_string();
            slot.agent = Agent::Fixed(SECURITY_SCANNER.into());
            let other = format!("{}{:011}", 1 + r.below(9), r.below(100_000_000_000));
            let principal = format!("{}:scanner", r.iam_id("AROA"));
            slot.minter = Minter::Account(other, principal);
        }
        Kind::Agent => {
            slot.role = role(r, "ops-agent-role".to_string(), "/");
            slot.name = "claude-code".to_string();
            slot.agent = if r.chance(500) {
                cli_agent(AGENT_CLI)
            } else {
                Agent::Fixed(AGENT_MCP.into())
            };
            slot.minter = Minter::User(4);
        }
        Kind::Federated => {
            slot.name = format!("partner-{}", r.pick(&["acme", "globex", "initech"]));
            slot.agent = Agent::Fixed(GO_ECS.into());
            slot.minter = Minter::User(3);
        }
        Kind::AutoScaling => {
            slot.role = role(
                r,
                "AWSServiceRoleForAutoScaling".to_string(),
                "/aws-service-role/autoscaling.amazonaws.com/",
            );
            slot.name = "AutoScaling".to_string();
            slot.minter = Minter::Service("autoscaling.amazonaws.com");
        }
        Kind::Config => {
            slot.role = role(
                r,
                "AWSServiceRoleForConfig".to_string(),
                "/aws-service-role/config.amazonaws.com/",
            );
            slot.name = "AWSConfig-Describe".to_string();
            slot.minter = Minter::Service("config.amazonaws.com");
        }
        Kind::Console => {
            slot.name = person.replace('.', "-");
            slot.role.id = r.iam_id("AIDA");
            slot.agent = Agent::Console;
            slot.mfa = r.chance(700);
        }
        Kind::Root => {
            slot.agent = Agent::Console;
            slot.mfa = true;
        }
        Kind::IdentityCenter => {
            slot.name = format!("{person}@example.com");
            slot.minter = Minter::Portal(r.uuid());
        }
    }
    slot
}

// ---------------------------------------------------------------------------
// Cells: which records go into which delivery window.

/// A session mint: slot and epoch.
type Mint = (u32, i64);

struct Cell {
    account: u32,
    region: u16,
    window: i64,
    noise: u32,
    mints: Vec<Mint>,
    planted: Vec<(Secs, String)>,
}

/// Relative activity of a 5-minute window: business hours, weekdays,
/// and now and then a burst (a deploy, a batch job, an incident).
fn window_weight(seed: u64, account: &Account, a: usize, r: usize, window: i64) -> u64 {
    let t = window * WINDOW;
    let hour = t.rem_euclid(86_400) / 3600;
    let weekday = (t.div_euclid(86_400) + 3).rem_euclid(7); // 0 = Monday
    let hour_w: u64 = match hour {
        0..=5 => 4,
        6..=7 => 7,
        8..=17 => 12,
        18..=20 => 8,
        _ => 5,
    };
    let day_w: u64 = if weekday >= 5 { 5 } else { 10 };
    let region_w: u64 = match r {
        0 => 100,
        1 => 30,
        2 => 12,
        _ => 5,
    };
    // A cheap per-window hash decides bursts without a stream per window.
    let mut h = Rng::new(
        seed ^ (window as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ ((a as u64) << 48)
            ^ ((r as u64) << 40),
    );
    let burst: u64 = if h.chance(6) { 8 + h.below(40) } else { 1 };
    account.weight * region_w * hour_w * day_w * burst
}

fn cell_at(cells: &mut BTreeMap<(u32, u16, i64), Cell>, a: u32, r: u16, window: i64) -> &mut Cell {
    cells.entry((a, r, window)).or_insert_with(|| Cell {
        account: a,
        region: r,
        window,
        noise: 0,
        mints: Vec::new(),
        planted: Vec::new(),
    })
}

fn plan_cells(
    opts: &ScaleOptions,
    accounts: &[Account],
    plant: Option<&Plant>,
    start: Secs,
    end: Secs,
) -> Vec<Cell> {
    let mut cells: BTreeMap<(u32, u16, i64), Cell> = BTreeMap::new();
    // Mints: every session that starts inside the range, in the home region.
    let mut mint_count: u64 = 0;
    for (a, acct) in accounts.iter().enumerate() {
        for (s, slot) in acct.slots.iter().enumerate() {
            let mut epoch = (start - slot.phase).div_euclid(slot.period);
            loop {
                let created = slot.phase + epoch * slot.period;
                if created >= end {
                    break;
                }
                if created >= start {
                    cell_at(&mut cells, a as u32, 0, created.div_euclid(WINDOW))
                        .mints
                        .push((s as u32, epoch));
                    mint_count += 1;
                }
                epoch += 1;
            }
        }
    }

    // Background: `events - mints` records spread over the cells by weight,
    // by cumulative rounding so the total is exact.
    let budget = opts.events.saturating_sub(mint_count);
    let (w0, w1) = (start.div_euclid(WINDOW), end.div_euclid(WINDOW));
    let mut weights: Vec<u64> = Vec::new();
    for (a, acct) in accounts.iter().enumerate() {
        for r in 0..acct.regions.len() {
            for w in w0..w1 {
                weights.push(window_weight(opts.seed, acct, a, r, w));
            }
        }
    }
    let total: u128 = weights.iter().map(|w| u128::from(*w)).sum::<u128>().max(1);
    let mut cum: u128 = 0;
    let mut given: u64 = 0;
    let mut i = 0;
    for (a, acct) in accounts.iter().enumerate() {
        for r in 0..acct.regions.len() {
            for w in w0..w1 {
                cum += u128::from(weights[i]);
                i += 1;
                let upto = (u128::from(budget) * cum / total) as u64;
                let n = upto - given;
                given = upto;
                if n > 0 {
                    cell_at(&mut cells, a as u32, r as u16, w).noise = n as u32;
                }
            }
        }
    }

    if let Some(p) = plant {
        let acct = &accounts[0];
        for rec in &p.records {
            let r = acct
                .regions
                .iter()
                .position(|x| *x == rec.region)
                .expect("planted regions are the first account's");
            cell_at(&mut cells, 0, r as u16, rec.time.div_euclid(WINDOW))
                .planted
                .push((rec.time, rec.json.clone()));
        }
    }
    cells.into_values().collect()
}

// ---------------------------------------------------------------------------
// Writing a cell.

/// What a call is rendered with: the account and region, and the actor's
/// own resource (its instance ID, function name, ...).
struct Ctx<'a> {
    w: World,
    a: &'a Account,
    region: &'a str,
    t: Secs,
    me: &'a str,
    role: &'a RoleDef,
}

struct Out {
    records: Vec<(Secs, u64, String)>,
    seq: u64,
}

impl Out {
    fn push(&mut self, t: Secs, json: String) {
        self.seq += 1;
        self.records.push((t, self.seq, json));
    }
}

fn write_cell(
    seed: u64,
    accounts: &[Account],
    cell: &Cell,
    out_dir: &Path,
    start: Secs,
    end: Secs,
) -> anyhow::Result<(usize, usize)> {
    let acct = &accounts[cell.account as usize];
    let region = acct.regions[cell.region as usize].as_str();
    let mut rng = Rng::derive(
        seed,
        &format!(
            "scale/cell/{}/{}/{}",
            cell.account, cell.region, cell.window
        ),
    );
    let w = acct.world(region, start, end);
    let mut out = Out {
        records: Vec::with_capacity(cell.noise as usize + cell.mints.len() + cell.planted.len()),
        seq: 0,
    };
    let mut sessions: Vec<Option<(i64, Caller)>> = vec![None; acct.slots.len()];

    for &(s, epoch) in &cell.mints {
        let slot = &acct.slots[s as usize];
        let caller = slot_caller(seed, acct, cell.account, s as usize, epoch);
        let created = slot.phase + epoch * slot.period;
        mint(acct, &w, slot, &caller, created, epoch, &mut rng, &mut out);
    }

    let t0 = cell.window * WINDOW;
    let mut made: u32 = 0;
    while made < cell.noise {
        let mut t = t0 + rng.below(WINDOW as u64) as Secs;
        if rng.chance(LATE_PER_MILLE) {
            t -= WINDOW;
        }
        let pick = rng.weighted(&acct.actor_weights);
        let left = cell.noise - made;
        made += match acct.actors[pick] {
            Actor::Slot(s) => {
                let slot = &acct.slots[s];
                let epoch = (t - slot.phase).div_euclid(slot.period);
                let cached = matches!(&sessions[s], Some((e, _)) if *e == epoch);
                if !cached {
                    sessions[s] = Some((epoch, slot_caller(seed, acct, cell.account, s, epoch)));
                }
                let caller = &sessions[s].as_ref().expect("just set").1;
                let ctx = Ctx {
                    w: w.clone(),
                    a: acct,
                    region,
                    t,
                    me: &slot.name,
                    role: &slot.role,
                };
                let call = slot_call(slot, &ctx, &mut rng);
                let call = maybe_fail(
                    call,
                    slot.kind.error_per_mille(),
                    &caller.arn(&w),
                    region,
                    &mut rng,
                );
                emit(
                    &ctx,
                    caller,
                    Some((slot, epoch)),
                    call,
                    left,
                    &mut rng,
                    &mut out,
                )
            }
            Actor::User(u) => {
                let user = &acct.users[u];
                let caller = Caller::new(
                    Who::IamUser {
                        name: user.name.clone(),
                        id: user.id.clone(),
                        key: Some(user.key.clone()),
                        console: None,
                    },
                    &user.ip,
                    user.agent.clone(),
                );
                let ctx = Ctx {
                    w: w.clone(),
                    a: acct,
                    region,
                    t,
                    me: &user.name,
                    role: &acct.res.lambda_role,
                };
                let call = menu_call(user.menu, &ctx, &mut rng);
                let call = maybe_fail(call, 15, &caller.arn(&w), region, &mut rng);
                emit(&ctx, &caller, None, call, left, &mut rng, &mut out)
            }
            Actor::Service => {
                let ctx = Ctx {
                    w: w.clone(),
                    a: acct,
                    region,
                    t,
                    me: "",
                    role: &acct.res.lambda_role,
                };
                let (caller, call) = service_call(&ctx, &mut rng);
                emit(&ctx, &caller, None, call, left, &mut rng, &mut out)
            }
        };
    }

    for (t, json) in &cell.planted {
        out.push(*t, json.clone());
    }

    // Real files are only roughly in time order: records from several API
    // front ends are concatenated.
    let mut keyed: Vec<(Secs, u64, String)> = out
        .records
        .into_iter()
        .map(|(t, seq, json)| (t + rng.range(0, 40), seq, json))
        .collect();
    keyed.sort_by_key(|(t, seq, _)| (*t, *seq));

    let delivered = at((cell.window + 1) * WINDOW);
    let stamp = delivered.format("%Y%m%dT%H%MZ");
    let dir = out_dir.join(format!(
        "AWSLogs/{}/CloudTrail/{region}/{}",
        acct.id,
        delivered.format("%Y/%m/%d")
    ));
    std::fs::create_dir_all(&dir).map_err(|source| SynthError::Write {
        path: dir.clone(),
        source,
    })?;
    let mut files = 0;
    for chunk in keyed.chunks(MAX_FILE_RECORDS) {
        let mut body =
            String::with_capacity(chunk.iter().map(|c| c.2.len() + 1).sum::<usize>() + 16);
        body.push_str("{\"Records\":[");
        for (i, (_, _, json)) in chunk.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(json);
        }
        body.push_str("]}");
        let name = format!(
            "{}_CloudTrail_{region}_{stamp}_{}.json.gz",
            acct.id,
            rng.alnum(16)
        );
        let path = dir.join(name);
        let bytes = gzip(body.as_bytes()).context("gzip")?;
        std::fs::write(&path, bytes).map_err(|source| SynthError::Write {
            path: path.clone(),
            source,
        })?;
        files += 1;
    }
    Ok((files, keyed.len()))
}

/// The caller a slot's session `epoch` acts as: its key is a function of
/// (seed, account, slot, epoch), so the mint and every later call agree
/// whichever cell renders them.
fn slot_caller(seed: u64, a: &Account, acct: u32, s: usize, epoch: i64) -> Caller {
    let slot = &a.slots[s];
    let created = slot.phase + epoch * slot.period;
    let mut r = Rng::derive(seed, &format!("scale/session/{acct}/{s}/{epoch}"));
    let key = r.access_key("ASIA");
    let who = match slot.kind {
        Kind::Console => Who::IamUser {
            name: slot.name.clone(),
            id: slot.role.id.clone(),
            key: Some(key),
            console: Some((created, slot.mfa)),
        },
        Kind::Root => Who::Root {
            key: Some(key),
            console: Some((created, slot.mfa)),
        },
        // Rendered with a stand-in and given their own userIdentity in `emit`.
        Kind::Federated | Kind::IdentityCenter => Who::IamUser {
            name: slot.name.clone(),
            id: slot.role.id.clone(),
            key: Some(key),
            console: None,
        },
        _ => {
            let name = match slot.kind {
                Kind::Ecs => r.hex(32),
                Kind::Agent => format!("{}-{created}", slot.name),
                Kind::CrossAccount => format!("{}-{created}", slot.name),
                _ => slot.name.clone(),
            };
            Who::Role(Session {
                role: slot.role.clone(),
                name,
                key: Some(key),
                created,
                mfa: slot.mfa,
                source_identity: None,
                ec2_delivery: slot.kind == Kind::Instance,
                web_identity_provider: match slot.kind {
                    Kind::GitHub => Some(a.oidc.clone()),
                    _ => None,
                },
            })
        }
    };
    let mut c = Caller::new(who, &slot.ip, slot.agent.clone());
    c.vpc_endpoint = slot.vpce.clone();
    if c.vpc_endpoint.is_some() {
        c.tls = super::identity::TLS12;
    }
    c
}

/// The event that starts a session: the STS call, console sign-in or portal
/// sign-in, by whoever the slot's credentials come from.
#[allow(clippy::too_many_arguments)]
fn mint(
    a: &Account,
    w: &World,
    slot: &Slot,
    caller: &Caller,
    created: Secs,
    epoch: i64,
    rng: &mut Rng,
    out: &mut Out,
) {
    let duration = slot.period.clamp(900, 43_200).div_euclid(900) * 900;
    let session = caller.session();
    let (minter, call) = match (&slot.minter, session) {
        (Minter::Service(svc), Some(sess)) => (
            Caller::service(svc),
            sts::assume_role(w, sess, duration, rng),
        ),
        (Minter::WebIdentity(subject), Some(sess)) => (
            Caller::new(
                Who::WebIdentity {
                    provider: "token.actions.githubusercontent.com".to_string(),
                    subject: subject.clone(),
                },
                &slot.ip,
                Agent::Fixed(format!(
                    "{CLI} md/command#sts.assume-role-with-web-identity"
                )),
            ),
            sts::assume_role_with_web_identity(w, sess, &a.oidc, subject, rng),
        ),
        (Minter::Saml(user), Some(sess)) => (
            Caller::new(
                Who::Saml {
                    provider_hash: a.saml.1.clone(),
                    user: user.clone(),
                },
                &slot.ip,
                Agent::Fixed(BROWSER.to_string()),
            ),
            sts::assume_role_with_saml(w, sess, &a.saml.0, &a.saml.1, rng),
        ),
        (Minter::Account(other, principal), Some(sess)) => (
            Caller::new(
                Who::Account {
                    account: other.clone(),
                    principal_id: principal.clone(),
                },
                &slot.ip,
                slot.agent.clone(),
            ),
            sts::assume_role(w, sess, duration, rng),
        ),
        (Minter::User(u), Some(sess)) => {
            let user = &a.users[*u];
            (user_caller(user), sts::assume_role(w, sess, duration, rng))
        }
        (Minter::User(u), None) => {
            // GetFederationToken by the broker.
            let user = &a.users[*u];
            let key = match &caller.who {
                Who::IamUser { key, .. } => key.clone().unwrap_or_default(),
                _ => String::new(),
            };
            let arn = format!(
                "arn:{}:sts::{}:federated-user/{}",
                a.partition, a.id, slot.name
            );
            let call = Call::new("sts", "GetFederationToken", false)
                .req(json!({
                    "name": slot.name,
                    "durationSeconds": duration,
                    "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"*\"}]}",
                }))
                .resp(json!({
                    "credentials": {
                        "accessKeyId": key,
                        "sessionToken": rng.session_token(),
                        "expiration": super::identity::java_date(created + duration),
                    },
                    "federatedUser": {"federatedUserId": format!("{}:{}", a.id, slot.name), "arn": arn},
                    "packedPolicySize": 6,
                }));
            (user_caller(user), call)
        }
        (Minter::SignIn, _) => {
            let mut c = caller.clone();
            c.agent = Agent::Fixed(BROWSER.to_string());
            match &mut c.who {
                Who::IamUser { key, console, .. } | Who::Root { key, console } => {
                    *key = None;
                    *console = None;
                }
                _ => {}
            }
            let device = slot.mfa.then(|| match slot.kind {
                Kind::Root => w.iam_arn("mfa/root-account-mfa-device"),
                _ => w.iam_arn(&format!("mfa/{}", slot.name)),
            });
            (c, signin::console_login(w, device.as_deref(), false))
        }
        (Minter::Portal(user_id), _) => {
            // The access-portal sign-in of an Identity Center user.
            let mut call = Call::new("signin", "UserAuthentication", false)
                .resp(json!({"UserAuthentication": "Success"}))
                .additional(json!({
                    "AuthWorkflowID": rng.uuid(),
                    "LoginTo": format!("https://{}.awsapps.com/start/", a.res.identity_store),
                    "CredentialType": "PASSWORD",
                }));
            call.console_sign_in = true;
            call.request_id = RequestId::None;
            let mut c = caller.clone();
            c.agent = Agent::Fixed(BROWSER.to_string());
            let mut rec = render(w, &c, &call, created, &w.home, rng);
            rec["userIdentity"] = json!({
                "type": "IdentityCenterUser",
                "accountId": a.id,
                "onBehalfOf": {
                    "userId": user_id,
                    "identityStoreArn": format!("arn:{}:identitystore::{}:identitystore/{}", a.partition, a.id, a.res.identity_store),
                },
                "credentialId": credential_id(user_id, epoch),
            });
            rec["serviceEventDetails"] = json!({"UserAuthentication": "Success"});
            out.push(created, to_json(&rec));
            return;
        }
        _ => unreachable!("every slot kind has a matching minter"),
    };
    let rec = render(w, &minter, &call, created, &w.home, rng);
    out.push(created, to_json(&rec));
}

/// The opaque credential ID of an Identity Center user's portal session.
fn credential_id(user_id: &str, epoch: i64) -> String {
    let mut r = Rng::derive(epoch as u64, user_id);
    r.base64(60).replace(['+', '/'], "_")
}

fn user_caller(u: &KeyUser) -> Caller {
    Caller::new(
        Who::IamUser {
            name: u.name.clone(),
            id: u.id.clone(),
            key: Some(u.key.clone()),
            console: None,
        },
        &u.ip,
        u.agent.clone(),
    )
}

fn to_json(rec: &Value) -> String {
    let mut s = String::with_capacity(1600);
    write_record(&mut s, rec);
    s
}

/// Renders `call` (and the calls the service makes right after it, as far
/// as `left` allows); returns the number of records.
fn emit(
    ctx: &Ctx,
    caller: &Caller,
    slot: Option<(&Slot, i64)>,
    call: Call,
    left: u32,
    rng: &mut Rng,
    out: &mut Out,
) -> u32 {
    let mut n = 0;
    let mut pending = vec![(0, call)];
    while let Some((delay, mut call)) = pending.pop() {
        if n >= left {
            break;
        }
        let t = ctx.t + delay;
        let mut rec = render(&ctx.w, caller, &call, t, ctx.region, rng);
        if let Some((slot, epoch)) = slot {
            override_identity(ctx, caller, slot, epoch, &mut rec);
        }
        out.push(t, to_json(&rec));
        n += 1;
        for (d, follow) in call.then.drain(..).rev() {
            pending.push((delay + d, follow));
        }
    }
    n
}

/// FederatedUser and IdentityCenterUser records: identities the shared
/// caller model has no variant for.
fn override_identity(ctx: &Ctx, caller: &Caller, slot: &Slot, epoch: i64, rec: &mut Value) {
    let a = ctx.a;
    match slot.kind {
        Kind::Federated => {
            let broker = &a.users[3];
            let key = match &caller.who {
                Who::IamUser { key, .. } => key.clone(),
                _ => None,
            };
            rec["userIdentity"] = json!({
                "type": "FederatedUser",
                "principalId": format!("{}:{}", a.id, slot.name),
                "arn": format!("arn:{}:sts::{}:federated-user/{}", a.partition, a.id, slot.name),
                "accountId": a.id,
                "accessKeyId": key,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "IAMUser",
                        "principalId": broker.id,
                        "arn": ctx.w.iam_arn(&format!("user/{}", broker.name)),
                        "accountId": a.id,
                        "userName": broker.name,
                    },
                    "webIdFederationData": {},
                    "attributes": {
                        "creationDate": iso(slot.phase + epoch * slot.period),
                        "mfaAuthenticated": "false",
                    },
                },
            });
        }
        Kind::IdentityCenter => {
            let Minter::Portal(user_id) = &slot.minter else {
                return;
            };
            rec["userIdentity"] = json!({
                "type": "IdentityCenterUser",
                "accountId": a.id,
                "onBehalfOf": {
                    "userId": user_id,
                    "identityStoreArn": format!("arn:{}:identitystore::{}:identitystore/{}", a.partition, a.id, a.res.identity_store),
                },
                "credentialId": credential_id(user_id, epoch),
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::plant::shift_str;
    use super::*;

    fn small(events: u64) -> ScaleOptions {
        ScaleOptions {
            events,
            accounts: 3,
            regions: 2,
            days: 1,
            ..ScaleOptions::default()
        }
    }

    fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn records(files: &[(String, Vec<u8>)]) -> Vec<Value> {
        let mut out = Vec::new();
        for (path, bytes) in files {
            if !path.ends_with(".json.gz") {
                continue;
            }
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            out.extend(doc["Records"].as_array().unwrap().iter().cloned());
        }
        out
    }

    #[test]
    fn exact_count_deterministic_and_varied() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s1 = write_scale(&small(20_000), a.path()).unwrap();
        let s2 = write_scale(&small(20_000), b.path()).unwrap();
        assert_eq!(s1, s2);
        assert_eq!(s1.events, 20_000);
        let fa = read_all(a.path());
        assert_eq!(fa, read_all(b.path()));
        let recs = records(&fa);
        assert_eq!(recs.len(), 20_000);

        let types: std::collections::BTreeSet<&str> = recs
            .iter()
            .filter_map(|r| r["userIdentity"]["type"].as_str())
            .collect();
        for t in [
            "IAMUser",
            "AssumedRole",
            "Root",
            "AWSService",
            "AWSAccount",
            "FederatedUser",
            "WebIdentityUser",
            "SAMLUser",
            "IdentityCenterUser",
        ] {
            assert!(types.contains(t), "no {t} in {types:?}");
        }
        let services: std::collections::BTreeSet<&str> = recs
            .iter()
            .filter_map(|r| r["eventSource"].as_str())
            .collect();
        assert!(services.len() >= 20, "{services:?}");
        let errors = recs.iter().filter(|r| r.get("errorCode").is_some()).count();
        let rate = errors as f64 / recs.len() as f64;
        assert!((0.01..=0.03).contains(&rate), "error rate {rate}");
        let read_only = recs.iter().filter(|r| r["readOnly"] == json!(true)).count();
        assert!(read_only * 100 / recs.len() > 50, "read-only share");
        assert!(records_are_invoked(&recs));
    }

    fn records_are_invoked(recs: &[Value]) -> bool {
        recs.iter().any(|r| {
            r["userIdentity"]["type"] == json!("AssumedRole")
                && r["userIdentity"]["invokedBy"].is_string()
        })
    }

    #[test]
    fn minted_keys_are_used_later() {
        let dir = tempfile::tempdir().unwrap();
        write_scale(&small(30_000), dir.path()).unwrap();
        let recs = records(&read_all(dir.path()));
        let minted: std::collections::BTreeSet<&str> = recs
            .iter()
            .filter(|r| r["eventSource"] == json!("sts.amazonaws.com"))
            .filter_map(|r| r["responseElements"]["credentials"]["accessKeyId"].as_str())
            .collect();
        assert!(minted.len() > 20, "{}", minted.len());
        let used = recs
            .iter()
            .filter_map(|r| r["userIdentity"]["accessKeyId"].as_str())
            .filter(|k| minted.contains(k))
            .count();
        assert!(used > 1000, "calls with minted keys: {used}");
    }

    #[test]
    fn planted_scenario_lands_in_first_account_at_plant_at() {
        let dir = tempfile::tempdir().unwrap();
        let at = parse_time("2026-03-04T06:00:00Z");
        let opts = ScaleOptions {
            scenario: Some("agent-env-rebuild".into()),
            plant_at: Some(at),
            days: 7,
            ..small(5_000)
        };
        let s = write_scale(&opts, dir.path()).unwrap();
        assert!(s.events > 5_000);
        assert!(!s.key_events.is_empty());
        let files = read_all(dir.path());
        let recs = records(&files);
        let first = recs
            .iter()
            .filter(|r| r["recipientAccountId"] == json!("210987654321"))
            .filter_map(|r| r["eventTime"].as_str())
            .min()
            .unwrap()
            .to_string();
        assert!(first.as_str() <= "2026-03-04T06:00:00Z", "{first}");
        for k in &s.key_events {
            assert!(
                recs.iter()
                    .any(|r| r["eventID"] == json!(k.event_id)
                        && r["eventTime"] == json!(k.event_time)),
                "{k:?}"
            );
        }
        assert!(files.iter().any(|(p, _)| p.starts_with("iam/")));
    }

    #[test]
    fn shifts_both_date_styles() {
        assert_eq!(
            shift_str("2026-03-10T01:31:18Z", 60).unwrap(),
            "2026-03-10T01:32:18Z"
        );
        assert_eq!(
            shift_str("Mar 10, 2026, 2:05:09 PM", 3600).unwrap(),
            "Mar 10, 2026, 3:05:09 PM"
        );
        assert_eq!(
            shift_str("2026-03-10T01:31:18.120Z", 1).unwrap(),
            "2026-03-10T01:31:19.120Z"
        );
        assert!(shift_str("not a date", 1).is_none());
    }
}
