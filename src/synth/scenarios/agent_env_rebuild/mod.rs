//! `agent-env-rebuild`: an AI coding agent, working through a role whose
//! permissions had been broadened the day before, deletes and re-creates a
//! production CloudFormation stack; the services that depended on it fail for
//! about 13 hours until a human repoints them.
//!
//! Modelled on a publicly reported incident in an `aws-cn` region. The story,
//! the ground truth and what an analysis should find are in
//! `sample-data/README.md`.

use crate::synth::api::{
    autoscaling, cfn, cloudtrail, cloudwatch, ec2, ecs, elbv2, iam, lambda, rds, s3, secrets,
    signin, ssm, sts,
};
use crate::synth::authz::{Authz, ManagedPolicy, RoleSpec, document, service_trust};
use crate::synth::engine::{ActorFn, CallFn, Rotation, Routine, Step, Timeline, rotate, window};
use crate::synth::identity::{
    Agent, Caller, RoleDef, Secs, Session, TLS12, Who, World, iso, parse_time,
};
use crate::synth::records::Call;
use crate::synth::rng::Rng;
use crate::synth::scenarios::kit::{github_job, github_provider, github_token};
use crate::synth::{KeyEvent, scenarios::Generated};
use serde_json::json;

mod snapshot;
mod story;

const ACCOUNT: &str = "210987654321";
const PARTNER_ACCOUNT: &str = "901234567890";
const HOME: &str = "cn-north-1";
const OTHER: &str = "cn-northwest-1";
const START: &str = "2026-03-09T00:00:00Z";
const END: &str = "2026-03-11T00:00:00Z";

// Day 1: people at work; the agent is denied, and its role is broadened.
const LIU_D1: &str = "2026-03-09T01:05:12Z";
const WANG_D1: &str = "2026-03-09T01:21:30Z";
const ZHAO_D1: &str = "2026-03-09T01:40:03Z";
const SUN_D1: &str = "2026-03-09T02:31:10Z";
const ROOT_D1: &str = "2026-03-09T03:02:15Z";
const ZHAO_D1_CLI: &str = "2026-03-09T08:29:50Z";
const AGENT_1A: &str = "2026-03-09T08:30:12Z";
const CHEN_D1: &str = "2026-03-09T09:02:44Z";
const GRANT: &str = "2026-03-09T09:14:22Z";
const AGENT_1B: &str = "2026-03-09T09:38:05Z";

// Day 2: the incident.
const ZHAO_D2_CLI: &str = "2026-03-10T00:50:10Z";
const AGENT_2: &str = "2026-03-10T00:58:31Z";
const GUARDRAIL_OFF: &str = "2026-03-10T01:30:52Z";
const DELETE_STACK: &str = "2026-03-10T01:31:18Z";
const INSTANCES_TERMINATED: &str = "2026-03-10T01:31:33Z";
const DB_SECRET_DELETED: &str = "2026-03-10T01:31:29Z";
const SIGNING_SECRET_DELETED: &str = "2026-03-10T01:31:30Z";
const LB_DELETED: &str = "2026-03-10T01:32:05Z";
const TG_DELETED: &str = "2026-03-10T01:35:10Z";
const CREATE_STACK: &str = "2026-03-10T01:41:15Z";
const NEW_DB_SECRET: &str = "2026-03-10T01:41:29Z";
const NEW_INSTANCES: &str = "2026-03-10T01:44:50Z";
/// Terminated instances drop out of DescribeInstanceStatus about an hour later.
const INSTANCES_GONE: &str = "2026-03-10T02:30:00Z";
const WANG_D2: &str = "2026-03-10T02:04:50Z";
const ZHAO_D2: &str = "2026-03-10T02:11:30Z";
const SUN_D2: &str = "2026-03-10T05:18:40Z";
const CHEN_D2: &str = "2026-03-10T08:31:05Z";
const LIU_D2: &str = "2026-03-10T13:48:20Z";
const DB_SECRET_RESTORED: &str = "2026-03-10T14:31:10Z";
const SIGNING_SECRET_RECREATED: &str = "2026-03-10T14:33:02Z";
const RECOVERY: &str = "2026-03-10T14:39:30Z";
const CONFIG_FIXED: &str = "2026-03-10T14:39:47Z";
const ORDERS_NEW_TASKS: &str = "2026-03-10T14:41:30Z";
const ORDERS_OLD_TASKS_STOP: &str = "2026-03-10T14:43:05Z";

