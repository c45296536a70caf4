//! The two IAM snapshots, before and after the review week, in the format
//! of `aws iam get-account-authorization-details`.
//!
//! Built here rather than with the shared [`Authz`](crate::synth::authz)
//! builder because the drift review needs what that builder leaves out: a
//! permissions boundary, several versions of one policy, and customer
//! managed policies that nothing attaches.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::synth::authz::{cli_date, document, service_trust};
use crate::synth::engine::Event;
use crate::synth::json::to_pretty_sorted;

/// When each role was last used (from the generated records), so the
/// snapshots' `RoleLastUsed` agree with the trail.
pub(super) struct LastUsed {
    by_role: BTreeMap<String, Vec<(Secs, String)>>,
}

impl LastUsed {
    pub(super) fn from_events(events: &[Event]) -> Self {
        let mut by_role: BTreeMap<String, Vec<(Secs, String)>> = BTreeMap::new();
        for e in events {
            if let Some(role) =
                e.record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"].as_str()
            {
                by_role
                    .entry(role.to_string())
                    .or_default()
                    .push((e.time, e.region.clone()));
            }
        }
        for uses in by_role.values_mut() {
            uses.sort();
        }
        LastUsed { by_role }
    }

    fn before(&self, role: &str, at: Secs) -> Value {
        match self
            .by_role
            .get(role)
            .and_then(|uses| uses.iter().rev().find(|(t, _)| *t < at))
        {
            Some((t, region)) => json!({"LastUsedDate": cli_date(*t), "Region": region}),
            None => json!({}),
        }
    }
}

