//! Facts about calls from CloudTrail's semantics: error classes, the table
//! of destructive and high-risk calls, guardrail removals, permission grants,
//! and the resource identifiers a call names.

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
pub fn is_guardrail_removal(action: &str, params: &Value) -> bool {
    let name = action.split(':').nth(1).unwrap_or(action);
    let falsy = |v: &Value| {
        matches!(v, Value::Bool(false))
            || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
    };
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
        "UpdateTerminationProtection" => falsy(&params["enableTerminationProtection"]),
        "PutEventSelectors" | "PutInsightSelectors" => true,
        "UpdateTrail" => {
            params.get("isMultiRegionTrail").is_some_and(falsy)
                || params.get("includeGlobalServiceEvents").is_some_and(falsy)
        }
        "ModifyDBInstance" | "ModifyDBCluster" => {
            params.get("deletionProtection").is_some_and(falsy)
        }
        "UpdateTable" => params.get("deletionProtectionEnabled").is_some_and(falsy),
        "ModifyInstanceAttribute" => {
            params["disableApiTermination"]["value"] == Value::Bool(false)
                || params.get("disableApiTermination").is_some_and(falsy)
        }
        "ModifyLoadBalancerAttributes" => params["attributes"].as_array().is_some_and(|a| {
            a.iter()
                .any(|kv| kv["key"] == "deletion_protection.enabled" && kv["value"] == "false")
        }),
        "PutBucketVersioning" => params["VersioningConfiguration"]["Status"] == "Suspended",
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

pub fn risk(action: &str, params: &Value) -> Risk {
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

fn scales_to_zero(name: &str, p: &Value) -> bool {
    let zero = |v: &Value| v.as_i64() == Some(0) || v.as_str() == Some("0");
    match name {
        "UpdateAutoScalingGroup" => zero(&p["desiredCapacity"]) || zero(&p["maxSize"]),
        "SetDesiredCapacity" => zero(&p["desiredCapacity"]),
        "UpdateService" => zero(&p["desiredCount"]),
        "PutFunctionConcurrency" => zero(&p["reservedConcurrentExecutions"]),
        _ => false,
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

fn walk(v: &Value, key: &str, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 12 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                walk(x, k, out, depth + 1);
            }
        }
        Value::Array(a) => {
            for x in a.iter().take(200) {
                walk(x, key, out, depth + 1);
            }
        }
        Value::String(s) => {
            let k = key.to_ascii_lowercase();
            if IGNORED_KEYS.contains(&k.as_str()) {
                return;
            }
            if s.starts_with("arn:")
                || looks_like_aws_id(s)
                || ID_KEY_SUFFIXES.iter().any(|suf| k.ends_with(suf))
            {
                add_token(out, s);
            }
        }
        _ => {}
    }
}

/// Identifiers (ARNs, names, IDs) a parsed JSON payload names.
pub fn identifiers_in_value(v: &Value, out: &mut BTreeSet<String>) {
    walk(v, "", out, 0);
}

/// Identifiers (ARNs, names, IDs) a JSON payload names.
pub fn identifiers(json: Option<&str>, out: &mut BTreeSet<String>) {
    if let Some(v) = json.and_then(|t| crate::event::canonical::parse_value(t).ok()) {
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
