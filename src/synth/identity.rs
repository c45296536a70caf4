//! Who makes a call: the account and partition, principals and their
//! sessions, and the network context (source IP, user agent) of each caller.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Epoch seconds; every timestamp in the generator is one.
pub(crate) type Secs = i64;

/// `2026-03-10T01:31:18Z`, CloudTrail's eventTime format.
pub(crate) fn iso(t: Secs) -> String {
    at(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `Mar 10, 2026, 2:31:18 AM`, the Java-style format STS and Secrets Manager
/// use inside responseElements.
pub(crate) fn java_date(t: Secs) -> String {
    at(t).format("%b %-d, %Y, %-I:%M:%S %p").to_string()
}

pub(crate) fn at(t: Secs) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("generator times are in range")
}

/// Parses `2026-03-10T01:31:18Z`; scenario tables are written with literals,
/// so a malformed one is a programming error.
pub(crate) fn parse_time(s: &str) -> Secs {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("scenario time {s:?} is not RFC 3339: {e}"))
        .timestamp()
}

/// The account the trail belongs to, its partition and regions.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub account: String,
    pub partition: String,
    pub home: String,
    pub start: Secs,
    pub end: Secs,
    /// DNS suffix of regional endpoints (`amazonaws.com.cn` in aws-cn).
    pub dns_suffix: String,
    /// Console and sign-in host (`amazonaws.cn` in aws-cn).
    pub console_domain: String,
}

impl World {
    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub(crate) fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!(
            "arn:{}:{}:{}:{}:{}",
            self.partition, service, region, self.account, resource
        )
    }

    /// ARN of a global IAM entity, e.g. `role/ops-agent-role`.
    pub(crate) fn iam_arn(&self, resource: &str) -> String {
        self.arn("iam", "", resource)
    }

    /// ARN of an AWS managed policy, e.g. `AdministratorAccess`.
    pub(crate) fn aws_policy(&self, path_and_name: &str) -> String {
        format!("arn:{}:iam::aws:policy/{}", self.partition, path_and_name)
    }

    pub(crate) fn s3_arn(&self, bucket_and_key: &str) -> String {
        format!("arn:{}:s3:::{}", self.partition, bucket_and_key)
    }

    /// Host a client names for `service` in `region` (tlsDetails).
    pub(crate) fn host(&self, service: &str, region: &str) -> String {
        match service {
            "signin" => format!("signin.{}", self.console_domain),
            _ => format!("{service}.{region}.{}", self.dns_suffix),
        }
    }
}

/// An IAM role as the trail sees it.
#[derive(Debug, Clone)]
pub(crate) struct RoleDef {
    pub name: String,
    /// `/`, `/aws-service-role/autoscaling.amazonaws.com/`, `/aws-reserved/sso.amazonaws.com/cn-north-1/`.
    pub path: String,
    pub id: String,
}

impl RoleDef {
    pub(crate) fn arn(&self, w: &World) -> String {
        w.iam_arn(&format!("role{}{}", self.path, self.name))
    }
}

/// A role session: the identity behind one set of temporary credentials.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub role: RoleDef,
    pub name: String,
    pub key: Option<String>,
    pub created: Secs,
    pub mfa: bool,
    pub source_identity: Option<String>,
    /// Instance-profile credentials carry `ec2RoleDelivery`.
    pub ec2_delivery: bool,
    /// Sessions from AssumeRoleWithWebIdentity name their provider.
    pub web_identity_provider: Option<String>,
}

impl Session {
    pub(crate) fn arn(&self, w: &World) -> String {
        format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            w.partition, w.account, self.role.name, self.name
        )
    }

    pub(crate) fn principal_id(&self) -> String {
        format!("{}:{}", self.role.id, self.name)
    }
}

/// The principal of a call, as CloudTrail types it.
#[derive(Debug, Clone)]
pub(crate) enum Who {
    /// An IAM user with a long-term key, or signed in to the console (then
    /// `console` holds the sign-in time and whether MFA was used).
    IamUser {
        name: String,
        id: String,
        key: Option<String>,
        console: Option<(Secs, bool)>,
    },
    Root {
        key: Option<String>,
        console: Option<(Secs, bool)>,
    },
    Role(Session),
    /// An AWS service acting on its own behalf (`invokedBy`).
    Service(String),
    /// The caller of AssumeRoleWithWebIdentity.
    WebIdentity {
        provider: String,
        subject: String,
    },
    /// The caller of AssumeRoleWithSAML (IAM Identity Center sign-ins).
    Saml {
        provider_hash: String,
        user: String,
    },
    /// A principal of another account (cross-account AssumeRole).
    Account {
        account: String,
        principal_id: String,
    },
}

