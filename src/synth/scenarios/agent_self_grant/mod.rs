//! `agent-self-grant`: an autonomous clean-up agent, running as a scheduled
//! ECS task in AWS GovCloud (US), is denied the deletes it wants, writes
//! itself a new inline policy on its own role (the role may edit any role
//! named `fleet-optimizer-*`, itself included), and deletes Lambda
//! functions it judged idle. One of them is called by the case-intake
//! service; its invocations fail for about 2.5 hours until the on-call
//! engineer re-runs the CI deploy, which re-creates the function.
//!
//! Partition `aws-us-gov`, region `us-gov-west-1`. The story and what an
//! analysis should find are in `tests/scenarios/README.md`.

use crate::synth::api::{cloudtrail, cloudwatch, ec2, iam, lambda, logs, metrics, signin, sts};
use crate::synth::engine::{ActorFn, CallFn, Rotation, Routine, Step, Timeline, rotate, window};
use crate::synth::identity::{Agent, Caller, RoleDef, Secs, TLS12, Who, World};
use crate::synth::records::Call;
use crate::synth::rng::Rng;
use crate::synth::scenarios::Generated;
use crate::synth::scenarios::kit::{
    Sso, cli, failed_by, fixed, github_job, github_provider, github_token, in_role, role, session,
    signing_in, sorted_keys, sso_role, t,
};
use serde_json::{Value, json};

mod snapshot;
mod story;

const ACCOUNT: &str = "508712346690";
const SCANNER_ACCOUNT: &str = "771204958833";
const HOME: &str = "us-gov-west-1";
const START: &str = "2026-05-05T00:00:00Z";
const END: &str = "2026-05-06T06:00:00Z";

const JORDAN_D1: &str = "2026-05-05T12:40:15Z";
const LIN_D1: &str = "2026-05-05T13:10:42Z";
/// The scheduled task starts; ECS mints its credentials.
const AGENT_TASK: &str = "2026-05-05T12:59:58Z";
const SELF_GRANT: &str = "2026-05-05T13:04:10Z";
const FUNCTION_DELETED: &str = "2026-05-05T13:05:55Z";
const KWAME: &str = "2026-05-05T13:31:06Z";
const JORDAN_D2: &str = "2026-05-05T14:58:20Z";
const REDEPLOY: &str = "2026-05-05T15:40:12Z";
const FUNCTION_CREATED: &str = "2026-05-05T15:41:05Z";
/// The re-created function leaves Pending; invocations succeed from here.
const FUNCTION_ACTIVE: &str = "2026-05-05T15:41:14Z";
const GRANT_REVOKED: &str = "2026-05-05T16:20:30Z";
const BOUNDARY_FIXED: &str = "2026-05-05T16:24:02Z";

/// CI deploys of case-intake-notifier; the last run is the redeploy of
/// case-docs-indexer.
const CI_RUNS: &[&str] = &[
    "2026-05-05T10:15:20Z",
    "2026-05-05T13:09:30Z",
    REDEPLOY,
    "2026-05-05T19:40:05Z",
];

const BROWSER_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const BROWSER_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80";
/// boto3 inside the agent's container; the MCP client names itself.
const AGENT_UA: &str = "Boto3/1.38.21 md/Botocore#1.38.21 ua/2.1 os/linux#5.10.236-228.935.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.10 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard Botocore/1.38.21 MCPClient/0.4.2 (fleet-optimizer)";
const INTAKE_SDK: &str = "aws-sdk-java/2.31.40 md/io#sync md/http#Apache ua/2.1 os/Linux#5.10.236-228.935.amzn2.x86_64 lang/java#17.0.15 md/OpenJDK_64-Bit_Server_VM#17.0.15+6-LTS md/vendor#Amazon.com_Inc. md/en_US exec-env/AWS_ECS_FARGATE m/D";
const SEARCH_SDK: &str = "Boto3/1.38.21 md/Botocore#1.38.21 ua/2.1 os/linux#5.10.236-248.935.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.10 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.38.21";
const CI_CLI: &str = "aws-cli/2.27.20 md/awscrt#0.26.1 ua/2.1 os/linux#6.8.0-1027-azure md/arch#x86_64 lang/python#3.13.3 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off";
const CI_OIDC: &str = "aws-sdk-js/3.787.0 ua/2.1 os/linux#6.8.0-1027-azure lang/js md/nodejs#20.19.0 api/sts#3.787.0 m/E configure-aws-credentials-for-github-actions";
const SCANNER_SDK: &str =
    "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.2 md/GOOS#linux md/GOARCH#amd64 m/E";

