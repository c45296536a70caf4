//! Who acted: the canonical principal behind each event, and what kind of
//! actor it is (human, AI agent, automation, AWS service), with the rule
//! that said so.

pub mod config;
pub mod provenance;

use serde::Serialize;

/// What kind of actor made a call.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Human,
    Agent,
    Automation,
    Service,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Human => "human",
            Kind::Agent => "agent",
            Kind::Automation => "automation",
            Kind::Service => "service",
            Kind::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "human" => Kind::Human,
            "agent" => Kind::Agent,
            "automation" => Kind::Automation,
            "service" => Kind::Service,
            "unknown" => Kind::Unknown,
            _ => return None,
        })
    }
}

/// The identity fields of one event that decide its actor.
#[derive(Debug, Clone, Default)]
pub struct Identity<'a> {
    pub identity_type: Option<&'a str>,
    pub arn: Option<&'a str>,
    pub principal_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub invoked_by: Option<&'a str>,
    pub issuer_arn: Option<&'a str>,
    pub issuer_name: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub console: Option<bool>,
    pub web_id_provider: Option<&'a str>,
    pub identity_provider: Option<&'a str>,
    pub event_source: &'a str,
    pub event_name: &'a str,
}

/// A classified actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// Canonical principal: an ARN (role sessions keep their session name),
    /// `root:<account>`, `service:<host>`, or `<provider>:<user>`.
    pub id: String,
    pub kind: Kind,
    /// The documented rule (or config entry) that decided the kind.
    pub rule: String,
    /// For role sessions, the role's ARN.
    pub role: Option<String>,
    /// For role sessions, the session name.
    pub session: Option<String>,
}

/// The canonical principal of an event.
pub fn principal(id: &Identity<'_>) -> String {
    let t = id.identity_type.unwrap_or("");
    // A service acting (with its own identity or a caller's credentials) is
    // the service; the session it used is kept as the actor's role/session.
    if let Some(svc) = id.invoked_by.filter(|s| !s.is_empty()) {
        return format!("service:{svc}");
    }
    match t {
        "Root" => format!("root:{}", id.account_id.unwrap_or("?")),
        "AWSService" => format!("service:{}", id.invoked_by.unwrap_or(id.event_source)),
        "AWSAccount" => format!(
            "account:{}",
            id.account_id.or(id.principal_id).unwrap_or("?")
        ),
        _ => {
            if let Some(a) = id.arn.filter(|a| !a.is_empty()) {
                return a.to_string();
            }
            if let Some(u) = id.user_name.filter(|u| !u.is_empty()) {
                let p = id.identity_provider.unwrap_or(match t {
                    "IdentityCenterUser" => "identitycenter",
                    "" => "user",
                    other => other,
                });
                return format!("{p}:{u}");
            }
            id.principal_id
                .map(|p| format!("principal:{p}"))
                .unwrap_or_else(|| "unknown".into())
        }
    }
}

/// Role name and session name of an assumed-role ARN.
pub fn role_session(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split_once(":assumed-role/")?.1;
    rest.split_once('/')
}

/// User-agent tokens that name an AI agent or an MCP client.
pub const AGENT_USER_AGENT_TOKENS: &[&str] = &[
    "AmazonQ-For-CLI",
    "awslabs/mcp",
    "md/awslabs#mcp",
    "MCPClient/",
    "q-developer",
    "claude-code",
    "kiro",
];

/// Markers in role or session names that mean an agent uses them.
pub const AGENT_NAME_MARKERS: &[&str] = &[
    "agent",
    "kiro",
    "mcp-",
    "claude",
    "cursor",
    "copilot",
    "codex",
    "q-developer",
    "bedrock-agent",
];

/// User-agent tokens of infrastructure-as-code and deployment tools.
pub const AUTOMATION_USER_AGENT_TOKENS: &[&str] = &[
    "terraform",
    "aws-cdk",
    "cdk/",
    "pulumi",
    "ansible",
    "serverless/",
    "aws-sam-cli",
    "copilot-cli",
];

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `app/<id>` in a user agent naming an agent (SDK app IDs).
fn app_id_names_agent(ua: &str) -> bool {
    ua.split_whitespace().any(|tok| {
        tok.strip_prefix("app/").is_some_and(|id| {
            AGENT_NAME_MARKERS
                .iter()
                .any(|m| contains_ci(id, m.trim_end_matches('-')))
        })
    })
}

fn looks_like_browser_or_console(ua: &str) -> bool {
    ua.starts_with("Mozilla/")
        || ua.contains("console.amazonaws.com")
        || ua.contains("console.aws.amazon.com")
        || ua.contains("signin.amazonaws.com")
        || ua == "AWS Internal"
}

