//! `agent-table-restore`: an AI assistant (Amazon Q Developer CLI) reaches
//! a production data role through two hops of role chaining, switches off
//! a DynamoDB table's deletion protection and deletes the table while
//! cleaning up stale tables. The services that read the table fail for
//! about three hours until the on-call engineer restores it from the
//! nightly backup under the same name.
//!
//! Partition `aws`, region `eu-west-1`. The story and what an analysis
//! should find are in `tests/scenarios/README.md`.

use crate::synth::api::dynamodb::{self, Table};
use crate::synth::api::{cloudtrail, cloudwatch, ecs, lambda, logs, metrics, signin, sts};
use crate::synth::engine::{ActorFn, CallFn, Rotation, Routine, Step, Timeline, rotate, window};
use crate::synth::identity::{Agent, Caller, RoleDef, Secs, TLS12, Who, World};
use crate::synth::records::Call;
use crate::synth::rng::Rng;
use crate::synth::scenarios::Generated;
use crate::synth::scenarios::kit::{
    Sso, aws_world, cli, failed_by, fixed, github_job, github_provider, github_token, in_role,
    role, session, signing_in, sorted_keys, sso_role, t,
};

mod snapshot;
mod story;

const ACCOUNT: &str = "318274650913";
const PARTNER_ACCOUNT: &str = "593017482261";
const HOME: &str = "eu-west-1";
const START: &str = "2026-04-14T00:00:00Z";
const END: &str = "2026-04-15T12:00:00Z";

const NIGHTLY_D1: &str = "2026-04-14T02:00:04Z";
const NIGHTLY_D2: &str = "2026-04-15T02:00:06Z";
const MARIA_CONSOLE: &str = "2026-04-14T07:45:10Z";
const ERIK_D1: &str = "2026-04-14T08:20:40Z";
const MARIA_CLI: &str = "2026-04-14T15:08:44Z";
const CHAIN: &str = "2026-04-14T15:09:30Z";
const AGENT_MINT: &str = "2026-04-14T15:11:02Z";
const STALE_DELETED: &str = "2026-04-14T15:18:30Z";
const GUARDRAIL_OFF: &str = "2026-04-14T15:19:40Z";
const TABLE_DELETED: &str = "2026-04-14T15:19:58Z";
const TOMAS_CONSOLE: &str = "2026-04-14T15:47:20Z";
const THROTTLE_FROM: &str = "2026-04-14T16:02:11Z";
const THROTTLE_TO: &str = "2026-04-14T16:17:40Z";
const RESTORE: &str = "2026-04-14T18:05:40Z";
/// The restored table becomes ACTIVE; reads succeed from here.
const TABLE_ACTIVE: &str = "2026-04-14T18:27:10Z";
const PITR_ON: &str = "2026-04-14T18:33:15Z";
const PROTECTION_ON: &str = "2026-04-14T18:33:48Z";
const ERIK_D2: &str = "2026-04-15T07:31:05Z";

/// CI deploys of invoice-renderer (GitHub Actions); one lands during the outage.
const CI_RUNS: &[&str] = &[
    "2026-04-14T09:12:40Z",
    "2026-04-14T13:48:05Z",
    "2026-04-14T15:24:30Z",
    "2026-04-15T08:35:00Z",
];