/// CI deploy runs of catalog-service (GitHub Actions).
const CI_RUNS: &[&str] = &[
    "2026-03-09T02:14:05Z",
    "2026-03-09T06:47:33Z",
    "2026-03-09T10:22:10Z",
    "2026-03-10T03:05:42Z",
    "2026-03-10T07:40:18Z",
    "2026-03-10T12:10:55Z",
    "2026-03-10T16:02:30Z",
];

const BROWSER_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
const BROWSER_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15";
const BROWSER_EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80";
const AGENT_CLI: &str = "aws-cli/2.15.0 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off";
const AGENT_TOKEN: &str = " md/awslabs#mcp";
const LIU_CLI: &str = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off";
const CI_CLI: &str = "aws-cli/2.15.5 md/awscrt#0.19.17 ua/2.0 os/linux#6.5.0-1016-azure md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off";
const CI_OIDC: &str = "aws-sdk-js/3.637.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.16.0 api/sts#3.637.0 configure-aws-credentials-for-github-actions";
const ORDERS_SDK: &str = "aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/standard";
const PAYMENTS_SDK: &str = "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-219.812.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42";
const HEALTH_SDK: &str =
    "aws-sdk-js/3.515.0 ua/2.1 os/linux#5.10.209-219.812.amzn2.x86_64 lang/js md/nodejs#20.11.1";
const WEB_APP_SDK: &str = "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.28.2";
const SSM_AGENT: &str = "aws-sdk-go/1.50.24 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.1142.0";
const PARTNER_SDK: &str = "aws-sdk-go/1.50.11 (go1.21.7; linux; amd64)";

const OFFICE_CHEN: &str = "116.228.88.41";
const OFFICE_ZHAO: &str = "116.228.88.57";
const OFFICE_WANG: &str = "116.228.88.63";
const OFFICE_LIU: &str = "116.228.88.45";
const HOME_LIU: &str = "223.104.67.131";
const OFFICE_SUN: &str = "111.203.44.18";
const NAT_APPS: &str = "52.81.145.12";
const NAT_WEB: &str = "52.80.213.7";
const PARTNER_IP: &str = "54.223.41.90";

const AGENT_BUCKET: &str = "ops-agent-workspace-210987654321";
const ARTIFACT_BUCKET: &str = "ci-artifacts-210987654321-cn-north-1";
const DECOY_BUCKET: &str = "qa-loadtest-artifacts-2024";
const ORDERS_CLUSTER: &str = "prod-apps";

/// A secret and the version current after it was written.
struct Secret {
    name: &'static str,
    arn: String,
    version: String,
}

/// One EC2 instance of the web tier and its instance-profile credentials.
struct Instance {
    id: String,
    ip: String,
    zone: &'static str,
    subnet: String,
    creds: Rotation,
}

/// The resources of one incarnation of the `prod-web` stack.
struct WebStack {
    stack_id: String,
    lb_arn: String,
    lb_dns: String,
    tg_arn: String,
    listener_arn: String,
    sg_alb: String,
    sg_web: String,
    launch_template: String,
    created: Secs,
    db: Secret,
    instances: Vec<Instance>,
}

struct CiRun {
    start: Secs,
    sha: String,
    change_set_id: String,
    caller: Caller,
}

