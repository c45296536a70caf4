//! `human-console-outage`: an engineer signed in to the console with MFA
//! cleans up Parameter Store entries of a retired service and, in the same
//! selection, deletes two parameters the live checkout service reads. The
//! checkout tasks and the invoice worker fail for about 40 minutes until
//! the on-call engineer puts the parameters back. No agent is involved: an
//! incident-assistant agent only reads, and CI deletes an unrelated preview
//! bucket during the outage.
//!
//! Partition `aws`, region `us-east-1`. The story and what an analysis
//! should find are in `tests/scenarios/README.md`.

use crate::synth::api::{
    cloudtrail, cloudwatch, ec2, ecs, lambda, logs, metrics, s3, signin, ssm, sts,
};
use crate::synth::engine::{ActorFn, CallFn, Rotation, Routine, Step, Timeline, rotate, window};
use crate::synth::identity::{Agent, Caller, RoleDef, Secs, Session, TLS12, Who, World};
use crate::synth::records::Call;
use crate::synth::rng::Rng;
use crate::synth::scenarios::Generated;
use crate::synth::scenarios::kit::{
    Sso, aws_world, cli, failed_by, fixed, github_job, github_provider, github_token, in_role,
    role, session, signing_in, sorted_keys, sso_role, t,
};

mod snapshot;
mod story;

const ACCOUNT: &str = "729301846552";
const HOME: &str = "us-east-1";
const START: &str = "2026-06-02T00:00:00Z";
const END: &str = "2026-06-03T00:00:00Z";

const SOFIA: &str = "2026-06-02T13:05:44Z";
const DANA_LOGIN: &str = "2026-06-02T14:02:11Z";
const PARAMS_DELETED: &str = "2026-06-02T14:21:37Z";
const CLEANUP: &str = "2026-06-02T14:22:40Z";
const RAJ: &str = "2026-06-02T14:33:50Z";
const FIRST_FIX: &str = "2026-06-02T15:00:20Z";
const SECOND_FIX: &str = "2026-06-02T15:01:05Z";

/// CI deploys of storefront-web; one lands during the outage.
const DEPLOYS: &[&str] = &[
    "2026-06-02T11:05:30Z",
    "2026-06-02T14:44:02Z",
    "2026-06-02T19:12:45Z",
];

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const BROWSER_RAJ: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0";
const BROWSER_SOFIA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
const CHECKOUT_SDK: &str = "aws-sdk-go-v2/1.30.3 ua/2.1 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#arm64 api/ssm#1.52.4 exec-env/AWS_ECS_FARGATE m/E";
const INVOICE_SDK: &str = "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.216-225.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.131";
const COPILOT_SDK: &str = "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.216-225.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#standard Botocore/1.34.131";
const CI_CLI: &str = "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1022-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off";
const CI_OIDC: &str = "aws-sdk-js/3.598.0 ua/2.1 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/sts#3.598.0 configure-aws-credentials-for-github-actions";

const OFFICE: &str = "198.51.100.34";
const HOME_RAJ: &str = "203.0.113.77";
const NAT_APPS: &str = "44.211.19.63";

const CLUSTER: &str = "checkout-prod";
/// The parameters the checkout service reads, and the retired ones.
const PAYMENT: &str = "/prod/checkout/payment-gateway-endpoint";
const TAX: &str = "/prod/checkout/tax-service-endpoint";
const BANNER: &str = "/prod/checkout/promo-banner";
const RETIRED: &[&str] = &[
    "/prod/checkout-v1/feature-flags",
    "/prod/checkout-v1/db-endpoint",
];
const PREVIEW_BUCKETS: &[&str] = &["storefront-preview-pr-2291", "storefront-preview-pr-2287"];

struct CiRun {
    start: Secs,
    caller: Caller,
    /// Task definition revision a deploy registers.
    revision: u32,
}

/// Everything the story mentions, computed once from the seed.
pub(crate) struct Env {
    w: World,
    roles: Roles,
    sso: Sso,
    dana: (String, String),

    dana_console: Caller,
    raj: Caller,
    sofia: Caller,
    ci: Vec<CiRun>,
    ci_oidc: Caller,
    checkout_tasks: Vec<Rotation>,
    invoice: Rotation,
    copilot: Rotation,
    config: Caller,
}

struct Roles {
    sso_admin: RoleDef,
    sso_dev: RoleDef,
    checkout: RoleDef,
    invoice: RoleDef,
    copilot: RoleDef,
    ci: RoleDef,
    config: RoleDef,
}