const BROWSER_FIREFOX: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0";
const BROWSER_CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const BROWSER_EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51";
const MARIA_CLI_UA: &str = "aws-cli/2.27.49 md/awscrt#0.26.1 ua/2.1 os/macos#24.4.0 md/arch#arm64 lang/python#3.13.4 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off";
/// The AWS CLI as Amazon Q Developer's `use_aws` tool runs it.
const Q_CLI_UA: &str = "aws-cli/2.27.49 md/awscrt#0.26.1 ua/2.1 os/macos#24.4.0 md/arch#arm64 lang/python#3.13.4 md/pyimpl#CPython exec-env/AmazonQ-For-CLI cfg/retry-mode#standard md/installer#source md/prompt#off";
const CI_CLI: &str = "aws-cli/2.27.41 md/awscrt#0.26.1 ua/2.1 os/linux#6.8.0-1027-azure md/arch#x86_64 lang/python#3.13.3 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off";
const CI_OIDC: &str = "aws-sdk-js/3.787.0 ua/2.1 os/linux#6.8.0-1027-azure lang/js md/nodejs#20.19.0 api/sts#3.787.0 m/E configure-aws-credentials-for-github-actions";
const BILLING_SDK: &str = "aws-sdk-java/2.31.21 md/io#sync md/http#Apache ua/2.1 os/Linux#5.10.235-227.919.amzn2.x86_64 lang/java#21.0.7 md/OpenJDK_64-Bit_Server_VM#21.0.7+6-LTS md/vendor#Amazon.com_Inc. md/en_US exec-env/AWS_ECS_FARGATE m/D,N";
const SYNC_SDK: &str = "Boto3/1.37.38 md/Botocore#1.37.38 ua/2.1 os/linux#5.10.235-247.919.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.10 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.37.38";
const PORTAL_SDK: &str =
    "aws-sdk-js/3.758.0 ua/2.1 os/linux#5.10.235-247.919.amzn2.x86_64 lang/js md/nodejs#20.19.1";
const BACKUP_SDK: &str = "Boto3/1.37.38 md/Botocore#1.37.38 ua/2.1 os/linux#5.10.235-247.919.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.10 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.37.38";
const EXPORTER_SDK: &str = "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 md/GOOS#linux md/GOARCH#arm64 api/cloudwatchlogs#1.48.0 exec-env/AWS_ECS_FARGATE m/E";
const PARTNER_SDK: &str = "aws-sdk-go/1.55.6 (go1.23.8; linux; amd64)";

const OFFICE_MARIA: &str = "93.41.208.17";
const OFFICE_ERIK: &str = "93.41.208.52";
const HOME_TOMAS: &str = "85.214.131.66";
const NAT_APPS: &str = "34.251.17.88";
const PARTNER_IP: &str = "3.233.148.12";
const DDB_ENDPOINT: &str = "vpce-0d6a1c93f2e4b7a08";

/// The table the agent deletes, as it was and as restored.
const TABLE: &str = "prod-entitlements";
const STALE_TABLE: &str = "entitlements-backfill-2025q4";
const AUDIT_TABLE: &str = "prod-entitlements-audit";
const CLUSTER: &str = "prod-billing";
const ARTIFACT_BUCKET: &str = "ci-artifacts-318274650913-eu-west-1";

struct CiRun {
    start: Secs,
    sha: String,
    caller: Caller,
}

/// Everything the story mentions, computed once from the seed.
pub(crate) struct Env {
    w: World,
    roles: Roles,
    sso: Sso,
    table: Table,
    restored: Table,
    stale: Table,
    audit: Table,
    backup_d1: (String, String),
    backup_d2: (String, String),

    maria_console: Caller,
    maria_cli: Caller,
    platform: Caller,
    agent: Caller,
    tomas: Caller,
    erik_d1: Caller,
    erik_d2: Caller,
    ci: Vec<CiRun>,
    ci_oidc: Caller,
    partner: Caller,
    partner_creds: Rotation,
    billing_tasks: Vec<Rotation>,
    sync: Rotation,
    portal: Rotation,
    backup: Rotation,
    exporter: Rotation,
}

struct Roles {
    sso_data: RoleDef,
    sso_admin: RoleDef,
    sso_readonly: RoleDef,
    platform: RoleDef,
    data_admin: RoleDef,
    billing: RoleDef,
    sync: RoleDef,
    portal: RoleDef,
    backup: RoleDef,
    exporter: RoleDef,
    ci: RoleDef,
    partner: RoleDef,
}

fn table(w: &World, r: &mut Rng, name: &str, created: &str, items: u64) -> Table {
    Table {
        name: name.to_string(),
        arn: w.arn("dynamodb", HOME, &format!("table/{name}")),
        id: r.uuid(),
        created: t(created),
        items,
        bytes: items * (180 + r.below(60)),
    }
}

/// An on-demand backup: (name, ARN).
fn backup(w: &World, r: &mut Rng, table: &str, at: &str) -> (String, String) {
    let ms = t(at) * 1000 + r.range(0, 999);
    (
        format!("{table}-nightly-{}", &at[..10]),
        w.arn(
            "dynamodb",
            HOME,
            &format!("table/{table}/backup/{ms:013}-{}", r.hex(8)),
        ),
    )
}

