//! The account's IAM snapshot (`iam/authorization-details.json`): the
//! engineer is an IAM user in a group with PowerUserAccess (Parameter Store
//! included); the incident assistant's role is read-only.

use super::*;
use crate::synth::authz::{Authz, RoleSpec, document, service_trust};
use crate::synth::scenarios::kit::{
    admin_policy, aws_policy, github_trust, lambda_basic, read_only_policy, sso_trust,
};
use serde_json::json;

pub(super) fn authorization_details(e: &Env) -> String {
    let w = &e.w;
    let mut r = Rng::derive(0, "human-console-outage/iam");
    let admin = admin_policy(w);
    let read_only = read_only_policy(w);
    let basic = lambda_basic(w);
    let power = aws_policy(
        w,
        "PowerUserAccess",
        "ANPAJYRXTHIB4FOVS3ZXS",
        ("2015-02-06T18:39:47Z", "2023-07-06T22:04:00Z"),
        "v5",
        document(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"},
        ])),
    );
    let config_slr = aws_policy(
        w,
        "aws-service-role/AWSConfigServiceRolePolicy",
        "ANPAJUCWFHNZER665LLQQ",
        ("2018-05-30T23:31:46Z", "2024-05-20T18:12:11Z"),
        "v89",
        document(json!([{
            "Effect": "Allow",
            "Action": ["ec2:Describe*", "ecs:Describe*", "ecs:List*", "lambda:List*", "lambda:Get*", "ssm:Describe*", "ssm:List*"],
            "Resource": "*",
        }])),
    );
    let mut a = Authz::new(w);
    for p in [&admin, &read_only, &basic, &power, &config_slr] {
        a.policy(p.clone());
    }
    a.user(
        &e.dana.0,
        &e.dana.1,
        t("2022-03-14T16:20:05Z"),
        &["platform-engineers"],
        &[],
        &[],
        &[("team", "platform")],
    );
    a.group(
        "platform-engineers",
        &r.iam_id("AGPA"),
        t("2021-11-02T10:00:00Z"),
        &[&power],
        &[(
            "require-mfa",
            document(json!([{
                "Sid": "DenyWithoutMFA",
                "Effect": "Deny",
                "NotAction": ["iam:ChangePassword", "iam:ListMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }])),
        )],
    );
    let sso = sso_trust(w, &e.sso);
    let param = |p: &str| w.arn("ssm", HOME, &format!("parameter{p}"));
    let roles = vec![
        RoleSpec {
            role: &e.roles.sso_admin,
            created: t("2023-01-09T12:00:00Z"),
            trust: sso.clone(),
            attached: vec![&admin],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-06-02T15:29:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_dev,
            created: t("2023-01-09T12:00:02Z"),
            trust: sso,
            attached: vec![&read_only],
            inline: vec![(
                "AwsSSOInlinePolicy",
                document(json!([{
                    "Effect": "Deny",
                    "Action": "ssm:GetParameter*",
                    "Resource": param("/prod/checkout/stripe-*"),
                }])),
            )],
            tags: vec![],
            last_used: Some(t("2026-06-02T17:20:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.checkout,
            created: t("2024-04-22T09:30:00Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![],
            inline: vec![(
                "read-checkout-config",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                    "Resource": param("/prod/checkout/*"),
                }])),
            )],
            tags: vec![("service", "checkout-api")],
            last_used: Some(t("2026-06-02T23:59:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.invoice,
            created: t("2024-04-22T09:35:00Z"),
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&basic],
            inline: vec![(
                "read-tax-endpoint",
                document(json!([{
                    "Effect": "Allow",
                    "Action": "ssm:GetParameter",
                    "Resource": param(TAX),
                }])),
            )],
            tags: vec![("service", "invoice-worker")],
            last_used: Some(t("2026-06-02T23:58:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.copilot,
            created: t("2025-09-15T14:10:00Z"),
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&read_only, &basic],
            inline: vec![],
            tags: vec![("purpose", "incident-assistant-agent")],
            last_used: Some(t("2026-06-02T15:11:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.ci,
            created: t("2024-05-02T08:00:00Z"),
            trust: github_trust(w, "repo:example-shop/storefront:ref:refs/heads/main"),
            attached: vec![],
            inline: vec![(
                "deploy-storefront",
                document(json!([
                    {"Effect": "Allow", "Action": ["ecs:RegisterTaskDefinition", "ecs:UpdateService", "ecs:DescribeServices"], "Resource": "*"},
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": w.iam_arn("role/storefront-web-task-role")},
                    {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["s3:DeleteBucket", "s3:DeleteObject", "s3:ListBucket"], "Resource": [w.s3_arn("storefront-preview-*"), w.s3_arn("storefront-preview-*/*")]},
                ])),
            )],
            tags: vec![("repo", "storefront")],
            last_used: Some(t("2026-06-02T19:14:20Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.config,
            created: t("2021-11-02T10:05:00Z"),
            trust: service_trust("config.amazonaws.com"),
            attached: vec![&config_slr],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-06-02T23:45:00Z")),
            instance_profile: None,
        },
    ];
    for spec in roles {
        a.role(spec);
    }
    a.render()
}
