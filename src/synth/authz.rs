//! An IAM snapshot in the format of `aws iam get-account-authorization-details`:
//! UserDetailList, GroupDetailList, RoleDetailList and Policies (managed
//! policies with their versions). Policy documents are JSON objects, as the
//! CLI prints them (already URL-decoded).

use serde_json::{Value, json};

use super::identity::{RoleDef, Secs, World, at};
use super::json::to_pretty_sorted;

/// `2026-03-09T09:14:22+00:00`, the CLI's date format.
pub(crate) fn cli_date(t: Secs) -> String {
    at(t).format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// A managed policy (AWS or customer managed) and its default version.
#[derive(Debug, Clone)]
pub(crate) struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub id: String,
    pub path: String,
    pub created: Secs,
    pub updated: Secs,
    pub version: String,
    pub document: Value,
}

/// An inline policy: name and document.
pub(crate) type Inline = (&'static str, Value);

/// Builder of one account's authorization details.
pub(crate) struct Authz<'w> {
    w: &'w World,
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<ManagedPolicy>,
}

fn attached(policies: &[&ManagedPolicy]) -> Value {
    policies
        .iter()
        .map(|p| json!({"PolicyName": p.name, "PolicyArn": p.arn}))
        .collect()
}

fn inline(list: &[Inline], key: &str) -> Value {
    list.iter()
        .map(|(name, doc)| json!({"PolicyName": name, key: doc}))
        .collect()
}

fn tags(list: &[(&str, &str)]) -> Value {
    list.iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

/// Details of one role for [`Authz::role`].
pub(crate) struct RoleSpec<'a> {
    pub role: &'a RoleDef,
    pub created: Secs,
    pub trust: Value,
    pub attached: Vec<&'a ManagedPolicy>,
    pub inline: Vec<Inline>,
    pub tags: Vec<(&'a str, &'a str)>,
    pub last_used: Option<Secs>,
    /// Instance profile (name, ID) for EC2 roles.
    pub instance_profile: Option<(&'a str, &'a str)>,
}

impl<'w> Authz<'w> {
    pub(crate) fn new(w: &'w World) -> Self {
        Authz {
            w,
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            policies: Vec::new(),
        }
    }

    /// Registers a managed policy; it is listed when something attaches it.
    pub(crate) fn policy(&mut self, p: ManagedPolicy) {
        self.policies.push(p);
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn user(
        &mut self,
        name: &str,
        id: &str,
        created: Secs,
        groups: &[&str],
        attached_policies: &[&ManagedPolicy],
        inline_policies: &[Inline],
        user_tags: &[(&str, &str)],
    ) {
        let mut v = json!({
            "Path": "/",
            "UserName": name,
            "UserId": id,
            "Arn": self.w.iam_arn(&format!("user/{name}")),
            "CreateDate": cli_date(created),
            "GroupList": groups,
            "AttachedManagedPolicies": attached(attached_policies),
            "Tags": tags(user_tags),
        });
        if !inline_policies.is_empty() {
            v["UserPolicyList"] = inline(inline_policies, "PolicyDocument");
        }
        self.users.push(v);
    }

    pub(crate) fn group(
        &mut self,
        name: &str,
        id: &str,
        created: Secs,
        attached_policies: &[&ManagedPolicy],
        inline_policies: &[Inline],
    ) {
        self.groups.push(json!({
            "Path": "/",
            "GroupName": name,
            "GroupId": id,
            "Arn": self.w.iam_arn(&format!("group/{name}")),
            "CreateDate": cli_date(created),
            "GroupPolicyList": inline(inline_policies, "PolicyDocument"),
            "AttachedManagedPolicies": attached(attached_policies),
        }));
    }

    pub(crate) fn role(&mut self, spec: RoleSpec<'_>) {
        let w = self.w;
        let arn = spec.role.arn(w);
        let profiles: Value = match spec.instance_profile {
            Some((name, id)) => json!([{
                "Path": "/",
                "InstanceProfileName": name,
                "InstanceProfileId": id,
                "Arn": w.iam_arn(&format!("instance-profile/{name}")),
                "CreateDate": cli_date(spec.created),
                "Roles": [{
                    "Path": spec.role.path,
                    "RoleName": spec.role.name,
                    "RoleId": spec.role.id,
                    "Arn": arn,
                    "CreateDate": cli_date(spec.created),
                    "AssumeRolePolicyDocument": spec.trust,
                }],
            }]),
            None => json!([]),
        };
        let last_used = match spec.last_used {
            Some(t) => json!({"LastUsedDate": cli_date(t), "Region": w.home}),
            None => json!({}),
        };
        self.roles.push(json!({
            "Path": spec.role.path,
            "RoleName": spec.role.name,
            "RoleId": spec.role.id,
            "Arn": arn,
            "CreateDate": cli_date(spec.created),
            "AssumeRolePolicyDocument": spec.trust,
            "InstanceProfileList": profiles,
            "RolePolicyList": inline(&spec.inline, "PolicyDocument"),
            "AttachedManagedPolicies": attached(&spec.attached),
            "Tags": tags(&spec.tags),
            "RoleLastUsed": last_used,
        }));
    }

    /// The document, pretty-printed like the CLI.
    pub(crate) fn render(&self) -> String {
        let count = |arn: &str| -> usize {
            self.users
                .iter()
                .chain(&self.groups)
                .chain(&self.roles)
                .filter_map(|e| e["AttachedManagedPolicies"].as_array())
                .flatten()
                .filter(|a| a["PolicyArn"] == arn)
                .count()
        };
        let policies: Vec<Value> = self
            .policies
            .iter()
            .filter(|p| count(&p.arn) > 0)
            .map(|p| {
                json!({
                    "PolicyName": p.name,
                    "PolicyId": p.id,
                    "Arn": p.arn,
                    "Path": p.path,
                    "DefaultVersionId": p.version,
                    "AttachmentCount": count(&p.arn),
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": true,
                    "CreateDate": cli_date(p.created),
                    "UpdateDate": cli_date(p.updated),
                    "PolicyVersionList": [{
                        "Document": p.document,
                        "VersionId": p.version,
                        "IsDefaultVersion": true,
                        "CreateDate": cli_date(p.updated),
                    }],
                })
            })
            .collect();
        to_pretty_sorted(&json!({
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": policies,
        }))
    }
}

/// A policy document with the given statements.
pub(crate) fn document(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Trust policy letting `service` assume the role.
pub(crate) fn service_trust(service: &str) -> Value {
    document(json!([{
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }]))
}