fn build_env(seed: u64) -> Env {
    let w = aws_world(ACCOUNT, HOME, START, END);
    let mut r = Rng::derive(seed, "agent-table-restore/env");
    let r = &mut r;
    let roles = Roles {
        sso_data: sso_role(r, "DataEngineer", "eu-central-1"),
        sso_admin: sso_role(r, "AdministratorAccess", "eu-central-1"),
        sso_readonly: sso_role(r, "ReadOnlyAccess", "eu-central-1"),
        platform: role(r, "platform-tools-role", "/"),
        data_admin: role(r, "data-admin-role", "/"),
        billing: role(r, "billing-api-task-role", "/"),
        sync: role(r, "entitlement-sync-role", "/service-role/"),
        portal: role(r, "support-portal-api-role", "/service-role/"),
        backup: role(r, "ddb-nightly-backup-role", "/service-role/"),
        exporter: role(r, "audit-exporter-task-role", "/"),
        ci: role(r, "gha-invoice-renderer-deploy", "/"),
        partner: role(r, "observability-readonly", "/"),
    };
    let sso = Sso::new(r);
    let table_now = table(&w, r, TABLE, "2024-09-03T10:14:22Z", 48_210);
    let mut restored = table_now.clone();
    restored.id = r.uuid();
    restored.created = t(RESTORE);
    let stale = table(&w, r, STALE_TABLE, "2025-12-08T16:40:05Z", 612_004);
    let audit = table(&w, r, AUDIT_TABLE, "2024-09-03T10:15:02Z", 1_902_551);
    let backup_d1 = backup(&w, r, TABLE, NIGHTLY_D1);
    let backup_d2 = backup(&w, r, TABLE, NIGHTLY_D2);

    let sso_session = |r: &mut Rng, role: &RoleDef, user: &str, at: &str, ip: &str, a: Agent| {
        in_role(
            session(role, user, Some(r.access_key("ASIA")), t(at)),
            ip,
            a,
        )
    };
    let maria_console = sso_session(
        r,
        &roles.sso_data,
        "maria.rossi@example.eu",
        MARIA_CONSOLE,
        OFFICE_MARIA,
        Agent::Console,
    );
    let maria_cli = sso_session(
        r,
        &roles.sso_data,
        "maria.rossi@example.eu",
        MARIA_CLI,
        OFFICE_MARIA,
        cli(MARIA_CLI_UA, ""),
    );
    // The first hop: her terminal assumes platform-tools-role; Amazon Q,
    // started in that shell, runs the CLI with those credentials.
    let platform = in_role(
        session(
            &roles.platform,
            "maria.rossi",
            Some(r.access_key("ASIA")),
            t(CHAIN),
        ),
        OFFICE_MARIA,
        // The CLI assumes the next role of the profile chain while running
        // the command the assistant asked for.
        fixed(&format!("{Q_CLI_UA} md/command#dynamodb.list-tables")),
    );
    let agent = in_role(
        session(
            &roles.data_admin,
            &format!("amazon-q-agent-{}", t(AGENT_MINT)),
            Some(r.access_key("ASIA")),
            t(AGENT_MINT),
        ),
        OFFICE_MARIA,
        cli(Q_CLI_UA, ""),
    );
    let mut tomas = sso_session(
        r,
        &roles.sso_admin,
        "tomas.novak@example.eu",
        TOMAS_CONSOLE,
        HOME_TOMAS,
        Agent::Console,
    );
    tomas.tls = TLS12;
    let erik_d1 = sso_session(
        r,
        &roles.sso_readonly,
        "erik.lund@example.eu",
        ERIK_D1,
        OFFICE_ERIK,
        Agent::Console,
    );
    let erik_d2 = sso_session(
        r,
        &roles.sso_readonly,
        "erik.lund@example.eu",
        ERIK_D2,
        OFFICE_ERIK,
        Agent::Console,
    );

    let oidc = github_provider(&w);
    let ci_oidc = github_token(
        &oidc,
        "repo:example-eu/invoice-renderer:ref:refs/heads/main",
        "20.61.88.14",
        CI_OIDC,
    );
    let ci = CI_RUNS
        .iter()
        .map(|at| {
            let start = t(at);
            let caller = github_job(
                r,
                &roles.ci,
                &oidc,
                start,
                &[20, 4, 52, 172],
                cli(CI_CLI, ""),
            );
            CiRun {
                start,
                sha: r.hex(40),
                caller,
            }
        })
        .collect();

    let partner = Caller::new(
        Who::Account {
            account: PARTNER_ACCOUNT.to_string(),
            principal_id: format!("{}:metrics-crawler", r.iam_id("AROA")),
        },
        PARTNER_IP,
        fixed(PARTNER_SDK),
    );
    let partner_role = roles.partner.clone();
    let mut partner_creds = rotate(r, (w.start, w.end), (3_600, 3_700), true, |r, at| {
        let s = session(
            &partner_role,
            &format!("obs-{at}"),
            Some(r.access_key("ASIA")),
            at,
        );
        in_role(s, PARTNER_IP, fixed(PARTNER_SDK))
    });
    for span in &mut partner_creds.spans {
        span.2.tls = TLS12;
    }

    // Two billing-api tasks reading through the DynamoDB gateway endpoint.
    let billing_tasks = (0..2)
        .map(|_| {
            let task_id = r.hex(32);
            let ip = format!("10.42.{}.{}", r.range(16, 31), r.range(2, 250));
            let billing = roles.billing.clone();
            rotate(r, (w.start, w.end), (21_000, 21_600), true, |r, at| {
                let mut c = in_role(
                    session(&billing, &task_id, Some(r.access_key("ASIA")), at),
                    &ip,
                    fixed(BILLING_SDK),
                );
                c.vpc_endpoint = Some(DDB_ENDPOINT.to_string());
                c
            })
        })
        .collect();
    let lambda_creds = |r: &mut Rng, role: &RoleDef, name: &str, agent: Agent| {
        let role = role.clone();
        let name = name.to_string();
        rotate(r, (w.start, w.end), (3_600, 9_000), true, |r, at| {
            in_role(
                session(&role, &name, Some(r.access_key("ASIA")), at),
                NAT_APPS,
                agent.clone(),
            )
        })
    };
    let sync = lambda_creds(r, &roles.sync, "entitlement-sync", fixed(SYNC_SDK));
    let portal = lambda_creds(
        r,
        &roles.portal,
        "support-portal-api",
        Agent::JsSdk {
            prefix: PORTAL_SDK.to_string(),
            suffix: " exec-env/AWS_Lambda_nodejs20.x m/E".to_string(),
        },
    );
    let backup_creds = lambda_creds(r, &roles.backup, "ddb-nightly-backup", fixed(BACKUP_SDK));
    let exporter_role = roles.exporter.clone();
    let exporter_task = r.hex(32);
    let exporter = rotate(r, (w.start, w.end), (21_000, 21_600), true, |r, at| {
        in_role(
            session(
                &exporter_role,
                &exporter_task,
                Some(r.access_key("ASIA")),
                at,
            ),
            NAT_APPS,
            fixed(EXPORTER_SDK),
        )
    });

    Env {
        w,
        roles,
        sso,
        table: table_now,
        restored,
        stale,
        audit,
        backup_d1,
        backup_d2,
        maria_console,
        maria_cli,
        platform,
        agent,
        tomas,
        erik_d1,
        erik_d2,
        ci,
        ci_oidc,
        partner,
        partner_creds,
        billing_tasks,
        sync,
        portal,
        backup: backup_creds,
        exporter,
    }
}

