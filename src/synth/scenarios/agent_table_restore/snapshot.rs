//! The account's IAM snapshot (`iam/authorization-details.json`) at the end
//! of the window: data-admin-role still holds AmazonDynamoDBFullAccess and
//! trusts platform-tools-role, which any data engineer can assume.

use super::*;
use crate::synth::authz::{Authz, ManagedPolicy, RoleSpec, document, service_trust};
use crate::synth::scenarios::kit::{
    admin_policy, aws_policy, github_trust, lambda_basic, read_only_policy, sso_trust,
};
use serde_json::json;

pub(super) fn authorization_details(e: &Env) -> String {
    let w = &e.w;
    let mut r = Rng::derive(0, "agent-table-restore/iam");
    let admin = admin_policy(w);
    let read_only = read_only_policy(w);
    let basic = lambda_basic(w);
    let ddb_full = aws_policy(
        w,
        "AmazonDynamoDBFullAccess",
        "ANPAINUGF2JSOSUY76KYA",
        ("2015-02-06T18:40:11Z", "2024-11-12T19:31:33Z"),
        "v22",
        document(json!([{
            "Action": [
                "dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:RegisterScalableTarget",
                "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData",
                "cloudwatch:PutMetricAlarm", "kms:DescribeKey", "kms:ListAliases",
                "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping",
                "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMappings",
                "lambda:ListFunctions", "iam:GetRole", "iam:ListRoles",
            ],
            "Effect": "Allow",
            "Resource": "*",
        }])),
    );
    let table_arn = |name: &str| w.arn("dynamodb", HOME, &format!("table/{name}"));
    let billing_read = ManagedPolicy {
        arn: w.iam_arn("policy/billing-entitlements-read"),
        name: "billing-entitlements-read".to_string(),
        id: r.iam_id("ANPA"),
        path: "/".to_string(),
        created: t("2024-09-03T10:20:00Z"),
        updated: t("2025-06-17T08:02:44Z"),
        version: "v2".to_string(),
        document: document(json!([{
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"],
            "Resource": [table_arn(TABLE), format!("{}/index/*", table_arn(TABLE))],
        }])),
    };
    let mut a = Authz::new(w);
    for p in [&admin, &read_only, &basic, &ddb_full, &billing_read] {
        a.policy(p.clone());
    }
    let sso = sso_trust(w, &e.sso);
    let lambda_role = |role, used: &str, inline: Vec<(&'static str, serde_json::Value)>| RoleSpec {
        role,
        created: t("2024-09-03T10:22:00Z"),
        trust: service_trust("lambda.amazonaws.com"),
        attached: vec![&basic],
        inline,
        tags: vec![("team", "billing")],
        last_used: Some(t(used)),
        instance_profile: None,
    };
    let roles = vec![
        RoleSpec {
            role: &e.roles.sso_data,
            created: t("2024-02-19T09:00:10Z"),
            trust: sso.clone(),
            attached: vec![&read_only],
            inline: vec![(
                "AwsSSOInlinePolicy",
                document(json!([{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": e.roles.platform.arn(w),
                }])),
            )],
            tags: vec![],
            last_used: Some(t("2026-04-14T15:09:30Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_admin,
            created: t("2024-02-19T09:00:12Z"),
            trust: sso.clone(),
            attached: vec![&admin],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-04-14T18:34:20Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_readonly,
            created: t("2024-02-19T09:00:14Z"),
            trust: sso,
            attached: vec![&read_only],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-04-15T10:40:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.platform,
            created: t("2025-03-11T13:27:40Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": w.iam_arn("root")},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"ArnLike": {"aws:PrincipalArn": w.iam_arn("role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_DataEngineer_*")}},
            }])),
            attached: vec![&read_only],
            inline: vec![(
                "chain-to-tool-roles",
                document(json!([{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": [e.roles.data_admin.arn(w), w.iam_arn("role/analytics-*")],
                }])),
            )],
            tags: vec![("owner", "platform-team")],
            last_used: Some(t(AGENT_MINT)),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.data_admin,
            created: t("2025-03-11T13:29:02Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": e.roles.platform.arn(w)},
                "Action": "sts:AssumeRole",
            }])),
            attached: vec![&ddb_full],
            inline: vec![],
            tags: vec![("owner", "data-platform")],
            last_used: Some(t("2026-04-14T15:21:06Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.billing,
            created: t("2024-09-03T10:21:30Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![&billing_read],
            inline: vec![],
            tags: vec![("service", "billing-api")],
            last_used: Some(t("2026-04-15T11:58:00Z")),
            instance_profile: None,
        },
        lambda_role(
            &e.roles.sync,
            "2026-04-15T11:45:00Z",
            vec![(
                "entitlement-sync",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
                    "Resource": [table_arn(TABLE), format!("{}/index/*", table_arn(TABLE))],
                }])),
            )],
        ),
        lambda_role(
            &e.roles.portal,
            "2026-04-15T11:57:00Z",
            vec![(
                "portal-read",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:DescribeTable"],
                    "Resource": table_arn(TABLE),
                }])),
            )],
        ),
        lambda_role(
            &e.roles.backup,
            "2026-04-15T02:00:09Z",
            vec![(
                "nightly-backup",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["dynamodb:CreateBackup", "dynamodb:ListBackups", "dynamodb:DeleteBackup"],
                    "Resource": [format!("{}*", table_arn("prod-entitlements"))],
                }])),
            )],
        ),
        RoleSpec {
            role: &e.roles.exporter,
            created: t("2025-01-22T15:00:00Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![],
            inline: vec![(
                "read-audit-logs",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["logs:FilterLogEvents", "logs:GetLogEvents"],
                    "Resource": w.arn("logs", HOME, "log-group:/aws/lambda/*"),
                }])),
            )],
            tags: vec![("team", "compliance")],
            last_used: Some(t("2026-04-15T11:30:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.ci,
            created: t("2025-05-06T12:00:00Z"),
            trust: github_trust(w, "repo:example-eu/invoice-renderer:ref:refs/heads/main"),
            attached: vec![],
            inline: vec![(
                "deploy-invoice-renderer",
                document(json!([
                    {"Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction"], "Resource": w.arn("lambda", HOME, "function:invoice-renderer")},
                    {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": w.s3_arn(&format!("{ARTIFACT_BUCKET}/invoice-renderer/*"))},
                ])),
            )],
            tags: vec![("repo", "invoice-renderer")],
            last_used: Some(t("2026-04-15T08:35:58Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.partner,
            created: t("2024-06-01T08:00:00Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{PARTNER_ACCOUNT}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "7b3e0c5a9f1d4e28a6c4"}},
            }])),
            attached: vec![&read_only],
            inline: vec![],
            tags: vec![("vendor", "observability")],
            last_used: Some(t("2026-04-15T11:59:00Z")),
            instance_profile: None,
        },
    ];
    for spec in roles {
        a.role(spec);
    }
    a.render()
}
