//! A parsed `aws iam get-account-authorization-details` snapshot, and the
//! principals (users, groups, roles) with the policy statements that apply
//! to each.
//!
//! Users carry their own inline and attached policies plus those of every
//! group they belong to; each statement names its source
//! (`inline:NAME`, `managed:NAME`, `group:G/inline:NAME`,
//! `group:G/managed:NAME`, `boundary:NAME`).
//!
//! # Managed policies the snapshot omits
//!
//! Snapshots taken with `--filter LocalManagedPolicy` (or trimmed by hand)
//! reference AWS managed policies without their documents. A few well-known
//! broad ones are built in, and their source says so:
//! - `AdministratorAccess`: Allow `*` on `*` (exact);
//! - `PowerUserAccess`: Allow every action but `iam:*`, `organizations:*`
//!   and `account:*`, plus the few IAM, Organizations and Account reads of
//!   its version 5;
//! - `IAMFullAccess`: Allow `iam:*` plus Organizations reads;
//! - `ReadOnlyAccess`: an **approximation**, Allow `*:Get*`, `*:List*` and
//!   `*:Describe*` on `*`; the real policy lists hundreds of actions by name,
//!   some of them beyond those verbs (e.g. `s3:Select*` is not covered here)
//!   and not every `Get*` (it leaves out some data reads).
//!
//! Any other policy missing from the snapshot is noted in
//! [`Principal::unevaluated`] as "unknown policy, not evaluated" and grants
//! nothing. A permissions boundary that cannot be resolved is ignored (and
//! noted), which keeps [`crate::iam::policy::evaluate`] an upper bound.

use crate::iam::policy::{Statement, decode_document, try_parse_document};
use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// What kind of IAM identity a [`Principal`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PrincipalKind {
    User,
    Role,
    Group,
}

/// An IAM identity with everything that decides what it may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    pub arn: String,
    pub name: String,
    pub kind: PrincipalKind,
    /// Identity-policy statements: inline, attached managed, and (for users)
    /// those of their groups. Each names its source policy.
    pub statements: Vec<Statement>,
    /// The permissions boundary's statements, when one is set and resolved.
    pub boundary: Option<Vec<Statement>>,
    /// The role's trust policy (`AssumeRolePolicyDocument`), decoded.
    pub trust: Option<Value>,
    /// Policies that could not be evaluated and why, e.g.
    /// `managed:Foo [arn:aws:iam::aws:policy/Foo]: unknown policy, not evaluated`.
    pub unevaluated: Vec<String>,
}

impl Principal {
    /// A principal with no policies; fill in the fields as needed.
    pub fn new(arn: &str, name: &str, kind: PrincipalKind) -> Self {
        Principal {
            arn: arn.to_string(),
            name: name.to_string(),
            kind,
            statements: Vec::new(),
            boundary: None,
            trust: None,
            unevaluated: Vec::new(),
        }
    }
}

/// An inline policy, parsed, or why it could not be.
#[derive(Debug, Clone)]
struct Inline {
    name: String,
    statements: Result<Vec<Statement>, String>,
}

#[derive(Debug, Clone)]
struct Attachment {
    arn: String,
    name: String,
}

/// A user, group or role as the snapshot lists it.
#[derive(Debug, Clone)]
struct Detail {
    arn: String,
    name: String,
    kind: PrincipalKind,
    inline: Vec<Inline>,
    attached: Vec<Attachment>,
    groups: Vec<String>,
    boundary: Option<String>,
    trust: Option<Result<Value, String>>,
}

/// A managed policy's default version, parsed, or why it could not be.
#[derive(Debug, Clone)]
struct ManagedPolicy {
    statements: Result<Vec<Statement>, String>,
}

/// A parsed IAM snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    users: Vec<Detail>,
    groups: Vec<Detail>,
    roles: Vec<Detail>,
    /// By ARN.
    policies: BTreeMap<String, ManagedPolicy>,
}

const LISTS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