impl Env {
    fn ci_run(&self, at: Secs) -> &CiRun {
        self.ci
            .iter()
            .rev()
            .find(|run| run.start <= at)
            .expect("CI steps follow a run's start")
    }

    /// The table by its state at a time: `None` while it does not exist or
    /// is still being restored.
    fn live_table(&self, at: Secs) -> Option<&Table> {
        if at < t(TABLE_DELETED) {
            Some(&self.table)
        } else if at >= t(TABLE_ACTIVE) {
            Some(&self.restored)
        } else {
            None
        }
    }

    /// A read or write of the table: it fails while the table is missing.
    fn item(&self, at: Secs, make: fn(&World, &Table) -> Call) -> Call {
        match self.live_table(at) {
            Some(tb) => make(&self.w, tb),
            None => dynamodb::missing(make(&self.w, &self.table)),
        }
    }

    /// DescribeTable as a dependent sees it.
    fn describe(&self, at: Secs) -> Call {
        if at >= t(TABLE_DELETED) && at < t(RESTORE) {
            dynamodb::describe_table_missing(&self.w, &self.table)
        } else if at >= t(RESTORE) {
            dynamodb::describe_table(&self.w, &self.restored)
        } else {
            dynamodb::describe_table(&self.w, &self.table)
        }
    }

