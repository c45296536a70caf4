//! IAM snapshots: the output of `aws iam get-account-authorization-details`.

pub mod policy;
pub mod snapshot;

use crate::incident::classify::{document_is_broad, is_broad_policy_arn};
use serde_json::Value;
use std::path::Path;

/// Load a snapshot; None when unreadable or not a snapshot.
pub fn load(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: Value = crate::event::canonical::parse_value(&text).ok()?;
    v.get("RoleDetailList").or(v.get("UserDetailList"))?;
    Some(v)
}

fn default_version_doc<'a>(snapshot: &'a Value, policy_arn: &str) -> Option<&'a Value> {
    let p = snapshot["Policies"]
        .as_array()?
        .iter()
        .find(|p| p["Arn"].as_str() == Some(policy_arn))?;
    p["PolicyVersionList"]
        .as_array()?
        .iter()
        .find(|v| v["IsDefaultVersion"].as_bool() == Some(true))
        .map(|v| &v["Document"])
}

/// Why a role (by ARN or name) holds a broad grant in the snapshot, if it does.
pub fn broad_grant(path: &Path, role: &str) -> Option<String> {
    let snap = load(path)?;
    let name = role.rsplit('/').next().unwrap_or(role);
    let r = snap["RoleDetailList"]
        .as_array()?
        .iter()
        .find(|r| r["Arn"].as_str() == Some(role) || r["RoleName"].as_str() == Some(name))?;
    for p in r["AttachedManagedPolicies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let arn = p["PolicyArn"].as_str().unwrap_or("");
        if is_broad_policy_arn(arn) {
            return Some(format!(
                "{} attached, per the IAM snapshot",
                p["PolicyName"].as_str().unwrap_or(arn)
            ));
        }
        if default_version_doc(&snap, arn).is_some_and(document_is_broad) {
            return Some(format!(
                "{} allows * or service:*, per the IAM snapshot",
                p["PolicyName"].as_str().unwrap_or(arn)
            ));
        }
    }
    for p in r["RolePolicyList"].as_array().into_iter().flatten() {
        if document_is_broad(&p["PolicyDocument"]) {
            return Some(format!(
                "inline policy {} allows * or service:*, per the IAM snapshot",
                p["PolicyName"].as_str().unwrap_or("?")
            ));
        }
    }
    None
}
