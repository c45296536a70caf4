//! `weekly-drift`: five calm weeks of one AWS account, the input of the
//! weekly permission drift review. Four baseline weeks in which every
//! principal keeps to a stable repertoire, then a review week (2026-W10)
//! in which an AI agent's role is broadened and the agent starts deleting
//! things in a new region, an access key and a login profile are created,
//! a role's trust policy is opened to a foreign account, and the new key
//! probes the account from an unknown address.
//!
//! The story, the decoys and the exact expected findings are in
//! `sample-data/README.md`.

use crate::synth::api::sts;
use crate::synth::engine::{ActorFn, CallFn, Rotation, Routine, Step, Timeline};
use crate::synth::identity::{Agent, Caller, RoleDef, Secs, TLS12, Who, World};
use crate::synth::records::Call;
use crate::synth::rng::Rng;
use crate::synth::scenarios::Generated;
use crate::synth::scenarios::kit::{
    aws_world, fixed, github_job, github_provider, github_token, in_role, role, session,
    signing_in, t,
};
use serde_json::json;

mod calls;
mod snapshot;
mod story;

const ACCOUNT: &str = "444455556666";
/// The analytics vendor that has always been trusted by `data-export-role`.
const PARTNER_ACCOUNT: &str = "111122223333";
/// The account the review week's trust change lets in.
const FOREIGN_ACCOUNT: &str = "999988887777";
const HOME: &str = "us-east-1";
const OTHER: &str = "eu-west-1";
const START: &str = "2026-02-02T00:00:00Z";
/// Monday of the review week, 2026-W10; also the time of the "previous" IAM snapshot.
const REVIEW: &str = "2026-03-02T00:00:00Z";
const END: &str = "2026-03-09T00:00:00Z";
const DAY: Secs = 86_400;
const HOUR: Secs = 3_600;
/// The scheduled workloads (inventory-sync, the instances' agents) run
/// every two hours at home and every four hours in eu-west-1, on the hour.
const RUN_HOME: Secs = 2 * HOUR;
const RUN_OTHER: Secs = 4 * HOUR;

// The story (UTC; the people work in New York, UTC-5).
/// `maria.lopez`'s monthly access review, on the first Tuesday of each month.
const MONTHLY_REVIEWS: [&str; 2] = ["2026-02-03T15:05:10Z", "2026-03-03T15:04:45Z"];
/// Baseline IAM change: a new default version of the CI policy (W07).
const POLICY_VERSION: &str = "2026-02-12T16:25:40Z";
const GRANT: &str = "2026-03-03T18:42:17Z";
/// The agent session in which it deletes things.
const SPREE: &str = "2026-03-04T16:05:00Z";
const KEY_SESSION: &str = "2026-03-04T19:14:50Z";
const KEY_CREATED: &str = "2026-03-04T19:20:31Z";
const LOGIN_PROFILE: &str = "2026-03-05T14:35:09Z";
const TRUST_OPENED: &str = "2026-03-05T20:05:44Z";
const PROBE: &str = "2026-03-06T03:12:07Z";

const BROWSER_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36";
const BROWSER_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15";
const BROWSER_FF: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0";
const TOM_CLI: &str = "aws-cli/2.22.35 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0-52-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off";
const DANA_CLI: &str = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off";
/// Amazon Q Developer CLI runs the AWS CLI with `AWS_EXECUTION_ENV` set,
/// which the CLI writes into its user agent as `exec-env/...`.
const AGENT_CLI: &str = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.9 md/pyimpl#CPython exec-env/AmazonQ-For-CLI-Version-1.10.0 cfg/retry-mode#standard md/installer#source md/prompt#off";
const CI_CLI: &str = "aws-cli/2.23.6 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0-1020-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off";
const CI_OIDC: &str = "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1020-azure lang/js md/nodejs#20.18.1 api/sts#3.726.1 configure-aws-credentials-for-github-actions";
const BACKUP_SDK: &str = "Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#5.15.0-130-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.90";
const PROBE_SDK: &str = "Boto3/1.36.2 md/Botocore#1.36.2 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.36.2";
const REPORTING_SDK: &str = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/costexplorer#1.45.0";
const INVENTORY_SDK: &str = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.230-244.892.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36";
const APP_SDK: &str = "aws-sdk-java/2.29.45 Linux/6.1.119-129.201.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/standard";
const SSM_AGENT: &str = "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64) amazon-ssm-agent/3.3.1345.0";
const PARTNER_SDK: &str = "aws-sdk-java/2.29.45 Linux/5.10.230-223.885.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard";

