//! Facts about calls from CloudTrail's semantics: error classes, the table
//! of destructive and high-risk calls, guardrail removals, permission grants,
//! and the resource identifiers a call names.

use crate::event::canonical::Node;
use serde_json::Value;
use std::collections::BTreeSet;

/// Classes of failure, from the error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    NotFound,
    AccessDenied,
    Throttling,
    Unavailable,
    Validation,
    Other,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::NotFound => "not-found",
            ErrorClass::AccessDenied => "access-denied",
            ErrorClass::Throttling => "throttling",
            ErrorClass::Unavailable => "unavailable",
            ErrorClass::Validation => "validation",
            ErrorClass::Other => "other",
        }
    }
    /// Classes that mean a dependency is broken (what an outage looks like
    /// from its dependents), as opposed to a caller's own mistake or limits.
    pub fn is_breakage(self) -> bool {
        matches!(self, ErrorClass::NotFound | ErrorClass::Unavailable)
    }
}

pub fn error_class(code: &str) -> ErrorClass {
    let c = code.to_ascii_lowercase();
    if c.contains("notfound")
        || c.contains("nosuch")
        || c.contains("not_found")
        || c.contains("doesnotexist")
    {
        ErrorClass::NotFound
    } else if c.contains("accessdenied")
        || c.contains("unauthorized")
        || c.contains("forbidden")
        || c.contains("notauthorized")
    {
        ErrorClass::AccessDenied
    } else if c.contains("throttl")
        || c.contains("ratelimit")
        || c.contains("requestlimitexceeded")
        || c.contains("toomanyrequests")
        || c.contains("slowdown")
    {
        ErrorClass::Throttling
    } else if c.contains("unavailable")
        || c.contains("internalerror")
        || c.contains("internalfailure")
        || c.contains("serviceexception")
        || c.contains("timeout")
        || c.contains("internalserver")
    {
        ErrorClass::Unavailable
    } else if c.contains("validation")
        || c.contains("invalidparameter")
        || c.contains("malformed")
        || c.contains("missingparameter")
        || c.starts_with("invalid")
    {
        // EC2's InvalidInstanceID.NotFound was caught above.
        ErrorClass::Validation
    } else {
        ErrorClass::Other
    }
}

/// Read-only by name when `readOnly` is absent (older records, exports).
pub fn looks_read_only(name: &str) -> bool {
    [
        "Describe", "Get", "List", "Head", "Lookup", "Search", "Select", "Scan", "Query",
        "BatchGet", "Check", "Preview", "Estimate", "Test", "Validate", "View", "Download",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || name == "ConsoleLogin"
}

/// How risky a mutating call is, by the documented table (docs/RULES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Ordinary change.
    Change,
    /// Changes who may do what.
    Permission,
    /// Turns off a protection (deletion protection, logging, ...).
    Guardrail,
    /// Deletes, terminates, detaches, disables, or scales to zero.
    Destructive,
}

const DESTRUCTIVE_PREFIXES: &[&str] = &[
    "Delete",
    "Terminate",
    "Remove",
    "Detach",
    "Disable",
    "Deregister",
    "Revoke",
    "Purge",
    "Disassociate",
    "Release",
    "Cancel",
    "Stop",
    "Drop",
    "Destroy",
    "Reject",
    "Leave",
];

