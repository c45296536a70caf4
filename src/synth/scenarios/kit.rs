//! Small building blocks the newer scenarios share: roles and sessions,
//! callers, and the outage bounds read back from the generated records.

use crate::synth::KeyEvent;
use crate::synth::api::sts;
use crate::synth::engine::{Event, Timeline};
use crate::synth::identity::{Agent, Caller, RoleDef, Secs, Session, Who, World, iso, parse_time};
use crate::synth::records::Call;
use crate::synth::rng::Rng;

pub(crate) fn t(s: &str) -> Secs {
    parse_time(s)
}

/// A world in a commercial (`aws`) region.
pub(crate) fn aws_world(account: &str, home: &str, start: &str, end: &str) -> World {
    World {
        account: account.to_string(),
        partition: "aws".to_string(),
        home: home.to_string(),
        start: t(start),
        end: t(end),
        dns_suffix: "amazonaws.com".to_string(),
        console_domain: "aws.amazon.com".to_string(),
    }
}

pub(crate) fn role(r: &mut Rng, name: &str, path: &str) -> RoleDef {
    RoleDef {
        name: name.to_string(),
        path: path.to_string(),
        id: r.iam_id("AROA"),
    }
}

/// An IAM Identity Center permission-set role in `region`.
pub(crate) fn sso_role(r: &mut Rng, permission_set: &str, region: &str) -> RoleDef {
    let suffix = r.hex(16);
    role(
        r,
        &format!("AWSReservedSSO_{permission_set}_{suffix}"),
        &format!("/aws-reserved/sso.amazonaws.com/{region}/"),
    )
}