const OFFICE_MARIA: &str = "38.122.14.57";
const OFFICE_TOM: &str = "38.122.14.61";
const OFFICE_PRIYA: &str = "38.122.14.66";
const OFFICE_DANA: &str = "38.122.14.73";
const HOME_LI: &str = "24.193.87.142";
const BACKUP_HOST: &str = "38.122.14.200";
const REPORTING_HOST: &str = "38.122.14.201";
const PROBE_IP: &str = "185.243.115.84";
const PARTNER_IP: &str = "3.120.44.17";
const NAT_HOME: &str = "54.210.33.118";
const NAT_OTHER: &str = "52.48.201.9";

const ARTIFACT_BUCKET: &str = "storefront-ci-artifacts-444455556666";
const EXPORT_BUCKET: &str = "storefront-exports-444455556666";
/// The empty bucket the agent deletes.
const SCRATCH_BUCKET: &str = "storefront-qa-screenshots-2025";
const STACKS: &[&str] = &["storefront-api", "storefront-web", "storefront-data"];

/// An IAM user and its long-term access key.
struct User {
    name: &'static str,
    id: String,
    key: String,
}

/// One working session of a person (or of the agent): when its
/// credentials were minted, until when they are used, when the person is
/// actually active, and the caller.
struct Day {
    from: Secs,
    until: Secs,
    active: (Secs, Secs),
    caller: Caller,
}

fn find(days: &[Day], at: Secs) -> Option<&Day> {
    days.iter().find(|d| d.from <= at && at < d.until)
}

/// A GitHub Actions run of `example-org/storefront`.
struct CiRun {
    start: Secs,
    /// The weekly release (Wednesdays); other runs only read (pull requests).
    deploy: bool,
    sha: String,
    change_set_id: String,
    caller: Caller,
}

/// One night of the backup job: when it runs and the snapshots it makes
/// (two volumes at home, one in eu-west-1).
struct Night {
    at: Secs,
    snapshots: [String; 3],
}

/// An EC2 instance of the storefront and its instance-profile credentials.
struct Instance {
    id: String,
    ip: String,
    zone: &'static str,
    region: &'static str,
    creds: Rotation,
}

struct Roles {
    agent: RoleDef,
    sso_admin: RoleDef,
    sso_developer: RoleDef,
    sso_readonly: RoleDef,
    ci: RoleDef,
    inventory: RoleDef,
    app: RoleDef,
    export: RoleDef,
    sso_slr: RoleDef,
}

/// Everything the story mentions, computed once from the seed.
pub(crate) struct Env {
    w: World,
    roles: Roles,
    saml_provider: (String, String),
    oidc: String,
    maria: User,
    tom: User,
    svc_backup: User,
    svc_reporting: User,
    /// The access key created in the review week.
    new_backup_key: String,
    maria_days: Vec<Day>,
    priya_days: Vec<Day>,
    dana_days: Vec<Day>,
    li_days: Vec<Day>,
    agent_days: Vec<Day>,
    tom_days: Vec<(Secs, Secs)>,
    tom_caller: Caller,
    backup_caller: Caller,
    probe_caller: Caller,
    reporting_caller: Caller,
    ci: Vec<CiRun>,
    ci_oidc: [Caller; 2],
    nights: Vec<Night>,
    reports: Vec<Secs>,
    partner: Caller,
    partner_days: Vec<Day>,
    inventory: Rotation,
    instances: Vec<Instance>,
    volumes: [(String, u32); 3],
    /// Instances in eu-west-1 the agent terminates (a forgotten load test).
    stale_instances: Vec<String>,
    /// Manual RDS snapshots the agent deletes: (identifier, created).
    db_snapshots: Vec<(String, Secs)>,
    api_stack_id: String,
    /// Old AMI snapshots in eu-west-1 `maria.lopez` deletes in each monthly review.
    monthly_snapshots: [[String; 2]; 2],
    /// The secret inventory-sync reads: ARN and current version.
    inventory_secret: (String, String),
}

/// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
fn weekday(at: Secs) -> i64 {
    (at.div_euclid(DAY) + 3) % 7
}

/// Midnight of every day in `[from, to)`.
fn days_between(from: Secs, to: Secs) -> impl Iterator<Item = Secs> {
    (0..)
        .map(move |i| from + i * DAY)
        .take_while(move |d| *d < to)
}

fn world() -> World {
    aws_world(ACCOUNT, HOME, START, END)
}

fn sso_role(r: &mut Rng, permission_set: &str) -> RoleDef {
    let suffix = r.hex(16);
    role(
        r,
        &format!("AWSReservedSSO_{permission_set}_{suffix}"),
        "/aws-reserved/sso.amazonaws.com/",
    )
}

fn cli(prefix: &str) -> Agent {
    Agent::AwsCli {
        prefix: prefix.to_string(),
        suffix: String::new(),
    }
}

fn user(r: &mut Rng, name: &'static str) -> User {
    User {
        name,
        id: r.iam_id("AIDA"),
        key: r.access_key("AKIA"),
    }
}

fn key_caller(u: &User, key: &str, ip: &str, agent: Agent) -> Caller {
    Caller::new(
        Who::IamUser {
            name: u.name.to_string(),
            id: u.id.clone(),
            key: Some(key.to_string()),
            console: None,
        },
        ip,
        agent,
    )
}

fn with_agent(mut c: Caller, agent: &str) -> Caller {
    c.agent = fixed(agent);
    c
}

/// Credentials renewed every `every` seconds from `from`, the first ones
/// minted before the window opens.
fn scheduled(
    r: &mut Rng,
    (from, to): (Secs, Secs),
    every: Secs,
    mut make: impl FnMut(&mut Rng, Secs) -> Caller,
) -> Rotation {
    let mut spans = Vec::new();
    let first = from - r.range(600, every - 600);
    spans.push((from, (from + every).min(to), make(r, first)));
    let mut created = from + every;
    while created < to {
        spans.push((created, (created + every).min(to), make(r, created)));
        created += every;
    }
    Rotation { spans }
}

/// Identity Center sessions of one person on the given days: minted at
/// `start` plus up to `jitter` seconds, valid `span` seconds, active for a
/// random stretch of `active` seconds after a short delay.
#[allow(clippy::too_many_arguments)]
fn sso_days(
    r: &mut Rng,
    role: &RoleDef,
    user: &str,
    ip: &str,
    agent: &Agent,
    days: &[Secs],
    (start, jitter): (Secs, Secs),
    span: Secs,
    active: (Secs, Secs),
) -> Vec<Day> {
    days.iter()
        .map(|d| {
            let from = d + start + r.range(0, jitter);
            let caller = in_role(
                session(role, user, Some(r.access_key("ASIA")), from),
                ip,
                agent.clone(),
            );
            let begin = from + r.range(40, 240);
            Day {
                from,
                until: from + span,
                active: (
                    begin,
                    (begin + r.range(active.0, active.1)).min(from + span),
                ),
                caller,
            }
        })
        .collect()
}