/// Is this call a removal of a guardrail? Looks at the call and its parameters.
pub fn is_guardrail_removal<P: Json>(action: &str, params: &P) -> bool {
    let name = action.split(':').nth(1).unwrap_or(action);
    let falsy = |v: &P| {
        v.boolean() == Some(false) || v.text().is_some_and(|s| s.eq_ignore_ascii_case("false"))
    };
    fn text<'a, P: Json>(v: &'a P, key: &str) -> Option<&'a str> {
        v.member(key).and_then(P::text)
    }
    match name {
        "StopLogging"
        | "DeleteTrail"
        | "DeleteFlowLogs"
        | "DeleteDetector"
        | "DisableSecurityHub"
        | "StopConfigurationRecorder"
        | "DeleteConfigurationRecorder"
        | "DeleteDeliveryChannel"
        | "DisableEbsEncryptionByDefault"
        | "DeleteAccountPublicAccessBlock"
        | "DeleteBucketPublicAccessBlock" => true,
        "UpdateTerminationProtection" => params
            .member("enableTerminationProtection")
            .is_some_and(falsy),
        "PutEventSelectors" | "PutInsightSelectors" => true,
        "UpdateTrail" => {
            params.member("isMultiRegionTrail").is_some_and(falsy)
                || params
                    .member("includeGlobalServiceEvents")
                    .is_some_and(falsy)
        }
        "ModifyDBInstance" | "ModifyDBCluster" => {
            params.member("deletionProtection").is_some_and(falsy)
        }
        "UpdateTable" => params
            .member("deletionProtectionEnabled")
            .is_some_and(falsy),
        "ModifyInstanceAttribute" => params
            .member("disableApiTermination")
            .is_some_and(|d| d.member("value").and_then(P::boolean) == Some(false) || falsy(d)),
        "ModifyLoadBalancerAttributes" => params
            .member("attributes")
            .and_then(P::items)
            .is_some_and(|a| {
                a.iter().any(|kv| {
                    text(kv, "key") == Some("deletion_protection.enabled")
                        && text(kv, "value") == Some("false")
                })
            }),
        "PutBucketVersioning" => {
            params
                .member("VersioningConfiguration")
                .and_then(|c| text(c, "Status"))
                == Some("Suspended")
        }
        _ => false,
    }
}

/// IAM and Organizations calls that change permissions.
pub fn is_permission_change(action: &str) -> bool {
    let (svc, name) = action.split_once(':').unwrap_or(("", action));
    match svc {
        "iam" => {
            [
                "Attach", "Detach", "Put", "Delete", "Create", "Update", "Add", "Remove", "Set",
            ]
            .iter()
            .any(|p| name.starts_with(p))
                && (name.contains("Policy")
                    || name.contains("Role")
                    || name.contains("User")
                    || name.contains("Group")
                    || name.contains("AccessKey")
                    || name.contains("LoginProfile")
                    || name.contains("PermissionsBoundary"))
        }
        "organizations" => name.contains("Policy"),
        "sso" => name.contains("PermissionSet") || name.contains("AccountAssignment"),
        "sts" => false,
        _ => {
            name.ends_with("Policy")
                && (name.starts_with("Put")
                    || name.starts_with("Set")
                    || name.starts_with("Delete"))
        }
    }
}

pub fn risk<P: Json>(action: &str, params: &P) -> Risk {
    let name = action.split(':').nth(1).unwrap_or(action);
    if is_guardrail_removal(action, params) {
        return Risk::Guardrail;
    }
    if is_permission_change(action) {
        return Risk::Permission;
    }
    if DESTRUCTIVE_PREFIXES.iter().any(|p| name.starts_with(p)) || scales_to_zero(name, params) {
        return Risk::Destructive;
    }
    Risk::Change
}

fn scales_to_zero<P: Json>(name: &str, p: &P) -> bool {
    let zero = |key: &str| {
        p.member(key)
            .is_some_and(|v| v.int() == Some(0) || v.text() == Some("0"))
    };
    match name {
        "UpdateAutoScalingGroup" => zero("desiredCapacity") || zero("maxSize"),
        "SetDesiredCapacity" => zero("desiredCapacity"),
        "UpdateService" => zero("desiredCount"),
        "PutFunctionConcurrency" => zero("reservedConcurrentExecutions"),
        _ => false,
    }
}

/// [`risk`] of a call whose parameters `parse` gives, called only when the
/// call's rule reads them (most calls' risk is their action's): with the
/// parameters, when they were parsed.
pub fn risk_of<P: Json>(action: &str, parse: impl FnOnce() -> Option<P>) -> (Risk, Option<P>) {
    let unread = Unread::default();
    let without = risk(action, &unread);
    if !unread.asked() {
        return (without, None);
    }
    let params = parse();
    let with = params.as_ref().map_or(without, |p| risk(action, p));
    (with, params)
}

/// Parameters not parsed yet: a rule run over them reads nothing (as over
/// JSON `null`) and records whether it asked ([`risk_of`]).
#[derive(Default)]
struct Unread(std::cell::Cell<bool>);

impl Unread {
    /// Whether a rule run over it asked for anything.
    fn asked(&self) -> bool {
        self.0.get()
    }
}