pub(crate) fn session(role: &RoleDef, name: &str, key: Option<String>, created: Secs) -> Session {
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
pub(crate) fn in_role(s: Session, ip: &str, agent: Agent) -> Caller {
    Caller::new(Who::Role(s), ip, agent)
}

pub(crate) fn cli(prefix: &str, suffix: &str) -> Agent {
    Agent::Cli {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
    }
}

pub(crate) fn fixed(s: &str) -> Agent {
    Agent::Fixed(s.to_string())
}

/// The same principal at the moment of signing in: no access key yet, and
/// the browser's user agent.
pub(crate) fn signing_in(c: &Caller, browser: &str) -> Caller {
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

/// An IAM Identity Center sign-in: the SAML caller and the AssumeRoleWithSAML
/// that mints `c`'s session.
pub(crate) struct Sso {
    pub provider_name: String,
    pub provider_hash: String,
}

impl Sso {
    pub(crate) fn new(r: &mut Rng) -> Self {
        Sso {
            provider_name: format!("AWSSSO_{}_DO_NOT_DELETE", r.hex(16)),
            provider_hash: format!("{}=", r.base64(27)),
        }
    }

    /// The caller of AssumeRoleWithSAML for `user`.
    pub(crate) fn user(&self, user: &str, ip: &str, browser: &str) -> Caller {
        Caller::new(
            Who::Saml {
                provider_hash: self.provider_hash.clone(),
                user: user.to_string(),
            },
            ip,
            fixed(browser),
        )
    }

    /// The AssumeRoleWithSAML minting `c`'s session.
    pub(crate) fn mint(&self, w: &World, c: &Caller, r: &mut Rng) -> Call {
        let s = c.session().expect("SSO callers are role sessions");
        sts::assume_role_with_saml(w, s, &self.provider_name, &self.provider_hash, r)
    }
}

/// Whether `record` is a call by one of the workloads in `roles` (by
/// session issuer) that failed with one of `codes`.
pub(crate) fn failed_by(record: &serde_json::Value, roles: &[&str], codes: &[&str]) -> bool {
    let issuer = record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"]
        .as_str()
        .unwrap_or("");
    let code = record["errorCode"].as_str().unwrap_or("");
    roles.contains(&issuer) && codes.contains(&code)
}

/// The first and last record for which `is_outage` holds: the outage as
/// the trail shows it.
pub(crate) fn outage_bounds(
    tl: &Timeline,
    is_outage: impl Fn(&serde_json::Value) -> bool,
) -> Vec<KeyEvent> {
    let mut failing: Vec<&Event> = tl.events.iter().filter(|e| is_outage(&e.record)).collect();
    failing.sort_by_key(|e| (e.time, e.seq));
    let key = |label: &str, e: &Event| KeyEvent {
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

/// The ground truth in time order: the script's key events and the outage
/// bounds.
pub(crate) fn sorted_keys(
    tl: &Timeline,
    is_outage: impl Fn(&serde_json::Value) -> bool,
) -> Vec<KeyEvent> {
    let mut keys = tl.key_events.clone();
    keys.extend(outage_bounds(tl, is_outage));
    keys.sort_by(|a, b| (&a.event_time, &a.label).cmp(&(&b.event_time, &b.label)));
    keys
}

/// An AWS managed policy as the IAM snapshot lists it.
pub(crate) fn aws_policy(
    w: &World,
    path_and_name: &str,
    id: &str,
    (created, updated): (&str, &str),
    version: &str,
    document: serde_json::Value,
) -> crate::synth::authz::ManagedPolicy {
    let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
    let path = match path_and_name.rfind('/') {
        Some(i) => format!("/{}/", &path_and_name[..i]),
        None => "/".to_string(),
    };
    crate::synth::authz::ManagedPolicy {
        arn: w.aws_policy(path_and_name),
        name: name.to_string(),
        id: id.to_string(),
        path,
        created: t(created),
        updated: t(updated),
        version: version.to_string(),
        document,
    }
}

/// Trust policy of an IAM Identity Center permission-set role.
pub(crate) fn sso_trust(w: &World, sso: &Sso) -> serde_json::Value {
    let provider = w.iam_arn(&format!("saml-provider/{}", sso.provider_name));
    crate::synth::authz::document(serde_json::json!([{
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": format!("https://signin.{}/saml", w.console_domain)}},
    }]))
}

/// Trust policy of a GitHub Actions deploy role for one repository.
pub(crate) fn github_trust(w: &World, subject: &str) -> serde_json::Value {
    crate::synth::authz::document(serde_json::json!([{
        "Effect": "Allow",
        "Principal": {"Federated": w.iam_arn("oidc-provider/token.actions.githubusercontent.com")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": format!("sts.{}", w.dns_suffix)},
            "StringLike": {"token.actions.githubusercontent.com:sub": subject},
        },
    }]))
}

/// The AWS managed policy for Lambda logging, shared by the scenarios.
pub(crate) fn lambda_basic(w: &World) -> crate::synth::authz::ManagedPolicy {
    aws_policy(
        w,
        "service-role/AWSLambdaBasicExecutionRole",
        "ANPAJNCQGXC42545SKXIK",
        ("2015-04-09T15:03:43Z", "2015-04-09T15:03:43Z"),
        "v1",
        crate::synth::authz::document(serde_json::json!([{
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }])),
    )
}

/// AdministratorAccess.
pub(crate) fn admin_policy(w: &World) -> crate::synth::authz::ManagedPolicy {
    aws_policy(
        w,
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        ("2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z"),
        "v1",
        crate::synth::authz::document(
            serde_json::json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
        ),
    )
}

/// ReadOnlyAccess, abridged to the services the scenarios use.
pub(crate) fn read_only_policy(w: &World) -> crate::synth::authz::ManagedPolicy {
    aws_policy(
        w,
        "ReadOnlyAccess",
        "ANPAILL3HVNFSB6DCOWYQ",
        ("2015-02-06T18:39:48Z", "2025-03-20T17:10:31Z"),
        "v124",
        crate::synth::authz::document(serde_json::json!([{
            "Sid": "ReadOnlyActions",
            "Effect": "Allow",
            "Action": [
                "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:LookupEvents",
                "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
                "dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*",
                "dynamodb:Query", "dynamodb:Scan", "ec2:Describe*", "ecs:Describe*", "ecs:List*",
                "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*", "logs:Describe*",
                "logs:FilterLogEvents", "logs:Get*", "s3:Get*", "s3:List*",
                "ssm:Describe*", "ssm:Get*", "ssm:List*",
            ],
            "Resource": "*",
        }])),
    )
}

/// Defines `step`, `step_at`, `routine` and `item` for a scenario's `Env`,
/// so its story tables can pass bare closures (which coerce to the
/// engine's function pointers only once the environment type is fixed).
macro_rules! story_builders {
    ($env:ty) => {
        #[allow(dead_code)]
        fn step(
            at: &str,
            actor: $crate::synth::engine::ActorFn<$env>,
            call: $crate::synth::engine::CallFn<$env>,
        ) -> $crate::synth::engine::Step<$env> {
            $crate::synth::engine::Step::new(at, actor, call)
        }

        #[allow(dead_code)]
        fn step_at(
            at: $crate::synth::identity::Secs,
            actor: $crate::synth::engine::ActorFn<$env>,
            call: $crate::synth::engine::CallFn<$env>,
        ) -> $crate::synth::engine::Step<$env> {
            $crate::synth::engine::Step::at(at, actor, call)
        }

        fn routine(
            track: &'static str,
            actor: $crate::synth::engine::ActorFn<$env>,
            windows: Vec<($crate::synth::identity::Secs, $crate::synth::identity::Secs)>,
            gap: ($crate::synth::identity::Secs, $crate::synth::identity::Secs),
            burst: (u32, u32),
            menu: Vec<(u32, $crate::synth::engine::CallFn<$env>)>,
        ) -> $crate::synth::engine::Routine<$env> {
            $crate::synth::engine::Routine::new(track, actor, windows, gap, burst, menu)
        }

        fn item(
            weight: u32,
            call: $crate::synth::engine::CallFn<$env>,
        ) -> (u32, $crate::synth::engine::CallFn<$env>) {
            (weight, call)
        }
    };
}
pub(crate) use story_builders;

/// The GitHub Actions OIDC provider of `w`'s account.
pub(crate) fn github_provider(w: &World) -> String {
    w.iam_arn("oidc-provider/token.actions.githubusercontent.com")
}

/// GitHub's token for `subject`: the caller of AssumeRoleWithWebIdentity.
pub(crate) fn github_token(provider: &str, subject: &str, ip: &str, user_agent: &str) -> Caller {
    Caller::new(
        Who::WebIdentity {
            provider: provider.to_string(),
            subject: subject.to_string(),
        },
        ip,
        fixed(user_agent),
    )
}

/// A GitHub Actions job's session of `role` started at `start`, from a
/// hosted runner whose address begins with one of `first_octets`.
pub(crate) fn github_job(
    r: &mut Rng,
    role: &RoleDef,
    provider: &str,
    start: Secs,
    first_octets: &[u8],
    agent: Agent,
) -> Caller {
    let mut s = session(role, "GitHubActions", Some(r.access_key("ASIA")), start);
    s.web_identity_provider = Some(provider.to_string());
    let ip = format!(
        "{}.{}.{}.{}",
        r.pick(first_octets),
        r.range(10, 250),
        r.range(1, 254),
        r.range(1, 254)
    );
    in_role(s, &ip, agent)
}