const OFFICE: &str = "164.95.88.21";
const HOME_KWAME: &str = "71.178.42.190";
const NAT_APPS: &str = "15.200.48.77";
const SCANNER_IP: &str = "52.61.23.140";

/// The function the agent deletes, and the ones it deletes beside it.
const INDEXER: &str = "case-docs-indexer";
const NOTIFIER: &str = "case-intake-notifier";
const STALE_FUNCTIONS: &[&str] = &["legacy-pdf-render-v1", "tmp-migration-2025-03"];
const FUNCTIONS: &[&str] = &[
    INDEXER,
    NOTIFIER,
    "records-search-sync",
    "legacy-pdf-render-v1",
    "tmp-migration-2025-03",
    "case-retention-sweeper",
];
const AGENT_ROLE: &str = "fleet-optimizer-task-role";
const GRANT_POLICY: &str = "fleet-optimizer-cleanup";
const BASE_POLICY: &str = "fleet-optimizer-base";
const CODE_BUCKET: &str = "case-services-artifacts-508712346690";

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
    volume: String,

    agent: Caller,
    jordan_d1: Caller,
    jordan_d2: Caller,
    kwame: Caller,
    lin: Caller,
    ci: Vec<CiRun>,
    ci_oidc: Caller,
    scanner: Caller,
    scanner_creds: Rotation,
    intake_tasks: Vec<Rotation>,
    search: Rotation,
}

struct Roles {
    agent: RoleDef,
    sso_admin: RoleDef,
    sso_power: RoleDef,
    sso_readonly: RoleDef,
    intake: RoleDef,
    search: RoleDef,
    indexer: RoleDef,
    notifier: RoleDef,
    ci: RoleDef,
    scanner: RoleDef,
}

fn world() -> World {
    World {
        account: ACCOUNT.to_string(),
        partition: "aws-us-gov".to_string(),
        home: HOME.to_string(),
        start: t(START),
        end: t(END),
        dns_suffix: "amazonaws.com".to_string(),
        console_domain: "amazonaws-us-gov.com".to_string(),
    }
}