impl Json for Unread {
    fn member(&self, _: &str) -> Option<&Self> {
        self.0.set(true);
        None
    }
    fn text(&self) -> Option<&str> {
        self.0.set(true);
        None
    }
    fn int(&self) -> Option<i64> {
        self.0.set(true);
        None
    }
    fn boolean(&self) -> Option<bool> {
        self.0.set(true);
        None
    }
    fn items(&self) -> Option<&[Self]> {
        self.0.set(true);
        None
    }
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.0.set(true);
        std::iter::empty()
    }
}

/// What the rules read of a request's parameters, over a [`Value`] or a
/// parsed [`Node`] that borrows the log's text (converting every payload
/// to a `Value` was most of the cost of reading them). A [`Node`] keeps
/// duplicate keys; as in a `Value`, the last occurrence counts.
pub trait Json: Sized {
    /// An object's member.
    fn member(&self, key: &str) -> Option<&Self>;
    fn text(&self) -> Option<&str>;
    fn int(&self) -> Option<i64>;
    fn boolean(&self) -> Option<bool>;
    fn items(&self) -> Option<&[Self]>;
    /// An object's members, each key once with its last value.
    fn members(&self) -> impl Iterator<Item = (&str, &Self)>;
}

impl Json for Value {
    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
    fn int(&self) -> Option<i64> {
        self.as_i64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.as_object()
            .into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

impl Json for Node<'_> {
    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn text(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            Node::Num(n) => n.as_i64(),
            _ => None,
        }
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            Node::Arr(a) => Some(a),
            _ => None,
        }
    }
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        Node::members(self)
    }
}

/// Managed policies and statements that grant broad power.
pub fn is_broad_policy_arn(arn: &str) -> bool {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    matches!(
        name,
        "AdministratorAccess" | "PowerUserAccess" | "IAMFullAccess"
    )
}

/// Does a policy document (JSON value or URL-encoded text) allow `*` or
/// `service:*` on `*`?
pub fn document_is_broad(doc: &Value) -> bool {
    let doc = match doc {
        Value::String(s) => {
            let decoded = crate::iam::policy::percent_decode(s);
            crate::event::canonical::parse_value(&decoded).unwrap_or(Value::Null)
        }
        v => v.clone(),
    };
    let stmts = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        v @ Value::Object(_) => vec![v.clone()],
        _ => vec![],
    };
    stmts.iter().any(|s| {
        s["Effect"] == "Allow"
            && list(&s["Action"])
                .iter()
                .any(|a| a == "*" || a.ends_with(":*"))
            && (s.get("Resource").is_none() || list(&s["Resource"]).iter().any(|r| r == "*"))
    }) || stmts
        .iter()
        .any(|s| s["Effect"] == "Allow" && s.get("NotAction").is_some())
}

pub fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

const ID_KEY_SUFFIXES: &[&str] = &[
    "id",
    "ids",
    "name",
    "names",
    "arn",
    "arns",
    "identifier",
    "stackname",
    "bucket",
    "key",
];
const IGNORED_KEYS: &[&str] = &[
    "requestid",
    "clientrequesttoken",
    "clienttoken",
    "keyid",
    "accesskeyid",
    "sessiontoken",
    "rolesessionname",
    "idempotencytoken",
    "nexttoken",
    "externalid",
    "sourceidentity",
    "versionid",
    "imageid",
    "kmskeyid",
    "subnetid",
    "vpcid",
    "ownerid",
    "accountid",
    "availabilityzone",
];

fn looks_like_aws_id(s: &str) -> bool {
    if let Some((p, h)) = s.split_once('-') {
        p.len() <= 6
            && p.bytes().all(|c| c.is_ascii_lowercase())
            && (8..=17).contains(&h.len())
            && h.bytes().all(|c| c.is_ascii_hexdigit())
    } else {
        false
    }
}