fn build_env(seed: u64) -> Env {
    let w = world();
    let mut r = Rng::derive(seed, "weekly-drift/env");
    let r = &mut r;
    let roles = Roles {
        agent: role(r, "dev-assistant-agent-role", "/"),
        sso_admin: sso_role(r, "AdministratorAccess"),
        sso_developer: sso_role(r, "Developer"),
        sso_readonly: sso_role(r, "ReadOnlyAccess"),
        ci: role(r, "github-actions-deploy", "/"),
        inventory: role(r, "inventory-sync-role", "/service-role/"),
        app: role(r, "storefront-instance-role", "/"),
        export: role(r, "data-export-role", "/"),
        sso_slr: role(
            r,
            "AWSServiceRoleForSSO",
            "/aws-service-role/sso.amazonaws.com/",
        ),
    };
    let saml_provider = (
        format!("AWSSSO_{}_DO_NOT_DELETE", r.hex(16)),
        format!("{}=", r.base64(27)),
    );
    let maria = user(r, "maria.lopez");
    let tom = user(r, "tom.becker");
    let svc_backup = user(r, "svc-backup");
    let svc_reporting = user(r, "svc-reporting");
    let new_backup_key = r.access_key("AKIA");

    let (start, end) = (w.start, w.end);
    let all_days: Vec<Secs> = days_between(start, end).collect();
    let on = |weekdays: &[i64]| -> Vec<Secs> {
        all_days
            .iter()
            .copied()
            .filter(|d| weekdays.contains(&weekday(*d)))
            .collect()
    };
    let workdays = on(&[0, 1, 2, 3, 4]);

    // maria.lopez: an IAM user in `admins`, console with MFA, on Mondays
    // and Thursdays; the monthly access review on first Tuesdays; and the
    // review week's Wednesday evening, when she creates the access key.
    let mut maria_starts: Vec<(Secs, Secs)> = Vec::new();
    for d in on(&[0]) {
        maria_starts.push((d + 15 * HOUR + r.range(0, 1800), 2 * HOUR));
    }
    for d in on(&[3]) {
        maria_starts.push((d + 19 * HOUR + 1800 + r.range(0, 600), 2 * HOUR));
    }
    for m in MONTHLY_REVIEWS {
        maria_starts.push((t(m), HOUR));
    }
    maria_starts.push((t(KEY_SESSION), HOUR));
    maria_starts.sort();
    let maria_days = maria_starts
        .iter()
        .map(|&(from, span)| {
            let caller = Caller::new(
                Who::IamUser {
                    name: maria.name.to_string(),
                    id: maria.id.clone(),
                    key: Some(r.access_key("ASIA")),
                    console: Some((from, true)),
                },
                OFFICE_MARIA,
                Agent::Console,
            );
            let begin = from + r.range(50, 150);
            Day {
                from,
                until: from + span,
                active: (begin, begin + r.range(1200, 2400).min(span - 300)),
                caller,
            }
        })
        .collect();

    let priya_days = sso_days(
        r,
        &roles.sso_admin,
        "priya.natarajan@example.com",
        OFFICE_PRIYA,
        &Agent::Console,
        &on(&[0, 1, 3]),
        (14 * HOUR + 600, 900),
        5 * HOUR,
        (3600, 9000),
    );
    let li_days = sso_days(
        r,
        &roles.sso_readonly,
        "li.wei@example.com",
        HOME_LI,
        &Agent::Console,
        &all_days,
        (13 * HOUR, 3 * HOUR),
        8 * HOUR,
        (2400, 6000),
    );
    let mut dana_days = sso_days(
        r,
        &roles.sso_developer,
        "dana.kim@example.com",
        OFFICE_DANA,
        &cli(DANA_CLI),
        &workdays,
        (13 * HOUR + 2700, 1200),
        8 * HOUR,
        (20_000, 26_000),
    );
    for d in &mut dana_days {
        d.caller.tls = TLS12;
    }

    // The agent: Amazon Q Developer CLI, started by dana.kim, assumes
    // dev-assistant-agent-role with her as the source identity, one to
    // three times a working day.
    let slots = [
        14 * HOUR + 1200,
        16 * HOUR + 300,
        18 * HOUR + 600,
        19 * HOUR + 3000,
    ];
    let spree = t(SPREE);
    let mut agent_days = Vec::new();
    for d in &workdays {
        let spree_day = *d <= spree && spree < d + DAY;
        let mut picked: Vec<Secs> = Vec::new();
        for (i, slot) in slots.iter().enumerate() {
            let take = r.chance(450);
            let jitter = r.range(0, 600);
            if spree_day {
                if i == 1 {
                    picked.push(spree);
                } else if i == 0 {
                    picked.push(d + slot + jitter);
                }
            } else if take {
                picked.push(d + slot + jitter);
            }
        }
        if picked.is_empty() {
            picked.push(d + slots[2] + r.range(0, 600));
        }
        for from in picked {
            let mut s = session(
                &roles.agent,
                &format!("q-dev-agent-{from}"),
                Some(r.access_key("ASIA")),
                from,
            );
            s.source_identity = Some("dana.kim@example.com".to_string());
            let begin = from + r.range(20, 60);
            let active_end = if from == spree {
                from + 2_400
            } else {
                begin + r.range(1_200, 2_900)
            };
            agent_days.push(Day {
                from,
                until: from + HOUR,
                active: (begin, active_end),
                caller: in_role(s, OFFICE_DANA, cli(AGENT_CLI)),
            });
        }
    }

    let tom_days = workdays
        .iter()
        .map(|d| {
            (
                d + 14 * HOUR + r.range(0, 1800),
                d + 21 * HOUR + 1800 + r.range(0, 1800),
            )
        })
        .collect();
    let tom_caller = key_caller(&tom, &tom.key, OFFICE_TOM, cli(TOM_CLI));
    let backup_caller = key_caller(&svc_backup, &svc_backup.key, BACKUP_HOST, fixed(BACKUP_SDK));
    let mut probe_caller = key_caller(&svc_backup, &new_backup_key, PROBE_IP, fixed(PROBE_SDK));
    probe_caller.tls = TLS12;
    let reporting_caller = key_caller(
        &svc_reporting,
        &svc_reporting.key,
        REPORTING_HOST,
        fixed(REPORTING_SDK),
    );

    // CI: pull-request runs twice a working day read the stack; the weekly
    // release on Wednesdays deploys.
    let oidc = github_provider(&w);
    let mut ci_starts: Vec<(Secs, bool)> = Vec::new();
    for d in &workdays {
        if weekday(*d) == 2 {
            ci_starts.push((d + 15 * HOUR + r.range(0, 300), true));
        }
        ci_starts.push((d + 15 * HOUR + 2400 + r.range(0, 1800), false));
        ci_starts.push((d + 19 * HOUR + 1200 + r.range(0, 1800), false));
    }
    ci_starts.sort();
    let ci = ci_starts
        .into_iter()
        .map(|(start, deploy)| {
            let caller = github_job(r, &roles.ci, &oidc, start, &[20, 4, 52, 40], cli(CI_CLI));
            CiRun {
                start,
                deploy,
                sha: r.hex(40),
                change_set_id: r.uuid(),
                caller,
            }
        })
        .collect();
    let ci_oidc = ["ref:refs/heads/main", "pull_request"].map(|r#ref| {
        github_token(
            &oidc,
            &format!("repo:example-org/storefront:{}", r#ref),
            "20.42.11.87",
            CI_OIDC,
        )
    });

    // Nightly backups from two weeks before the window, so the Sunday
    // retention run has snapshots to delete from the start.
    let volumes = [
        (r.ec2_id("vol"), 200),
        (r.ec2_id("vol"), 50),
        (r.ec2_id("vol"), 50),
    ];
    let nights = days_between(start - 14 * DAY, end)
        .map(|d| Night {
            at: d + 7 * HOUR + r.range(0, 300),
            snapshots: [r.ec2_id("snap"), r.ec2_id("snap"), r.ec2_id("snap")],
        })
        .collect();
    let reports = all_days
        .iter()
        .map(|d| d + 11 * HOUR + r.range(0, 600))
        .collect();

    // The analytics vendor pulls yesterday's export every night.
    let partner = Caller::new(
        Who::Account {
            account: PARTNER_ACCOUNT.to_string(),
            principal_id: format!("{}:partner-etl", r.iam_id("AROA")),
        },
        PARTNER_IP,
        fixed(PARTNER_SDK),
    );
    let partner_days = all_days
        .iter()
        .map(|d| {
            let from = d + 4 * HOUR + r.range(0, 900);
            let mut c = in_role(
                session(
                    &roles.export,
                    &format!("partner-etl-{from}"),
                    Some(r.access_key("ASIA")),
                    from,
                ),
                PARTNER_IP,
                fixed(PARTNER_SDK),
            );
            c.tls = TLS12;
            Day {
                from,
                until: from + HOUR,
                active: (from, from + 60),
                caller: c,
            }
        })
        .collect();

    // Workload credentials are renewed at a run: a Lambda cold start every
    // 12 hours, instance-profile credentials every 6 (8 in eu-west-1).
    let inventory_role = roles.inventory.clone();
    let inventory = scheduled(r, (start, end), 6 * RUN_HOME, |r, at| {
        in_role(
            session(
                &inventory_role,
                "inventory-sync",
                Some(r.access_key("ASIA")),
                at,
            ),
            NAT_HOME,
            fixed(INVENTORY_SDK),
        )
    });
    let instances = [
        (HOME, "us-east-1b", NAT_HOME, "10.40", 3 * RUN_HOME),
        (OTHER, "eu-west-1a", NAT_OTHER, "10.41", 2 * RUN_OTHER),
    ]
    .iter()
    .map(|&(region, zone, nat, net, renew)| {
        let id = r.ec2_id("i");
        let ip = format!("{net}.{}.{}", r.range(1, 15), r.range(10, 250));
        let app = roles.app.clone();
        let name = id.clone();
        let creds = scheduled(r, (start, end), renew, |r, at| {
            let mut s = session(&app, &name, Some(r.access_key("ASIA")), at);
            s.ec2_delivery = true;
            in_role(s, nat, fixed(APP_SDK))
        });
        Instance {
            id,
            ip,
            zone,
            region,
            creds,
        }
    })
    .collect();

    let stale_instances = vec![r.ec2_id("i"), r.ec2_id("i")];
    let db_snapshots = vec![
        (
            "storefront-db-pre-migration-2025-11-03".to_string(),
            t("2025-11-03T17:40:12Z"),
        ),
        (
            "storefront-db-manual-2025-12-19".to_string(),
            t("2025-12-19T21:02:55Z"),
        ),
    ];
    Env {
        api_stack_id: w.arn(
            "cloudformation",
            HOME,
            &format!("stack/storefront-api/{}", r.uuid()),
        ),
        monthly_snapshots: [
            [r.ec2_id("snap"), r.ec2_id("snap")],
            [r.ec2_id("snap"), r.ec2_id("snap")],
        ],
        inventory_secret: (
            w.arn(
                "secretsmanager",
                HOME,
                &format!("secret:storefront/inventory/api-token-{}", r.alnum(6)),
            ),
            r.uuid(),
        ),
        roles,
        saml_provider,
        oidc,
        maria,
        tom,
        svc_backup,
        svc_reporting,
        new_backup_key,
        maria_days,
        priya_days,
        dana_days,
        li_days,
        agent_days,
        tom_days,
        tom_caller,
        backup_caller,
        probe_caller,
        reporting_caller,
        ci,
        ci_oidc,
        nights,
        reports,
        partner,
        partner_days,
        inventory,
        instances,
        volumes,
        stale_instances,
        db_snapshots,
        w,
    }
}