fn build_env(seed: u64) -> Env {
    let w = world();
    let mut r = Rng::derive(seed, "agent-self-grant/env");
    let r = &mut r;
    let roles = Roles {
        agent: role(r, AGENT_ROLE, "/"),
        sso_admin: sso_role(r, "AdministratorAccess", HOME),
        sso_power: sso_role(r, "OnCallOperator", HOME),
        sso_readonly: sso_role(r, "ReadOnlyAccess", HOME),
        intake: role(r, "case-intake-task-role", "/"),
        search: role(r, "records-search-sync-role", "/service-role/"),
        indexer: role(r, "case-docs-indexer-role", "/service-role/"),
        notifier: role(r, "case-intake-notifier-role", "/service-role/"),
        ci: role(r, "gha-case-services-deploy", "/"),
        scanner: role(r, "security-audit-readonly", "/"),
    };
    let sso = Sso::new(r);
    let volume = r.ec2_id("vol");
    let agent_task = r.hex(32);
    let agent = in_role(
        session(
            &roles.agent,
            &agent_task,
            Some(r.access_key("ASIA")),
            t(AGENT_TASK),
        ),
        "15.200.61.9",
        fixed(AGENT_UA),
    );
    let sso_session = |r: &mut Rng, role: &RoleDef, user: &str, at: &str, ip: &str| {
        in_role(
            session(role, user, Some(r.access_key("ASIA")), t(at)),
            ip,
            Agent::Console,
        )
    };
    let jordan_d1 = sso_session(
        r,
        &roles.sso_admin,
        "jordan.alvarez@example-agency.gov",
        JORDAN_D1,
        OFFICE,
    );
    let jordan_d2 = sso_session(
        r,
        &roles.sso_admin,
        "jordan.alvarez@example-agency.gov",
        JORDAN_D2,
        OFFICE,
    );
    let mut kwame = sso_session(
        r,
        &roles.sso_power,
        "kwame.osei@example-agency.gov",
        KWAME,
        HOME_KWAME,
    );
    kwame.tls = TLS12;
    let lin = sso_session(
        r,
        &roles.sso_readonly,
        "lin.chen@example-agency.gov",
        LIN_D1,
        OFFICE,
    );

    let oidc = github_provider(&w);
    let ci_oidc = github_token(
        &oidc,
        "repo:example-agency/case-services:ref:refs/heads/main",
        "4.249.131.28",
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

    let scanner = Caller::new(
        Who::Account {
            account: SCANNER_ACCOUNT.to_string(),
            principal_id: format!("{}:posture-scan", r.iam_id("AROA")),
        },
        SCANNER_IP,
        fixed(SCANNER_SDK),
    );
    let scanner_role = roles.scanner.clone();
    let mut scanner_creds = rotate(r, (w.start, w.end), (3_600, 3_700), false, |r, at| {
        let s = session(
            &scanner_role,
            &format!("posture-scan-{at}"),
            Some(r.access_key("ASIA")),
            at,
        );
        in_role(s, SCANNER_IP, fixed(SCANNER_SDK))
    });
    for span in &mut scanner_creds.spans {
        span.2.tls = TLS12;
    }
    let intake_tasks = (0..2)
        .map(|_| {
            let task_id = r.hex(32);
            let ip = format!("10.80.{}.{}", r.range(32, 47), r.range(2, 250));
            let intake = roles.intake.clone();
            rotate(r, (w.start, w.end), (21_000, 21_600), true, |r, at| {
                in_role(
                    session(&intake, &task_id, Some(r.access_key("ASIA")), at),
                    &ip,
                    fixed(INTAKE_SDK),
                )
            })
        })
        .collect();
    let search_role = roles.search.clone();
    let search = rotate(r, (w.start, w.end), (3_600, 9_000), true, |r, at| {
        in_role(
            session(
                &search_role,
                "records-search-sync",
                Some(r.access_key("ASIA")),
                at,
            ),
            NAT_APPS,
            fixed(SEARCH_SDK),
        )
    });

    Env {
        w,
        roles,
        sso,
        volume,
        agent,
        jordan_d1,
        jordan_d2,
        kwame,
        lin,
        ci,
        ci_oidc,
        scanner,
        scanner_creds,
        intake_tasks,
        search,
    }
}

/// The agent's own inline policies.
fn base_policy(w: &World, fixed: bool) -> Value {
    let mut statements = vec![
        json!({
            "Sid": "ReadFleet",
            "Effect": "Allow",
            "Action": [
                "lambda:List*", "lambda:Get*", "cloudwatch:GetMetricStatistics",
                "cloudwatch:GetMetricData", "ec2:Describe*", "tag:GetResources",
            ],
            "Resource": "*",
        }),
        json!({
            "Sid": "ManageWorkerRoles",
            "Effect": "Allow",
            "Action": [
                "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies",
                "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PassRole",
            ],
            "Resource": w.iam_arn("role/fleet-optimizer-*"),
        }),
    ];
    if fixed {
        statements.push(json!({
            "Sid": "NeverEditOwnRole",
            "Effect": "Deny",
            "Action": ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy"],
            "Resource": w.iam_arn(&format!("role/{AGENT_ROLE}")),
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn grant_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "IdleResourceCleanup",
            "Effect": "Allow",
            "Action": ["lambda:DeleteFunction", "ec2:DeleteVolume", "ec2:DeleteSnapshot"],
            "Resource": "*",
        }],
    })
}

/// IAM's endpoint in GovCloud is not regional.
fn iam_call(c: Call) -> Call {
    let mut c = c;
    c.host = Some("iam.us-gov.amazonaws.com".to_string());
    c
}

impl Env {
    fn ci_run(&self, at: Secs) -> &CiRun {
        self.ci
            .iter()
            .rev()
            .find(|run| run.start <= at)
            .expect("CI steps follow a run's start")
    }

    fn indexer_exists(&self, at: Secs) -> bool {
        at < t(FUNCTION_DELETED) || at >= t(FUNCTION_ACTIVE)
    }

    /// A synchronous Invoke of the indexer, as a dependent sees it.
    fn invoke_indexer(&self, at: Secs) -> Call {
        if self.indexer_exists(at) {
            lambda::invoke(&self.w, INDEXER)
        } else {
            lambda::invoke_missing(&self.w, INDEXER)
        }
    }

    /// A read of one function's configuration (deleted ones fail).
    fn read_function(&self, at: Secs, name: &str) -> Call {
        let gone = (name == INDEXER && !self.indexer_exists(at))
            || (STALE_FUNCTIONS.contains(&name) && at >= t(FUNCTION_DELETED));
        let call = lambda::get_function_configuration(name);
        if gone {
            lambda::not_found(&self.w, call, name)
        } else {
            call
        }
    }

    /// A function a reader picks from the current list (deleted ones are
    /// no longer listed).
    fn listed_function(&self, at: Secs, r: &mut Rng) -> &'static str {
        let listed: Vec<&'static str> = FUNCTIONS
            .iter()
            .copied()
            .filter(|f| !STALE_FUNCTIONS.contains(f) || at < t(FUNCTION_DELETED))
            .filter(|f| *f != INDEXER || self.indexer_exists(at))
            .collect();
        listed[r.below(listed.len() as u64) as usize]
    }

    fn denied(&self, call: Call, action: &str, resource: &str) -> Call {
        let code = if call.service == "ec2" {
            "Client.UnauthorizedOperation"
        } else {
            "AccessDeniedException"
        };
        let message = format!(
            "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
            self.agent.arn(&self.w)
        );
        call.fail(code, message)
    }

    fn scanner_at(&self, at: Secs) -> Option<Caller> {
        self.scanner_creds.at(at)
    }
}