/// How a caller's user agent is built.
#[derive(Debug, Clone)]
pub(crate) enum Agent {
    /// The same string for every call.
    Fixed(String),
    /// AWS CLI v2: `prefix` + ` md/command#<service>.<operation>` + `suffix`.
    Cli { prefix: String, suffix: String },
    /// AWS CLI v2 like [`Agent::Cli`], with the operation spelled as the
    /// CLI spells it when the name has an acronym (`delete-db-snapshot`,
    /// not `delete-d-b-snapshot`). `Cli` keeps its spelling so the sample
    /// data generated with it does not change.
    AwsCli { prefix: String, suffix: String },
    /// The AWS console: a per-service console backend.
    Console,
    /// AWS SDK for JavaScript v3, whose agent names the API it calls.
    JsSdk { prefix: String, suffix: String },
}

/// A principal plus the network context its calls come from.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub who: Who,
    pub ip: String,
    pub agent: Agent,
    /// Calls through a VPC endpoint carry its ID and a private source IP.
    pub vpc_endpoint: Option<String>,
    /// TLS version and cipher of this client.
    pub tls: (&'static str, &'static str),
}

pub(crate) const TLS13: (&str, &str) = ("TLSv1.3", "TLS_AES_128_GCM_SHA256");
pub(crate) const TLS12: (&str, &str) = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256");

impl Caller {
    pub(crate) fn new(who: Who, ip: &str, agent: Agent) -> Self {
        Caller {
            who,
            ip: ip.to_string(),
            agent,
            vpc_endpoint: None,
            tls: TLS13,
        }
    }

    /// An AWS service acting as itself.
    pub(crate) fn service(service: &str) -> Self {
        Caller::new(
            Who::Service(service.to_string()),
            service,
            Agent::Fixed(service.to_string()),
        )
    }

    pub(crate) fn is_console(&self) -> bool {
        matches!(self.agent, Agent::Console)
    }

    /// The session, when the caller is a role session.
    pub(crate) fn session(&self) -> Option<&Session> {
        match &self.who {
            Who::Role(s) => Some(s),
            _ => None,
        }
    }

    /// ARN CloudTrail shows for this caller (used in error messages).
    pub(crate) fn arn(&self, w: &World) -> String {
        match &self.who {
            Who::IamUser { name, .. } => w.iam_arn(&format!("user/{name}")),
            Who::Root { .. } => w.iam_arn("root"),
            Who::Role(s) => s.arn(w),
            Who::Service(s) => s.clone(),
            Who::WebIdentity { subject, .. } => subject.clone(),
            Who::Saml { user, .. } => user.clone(),
            Who::Account {
                account,
                principal_id,
            } => format!("{account}:{principal_id}"),
        }
    }