impl Env {
    fn maria_at(&self, at: Secs) -> Option<Caller> {
        find(&self.maria_days, at).map(|d| d.caller.clone())
    }

    fn priya_at(&self, at: Secs) -> Option<Caller> {
        find(&self.priya_days, at).map(|d| d.caller.clone())
    }

    fn dana_at(&self, at: Secs) -> Option<Caller> {
        find(&self.dana_days, at).map(|d| d.caller.clone())
    }

    fn li_at(&self, at: Secs) -> Option<Caller> {
        find(&self.li_days, at).map(|d| d.caller.clone())
    }

    fn agent_at(&self, at: Secs) -> Option<Caller> {
        find(&self.agent_days, at).map(|d| d.caller.clone())
    }

    fn partner_at(&self, at: Secs) -> Option<Caller> {
        find(&self.partner_days, at).map(|d| d.caller.clone())
    }

    fn ci_run(&self, at: Secs) -> &CiRun {
        self.ci
            .iter()
            .rev()
            .find(|run| run.start <= at)
            .expect("CI steps follow a run's start")
    }

    fn night(&self, at: Secs) -> (usize, &Night) {
        self.nights
            .iter()
            .enumerate()
            .rev()
            .find(|(_, n)| n.at <= at)
            .expect("backup steps follow a night's start")
    }