/// Everything the story mentions, computed once from the seed.
pub(crate) struct Env {
    w: World,
    vpc: String,
    subnets: Vec<(&'static str, String)>,
    certificate: String,
    missing_certificate: String,
    enis: Vec<String>,
    decoy_snapshot: String,
    old: WebStack,
    new: WebStack,
    signing_old: Secret,
    signing_new: Secret,
    db_restored_version: String,
    orders_stack_id: String,
    catalog_stack_id: String,
    recovery_change_set: String,
    instance_profile: (String, String),

    roles: Roles,
    chen: (String, String),
    sun: (String, String),
    saml_provider: (String, String),

    chen_d1: Caller,
    chen_d2: Caller,
    sun_d1: Caller,
    sun_d2: Caller,
    root_d1: Caller,
    liu_d1: Caller,
    liu_d2: Caller,
    wang_d1: Caller,
    wang_d2: Caller,
    zhao_d1: Caller,
    zhao_d1_cli: Caller,
    zhao_d2_cli: Caller,
    zhao_d2: Caller,
    agent_1a: Caller,
    agent_1b: Caller,
    agent_2: Caller,
    asg: Caller,
    elb: Caller,
    ci: Vec<CiRun>,
    ci_oidc: Caller,
    partner: Caller,
    partner_creds: Rotation,
    orders_tasks: Vec<Rotation>,
    payments: Rotation,
    health: Rotation,
}

struct Roles {
    agent: RoleDef,
    sso_admin: RoleDef,
    sso_engineer: RoleDef,
    sso_readonly: RoleDef,
    ci: RoleDef,
    orders: RoleDef,
    payments: RoleDef,
    health: RoleDef,
    web: RoleDef,
    catalog: RoleDef,
    exec: RoleDef,
    partner: RoleDef,
    asg: RoleDef,
    elb: RoleDef,
    sso_slr: RoleDef,
}

fn t(s: &str) -> Secs {
    parse_time(s)
}

fn world() -> World {
    World {
        account: ACCOUNT.to_string(),
        partition: "aws-cn".to_string(),
        home: HOME.to_string(),
        start: t(START),
        end: t(END),
        dns_suffix: "amazonaws.com.cn".to_string(),
        console_domain: "amazonaws.cn".to_string(),
    }
}

fn role(r: &mut Rng, name: &str, path: &str) -> RoleDef {
    RoleDef {
        name: name.to_string(),
        path: path.to_string(),
        id: r.iam_id("AROA"),
    }
}

/// An IAM Identity Center permission-set role.
fn sso_role(r: &mut Rng, permission_set: &str, path: &str) -> RoleDef {
    let suffix = r.hex(16);
    role(
        r,
        &format!("AWSReservedSSO_{permission_set}_{suffix}"),
        path,
    )
}

fn session(role: &RoleDef, name: &str, key: Option<String>, created: Secs) -> Session {
    Session {
        role: role.clone(),
        name: name.to_string(),
        key,
        created,
        mfa: false,
        source_identity: None,
        ec2_delivery: false,
        web_identity_provider: None,
    }
}

/// A caller acting through a role session.
fn in_role(s: Session, ip: &str, agent: Agent) -> Caller {
    Caller::new(Who::Role(s), ip, agent)
}

fn cli(prefix: &str, suffix: &str) -> Agent {
    Agent::Cli {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
    }
}

fn fixed(s: &str) -> Agent {
    Agent::Fixed(s.to_string())
}

/// The same principal at the moment of signing in: no access key yet, and
/// the browser's user agent.
fn signing_in(c: &Caller, browser: &str) -> Caller {
    let mut c = c.clone();
    c.agent = fixed(browser);
    match &mut c.who {
        Who::IamUser { key, console, .. } | Who::Root { key, console } => {
            *key = None;
            *console = None;
        }
        Who::Role(s) => s.key = None,
        _ => {}
    }
    c
}

fn with_agent(mut c: Caller, agent: &str) -> Caller {
    c.agent = fixed(agent);
    c
}

fn secret(w: &World, r: &mut Rng, name: &'static str) -> Secret {
    Secret {
        name,
        arn: w.arn(
            "secretsmanager",
            HOME,
            &format!("secret:{name}-{}", r.alnum(6)),
        ),
        version: r.uuid(),
    }
}

fn web_stack(
    w: &World,
    r: &mut Rng,
    created: Secs,
    roles: &Roles,
    subnets: &[(&'static str, String)],
    until: Secs,
) -> WebStack {
    let lb_hex = r.hex(16);
    let instances = subnets
        .iter()
        .enumerate()
        .map(|(i, (zone, subnet))| {
            let id = r.ec2_id("i");
            let ip = format!("10.20.{}.{}", i + 1, r.range(10, 250));
            let launched = created.max(t(NEW_INSTANCES)) + 10 * i as Secs;
            let existing = created < w.start;
            let from = if existing { w.start } else { launched };
            let web = roles.web.clone();
            let session_name = id.clone();
            let creds = rotate(r, (from, until), (21_600, 22_800), existing, |r, at| {
                let mut s = session(&web, &session_name, Some(r.access_key("ASIA")), at);
                s.ec2_delivery = true;
                in_role(s, NAT_WEB, fixed(WEB_APP_SDK))
            });
            Instance {
                id,
                ip,
                zone,
                subnet: subnet.clone(),
                creds,
            }
        })
        .collect();
    WebStack {
        stack_id: w.arn(
            "cloudformation",
            HOME,
            &format!("stack/prod-web/{}", r.uuid()),
        ),
        lb_arn: w.arn(
            "elasticloadbalancing",
            HOME,
            &format!("loadbalancer/app/prod-web-alb/{lb_hex}"),
        ),
        lb_dns: format!(
            "prod-web-alb-{}.{HOME}.elb.{}",
            r.range(1_000_000_000, 1_999_999_999),
            w.dns_suffix
        ),
        tg_arn: w.arn(
            "elasticloadbalancing",
            HOME,
            &format!("targetgroup/prod-web-tg/{}", r.hex(16)),
        ),
        listener_arn: w.arn(
            "elasticloadbalancing",
            HOME,
            &format!("listener/app/prod-web-alb/{lb_hex}/{}", r.hex(16)),
        ),
        sg_alb: r.ec2_id("sg"),
        sg_web: r.ec2_id("sg"),
        launch_template: r.ec2_id("lt"),
        created,
        db: secret(w, r, "prod/web/db-credentials"),
        instances,
    }
}

fn build_env(seed: u64) -> Env {
    let w = world();
    let mut r = Rng::derive(seed, "agent-env-rebuild/env");
    let r = &mut r;
    let sso_path = format!("/aws-reserved/sso.amazonaws.com/{HOME}/");
    let roles = Roles {
        agent: role(r, "ops-agent-role", "/"),
        sso_admin: sso_role(r, "AdministratorAccess", &sso_path),
        sso_engineer: sso_role(r, "PlatformEngineer", &sso_path),
        sso_readonly: sso_role(r, "ReadOnlyAccess", &sso_path),
        ci: role(r, "github-actions-deploy", "/"),
        orders: role(r, "orders-api-role", "/"),
        payments: role(r, "payments-worker-role", "/"),
        health: role(r, "edge-healthcheck-role", "/"),
        web: role(r, "prod-web-instance-role", "/"),
        catalog: role(r, "catalog-service-lambda-role", "/"),
        exec: role(r, "ecsTaskExecutionRole", "/"),
        partner: role(r, "observability-integration", "/"),
        asg: role(
            r,
            "AWSServiceRoleForAutoScaling",
            "/aws-service-role/autoscaling.amazonaws.com/",
        ),
        elb: role(
            r,
            "AWSServiceRoleForElasticLoadBalancing",
            "/aws-service-role/elasticloadbalancing.amazonaws.com/",
        ),
        sso_slr: role(
            r,
            "AWSServiceRoleForSSO",
            "/aws-service-role/sso.amazonaws.com/",
        ),
    };
    let subnets: Vec<(&'static str, String)> = ["cn-north-1a", "cn-north-1b", "cn-north-1d"]
        .iter()
        .map(|z| (*z, r.ec2_id("subnet")))
        .collect();
    let old = web_stack(
        &w,
        r,
        t("2025-11-18T06:12:40Z"),
        &roles,
        &subnets,
        t(INSTANCES_TERMINATED),
    );
    let new = web_stack(&w, r, t(CREATE_STACK), &roles, &subnets, w.end);

    let chen = ("chen.jie".to_string(), r.iam_id("AIDA"));
    let sun = ("sun.hao".to_string(), r.iam_id("AIDA"));
    let saml_provider = (
        format!("AWSSSO_{}_DO_NOT_DELETE", r.hex(16)),
        format!("{}=", r.base64(27)),
    );
    let iam_console = |r: &mut Rng, user: &(String, String), at: &str, mfa: bool, ip: &str| {
        Caller::new(
            Who::IamUser {
                name: user.0.clone(),
                id: user.1.clone(),
                key: Some(r.access_key("ASIA")),
                console: Some((t(at), mfa)),
            },
            ip,
            Agent::Console,
        )
    };
    let sso = |r: &mut Rng, role: &RoleDef, user: &str, at: &str, ip: &str, agent: Agent| {
        in_role(
            session(role, user, Some(r.access_key("ASIA")), t(at)),
            ip,
            agent,
        )
    };
    let agent = |r: &mut Rng, at: &str| {
        let created = t(at);
        let mut s = session(
            &roles.agent,
            &format!("kiro-agent-session-{created}"),
            Some(r.access_key("ASIA")),
            created,
        );
        s.source_identity = Some("zhao.lei@example.cn".to_string());
        in_role(s, OFFICE_ZHAO, cli(AGENT_CLI, AGENT_TOKEN))
    };
    let service_role = |role: &RoleDef, name: &str, invoked_by: &str| {
        let s = session(role, name, None, t(START) - 86_400);
        Caller::new(Who::Role(s), invoked_by, fixed(invoked_by))
    };

    let chen_d1 = iam_console(r, &chen, CHEN_D1, false, OFFICE_CHEN);
    let chen_d2 = iam_console(r, &chen, CHEN_D2, false, OFFICE_CHEN);
    let sun_d1 = iam_console(r, &sun, SUN_D1, true, OFFICE_SUN);
    let sun_d2 = iam_console(r, &sun, SUN_D2, true, OFFICE_SUN);
    let root_d1 = Caller::new(
        Who::Root {
            key: Some(r.access_key("ASIA")),
            console: Some((t(ROOT_D1), true)),
        },
        OFFICE_CHEN,
        Agent::Console,
    );
    let liu_d1 = sso(
        r,
        &roles.sso_admin,
        "liu.yang@example.cn",
        LIU_D1,
        OFFICE_LIU,
        Agent::Console,
    );
    let mut liu_d2 = sso(
        r,
        &roles.sso_admin,
        "liu.yang@example.cn",
        LIU_D2,
        HOME_LIU,
        cli(LIU_CLI, ""),
    );
    liu_d2.tls = TLS12;
    let wang_d1 = sso(
        r,
        &roles.sso_readonly,
        "wang.fang@example.cn",
        WANG_D1,
        OFFICE_WANG,
        Agent::Console,
    );
    let wang_d2 = sso(
        r,
        &roles.sso_readonly,
        "wang.fang@example.cn",
        WANG_D2,
        OFFICE_WANG,
        Agent::Console,
    );
    let zhao_d1 = sso(
        r,
        &roles.sso_engineer,
        "zhao.lei@example.cn",
        ZHAO_D1,
        OFFICE_ZHAO,
        Agent::Console,
    );
    // The engineer's CLI session is what the agent's tooling uses to assume
    // ops-agent-role, so its calls carry the agent's user agent.
    let first_command = format!("{AGENT_CLI} md/command#sts.get-caller-identity{AGENT_TOKEN}");
    let zhao_d1_cli = sso(
        r,
        &roles.sso_engineer,
        "zhao.lei@example.cn",
        ZHAO_D1_CLI,
        OFFICE_ZHAO,
        fixed(&first_command),
    );
    let zhao_d2_cli = sso(
        r,
        &roles.sso_engineer,
        "zhao.lei@example.cn",
        ZHAO_D2_CLI,
        OFFICE_ZHAO,
        fixed(&first_command),
    );
    let zhao_d2 = sso(
        r,
        &roles.sso_engineer,
        "zhao.lei@example.cn",
        ZHAO_D2,
        OFFICE_ZHAO,
        Agent::Console,
    );
    let agent_1a = agent(r, AGENT_1A);
    let agent_1b = agent(r, AGENT_1B);
    let agent_2 = agent(r, AGENT_2);
    let asg = service_role(&roles.asg, "AutoScaling", "autoscaling.amazonaws.com");
    let elb = service_role(
        &roles.elb,
        "ElasticLoadBalancing",
        "elasticloadbalancing.amazonaws.com",
    );

    let oidc = github_provider(&w);
    let ci_oidc = github_token(
        &oidc,
        "repo:example-org/catalog-service:ref:refs/heads/main",
        "20.42.11.87",
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
                &[20, 4, 52, 40],
                cli(CI_CLI, ""),
            );
            CiRun {
                start,
                sha: r.hex(40),
                change_set_id: r.uuid(),
                caller,
            }
        })
        .collect();

    let partner = Caller::new(
        Who::Account {
            account: PARTNER_ACCOUNT.to_string(),
            principal_id: format!("{}:partner-poller", r.iam_id("AROA")),
        },
        PARTNER_IP,
        fixed(PARTNER_SDK),
    );
    let partner_role = roles.partner.clone();
    let mut partner_creds = rotate(r, (w.start, w.end), (3_600, 3_700), true, |r, at| {
        let s = session(
            &partner_role,
            &format!("observability-{at}"),
            Some(r.access_key("ASIA")),
            at,
        );
        in_role(s, PARTNER_IP, fixed(PARTNER_SDK))
    });
    for span in &mut partner_creds.spans {
        span.2.tls = TLS12;
    }

    // Two ECS tasks of orders-api until the recovery deploy replaces them.
    let task = |r: &mut Rng, from: Secs, to: Secs, existing: bool| {
        let task_id = r.hex(32);
        let ip = format!("10.20.{}.{}", r.range(32, 47), r.range(2, 250));
        let vpce = "vpce-0a4c2e81f3b7d9e15".to_string();
        let orders = roles.orders.clone();
        rotate(r, (from, to), (10_800, 11_400), existing, |r, at| {
            let mut c = in_role(
                session(&orders, &task_id, Some(r.access_key("ASIA")), at),
                &ip,
                fixed(ORDERS_SDK),
            );
            c.vpc_endpoint = Some(vpce.clone());
            c
        })
    };
    let orders_tasks = vec![
        task(r, w.start, t(ORDERS_OLD_TASKS_STOP), true),
        task(r, w.start, t(ORDERS_OLD_TASKS_STOP) + 20, true),
        task(r, t(ORDERS_NEW_TASKS), w.end, false),
        task(r, t(ORDERS_NEW_TASKS) + 19, w.end, false),
    ];
    let lambda_creds = |r: &mut Rng, role: &RoleDef, name: &str, agent: Agent| {
        let role = role.clone();
        let name = name.to_string();
        let before = rotate(
            r,
            (w.start, t(CONFIG_FIXED)),
            (3_600, 9_000),
            true,
            |r, at| {
                in_role(
                    session(&role, &name, Some(r.access_key("ASIA")), at),
                    NAT_APPS,
                    agent.clone(),
                )
            },
        );
        let after = rotate(
            r,
            (t(CONFIG_FIXED) + 23, w.end),
            (3_600, 9_000),
            false,
            |r, at| {
                in_role(
                    session(&role, &name, Some(r.access_key("ASIA")), at),
                    NAT_APPS,
                    agent.clone(),
                )
            },
        );
        Rotation {
            spans: before.spans.into_iter().chain(after.spans).collect(),
        }
    };
    let payments = lambda_creds(r, &roles.payments, "payments-worker", fixed(PAYMENTS_SDK));
    let health = lambda_creds(
        r,
        &roles.health,
        "edge-healthcheck",
        Agent::JsSdk {
            prefix: HEALTH_SDK.to_string(),
            suffix: " exec-env/AWS_Lambda_nodejs20.x".to_string(),
        },
    );

    let signing_old = secret(&w, r, "prod/web/api-signing-key");
    let signing_new = secret(&w, r, "prod/web/api-signing-key");
    Env {
        vpc: r.ec2_id("vpc"),
        certificate: w.arn("acm", HOME, &format!("certificate/{}", r.uuid())),
        missing_certificate: w.arn("acm", HOME, &format!("certificate/{}", r.uuid())),
        enis: vec![r.ec2_id("eni"), r.ec2_id("eni")],
        decoy_snapshot: r.ec2_id("snap"),
        db_restored_version: r.uuid(),
        orders_stack_id: w.arn(
            "cloudformation",
            HOME,
            &format!("stack/orders-platform/{}", r.uuid()),
        ),
        catalog_stack_id: w.arn(
            "cloudformation",
            HOME,
            &format!("stack/catalog-service/{}", r.uuid()),
        ),
        recovery_change_set: w.arn(
            "cloudformation",
            HOME,
            &format!("changeSet/repoint-prod-web-20260310/{}", r.uuid()),
        ),
        instance_profile: ("prod-web-instance-profile".to_string(), r.iam_id("AIPA")),
        subnets,
        old,
        new,
        signing_old,
        signing_new,
        roles,
        chen,
        sun,
        saml_provider,
        chen_d1,
        chen_d2,
        sun_d1,
        sun_d2,
        root_d1,
        liu_d1,
        liu_d2,
        wang_d1,
        wang_d2,
        zhao_d1,
        zhao_d1_cli,
        zhao_d2_cli,
        zhao_d2,
        agent_1a,
        agent_1b,
        agent_2,
        asg,
        elb,
        ci,
        ci_oidc,
        partner,
        partner_creds,
        orders_tasks,
        payments,
        health,
        w,
    }
}

impl Env {
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

    fn ci_run(&self, at: Secs) -> &CiRun {
        self.ci
            .iter()
            .rev()
            .find(|run| run.start <= at)
            .expect("CI steps follow a run's start")
    }

    fn db_version(&self, at: Secs) -> &str {
        if at >= t(DB_SECRET_RESTORED) {
            &self.db_restored_version
        } else {
            &self.new.db.version
        }
    }

    /// orders-api reads the DB credentials by the full ARN in its task
    /// definition: the old secret until the recovery deploy.
    fn orders_read(&self, at: Secs, new_task: bool) -> Call {
        if new_task {
            let arn = &self.new.db.arn;
            secrets::get_secret_value(&self.w, arn, arn, self.db_version(at))
        } else if at < t(DB_SECRET_DELETED) {
            let s = &self.old.db;
            secrets::get_secret_value(&self.w, &s.arn, &s.arn, &s.version)
        } else {
            secrets::get_secret_value_missing(&self.old.db.arn)
        }
    }

    /// payments-worker reads the signing key by ARN from its environment.
    fn payments_read(&self, at: Secs) -> Call {
        if at >= t(CONFIG_FIXED) {
            let s = &self.signing_new;
            secrets::get_secret_value(&self.w, &s.arn, &s.arn, &s.version)
        } else if at < t(SIGNING_SECRET_DELETED) {
            let s = &self.signing_old;
            secrets::get_secret_value(&self.w, &s.arn, &s.arn, &s.version)
        } else {
            secrets::get_secret_value_missing(&self.signing_old.arn)
        }
    }

    fn health_targets(&self, at: Secs) -> Call {
        if at >= t(CONFIG_FIXED) {
            elbv2::describe_target_health(&self.new.tg_arn)
        } else if at >= t(TG_DELETED) {
            elbv2::target_group_not_found(&self.old.tg_arn)
        } else {
            elbv2::describe_target_health(&self.old.tg_arn)
        }
    }

    fn health_lb(&self, at: Secs) -> Call {
        if at >= t(CONFIG_FIXED) {
            elbv2::describe_load_balancers(&[&self.new.lb_arn])
        } else if at >= t(LB_DELETED) {
            elbv2::load_balancer_not_found(&[&self.old.lb_arn])
        } else {
            elbv2::describe_load_balancers(&[&self.old.lb_arn])
        }
    }

    fn health_instances(&self, at: Secs) -> Call {
        let ids =
            |s: &WebStack| -> Vec<String> { s.instances.iter().map(|i| i.id.clone()).collect() };
        if at >= t(CONFIG_FIXED) {
            let ids = ids(&self.new);
            ec2::describe_instance_status(&refs(&ids))
        } else if at >= t(INSTANCES_GONE) {
            let ids = ids(&self.old);
            ec2::instances_not_found(&refs(&ids))
        } else {
            let ids = ids(&self.old);
            ec2::describe_instance_status(&refs(&ids))
        }
    }

    fn instance(&self, at: Secs, i: usize) -> Option<Caller> {
        let stack = if at < t(INSTANCES_TERMINATED) {
            &self.old
        } else {
            &self.new
        };
        stack.instances.get(i)?.creds.at(at)
    }

    /// The SSM agent's heartbeat from instance `i` of the web tier.
    fn heartbeat(&self, at: Secs, i: usize) -> Call {
        let inst = &self.web(at).instances[i];
        ssm::update_instance_information(&inst.id, &inst.ip, inst.zone)
    }

    /// The web tier's stack as CloudFormation knew it at a time.
    fn web(&self, at: Secs) -> &WebStack {
        if at < t(DELETE_STACK) {
            &self.old
        } else {
            &self.new
        }
    }

    fn partner_at(&self, at: Secs) -> Option<Caller> {
        self.partner_creds.at(at)
    }
}

crate::synth::scenarios::kit::story_builders!(Env);

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Stack names people and the agent look at.
const STACKS: &[&str] = &["prod-web", "orders-platform", "catalog-service"];

fn template_url(key: &str) -> String {
    format!("https://s3.{HOME}.amazonaws.com.cn/{AGENT_BUCKET}/{key}")
}

/// Generates the scenario: records, ground truth and the IAM snapshot.
pub(crate) fn generate(seed: u64, noise_percent: u32) -> Generated {
    let env = build_env(seed);
    let mut tl = Timeline::new(env.w.clone(), seed, noise_percent);
    tl.run_script(&env, "agent-env-rebuild/script", &story::script());
    for routine in story::routines() {
        tl.run_routine(&env, &routine);
    }
    // Credentials minted by AWS services for the workloads.
    let ecs_tasks = Caller::service("ecs-tasks.amazonaws.com");
    let lambda_svc = Caller::service("lambda.amazonaws.com");
    let ec2_svc = Caller::service("ec2.amazonaws.com");
    for (i, task) in env.orders_tasks.iter().enumerate() {
        tl.mint(&format!("mint/orders/{i}"), task, &ecs_tasks, 21_600);
    }
    tl.mint("mint/payments", &env.payments, &lambda_svc, 43_200);
    tl.mint("mint/health", &env.health, &lambda_svc, 43_200);
    for (i, inst) in env
        .old
        .instances
        .iter()
        .chain(&env.new.instances)
        .enumerate()
    {
        tl.mint(&format!("mint/web/{i}"), &inst.creds, &ec2_svc, 21_600);
    }
    tl.mint("mint/partner", &env.partner_creds, &env.partner, 3_600);

    let mut key_events = tl.key_events.clone();
    key_events.extend(outage_bounds(&tl));
    key_events.sort_by(|a, b| (&a.event_time, &a.label).cmp(&(&b.event_time, &b.label)));
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

/// The first and last failing call of the dependents: the outage window as
/// the trail shows it.
fn outage_bounds(tl: &Timeline) -> Vec<KeyEvent> {
    let dependents = [
        "orders-api-role",
        "payments-worker-role",
        "edge-healthcheck-role",
    ];
    let failing: Vec<&crate::synth::engine::Event> = {
        let mut v: Vec<_> = tl
            .events
            .iter()
            .filter(|e| {
                let issuer =
                    e.record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"]
                        .as_str()
                        .unwrap_or("");
                dependents.contains(&issuer) && e.record.get("errorCode").is_some()
            })
            .collect();
        v.sort_by_key(|e| (e.time, e.seq));
        v
    };
    let key = |label: &str, e: &crate::synth::engine::Event| KeyEvent {
        label: label.to_string(),
        event_id: e.record["eventID"].as_str().unwrap_or("").to_string(),
        event_time: iso(e.time),
        event_name: e.record["eventName"].as_str().unwrap_or("").to_string(),
        actor: e.record["userIdentity"]["arn"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    };
    match (failing.first(), failing.last()) {
        (Some(first), Some(last)) => vec![
            key("outage_first_error", first),
            key("outage_last_error", last),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_deterministic() {
        let a = build_env(7);
        let b = build_env(7);
        assert_eq!(a.old.lb_arn, b.old.lb_arn);
        assert_ne!(a.old.lb_arn, a.new.lb_arn);
        assert_ne!(build_env(8).old.lb_arn, a.old.lb_arn);
    }

    #[test]
    fn ground_truth_is_complete() {
        let g = generate(7, 100);
        for label in [
            "permission_grant",
            "credential_mint",
            "guardrail_removal",
            "root_cause",
            "recreate",
            "recovery",
            "decoy",
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
