//! The account's IAM snapshot (`iam/authorization-details.json`) at the end
//! of the window: the self-granted policy has been removed and the agent's
//! base policy now denies editing its own role.

use super::*;
use crate::synth::authz::{Authz, RoleSpec, document, service_trust};
use crate::synth::scenarios::kit::{
    admin_policy, github_trust, lambda_basic, read_only_policy, sso_trust,
};

pub(super) fn authorization_details(e: &Env) -> String {
    let w = &e.w;
    let admin = admin_policy(w);
    let read_only = read_only_policy(w);
    let basic = lambda_basic(w);
    let mut a = Authz::new(w);
    for p in [&admin, &read_only, &basic] {
        a.policy(p.clone());
    }
    let sso = sso_trust(w, &e.sso);
    let function = |name: &str| w.arn("lambda", HOME, &format!("function:{name}"));
    let lambda_role = |role, used: &str, inline: Vec<(&'static str, Value)>| RoleSpec {
        role,
        created: t("2025-02-10T15:30:00Z"),
        trust: service_trust("lambda.amazonaws.com"),
        attached: vec![&basic],
        inline,
        tags: vec![("service", "case-services")],
        last_used: Some(t(used)),
        instance_profile: None,
    };
    let roles = vec![
        RoleSpec {
            role: &e.roles.agent,
            created: t("2025-11-04T18:12:09Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![],
            inline: vec![(BASE_POLICY, base_policy(w, true))],
            tags: vec![
                ("owner", "cloud-platform"),
                ("purpose", "cost-optimization-agent"),
            ],
            last_used: Some(t("2026-05-05T13:07:10Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_admin,
            created: t("2024-08-20T14:00:00Z"),
            trust: sso.clone(),
            attached: vec![&admin],
            inline: vec![],
            tags: vec![],
            last_used: Some(t(BOUNDARY_FIXED)),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_power,
            created: t("2024-08-20T14:00:02Z"),
            trust: sso.clone(),
            attached: vec![&read_only],
            inline: vec![(
                "AwsSSOInlinePolicy",
                document(json!([{
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction", "ecs:UpdateService", "cloudwatch:SetAlarmState"],
                    "Resource": "*",
                }])),
            )],
            tags: vec![],
            last_used: Some(t("2026-05-05T16:05:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_readonly,
            created: t("2024-08-20T14:00:04Z"),
            trust: sso,
            attached: vec![&read_only],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-05-05T17:25:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.intake,
            created: t("2025-02-10T15:20:00Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![],
            inline: vec![(
                "invoke-case-functions",
                document(json!([{
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": [function(INDEXER), function(NOTIFIER)],
                }])),
            )],
            tags: vec![("service", "case-intake-api")],
            last_used: Some(t("2026-05-06T05:58:00Z")),
            instance_profile: None,
        },
        lambda_role(
            &e.roles.search,
            "2026-05-06T05:55:00Z",
            vec![(
                "invoke-indexer",
                document(json!([{
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": function(INDEXER),
                }])),
            )],
        ),
        lambda_role(&e.roles.indexer, "2026-05-06T05:58:00Z", vec![]),
        lambda_role(&e.roles.notifier, "2026-05-06T05:40:00Z", vec![]),
        RoleSpec {
            role: &e.roles.ci,
            created: t("2025-02-10T15:40:00Z"),
            trust: github_trust(w, "repo:example-agency/case-services:ref:refs/heads/main"),
            attached: vec![],
            inline: vec![(
                "deploy-case-functions",
                document(json!([
                    {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:TagResource"], "Resource": w.arn("lambda", HOME, "function:case-*")},
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": w.iam_arn("role/service-role/case-*")},
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": w.s3_arn(&format!("{CODE_BUCKET}/*"))},
                ])),
            )],
            tags: vec![("repo", "case-services")],
            last_used: Some(t("2026-05-05T19:40:49Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.scanner,
            created: t("2024-10-01T12:00:00Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws-us-gov:iam::{SCANNER_ACCOUNT}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "f4a91c2e07b348d5"}},
            }])),
            attached: vec![&read_only],
            inline: vec![],
            tags: vec![("vendor", "posture-scanner")],
            last_used: Some(t("2026-05-06T05:50:00Z")),
            instance_profile: None,
        },
    ];
    for spec in roles {
        a.role(spec);
    }
    a.render()
}