    /// One entitlement-sync run: a query, then writes of the changes.
    fn sync_run(&self, at: Secs, r: &mut Rng) -> Call {
        let Some(tb) = self.live_table(at) else {
            return dynamodb::missing(dynamodb::query(
                &self.w,
                &self.table,
                Some("by-tenant"),
                "tenant_id",
            ));
        };
        let mut call = dynamodb::query(&self.w, tb, Some("by-tenant"), "tenant_id");
        for i in 0..r.range(0, 2) {
            let write =
                dynamodb::update_item(&self.w, tb, "customer_id", &["plan", "seats", "updated_at"]);
            // Optimistic locking: a concurrent change loses now and then.
            let write = if r.chance(60) {
                write.fail(
                    "ConditionalCheckFailedException",
                    "The conditional request failed",
                )
            } else {
                write
            };
            call = call.then(2 + 2 * i, write);
        }
        call
    }

    fn partner_at(&self, at: Secs) -> Option<Caller> {
        self.partner_creds.at(at)
    }
}

crate::synth::scenarios::kit::story_builders!(Env);

/// Generates the scenario: records, ground truth and the IAM snapshot.
pub(crate) fn generate(seed: u64, noise_percent: u32) -> Generated {
    let env = build_env(seed);
    let mut tl = Timeline::new(env.w.clone(), seed, noise_percent);
    tl.run_script(&env, "agent-table-restore/script", &story::script());
    for routine in story::routines() {
        tl.run_routine(&env, &routine);
    }
    let ecs_tasks = Caller::service("ecs-tasks.amazonaws.com");
    let lambda_svc = Caller::service("lambda.amazonaws.com");
    for (i, task) in env.billing_tasks.iter().enumerate() {
        tl.mint(&format!("mint/billing/{i}"), task, &ecs_tasks, 21_600);
    }
    tl.mint("mint/exporter", &env.exporter, &ecs_tasks, 21_600);
    tl.mint("mint/sync", &env.sync, &lambda_svc, 43_200);
    tl.mint("mint/portal", &env.portal, &lambda_svc, 43_200);
    tl.mint("mint/backup", &env.backup, &lambda_svc, 43_200);
    tl.mint("mint/partner", &env.partner_creds, &env.partner, 3_600);

    let key_events = sorted_keys(&tl, |r| {
        failed_by(
            r,
            &[
                "billing-api-task-role",
                "entitlement-sync-role",
                "support-portal-api-role",
            ],
            &["ResourceNotFoundException"],
        )
    });
    Generated {
        world: env.w.clone(),
        events: std::mem::take(&mut tl.events),
        key_events,
        extra_files: vec![(
            "iam/authorization-details.json".to_string(),
            snapshot::authorization_details(&env).into_bytes(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ground_truth_is_complete() {
        let g = generate(7, 100);
        for label in [
            "engineer_session",
            "role_chain",
            "credential_mint",
            "stale_table_deleted",
            "guardrail_removal",
            "root_cause",
            "decoy_throttling",
            "recovery",
            "outage_first_error",
            "outage_last_error",
        ] {
            assert!(
                g.key_events.iter().any(|k| k.label == label),
                "missing {label}"
            );
        }
        let quiet = generate(7, 0);
        assert_eq!(
            quiet.key_events.len(),
            g.key_events.len(),
            "noise does not change the story"
        );
    }
}