/// A managed policy and its versions (oldest first; the last is the default).
struct Policy {
    arn: String,
    name: String,
    id: String,
    path: String,
    created: Secs,
    versions: Vec<(&'static str, Secs, Value)>,
}

impl Policy {
    fn aws(
        w: &World,
        path_and_name: &str,
        id: &str,
        created: &str,
        version: (&'static str, &str),
        doc: Value,
    ) -> Self {
        let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
        let path = match path_and_name.rfind('/') {
            Some(i) => format!("/{}/", &path_and_name[..i]),
            None => "/".to_string(),
        };
        Policy {
            arn: w.aws_policy(path_and_name),
            name: name.to_string(),
            id: id.to_string(),
            path,
            created: t(created),
            versions: vec![(version.0, t(version.1), doc)],
        }
    }

    fn local(
        w: &World,
        name: &str,
        id: String,
        versions: Vec<(&'static str, Secs, Value)>,
    ) -> Self {
        Policy {
            arn: w.iam_arn(&format!("policy/{name}")),
            name: name.to_string(),
            id,
            path: "/".to_string(),
            created: versions[0].1,
            versions,
        }
    }

    fn is_local(&self) -> bool {
        !self.arn.contains(":iam::aws:policy/")
    }

    fn attached(&self) -> Value {
        json!({"PolicyName": self.name, "PolicyArn": self.arn})
    }
}

fn inline(name: &str, doc: Value) -> Value {
    json!({"PolicyName": name, "PolicyDocument": doc})
}

fn tags(list: &[(&str, &str)]) -> Value {
    list.iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect()
}

/// The CI policy after the W07 change (v2 adds Lambda versions and aliases
/// for canary releases).
pub(super) fn ci_policy_v2(w: &World) -> Value {
    let mut doc = ci_policy_v1(w);
    doc["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(json!({
            "Sid": "Canary",
            "Effect": "Allow",
            "Action": ["lambda:PublishVersion", "lambda:UpdateAlias", "lambda:GetAlias"],
            "Resource": w.arn("lambda", HOME, "function:inventory-sync*"),
        }));
    doc
}

fn ci_policy_v1(w: &World) -> Value {
    document(json!([
        {"Sid": "Artifacts", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": w.s3_arn(&format!("{ARTIFACT_BUCKET}/*"))},
        {"Sid": "Functions", "Effect": "Allow", "Action": ["lambda:GetFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"], "Resource": w.arn("lambda", HOME, "function:inventory-sync")},
        {"Sid": "Stack", "Effect": "Allow", "Action": [
            "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
            "cloudformation:DescribeStacks", "cloudformation:DescribeStackResources", "cloudformation:GetTemplate",
        ], "Resource": w.arn("cloudformation", HOME, "stack/storefront-api/*")},
        {"Sid": "Validate", "Effect": "Allow", "Action": "cloudformation:ValidateTemplate", "Resource": "*"},
        {"Sid": "PassRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": w.iam_arn("role/service-role/inventory-sync-role")},
    ]))
}

/// Trust policy of data-export-role; `opened` adds the foreign account the
/// review week lets in.
pub(super) fn export_trust(w: &World, opened: bool) -> Value {
    let mut statements = vec![json!({
        "Sid": "AnalyticsVendor",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{}:iam::{PARTNER_ACCOUNT}:root", w.partition)},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "storefront-7f3a9c21"}},
    })];
    if opened {
        statements.push(json!({
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:{}:iam::{FOREIGN_ACCOUNT}:root", w.partition)},
            "Action": "sts:AssumeRole",
        }));
    }
    document(Value::Array(statements))
}

/// The account's IAM as `aws iam get-account-authorization-details` shows it at `at`.
pub(super) fn authorization_details(e: &Env, last_used: &LastUsed, at: Secs) -> String {
    let w = &e.w;
    // Customer-managed policy IDs are fixed by the seed-independent stream,
    // like the AWS managed ones.
    let mut r = Rng::derive(0, "weekly-drift/iam");
    let admin = Policy::aws(
        w,
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "2015-02-06T18:39:46Z",
        ("v1", "2015-02-06T18:39:46Z"),
        document(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
    );
    let power = Policy::aws(
        w,
        "PowerUserAccess",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "2015-02-06T18:39:47Z",
        ("v5", "2023-07-06T22:04:00Z"),
        document(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"},
        ])),
    );
    // The real ReadOnlyAccess lists hundreds of actions; abridged to the
    // services this account uses.
    let read_only = Policy::aws(
        w,
        "ReadOnlyAccess",
        "ANPAILL3HVNFSB6DCOWYQ",
        "2015-02-06T18:39:48Z",
        ("v118", "2025-01-22T19:17:35Z"),
        document(
            json!([{"Sid": "ReadOnlyActions", "Effect": "Allow", "Action": [
            "cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*",
            "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:LookupEvents",
            "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
            "ec2:Describe*", "ec2:Get*", "iam:Get*", "iam:List*", "lambda:Get*", "lambda:List*",
            "logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "rds:Describe*", "rds:List*",
            "s3:Get*", "s3:List*", "ssm:Describe*", "ssm:Get*", "ssm:List*",
        ], "Resource": "*"}]),
        ),
    );
    let ssm_core = Policy::aws(
        w,
        "AmazonSSMManagedInstanceCore",
        "ANPAIXSHM2BNB2D3AXXRU",
        "2019-03-15T17:22:12Z",
        ("v2", "2023-03-13T20:29:42Z"),
        document(json!([
            {"Effect": "Allow", "Action": ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"], "Resource": "*"},
        ])),
    );
    let lambda_basic = Policy::aws(
        w,
        "service-role/AWSLambdaBasicExecutionRole",
        "ANPAJNCQGXC42545SKXIK",
        "2015-04-09T15:03:43Z",
        ("v1", "2015-04-09T15:03:43Z"),
        document(
            json!([{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
        ),
    );
    let sso_slr = Policy::aws(
        w,
        "aws-service-role/AWSSSOServiceRolePolicy",
        "ANPAIJ52KSWOD4GI54XP2",
        "2017-12-05T18:36:15Z",
        ("v22", "2023-11-07T22:03:58Z"),
        document(
            json!([{"Effect": "Allow", "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole", "iam:ListRolePolicies", "iam:PutRolePolicy", "iam:ListAttachedRolePolicies", "iam:UpdateRole", "iam:UpdateRoleDescription"], "Resource": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}]),
        ),
    );
    let mut ci_versions = vec![("v1", t("2025-08-20T15:41:07Z"), ci_policy_v1(w))];
    if at > t(POLICY_VERSION) {
        ci_versions.push(("v2", t(POLICY_VERSION), ci_policy_v2(w)));
    }
    let ci_policy = Policy::local(w, "ci-deploy-storefront", r.iam_id("ANPA"), ci_versions);
    let boundary = Policy::local(
        w,
        "ci-permissions-boundary",
        r.iam_id("ANPA"),
        vec![(
            "v1",
            t("2025-08-20T15:38:52Z"),
            document(json!([
                {"Sid": "DeployServices", "Effect": "Allow", "Action": ["cloudformation:*", "lambda:*", "s3:GetObject", "s3:PutObject", "sts:GetCallerIdentity"], "Resource": "*"},
                {"Sid": "PassOnlyWorkloadRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": w.iam_arn("role/service-role/*")},
                {"Sid": "NoIdentityChanges", "Effect": "Deny", "NotAction": "iam:PassRole", "Resource": w.iam_arn("*")},
            ])),
        )],
    );
    let guardrails = Policy::local(
        w,
        "service-account-guardrails",
        r.iam_id("ANPA"),
        vec![(
            "v1",
            t("2021-09-30T14:02:18Z"),
            document(json!([
                {"Sid": "HomeRegionsOnly", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "ce:*", "organizations:*", "route53:*"], "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": [HOME, OTHER]}}},
                {"Sid": "NoSelfService", "Effect": "Deny", "Action": ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"], "Resource": w.iam_arn("user/${aws:username}")},
            ])),
        )],
    );

    let users = vec![
        user_detail(
            e,
            &e.maria,
            "2019-06-11T14:20:05Z",
            &["admins"],
            vec![],
            &[("team", "platform")],
        ),
        user_detail(
            e,
            &e.tom,
            "2022-03-14T16:45:31Z",
            &["developers"],
            vec![],
            &[("team", "storefront")],
        ),
        user_detail(
            e,
            &e.svc_backup,
            "2021-09-30T14:05:40Z",
            &["service-accounts"],
            vec![inline(
                "backup-snapshots",
                document(json!([
                    {"Sid": "Snapshots", "Effect": "Allow", "Action": ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateSnapshot", "ec2:CreateTags"], "Resource": "*"},
                    {"Sid": "Retention", "Effect": "Allow", "Action": "ec2:DeleteSnapshot", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/backup": "daily"}}},
                ])),
            )],
            &[("owner", "platform"), ("purpose", "nightly-ebs-backups")],
        ),
        user_detail(
            e,
            &e.svc_reporting,
            "2023-01-17T20:11:09Z",
            &["service-accounts"],
            vec![inline(
                "cost-reports",
                document(
                    json!([{"Effect": "Allow", "Action": ["ce:GetCostAndUsage", "ce:GetCostForecast"], "Resource": "*"}]),
                ),
            )],
            &[("owner", "finance")],
        ),
    ];
    let groups = vec![
        group_detail(
            w,
            "admins",
            r.iam_id("AGPA"),
            "2019-06-11T14:18:44Z",
            &[&admin],
            vec![],
        ),
        group_detail(
            w,
            "developers",
            r.iam_id("AGPA"),
            "2020-02-03T17:30:12Z",
            &[&power],
            vec![inline(
                "deny-iam-changes",
                document(
                    json!([{"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": w.iam_arn("*")}]),
                ),
            )],
        ),
        group_detail(
            w,
            "service-accounts",
            r.iam_id("AGPA"),
            "2021-09-30T14:01:55Z",
            &[&guardrails],
            vec![],
        ),
    ];

    let saml = w.iam_arn(&format!("saml-provider/{}", e.saml_provider.0));
    let sso_trust = document(json!([{
        "Effect": "Allow",
        "Principal": {"Federated": saml},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": format!("https://signin.{}/saml", w.console_domain)}},
    }]));
    let granted = at > t(GRANT);
    let agent_attached: Vec<&Policy> = if granted { vec![&power] } else { vec![] };
    let roles = vec![
        RoleDetail {
            role: &e.roles.agent,
            created: "2025-10-14T18:03:27Z",
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": w.iam_arn("root")},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Condition": {"ArnLike": {"aws:PrincipalArn": w.iam_arn("role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_*")}},
            }])),
            attached: agent_attached,
            inline: vec![inline(
                "agent-read-only",
                document(json!([{"Sid": "ReadOnly", "Effect": "Allow", "Action": [
                    "cloudformation:Describe*", "cloudformation:List*", "cloudwatch:DescribeAlarms",
                    "ec2:Describe*", "lambda:GetFunction", "lambda:ListFunctions",
                    "logs:DescribeLogGroups", "logs:FilterLogEvents", "rds:Describe*",
                    "s3:GetBucketLocation", "s3:ListAllMyBuckets", "sts:GetCallerIdentity",
                ], "Resource": "*"}])),
            )],
            boundary: None,
            tags: vec![("owner", "dana.kim"), ("purpose", "ai-coding-agent")],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.sso_admin,
            created: "2024-04-22T15:10:02Z",
            trust: sso_trust.clone(),
            attached: vec![&admin],
            inline: vec![],
            boundary: None,
            tags: vec![],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.sso_developer,
            created: "2024-04-22T15:10:05Z",
            trust: sso_trust.clone(),
            attached: vec![],
            inline: vec![inline(
                "AwsSSOInlinePolicy",
                document(json!([
                    {"Effect": "Allow", "Action": ["cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*", "ec2:Describe*", "lambda:Get*", "lambda:List*", "logs:*", "sts:GetCallerIdentity"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": e.roles.agent.arn(w)},
                ])),
            )],
            boundary: None,
            tags: vec![],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.sso_readonly,
            created: "2024-04-22T15:10:07Z",
            trust: sso_trust,
            attached: vec![&read_only],
            inline: vec![],
            boundary: None,
            tags: vec![],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.ci,
            created: "2025-08-20T15:42:30Z",
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"Federated": e.oidc},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/storefront:*"},
                },
            }])),
            attached: vec![&ci_policy],
            inline: vec![],
            boundary: Some(&boundary),
            tags: vec![("owner", "storefront-team")],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.inventory,
            created: "2024-11-05T19:22:48Z",
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&lambda_basic],
            inline: vec![inline(
                "inventory-sync",
                document(json!([
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": e.inventory_secret.0},
                    {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": w.arn("ssm", HOME, "parameter/storefront/inventory/*")},
                    {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
                ])),
            )],
            boundary: None,
            tags: vec![("service", "inventory-sync")],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.app,
            created: "2024-06-18T13:55:10Z",
            trust: service_trust("ec2.amazonaws.com"),
            attached: vec![&ssm_core],
            inline: vec![inline(
                "read-web-config",
                document(
                    json!([{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [
                        w.arn("ssm", HOME, "parameter/storefront/web/*"),
                        w.arn("ssm", OTHER, "parameter/storefront/web/*"),
                    ]}]),
                ),
            )],
            boundary: None,
            tags: vec![("service", "storefront-web")],
            instance_profile: Some(("storefront-instance-profile", "AIPAXQ3B7K2M5N8P4R6T9")),
        },
        RoleDetail {
            role: &e.roles.export,
            created: "2025-05-07T16:31:20Z",
            trust: export_trust(w, at > t(TRUST_OPENED)),
            attached: vec![],
            inline: vec![inline(
                "read-exports",
                document(json!([
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": w.s3_arn(&format!("{EXPORT_BUCKET}/daily/*"))},
                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": w.s3_arn(EXPORT_BUCKET)},
                ])),
            )],
            boundary: None,
            tags: vec![("vendor", "analytics")],
            instance_profile: None,
        },
        RoleDetail {
            role: &e.roles.sso_slr,
            created: "2024-04-22T15:02:40Z",
            trust: service_trust("sso.amazonaws.com"),
            attached: vec![&sso_slr],
            inline: vec![],
            boundary: None,
            tags: vec![],
            instance_profile: None,
        },
    ];

    let all_policies = [
        &admin,
        &power,
        &read_only,
        &ssm_core,
        &lambda_basic,
        &sso_slr,
        &ci_policy,
        &boundary,
        &guardrails,
    ];
    let attachments = |arn: &str| -> usize {
        let in_users = users
            .iter()
            .chain(&groups)
            .filter_map(|u| u["AttachedManagedPolicies"].as_array())
            .flatten()
            .filter(|p| p["PolicyArn"] == arn)
            .count();
        in_users
            + roles
                .iter()
                .filter(|r| r.attached.iter().any(|p| p.arn == arn))
                .count()
    };
    let boundaries = |arn: &str| -> usize {
        roles
            .iter()
            .filter(|r| r.boundary.is_some_and(|b| b.arn == arn))
            .count()
    };
    let policies: Vec<Value> = all_policies
        .iter()
        .filter(|p| p.is_local() || attachments(&p.arn) + boundaries(&p.arn) > 0)
        .map(|p| {
            let (default, updated, _) = p.versions.last().expect("a policy has a version");
            let versions: Vec<Value> = p
                .versions
                .iter()
                .rev()
                .map(|(id, created, doc)| {
                    json!({
                        "Document": doc,
                        "VersionId": id,
                        "IsDefaultVersion": id == default,
                        "CreateDate": cli_date(*created),
                    })
                })
                .collect();
            json!({
                "PolicyName": p.name,
                "PolicyId": p.id,
                "Arn": p.arn,
                "Path": p.path,
                "DefaultVersionId": default,
                "AttachmentCount": attachments(&p.arn),
                "PermissionsBoundaryUsageCount": boundaries(&p.arn),
                "IsAttachable": true,
                "CreateDate": cli_date(p.created),
                "UpdateDate": cli_date(*updated),
                "PolicyVersionList": versions,
            })
        })
        .collect();
    let roles: Vec<Value> = roles.iter().map(|r| r.render(w, last_used, at)).collect();
    to_pretty_sorted(&json!({
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    }))
}

fn user_detail(
    e: &Env,
    u: &User,
    created: &str,
    groups: &[&str],
    inline_policies: Vec<Value>,
    user_tags: &[(&str, &str)],
) -> Value {
    let mut v = json!({
        "Path": "/",
        "UserName": u.name,
        "UserId": u.id,
        "Arn": e.w.iam_arn(&format!("user/{}", u.name)),
        "CreateDate": cli_date(t(created)),
        "GroupList": groups,
        "AttachedManagedPolicies": [],
        "Tags": tags(user_tags),
    });
    if !inline_policies.is_empty() {
        v["UserPolicyList"] = Value::Array(inline_policies);
    }
    v
}

fn group_detail(
    w: &World,
    name: &str,
    id: String,
    created: &str,
    attached: &[&Policy],
    inline_policies: Vec<Value>,
) -> Value {
    json!({
        "Path": "/",
        "GroupName": name,
        "GroupId": id,
        "Arn": w.iam_arn(&format!("group/{name}")),
        "CreateDate": cli_date(t(created)),
        "GroupPolicyList": inline_policies,
        "AttachedManagedPolicies": attached.iter().map(|p| p.attached()).collect::<Vec<_>>(),
    })
}

struct RoleDetail<'a> {
    role: &'a RoleDef,
    created: &'static str,
    trust: Value,
    attached: Vec<&'a Policy>,
    inline: Vec<Value>,
    boundary: Option<&'a Policy>,
    tags: Vec<(&'static str, &'static str)>,
    /// Instance profile (name, ID) for EC2 roles.
    instance_profile: Option<(&'static str, &'static str)>,
}

impl RoleDetail<'_> {
    fn render(&self, w: &World, last_used: &LastUsed, at: Secs) -> Value {
        let arn = self.role.arn(w);
        let created = cli_date(t(self.created));
        let profiles: Value = match self.instance_profile {
            Some((name, id)) => json!([{
                "Path": "/",
                "InstanceProfileName": name,
                "InstanceProfileId": id,
                "Arn": w.iam_arn(&format!("instance-profile/{name}")),
                "CreateDate": created,
                "Roles": [{
                    "Path": self.role.path,
                    "RoleName": self.role.name,
                    "RoleId": self.role.id,
                    "Arn": arn,
                    "CreateDate": created,
                    "AssumeRolePolicyDocument": self.trust,
                }],
            }]),
            None => json!([]),
        };
        let mut v = json!({
            "Path": self.role.path,
            "RoleName": self.role.name,
            "RoleId": self.role.id,
            "Arn": arn,
            "CreateDate": created,
            "AssumeRolePolicyDocument": self.trust,
            "InstanceProfileList": profiles,
            "RolePolicyList": self.inline,
            "AttachedManagedPolicies": self.attached.iter().map(|p| p.attached()).collect::<Vec<_>>(),
            "Tags": tags(&self.tags),
            "RoleLastUsed": last_used.before(&self.role.name, at),
        });
        if let Some(b) = self.boundary {
            v["PermissionsBoundary"] = json!({
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": b.arn,
            });
        }
        v
    }
}