fn add_token(out: &mut BTreeSet<String>, s: &str) {
    let s = s.trim();
    if s.len() < 3
        || s.len() > 512
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || s.parse::<f64>().is_ok()
    {
        return;
    }
    out.insert(s.to_string());
    if s.starts_with("arn:") {
        // The resource part, after the 5th colon, is `type/name`,
        // `type:name` or (S3) `bucket/key`. The type word (`function`,
        // `table`, `stack`) names no particular resource, so only the name
        // and its name-like segments become identifiers.
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let (Some(service), Some(res)) = (parts.get(2), parts.get(5)) else {
            return;
        };
        let name = if *service == "s3" {
            *res
        } else {
            match res.find(['/', ':']) {
                Some(i) => &res[i + 1..],
                None => res,
            }
        };
        for n in [name, strip_secret_suffix(name)] {
            if n.len() >= 3 {
                out.insert(n.to_string());
            }
        }
        let segs: Vec<&str> = name.split(['/', ':']).collect();
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            let name_like = seg.len() >= 3
                && (last
                    || seg
                        .bytes()
                        .any(|c| c == b'-' || c == b'_' || c == b'.' || c.is_ascii_digit()));
            if name_like && segs.len() > 1 {
                out.insert(seg.to_string());
                out.insert(strip_secret_suffix(seg).to_string());
            }
        }
    }
}

/// Secrets Manager appends `-XXXXXX` to secret ARNs.
fn strip_secret_suffix(s: &str) -> &str {
    match s.rsplit_once('-') {
        Some((base, suf))
            if suf.len() == 6
                && suf.bytes().all(|c| c.is_ascii_alphanumeric())
                && base.len() >= 3 =>
        {
            base
        }
        _ => s,
    }
}