    /// The IAM Identity Center sign-in (AssumeRoleWithSAML caller) of `user`.
    fn saml(&self, user: &str, ip: &str, browser: &str) -> Caller {
        Caller::new(
            Who::Saml {
                provider_hash: self.saml_provider.1.clone(),
                user: user.to_string(),
            },
            ip,
            fixed(browser),
        )
    }

    fn saml_call(&self, c: &Caller, r: &mut Rng) -> Call {
        let s = c.session().expect("SSO callers are role sessions");
        sts::assume_role_with_saml(&self.w, s, &self.saml_provider.0, &self.saml_provider.1, r)
    }
}

crate::synth::scenarios::kit::story_builders!(Env);

/// Emits the sign-ins of people's sessions: AssumeRoleWithSAML for
/// Identity Center, then ConsoleLogin for console users.
fn sign_ins(tl: &mut Timeline, env: &Env) {
    let mut r = tl.rng("weekly-drift/sign-ins");
    let sso: [(&[Day], &str, &str, &str, bool); 3] = [
        (
            &env.priya_days,
            "priya.natarajan@example.com",
            OFFICE_PRIYA,
            BROWSER_MAC,
            true,
        ),
        (
            &env.li_days,
            "li.wei@example.com",
            HOME_LI,
            BROWSER_FF,
            true,
        ),
        (
            &env.dana_days,
            "dana.kim@example.com",
            OFFICE_DANA,
            BROWSER_MAC,
            false,
        ),
    ];
    for (days, user, ip, browser, console) in sso {
        for d in days {
            let call = env.saml_call(&d.caller, &mut r);
            tl.emit(&mut r, d.from, None, &env.saml(user, ip, browser), &call);
            if console {
                let login = crate::synth::api::signin::console_login(&env.w, None, true);
                tl.emit(
                    &mut r,
                    d.from + 7,
                    None,
                    &signing_in(&d.caller, browser),
                    &login,
                );
            }
        }
    }
    let mfa = env.w.iam_arn("mfa/maria.lopez");
    for d in &env.maria_days {
        let login = crate::synth::api::signin::console_login(&env.w, Some(&mfa), false);
        tl.emit(
            &mut r,
            d.from,
            None,
            &signing_in(&d.caller, BROWSER_WIN),
            &login,
        );
    }
}