fn is_instance_id(s: &str) -> bool {
    s.strip_prefix("i-")
        .is_some_and(|h| (8..=17).contains(&h.len()) && h.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// Facts learnt from other events (credential provenance) that help classify.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Minted {
    /// The session's credentials came from `AssumeRoleWithWebIdentity`.
    pub via_web_identity: bool,
    /// ... or from `AssumeRoleWithSAML`.
    pub via_saml: bool,
    /// The minting call came from another AWS account.
    pub cross_account: bool,
}

/// Classify an event's actor with the default rules, after the config's.
pub fn classify(id: &Identity<'_>, minted: Minted, cfg: &config::Config) -> Actor {
    let pid = principal(id);
    let (role, session) = match id.arn.and_then(role_session) {
        Some((r, s)) => (
            Some(
                id.issuer_arn
                    .map(str::to_string)
                    .unwrap_or_else(|| r.to_string()),
            ),
            Some(s.to_string()),
        ),
        None => (None, None),
    };
    let role_name = id
        .issuer_name
        .map(str::to_string)
        .or_else(|| id.arn.and_then(role_session).map(|(r, _)| r.to_string()));
    let mk = |kind: Kind, rule: &str| Actor {
        id: pid.clone(),
        kind,
        rule: rule.to_string(),
        role: role.clone(),
        session: session.clone(),
    };
    if let Some((kind, rule)) = cfg.classify(
        &pid,
        role_name.as_deref(),
        session.as_deref(),
        id.user_agent,
    ) {
        return mk(kind, &rule);
    }
    let t = id.identity_type.unwrap_or("");
    let ua = id.user_agent.unwrap_or("");
    if t == "AWSService" || id.invoked_by.is_some_and(|s| !s.is_empty()) {
        return mk(
            Kind::Service,
            "aws-service: AWSService identity or invokedBy",
        );
    }
    if AGENT_USER_AGENT_TOKENS.iter().any(|t| contains_ci(ua, t)) || app_id_names_agent(ua) {
        return mk(
            Kind::Agent,
            "agent-user-agent: the user agent names an AI agent or MCP client",
        );
    }
    let names = [role_name.as_deref(), session.as_deref(), id.user_name]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    if names
        .iter()
        .any(|n| AGENT_NAME_MARKERS.iter().any(|m| contains_ci(n, m)))
    {
        return mk(
            Kind::Agent,
            "agent-name-marker: the role or session name carries an agent marker",
        );
    }
    if minted.via_web_identity || id.web_id_provider.is_some() || t == "WebIdentityUser" {
        return mk(
            Kind::Automation,
            "web-identity-ci: credentials from AssumeRoleWithWebIdentity (CI OIDC)",
        );
    }
    if AUTOMATION_USER_AGENT_TOKENS
        .iter()
        .any(|t| contains_ci(ua, t))
    {
        return mk(
            Kind::Automation,
            "iac-tool: the user agent is an infrastructure-as-code tool",
        );
    }
    if role_name
        .as_deref()
        .is_some_and(|r| contains_ci(r, "cloudformation"))
        || session
            .as_deref()
            .is_some_and(|s| s.starts_with("AWSCloudFormation"))
    {
        return mk(
            Kind::Automation,
            "cfn-service-role: a CloudFormation service role",
        );
    }
    if session.as_deref().is_some_and(is_instance_id) {
        return mk(
            Kind::Automation,
            "compute-role: an EC2 instance-role session",
        );
    }
    if ua.contains("exec-env/AWS_Lambda")
        || ua.contains("AWS_Lambda_")
        || ua.contains("exec-env/AWS_ECS")
    {
        return mk(
            Kind::Automation,
            "compute-role: a Lambda or ECS execution-role session",
        );
    }
    if role_name
        .as_deref()
        .is_some_and(|r| r.starts_with("AWSReservedSSO_"))
        || t == "IdentityCenterUser"
    {
        return mk(Kind::Human, "identity-center: an IAM Identity Center user");
    }
    if id.console == Some(true)
        || looks_like_browser_or_console(ua)
        || id.event_name == "ConsoleLogin"
    {
        return mk(Kind::Human, "console: a console sign-in session");
    }
    if t == "IAMUser" || t == "Root" {
        return mk(
            Kind::Human,
            "iam-user: an IAM user or the root user acting directly",
        );
    }
    if minted.via_saml || t == "SAMLUser" {
        return mk(Kind::Human, "saml: a SAML-federated user");
    }
    if t == "AWSAccount" || minted.cross_account {
        return mk(
            Kind::Automation,
            "cross-account: a principal of another AWS account (a third-party integration)",
        );
    }
    mk(Kind::Unknown, "unknown: no rule matched")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident<'a>(t: &'a str, arn: &'a str, ua: &'a str) -> Identity<'a> {
        Identity {
            identity_type: Some(t),
            arn: Some(arn),
            user_agent: Some(ua),
            event_source: "ec2.amazonaws.com",
            event_name: "DescribeInstances",
            ..Default::default()
        }
    }

    #[test]
    fn default_rules() {
        let c = config::Config::default();
        let k = |i: Identity<'_>| classify(&i, Minted::default(), &c).kind;
        assert_eq!(
            k(ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/ops/s1",
                "aws-cli/2 md/awslabs#mcp"
            )),
            Kind::Agent
        );
        assert_eq!(
            k(ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/x-kiro-role/s",
                "aws-cli/2"
            )),
            Kind::Agent
        );
        assert_eq!(
            k(ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/deploy/s",
                "APN/1.0 HashiCorp/1.0 Terraform/1.6"
            )),
            Kind::Automation
        );
        assert_eq!(
            k(ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/web/i-0abc12345def67890",
                "aws-sdk-go"
            )),
            Kind::Automation
        );
        assert_eq!(
            k(ident("IAMUser", "arn:aws:iam::1:user/alice", "aws-cli/2")),
            Kind::Human
        );
        assert_eq!(
            k(ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_1/a@b.c",
                "Mozilla/5.0"
            )),
            Kind::Human
        );
        let mut svc = ident("AWSService", "", "cloudformation.amazonaws.com");
        svc.invoked_by = Some("cloudformation.amazonaws.com");
        assert_eq!(k(svc.clone()), Kind::Service);
        assert_eq!(principal(&svc), "service:cloudformation.amazonaws.com");
        let ci = classify(
            &ident(
                "AssumedRole",
                "arn:aws:sts::1:assumed-role/gha/run-1",
                "aws-sdk-js",
            ),
            Minted {
                via_web_identity: true,
                ..Default::default()
            },
            &c,
        );
        assert_eq!(ci.kind, Kind::Automation);
        assert!(ci.rule.starts_with("web-identity-ci"));
        assert_eq!(ci.role.as_deref(), Some("gha"));
    }
}