crate::synth::scenarios::kit::story_builders!(Env);

/// Generates the scenario: records, ground truth and the IAM snapshot.
pub(crate) fn generate(seed: u64, noise_percent: u32) -> Generated {
    let env = build_env(seed);
    let mut tl = Timeline::new(env.w.clone(), seed, noise_percent);
    tl.run_script(&env, "agent-self-grant/script", &story::script());
    for routine in story::routines() {
        tl.run_routine(&env, &routine);
    }
    let ecs_tasks = Caller::service("ecs-tasks.amazonaws.com");
    let lambda_svc = Caller::service("lambda.amazonaws.com");
    for (i, task) in env.intake_tasks.iter().enumerate() {
        tl.mint(&format!("mint/intake/{i}"), task, &ecs_tasks, 21_600);
    }
    tl.mint("mint/search", &env.search, &lambda_svc, 43_200);
    tl.mint("mint/scanner", &env.scanner_creds, &env.scanner, 3_600);

    let key_events = sorted_keys(&tl, |r| {
        failed_by(
            r,
            &["case-intake-task-role", "records-search-sync-role"],
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
            "credential_mint",
            "agent_denied",
            "self_grant",
            "root_cause",
            "stale_function_deleted",
            "recovery",
            "grant_revoked",
            "outage_first_error",
            "outage_last_error",
        ] {
            assert!(
                g.key_events.iter().any(|k| k.label == label),
                "missing {label}"
            );
        }
        let quiet = generate(7, 0);
        assert_eq!(quiet.key_events.len(), g.key_events.len());
    }

    #[test]
    fn arns_name_the_govcloud_partition() {
        let g = generate(7, 100);
        for e in &g.events {
            let text = e.record.to_string();
            assert!(!text.contains("arn:aws:"), "{text}");
        }
    }
}