/// Emits the credentials AWS services and other principals mint for the
/// sessions of the story.
fn mints(tl: &mut Timeline, env: &Env) {
    let mut r = tl.rng("weekly-drift/mints");
    // The agent's sessions: dana.kim's CLI session assumes the role.
    for d in &env.agent_days {
        let dana = env
            .dana_at(d.from)
            .expect("the agent runs inside dana.kim's session");
        let dana = with_agent(
            dana,
            &format!("{AGENT_CLI} md/command#sts.get-caller-identity"),
        );
        let s = d
            .caller
            .session()
            .expect("agent sessions are role sessions");
        let call = sts::assume_role(&env.w, s, HOUR, &mut r);
        tl.emit(&mut r, d.from, None, &dana, &call);
    }
    // The analytics vendor assumes data-export-role with its external ID.
    for d in &env.partner_days {
        let s = d
            .caller
            .session()
            .expect("partner sessions are role sessions");
        let mut call = sts::assume_role(&env.w, s, HOUR, &mut r);
        call.request["externalId"] = json!("storefront-7f3a9c21");
        let mut partner = env.partner.clone();
        partner.tls = TLS12;
        tl.emit(&mut r, d.from, None, &partner, &call);
    }
    tl.mint(
        "weekly-drift/mint/inventory",
        &env.inventory,
        &Caller::service("lambda.amazonaws.com"),
        43_200,
    );
    let ec2 = Caller::service("ec2.amazonaws.com");
    for (i, inst) in env.instances.iter().enumerate() {
        let mut r = tl.rng(&format!("weekly-drift/mint/instance/{i}"));
        for (_, _, caller) in &inst.creds.spans {
            if let Some(s) = caller.session()
                && s.created >= env.w.start
            {
                let call = sts::assume_role(&env.w, s, 21_600, &mut r);
                tl.emit(&mut r, s.created, Some(inst.region), &ec2, &call);
            }
        }
    }
}