impl Snapshot {
    /// Read and parse a snapshot file.
    pub fn load(path: impl AsRef<Path>) -> anyhow::Result<Snapshot> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading IAM snapshot {}", path.display()))?;
        let v: Value = crate::event::canonical::parse_value(&text)
            .with_context(|| format!("IAM snapshot {} is not JSON", path.display()))?;
        Snapshot::from_value(&v).with_context(|| format!("IAM snapshot {}", path.display()))
    }

    /// Parse the JSON of `aws iam get-account-authorization-details`.
    /// Structural problems (a list that is not a list, a principal without
    /// a name or ARN) are errors; unreadable policy documents are not, they
    /// end up in [`Principal::unevaluated`].
    pub fn from_value(v: &Value) -> anyhow::Result<Snapshot> {
        let Some(top) = v.as_object() else {
            bail!(
                "expected a JSON object at the top level, found {}",
                kind_of(v)
            );
        };
        if !LISTS.iter().any(|k| top.contains_key(*k)) {
            bail!(
                "not an IAM authorization-details snapshot: none of {} at the top level \
                 (hint: produce it with `aws iam get-account-authorization-details`)",
                LISTS.join(", ")
            );
        }
        let list = |key: &str| -> anyhow::Result<&[Value]> {
            match top.get(key) {
                None | Some(Value::Null) => Ok(&[]),
                Some(Value::Array(a)) => Ok(a),
                Some(other) => bail!("{key} is {}, expected a list", kind_of(other)),
            }
        };
        let mut snap = Snapshot {
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            policies: BTreeMap::new(),
        };
        for (i, u) in list("UserDetailList")?.iter().enumerate() {
            let at = || format!("UserDetailList[{i}]");
            let mut d = detail(u, PrincipalKind::User, "UserName", "UserPolicyList", &at)?;
            d.groups = match u.get("GroupList") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|g| {
                        g.as_str()
                            .or_else(|| g["GroupName"].as_str())
                            .map(str::to_string)
                            .with_context(|| format!("{}: GroupList holds {g}", at()))
                    })
                    .collect::<anyhow::Result<_>>()?,
                Some(other) => bail!("{}: GroupList is {}", at(), kind_of(other)),
            };
            snap.users.push(d);
        }
        for (i, g) in list("GroupDetailList")?.iter().enumerate() {
            let at = || format!("GroupDetailList[{i}]");
            snap.groups.push(detail(
                g,
                PrincipalKind::Group,
                "GroupName",
                "GroupPolicyList",
                &at,
            )?);
        }
        for (i, r) in list("RoleDetailList")?.iter().enumerate() {
            let at = || format!("RoleDetailList[{i}]");
            let mut d = detail(r, PrincipalKind::Role, "RoleName", "RolePolicyList", &at)?;
            d.trust = r
                .get("AssumeRolePolicyDocument")
                .filter(|t| !t.is_null())
                .map(|t| {
                    decode_document(t)
                        .map(|t| t.into_owned())
                        .map_err(|e| e.to_string())
                });
            snap.roles.push(d);
        }
        for (i, p) in list("Policies")?.iter().enumerate() {
            let arn = p["Arn"]
                .as_str()
                .with_context(|| format!("Policies[{i}]: missing Arn"))?;
            let name = p["PolicyName"]
                .as_str()
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn));
            snap.policies.insert(
                arn.to_string(),
                ManagedPolicy {
                    statements: default_version(p)
                        .ok_or_else(|| "no default version in the snapshot".to_string())
                        .and_then(|doc| {
                            try_parse_document(doc, &format!("managed:{name}"))
                                .map_err(|e| e.to_string())
                        }),
                },
            );
        }
        Ok(snap)
    }

    /// Every user, group and role, in snapshot order (users, groups, roles),
    /// with its policies resolved.
    pub fn principals(&self) -> Vec<Principal> {
        self.users
            .iter()
            .chain(&self.groups)
            .chain(&self.roles)
            .map(|d| self.resolve(d))
            .collect()
    }

    /// The principal with this ARN, or else the first with this name.
    pub fn principal(&self, arn_or_name: &str) -> Option<Principal> {
        let all = || self.users.iter().chain(&self.groups).chain(&self.roles);
        all()
            .find(|d| d.arn == arn_or_name)
            .or_else(|| all().find(|d| d.name == arn_or_name))
            .map(|d| self.resolve(d))
    }

    /// The account the snapshot describes: the account most of its users,
    /// groups and roles belong to (ties go to the lowest id).
    pub fn account_id(&self) -> Option<String> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for d in self.users.iter().chain(&self.groups).chain(&self.roles) {
            if let Some(a) = d.arn.split(':').nth(4).filter(|a| !a.is_empty()) {
                *counts.entry(a).or_default() += 1;
            }
        }
        let best = counts.values().copied().max()?;
        counts
            .into_iter()
            .find(|(_, n)| *n == best)
            .map(|(a, _)| a.to_string())
    }

    fn resolve(&self, d: &Detail) -> Principal {
        let mut p = Principal::new(&d.arn, &d.name, d.kind);
        self.add_policies(d, "", &mut p);
        for g in &d.groups {
            match self.groups.iter().find(|x| &x.name == g) {
                Some(group) => self.add_policies(group, &format!("group:{g}/"), &mut p),
                None => p.unevaluated.push(format!(
                    "group:{g}: group not in the snapshot, not evaluated"
                )),
            }
        }
        if let Some(arn) = &d.boundary {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            let source = format!("boundary:{name}");
            match self.managed(arn, &source) {
                Ok(stmts) => p.boundary = Some(stmts),
                Err(why) => p
                    .unevaluated
                    .push(format!("{source} [{arn}]: {why}; the boundary is ignored")),
            }
        }
        match &d.trust {
            Some(Ok(t)) => p.trust = Some(t.clone()),
            Some(Err(why)) => p
                .unevaluated
                .push(format!("trust policy: {why}, not evaluated")),
            None => {}
        }
        p
    }

    fn add_policies(&self, d: &Detail, prefix: &str, p: &mut Principal) {
        for inline in &d.inline {
            let source = format!("{prefix}inline:{}", inline.name);
            match &inline.statements {
                Ok(stmts) => p.statements.extend(restamp(stmts, &source)),
                Err(why) => p
                    .unevaluated
                    .push(format!("{source}: {why}, not evaluated")),
            }
        }
        for a in &d.attached {
            let source = format!("{prefix}managed:{}", a.name);
            match self.managed(&a.arn, &source) {
                Ok(stmts) => p.statements.extend(stmts),
                Err(why) => p.unevaluated.push(format!("{source} [{}]: {why}", a.arn)),
            }
        }
    }

    /// A managed policy's statements under `source`: from the snapshot, else
    /// built in, else why not.
    fn managed(&self, arn: &str, source: &str) -> Result<Vec<Statement>, String> {
        let from_snapshot = self.policies.get(arn).map(|m| &m.statements);
        if let Some(Ok(stmts)) = from_snapshot {
            return Ok(restamp(stmts, source));
        }
        if let Some((note, doc)) = builtin(arn) {
            let source = format!("{source} ({note})");
            return try_parse_document(&doc, &source).map_err(|e| e.to_string());
        }
        match from_snapshot {
            Some(Err(why)) => Err(format!("{why}, not evaluated")),
            _ => Err("unknown policy, not evaluated".to_string()),
        }
    }
}