/// `key` ends with `suffix`, ignoring ASCII case.
fn ends_with_ignore_case(key: &str, suffix: &str) -> bool {
    key.len() >= suffix.len()
        && key.as_bytes()[key.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

fn walk(v: &Node<'_>, key: &str, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    match v {
        Node::Obj(_) => {
            for (k, x) in v.members() {
                walk(x, k, out, depth + 1);
            }
        }
        Node::Arr(a) => {
            for x in a.iter().take(200) {
                walk(x, key, out, depth + 1);
            }
        }
        Node::Str(s) => {
            if IGNORED_KEYS.iter().any(|i| key.eq_ignore_ascii_case(i)) {
                return;
            }
            if s.starts_with("arn:")
                || looks_like_aws_id(s)
                || ID_KEY_SUFFIXES
                    .iter()
                    .any(|suf| ends_with_ignore_case(key, suf))
            {
                add_token(out, s);
            }
        }
        _ => {}
    }
}

/// Identifiers (ARNs, names, IDs) a parsed JSON payload names.
pub fn identifiers_in_node(v: &Node<'_>, out: &mut BTreeSet<String>) {
    walk(v, "", out, 0);
}

/// Identifiers (ARNs, names, IDs) a JSON payload names.
pub fn identifiers(json: Option<&str>, out: &mut BTreeSet<String>) {
    if let Some(v) = json.and_then(|t| crate::event::canonical::parse(t).ok()) {
        walk(&v, "", out, 0);
    }
}

/// Identifiers in free text such as an error message: ARNs, AWS IDs, and
/// quoted names.
pub fn identifiers_in_text(text: &str, out: &mut BTreeSet<String>) {
    for raw in
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']'))
    {
        let t = raw.trim_matches(|c: char| matches!(c, '\'' | '"' | '.' | '`'));
        if t.starts_with("arn:") || looks_like_aws_id(t) {
            add_token(out, t);
        }
    }
    for (i, part) in text.split(['\'', '"']).enumerate() {
        if i % 2 == 1 && !part.contains(' ') {
            add_token(out, part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unread_parameters_give_nulls_risk_and_tell_when_a_rule_reads_them() {
        let cases = [
            ("cloudformation:DeleteStack", false),
            ("iam:AttachRolePolicy", false),
            ("cloudtrail:StopLogging", false),
            ("s3:GetObject", false),
            ("cloudtrail:UpdateTrail", true),
            ("rds:ModifyDBInstance", true),
            ("autoscaling:UpdateAutoScalingGroup", true),
            ("ecs:UpdateService", true),
            ("s3:PutBucketVersioning", true),
        ];
        for (action, reads) in cases {
            let unread = Unread::default();
            let risk_unread = risk(action, &unread);
            assert_eq!(unread.asked(), reads, "{action}");
            assert_eq!(risk_unread, risk(action, &Value::Null), "{action}");
        }
        // Where the rule reads them, the parameters decide.
        let off = json!({"isMultiRegionTrail": false});
        assert_eq!(risk("cloudtrail:UpdateTrail", &off), Risk::Guardrail);
        assert_ne!(
            risk("cloudtrail:UpdateTrail", &Unread::default()),
            Risk::Guardrail
        );
        // risk_of parses only where the rule reads, and then decides by them.
        let mut parsed = false;
        let (r, p) = risk_of("cloudformation:DeleteStack", || {
            parsed = true;
            Some(off.clone())
        });
        assert_eq!((r, p, parsed), (Risk::Destructive, None, false));
        let (r, p) = risk_of("cloudtrail:UpdateTrail", || Some(off.clone()));
        assert_eq!((r, p), (Risk::Guardrail, Some(off.clone())));
        let (r, p) = risk_of::<Value>("cloudtrail:UpdateTrail", || None);
        assert_eq!((r, p), (risk("cloudtrail:UpdateTrail", &Value::Null), None));
    }

    #[test]
    fn error_classes() {
        assert_eq!(
            error_class("ResourceNotFoundException"),
            ErrorClass::NotFound
        );
        assert_eq!(
            error_class("InvalidInstanceID.NotFound"),
            ErrorClass::NotFound
        );
        assert_eq!(error_class("LoadBalancerNotFound"), ErrorClass::NotFound);
        assert_eq!(error_class("NoSuchBucket"), ErrorClass::NotFound);
        assert_eq!(error_class("AccessDenied"), ErrorClass::AccessDenied);
        assert_eq!(
            error_class("Client.UnauthorizedOperation"),
            ErrorClass::AccessDenied
        );
        assert_eq!(error_class("ThrottlingException"), ErrorClass::Throttling);
        assert_eq!(
            error_class("Client.RequestLimitExceeded"),
            ErrorClass::Throttling
        );
        assert_eq!(
            error_class("ServiceUnavailableException"),
            ErrorClass::Unavailable
        );
        assert_eq!(error_class("ValidationException"), ErrorClass::Validation);
    }

    #[test]
    fn risks() {
        let none = json!({});
        assert_eq!(risk("cloudformation:DeleteStack", &none), Risk::Destructive);
        assert_eq!(
            risk(
                "cloudformation:UpdateTerminationProtection",
                &json!({"enableTerminationProtection": false})
            ),
            Risk::Guardrail
        );
        assert_eq!(
            risk(
                "cloudformation:UpdateTerminationProtection",
                &json!({"enableTerminationProtection": true})
            ),
            Risk::Change
        );
        assert_eq!(risk("iam:AttachRolePolicy", &none), Risk::Permission);
        assert_eq!(risk("cloudtrail:StopLogging", &none), Risk::Guardrail);
        assert_eq!(
            risk("ecs:UpdateService", &json!({"desiredCount": 0})),
            Risk::Destructive
        );
        assert_eq!(
            risk(
                "rds:ModifyDBInstance",
                &json!({"deletionProtection": false})
            ),
            Risk::Guardrail
        );
        assert_eq!(risk("s3:PutObject", &none), Risk::Change);
    }

    /// Every rule that reads parameters gives the same risk over a parsed
    /// `Node` (what the analysis uses) as over a `Value`; a duplicated key
    /// counts by its last value in both.
    #[test]
    fn risks_read_nodes_as_values() {
        let cases = [
            (
                "cloudformation:UpdateTerminationProtection",
                r#"{"enableTerminationProtection":"FALSE"}"#,
            ),
            (
                "cloudformation:UpdateTerminationProtection",
                r#"{"enableTerminationProtection":false,"enableTerminationProtection":true}"#,
            ),
            ("cloudtrail:UpdateTrail", r#"{"isMultiRegionTrail":false}"#),
            (
                "cloudtrail:UpdateTrail",
                r#"{"includeGlobalServiceEvents":"false"}"#,
            ),
            ("rds:ModifyDBCluster", r#"{"deletionProtection":false}"#),
            (
                "dynamodb:UpdateTable",
                r#"{"deletionProtectionEnabled":false}"#,
            ),
            (
                "ec2:ModifyInstanceAttribute",
                r#"{"disableApiTermination":{"value":false}}"#,
            ),
            (
                "ec2:ModifyInstanceAttribute",
                r#"{"disableApiTermination":{"value":true}}"#,
            ),
            (
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                r#"{"attributes":[{"key":"idle","value":"false"},{"key":"deletion_protection.enabled","value":"false"}]}"#,
            ),
            (
                "s3:PutBucketVersioning",
                r#"{"VersioningConfiguration":{"Status":"Suspended"}}"#,
            ),
            ("autoscaling:UpdateAutoScalingGroup", r#"{"maxSize":"0"}"#),
            ("autoscaling:SetDesiredCapacity", r#"{"desiredCapacity":0}"#),
            (
                "ecs:UpdateService",
                r#"{"desiredCount":0,"desiredCount":2}"#,
            ),
            (
                "lambda:PutFunctionConcurrency",
                r#"{"reservedConcurrentExecutions":0}"#,
            ),
            ("lambda:PutFunctionConcurrency", r#"[0]"#),
        ];
        let mut seen = BTreeSet::new();
        for (action, text) in cases {
            let node = crate::event::canonical::parse(text).unwrap();
            let value = crate::event::canonical::parse_value(text).unwrap();
            let r = risk(action, &value);
            assert_eq!(risk(action, &node), r, "{action} {text}");
            seen.insert(r);
        }
        // The cases exercise both outcomes.
        assert!(seen.contains(&Risk::Guardrail) && seen.contains(&Risk::Destructive));
        assert!(seen.contains(&Risk::Change));
    }

    #[test]
    fn a_duplicated_key_names_its_last_value() {
        let ids = |text: &str| {
            let mut out = BTreeSet::new();
            identifiers(Some(text), &mut out);
            out
        };
        let small = ids(r#"{"stackName":"old-stack","stackName":"new-stack"}"#);
        assert!(
            small.contains("new-stack") && !small.contains("old-stack"),
            "{small:?}"
        );
        // Past 16 members the last values are found through a map.
        let mut members: Vec<String> = (0..20).map(|i| format!(r#""k{i}":{i}"#)).collect();
        members.insert(3, r#""tableName":"old-table""#.into());
        members.push(r#""tableName":"new-table""#.into());
        let large = ids(&format!("{{{}}}", members.join(",")));
        assert!(
            large.contains("new-table") && !large.contains("old-table"),
            "{large:?}"
        );
    }

    #[test]
    fn identifiers_from_params_and_messages() {
        let mut a = BTreeSet::new();
        identifiers(
            Some(r#"{"stackName":"prod-web","roleARN":"arn:aws-cn:iam::1:role/cfn"}"#),
            &mut a,
        );
        assert!(a.contains("prod-web"));
        let mut b = BTreeSet::new();
        identifiers_in_text(
            "Secrets Manager can't find the specified secret arn:aws-cn:secretsmanager:cn-north-1:1:secret:prod-web/db-AbCdEf.",
            &mut b,
        );
        assert!(b.contains("prod-web/db"), "{b:?}");
        assert!(b.contains("prod-web"), "{b:?}");
        let mut f = BTreeSet::new();
        identifiers_in_text(
            "arn:aws:lambda:us-east-1:1:function:case-docs-indexer",
            &mut f,
        );
        assert!(
            f.contains("case-docs-indexer") && !f.contains("function"),
            "{f:?}"
        );
        let mut l = BTreeSet::new();
        identifiers_in_text(
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/prod-web-alb/bbe31bac5105fa28",
            &mut l,
        );
        assert!(
            l.contains("prod-web-alb") && !l.contains("app") && !l.contains("loadbalancer"),
            "{l:?}"
        );
        assert!(
            b.contains("arn:aws-cn:secretsmanager:cn-north-1:1:secret:prod-web/db-AbCdEf"),
            "{b:?}"
        );
        let mut c = BTreeSet::new();
        identifiers_in_text(
            "The instance ID 'i-0abc12345def67890' does not exist",
            &mut c,
        );
        assert!(c.contains("i-0abc12345def67890"));
        assert!(document_is_broad(
            &json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})
        ));
        assert!(!document_is_broad(
            &json!({"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})
        ));
        assert!(is_broad_policy_arn(
            "arn:aws-cn:iam::aws:policy/PowerUserAccess"
        ));
        // A multi-byte character right after '%' must not panic.
        assert!(!document_is_broad(&json!("%\u{e9}%4")));
    }
}