/// Generates the scenario: records, ground truth and the two IAM snapshots.
pub(crate) fn generate(seed: u64, noise_percent: u32) -> Generated {
    let env = build_env(seed);
    let mut tl = Timeline::new(env.w.clone(), seed, noise_percent);
    sign_ins(&mut tl, &env);
    mints(&mut tl, &env);
    tl.run_script(&env, "weekly-drift/script", &story::script(&env));
    for routine in story::routines(&env) {
        tl.run_routine(&env, &routine);
    }
    let mut key_events = tl.key_events.clone();
    key_events.sort_by(|a, b| (&a.event_time, &a.label).cmp(&(&b.event_time, &b.label)));
    let last_used = snapshot::LastUsed::from_events(&tl.events);
    let extra_files = vec![
        (
            "iam/previous-2026-03-02.json".to_string(),
            snapshot::authorization_details(&env, &last_used, t(REVIEW)).into_bytes(),
        ),
        (
            "iam/current-2026-03-09.json".to_string(),
            snapshot::authorization_details(&env, &last_used, t(END)).into_bytes(),
        ),
    ];
    Generated {
        world: env.w.clone(),
        events: std::mem::take(&mut tl.events),
        key_events,
        extra_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(weekday(t(START)), 0);
        assert_eq!(weekday(t(REVIEW)), 0);
        assert_eq!(weekday(t(END)), 0);
        assert_eq!(weekday(t(MONTHLY_REVIEWS[0])), 1);
        assert_eq!(weekday(t(MONTHLY_REVIEWS[1])), 1);
    }

    #[test]
    fn story_sessions_exist() {
        let e = build_env(7);
        for at in [GRANT, LOGIN_PROFILE] {
            assert!(e.priya_at(t(at)).is_some(), "priya at {at}");
        }
        for at in [
            MONTHLY_REVIEWS[0],
            MONTHLY_REVIEWS[1],
            KEY_CREATED,
            TRUST_OPENED,
        ] {
            assert!(e.maria_at(t(at)).is_some(), "maria at {at}");
        }
        assert!(e.agent_at(t(SPREE) + 1_900).is_some());
        assert!(e.dana_at(t(SPREE)).is_some());
    }

    #[test]
    fn ground_truth_is_complete() {
        let g = generate(7, 100);
        for label in [
            "permission_grant",
            "agent_new_region",
            "agent_new_action",
            "credential_created",
            "login_profile_created",
            "trust_opened",
            "new_key_first_use",
            "access_denied_burst_first",
            "access_denied_burst_last",
            "decoy_ci_weekly_deploy",
            "decoy_monthly_review",
            "decoy_backup_retention",
            "baseline_policy_version",
        ] {
            assert!(
                g.key_events.iter().any(|k| k.label == label),
                "missing {label}"
            );
        }
    }
}