fn restamp(stmts: &[Statement], source: &str) -> Vec<Statement> {
    stmts
        .iter()
        .map(|s| Statement {
            source: source.to_string(),
            ..s.clone()
        })
        .collect()
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn detail(
    v: &Value,
    kind: PrincipalKind,
    name_key: &str,
    inline_key: &str,
    at: &dyn Fn() -> String,
) -> anyhow::Result<Detail> {
    let name = v[name_key]
        .as_str()
        .with_context(|| format!("{}: missing {name_key}", at()))?;
    let arn = v["Arn"]
        .as_str()
        .with_context(|| format!("{}: {name}: missing Arn", at()))?;
    let inline = v[inline_key]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            let name = p["PolicyName"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"));
            let statements = match p.get("PolicyDocument") {
                Some(doc) => {
                    try_parse_document(doc, &format!("inline:{name}")).map_err(|e| e.to_string())
                }
                None => Err("no PolicyDocument".to_string()),
            };
            Inline { name, statements }
        })
        .collect();
    let attached = v["AttachedManagedPolicies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let arn = a["PolicyArn"].as_str()?;
            let name = a["PolicyName"]
                .as_str()
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn));
            Some(Attachment {
                arn: arn.to_string(),
                name: name.to_string(),
            })
        })
        .collect();
    let boundary = v["PermissionsBoundary"]["PermissionsBoundaryArn"]
        .as_str()
        .map(str::to_string);
    Ok(Detail {
        arn: arn.to_string(),
        name: name.to_string(),
        kind,
        inline,
        attached,
        groups: Vec::new(),
        boundary,
        trust: None,
    })
}

/// The default version's document: `IsDefaultVersion`, else the version
/// named by `DefaultVersionId`, else the only version.
fn default_version(p: &Value) -> Option<&Value> {
    let versions = p["PolicyVersionList"].as_array()?;
    versions
        .iter()
        .find(|v| v["IsDefaultVersion"].as_bool() == Some(true))
        .or_else(|| {
            let id = p["DefaultVersionId"].as_str()?;
            versions
                .iter()
                .find(|v| v["VersionId"].as_str() == Some(id))
        })
        .or(if versions.len() == 1 {
            versions.first()
        } else {
            None
        })
        .map(|v| &v["Document"])
        .filter(|d| !d.is_null())
}

/// A built-in document for a well-known AWS managed policy in any partition
/// (`arn:aws:`, `arn:aws-cn:`, `arn:aws-us-gov:`), with a note for its source.
fn builtin(arn: &str) -> Option<(&'static str, Value)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(""), Some("aws"), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let allow = |actions: Value| json!({"Effect": "Allow", "Action": actions, "Resource": "*"});
    let (note, statements) = match rest {
        "policy/AdministratorAccess" => ("built-in, not in the snapshot", vec![allow(json!("*"))]),
        "policy/PowerUserAccess" => (
            "built-in copy of v5, not in the snapshot",
            vec![
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
                allow(json!([
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                    "account:GetAccountInformation"
                ])),
            ],
        ),
        "policy/IAMFullAccess" => (
            "built-in, not in the snapshot",
            vec![allow(json!([
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ]))],
        ),
        "policy/ReadOnlyAccess" => (
            "built-in approximation: Get*, List*, Describe* on every service; not in the snapshot",
            vec![allow(json!(["*:Get*", "*:List*", "*:Describe*"]))],
        ),
        _ => return None,
    };
    Some((
        note,
        json!({"Version": "2012-10-17", "Statement": statements}),
    ))
}