fn build_env(seed: u64) -> Env {
    let w = aws_world(ACCOUNT, HOME, START, END);
    let mut r = Rng::derive(seed, "human-console-outage/env");
    let r = &mut r;
    let roles = Roles {
        sso_admin: sso_role(r, "AdministratorAccess", HOME),
        sso_dev: sso_role(r, "DeveloperReadOnly", HOME),
        checkout: role(r, "checkout-api-task-role", "/"),
        invoice: role(r, "invoice-worker-role", "/service-role/"),
        copilot: role(r, "sre-agent-readonly-role", "/"),
        ci: role(r, "gha-storefront-deploy", "/"),
        config: role(
            r,
            "AWSServiceRoleForConfig",
            "/aws-service-role/config.amazonaws.com/",
        ),
    };
    let sso = Sso::new(r);
    let dana = ("dana.whitfield".to_string(), r.iam_id("AIDA"));
    let dana_console = Caller::new(
        Who::IamUser {
            name: dana.0.clone(),
            id: dana.1.clone(),
            key: Some(r.access_key("ASIA")),
            console: Some((t(DANA_LOGIN), true)),
        },
        OFFICE,
        Agent::Console,
    );
    let mut raj = in_role(
        session(
            &roles.sso_admin,
            "raj.patel@example-shop.com",
            Some(r.access_key("ASIA")),
            t(RAJ),
        ),
        HOME_RAJ,
        Agent::Console,
    );
    raj.tls = TLS12;
    let sofia = in_role(
        session(
            &roles.sso_dev,
            "sofia.martins@example-shop.com",
            Some(r.access_key("ASIA")),
            t(SOFIA),
        ),
        OFFICE,
        Agent::Console,
    );

    let oidc = github_provider(&w);
    let ci_oidc = github_token(
        &oidc,
        "repo:example-shop/storefront:ref:refs/heads/main",
        "20.171.9.52",
        CI_OIDC,
    );
    let mut runs: Vec<&str> = DEPLOYS.to_vec();
    runs.push(CLEANUP);
    runs.sort();
    let ci = runs
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
                caller,
                revision: 117 + DEPLOYS.iter().filter(|d| t(d) <= start).count() as u32,
            }
        })
        .collect();

    let checkout_tasks = (0..3)
        .map(|_| {
            let task_id = r.hex(32);
            let ip = format!("10.12.{}.{}", r.range(64, 79), r.range(2, 250));
            let checkout = roles.checkout.clone();
            rotate(r, (w.start, w.end), (21_000, 21_600), true, |r, at| {
                in_role(
                    session(&checkout, &task_id, Some(r.access_key("ASIA")), at),
                    &ip,
                    fixed(CHECKOUT_SDK),
                )
            })
        })
        .collect();
    let lambda_creds = |r: &mut Rng, role: &RoleDef, name: &str, agent: &str| {
        let role = role.clone();
        let name = name.to_string();
        let agent = agent.to_string();
        rotate(r, (w.start, w.end), (3_600, 9_000), true, |r, at| {
            in_role(
                session(&role, &name, Some(r.access_key("ASIA")), at),
                NAT_APPS,
                fixed(&agent),
            )
        })
    };
    let invoice = lambda_creds(r, &roles.invoice, "invoice-worker", INVOICE_SDK);
    let copilot = lambda_creds(r, &roles.copilot, "incident-copilot", COPILOT_SDK);
    let config = Caller::new(
        Who::Role(Session {
            role: roles.config.clone(),
            name: "AWSConfig-Describe".to_string(),
            key: None,
            created: t(START) - 3_600,
            mfa: false,
            source_identity: None,
            ec2_delivery: false,
            web_identity_provider: None,
        }),
        "config.amazonaws.com",
        fixed("config.amazonaws.com"),
    );

    Env {
        w,
        roles,
        sso,
        dana,
        dana_console,
        raj,
        sofia,
        ci,
        ci_oidc,
        checkout_tasks,
        invoice,
        copilot,
        config,
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

    /// Whether a parameter exists at a time.
    fn exists(&self, at: Secs, name: &str) -> bool {
        let deleted = t(PARAMS_DELETED);
        match name {
            PAYMENT => at < deleted || at >= t(FIRST_FIX),
            TAX => at < deleted || at >= t(SECOND_FIX),
            BANNER => false,
            n if RETIRED.contains(&n) => at < deleted,
            _ => true,
        }
    }

    fn read(&self, at: Secs, name: &str, decrypt: bool) -> Call {
        if self.exists(at, name) {
            ssm::get_parameter(name, decrypt)
        } else {
            ssm::get_parameter_missing(name, decrypt)
        }
    }

    /// checkout-api's configuration refresh: both endpoints.
    fn refresh(&self, at: Secs) -> Call {
        self.read(at, PAYMENT, false)
            .then(1, self.read(at + 1, TAX, false))
    }
}

crate::synth::scenarios::kit::story_builders!(Env);

/// Generates the scenario: records, ground truth and the IAM snapshot.
pub(crate) fn generate(seed: u64, noise_percent: u32) -> Generated {
    let env = build_env(seed);
    let mut tl = Timeline::new(env.w.clone(), seed, noise_percent);
    tl.run_script(&env, "human-console-outage/script", &story::script());
    for routine in story::routines() {
        tl.run_routine(&env, &routine);
    }
    let ecs_tasks = Caller::service("ecs-tasks.amazonaws.com");
    let lambda_svc = Caller::service("lambda.amazonaws.com");
    for (i, task) in env.checkout_tasks.iter().enumerate() {
        tl.mint(&format!("mint/checkout/{i}"), task, &ecs_tasks, 21_600);
    }
    tl.mint("mint/invoice", &env.invoice, &lambda_svc, 43_200);
    tl.mint("mint/copilot", &env.copilot, &lambda_svc, 43_200);

    // The optional banner parameter never exists; its misses are not the outage.
    let key_events = sorted_keys(&tl, |r| {
        failed_by(
            r,
            &["checkout-api-task-role", "invoice-worker-role"],
            &["ParameterNotFound"],
        ) && [PAYMENT, TAX].contains(&r["requestParameters"]["name"].as_str().unwrap_or(""))
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
            "console_login",
            "root_cause",
            "decoy",
            "recovery",
            "outage_first_error",
            "outage_last_error",
        ] {
            assert!(
                g.key_events.iter().any(|k| k.label == label),
                "missing {label}"
            );
        }
    }
}