    /// The `userIdentity` block. `invoked_by` is set when a service (such
    /// as CloudFormation) makes the call with this caller's credentials.
    pub(crate) fn user_identity(&self, w: &World, invoked_by: Option<&str>) -> Value {
        let mut ui = match &self.who {
            Who::IamUser {
                name,
                id,
                key,
                console,
            } => {
                let mut v = json!({
                    "type": "IAMUser",
                    "principalId": id,
                    "arn": w.iam_arn(&format!("user/{name}")),
                    "accountId": w.account,
                    "userName": name,
                });
                if let Some(k) = key {
                    v["accessKeyId"] = json!(k);
                }
                if let Some((created, mfa)) = console {
                    v["sessionContext"] = json!({
                        "sessionIssuer": {},
                        "webIdFederationData": {},
                        "attributes": {"creationDate": iso(*created), "mfaAuthenticated": mfa.to_string()},
                    });
                }
                v
            }
            Who::Root { key, console } => {
                let mut v = json!({
                    "type": "Root",
                    "principalId": w.account,
                    "arn": w.iam_arn("root"),
                    "accountId": w.account,
                });
                if let Some(k) = key {
                    v["accessKeyId"] = json!(k);
                }
                if let Some((created, mfa)) = console {
                    v["sessionContext"] = json!({
                        "sessionIssuer": {},
                        "webIdFederationData": {},
                        "attributes": {"creationDate": iso(*created), "mfaAuthenticated": mfa.to_string()},
                    });
                }
                v
            }
            Who::Role(s) => {
                let mut ctx = json!({
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": s.role.id,
                        "arn": s.role.arn(w),
                        "accountId": w.account,
                        "userName": s.role.name,
                    },
                    "attributes": {"creationDate": iso(s.created), "mfaAuthenticated": s.mfa.to_string()},
                });
                ctx["webIdFederationData"] = match &s.web_identity_provider {
                    Some(p) => json!({"federatedProvider": p, "attributes": {}}),
                    None => json!({}),
                };
                if let Some(src) = &s.source_identity {
                    ctx["sourceIdentity"] = json!(src);
                }
                if s.ec2_delivery {
                    ctx["ec2RoleDelivery"] = json!("2.0");
                }
                let mut v = json!({
                    "type": "AssumedRole",
                    "principalId": s.principal_id(),
                    "arn": s.arn(w),
                    "accountId": w.account,
                    "sessionContext": ctx,
                });
                if let Some(k) = &s.key {
                    v["accessKeyId"] = json!(k);
                }
                v
            }
            Who::Service(svc) => json!({"type": "AWSService", "invokedBy": svc}),
            Who::WebIdentity { provider, subject } => json!({
                "type": "WebIdentityUser",
                "principalId": format!("{provider}:sts.{}:{subject}", w.dns_suffix),
                "userName": subject,
                "identityProvider": provider,
            }),
            Who::Saml {
                provider_hash,
                user,
            } => json!({
                "type": "SAMLUser",
                "principalId": format!("{provider_hash}:{user}"),
                "userName": user,
                "identityProvider": provider_hash,
            }),
            Who::Account {
                account,
                principal_id,
            } => json!({
                "type": "AWSAccount",
                "principalId": principal_id,
                "accountId": account,
            }),
        };
        if let Some(svc) = invoked_by {
            ui["invokedBy"] = json!(svc);
        }
        ui
    }

    /// User agent for a call to `service` (`ec2`, `cloudformation`, ...) named `event_name`.
    pub(crate) fn user_agent(&self, service: &str, event_name: &str) -> String {
        match &self.agent {
            Agent::Fixed(s) => s.clone(),
            Agent::Cli { prefix, suffix } => format!(
                "{prefix} md/command#{}.{}{suffix}",
                cli_service(service),
                kebab(strip_version(event_name))
            ),
            Agent::AwsCli { prefix, suffix } => format!(
                "{prefix} md/command#{}.{}{suffix}",
                cli_service(service),
                cli_operation(strip_version(event_name))
            ),
            Agent::JsSdk { prefix, suffix } => {
                format!("{prefix} api/{}#3.515.0{suffix}", js_service(service))
            }
            Agent::Console => match service {
                "ec2" => "console.ec2.amazonaws.com".to_string(),
                "s3" => "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10.210-178.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]".to_string(),
                _ => "AWS Internal".to_string(),
            },
        }
    }
}

/// Lambda and a few other services version their event names
/// (`UpdateFunctionCode20150331v2`); CLI command names do not.
fn strip_version(name: &str) -> &str {
    match name.find(|c: char| c.is_ascii_digit()) {
        Some(i) => &name[..i],
        None => name,
    }
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// An operation name as the AWS CLI spells it (botocore's `xform_name`):
/// a word boundary before a capital that starts a lowercase run, and
/// between a lowercase letter or digit and a capital.
fn cli_operation(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || next_lower {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn cli_service(service: &str) -> &str {
    match service {
        "elasticloadbalancing" => "elbv2",
        "s3" => "s3api",
        "monitoring" => "cloudwatch",
        other => other,
    }
}

fn js_service(service: &str) -> &str {
    match service {
        "elasticloadbalancing" => "elastic-load-balancing-v2",
        "monitoring" => "cloudwatch",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_command_names() {
        assert_eq!(kebab(strip_version("DeleteStack")), "delete-stack");
        assert_eq!(
            kebab(strip_version("UpdateFunctionCode20150331v2")),
            "update-function-code"
        );
    }

    #[test]
    fn cli_operations_keep_acronyms_whole() {
        assert_eq!(cli_operation("DeleteDBSnapshot"), "delete-db-snapshot");
        assert_eq!(cli_operation("ListMFADevices"), "list-mfa-devices");
        assert_eq!(cli_operation("GetCallerIdentity"), "get-caller-identity");
        assert_eq!(
            cli_operation(strip_version("ListFunctions20150331")),
            "list-functions"
        );
    }

    #[test]
    fn java_dates() {
        assert_eq!(
            java_date(parse_time("2026-03-10T14:05:09Z")),
            "Mar 10, 2026, 2:05:09 PM"
        );
    }
}
