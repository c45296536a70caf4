//! The account's IAM snapshot (`iam/authorization-details.json`).

use super::*;

fn aws_policy(
    e: &Env,
    path_and_name: &str,
    id: &str,
    created: &str,
    updated: &str,
    version: &str,
    doc: serde_json::Value,
) -> ManagedPolicy {
    let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
    let path = match path_and_name.rfind('/') {
        Some(i) => format!("/{}/", &path_and_name[..i]),
        None => "/".to_string(),
    };
    ManagedPolicy {
        arn: e.w.aws_policy(path_and_name),
        name: name.to_string(),
        id: id.to_string(),
        path,
        created: t(created),
        updated: t(updated),
        version: version.to_string(),
        document: doc,
    }
}

/// The account's IAM as `aws iam get-account-authorization-details` shows it
/// at the end of the window: ops-agent-role still holds AdministratorAccess.
pub(super) fn authorization_details(e: &Env) -> String {
    let w = &e.w;
    let mut r = Rng::derive(0, "agent-env-rebuild/iam");
    let admin = aws_policy(
        e,
        "AdministratorAccess",
        "ANPAIWMBCKSKIEE64ZLYK",
        "2015-02-06T18:39:46Z",
        "2015-02-06T18:39:46Z",
        "v1",
        document(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
    );
    let power = aws_policy(
        e,
        "PowerUserAccess",
        "ANPAJYRXTHIB4FOVS3ZXS",
        "2015-02-06T18:39:47Z",
        "2023-07-06T22:04:00Z",
        "v5",
        document(json!([
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions", "account:GetAccountInformation"], "Resource": "*"},
        ])),
    );
    let ssm_core = aws_policy(
        e,
        "AmazonSSMManagedInstanceCore",
        "ANPAIXSHM2BNB2D3AXXRU",
        "2019-03-15T17:22:12Z",
        "2023-03-13T20:29:42Z",
        "v2",
        document(json!([
            {"Effect": "Allow", "Action": ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"], "Resource": "*"},
        ])),
    );
    let lambda_basic = aws_policy(
        e,
        "service-role/AWSLambdaBasicExecutionRole",
        "ANPAJNCQGXC42545SKXIK",
        "2015-04-09T15:03:43Z",
        "2015-04-09T15:03:43Z",
        "v1",
        document(
            json!([{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
        ),
    );
    let ecs_exec = aws_policy(
        e,
        "service-role/AmazonECSTaskExecutionRolePolicy",
        "ANPAJG4T4G4PV56DE72PY",
        "2017-11-16T18:48:22Z",
        "2017-11-16T18:48:22Z",
        "v1",
        document(
            json!([{"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]),
        ),
    );
    // Service-linked role policies are abridged to their main statements.
    let asg_slr = aws_policy(
        e,
        "aws-service-role/AutoScalingServiceRolePolicy",
        "ANPAIC5D2SCL5YFOOOWPM",
        "2018-01-08T23:10:55Z",
        "2024-01-22T18:12:40Z",
        "v8",
        document(json!([
            {"Sid": "EC2InstanceManagement", "Effect": "Allow", "Action": ["ec2:AttachClassicLinkVpc", "ec2:CancelSpotInstanceRequests", "ec2:CreateFleet", "ec2:CreateTags", "ec2:DeleteTags", "ec2:Describe*", "ec2:DetachClassicLinkVpc", "ec2:GetInstanceTypesFromInstanceRequirements", "ec2:GetSecurityGroupsForVpc", "ec2:ModifyInstanceAttribute", "ec2:RequestSpotInstances", "ec2:RunInstances", "ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances"], "Resource": "*"},
            {"Sid": "ELBManagement", "Effect": "Allow", "Action": ["elasticloadbalancing:Register*", "elasticloadbalancing:Deregister*", "elasticloadbalancing:Describe*"], "Resource": "*"},
        ])),
    );
    let elb_slr = aws_policy(
        e,
        "aws-service-role/AWSElasticLoadBalancingServiceRolePolicy",
        "ANPAIMHWGGSRHLOQUICJQ",
        "2017-09-19T22:19:04Z",
        "2023-12-13T19:21:44Z",
        "v9",
        document(
            json!([{"Effect": "Allow", "Action": ["ec2:DescribeAddresses", "ec2:DescribeInstances", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeInternetGateways", "ec2:DescribeAccountAttributes", "ec2:DescribeClassicLinkInstances", "ec2:DescribeVpcClassicLink", "ec2:CreateSecurityGroup", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute", "ec2:AuthorizeSecurityGroupIngress", "ec2:AssociateAddress", "ec2:DisassociateAddress", "ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:AssignIpv6Addresses", "ec2:UnassignIpv6Addresses"], "Resource": "*"}]),
        ),
    );
    let sso_slr = aws_policy(
        e,
        "aws-service-role/AWSSSOServiceRolePolicy",
        "ANPAIJ52KSWOD4GI54XP2",
        "2017-12-05T18:36:15Z",
        "2023-11-07T22:03:58Z",
        "v22",
        document(
            json!([{"Effect": "Allow", "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole", "iam:ListRolePolicies", "iam:PutRolePolicy", "iam:ListAttachedRolePolicies", "iam:UpdateRole", "iam:UpdateRoleDescription"], "Resource": "arn:aws-cn:iam::*:role/aws-reserved/sso.amazonaws.com/*"}]),
        ),
    );
    let ci_policy = ManagedPolicy {
        arn: w.iam_arn("policy/ci-deploy-catalog-service"),
        name: "ci-deploy-catalog-service".to_string(),
        id: r.iam_id("ANPA"),
        path: "/".to_string(),
        created: t("2025-09-02T03:11:09Z"),
        updated: t("2025-12-15T07:45:30Z"),
        version: "v3".to_string(),
        document: document(json!([
            {"Sid": "Artifacts", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": w.s3_arn(&format!("{ARTIFACT_BUCKET}/catalog-service/*"))},
            {"Sid": "Functions", "Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:UpdateFunctionConfiguration"], "Resource": w.arn("lambda", HOME, "function:catalog-*")},
            {"Sid": "Stack", "Effect": "Allow", "Action": ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet", "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"], "Resource": w.arn("cloudformation", HOME, "stack/catalog-service/*")},
            {"Sid": "PassRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": w.iam_arn("role/catalog-service-*")},
        ])),
    };
    let mut a = Authz::new(w);
    for p in [
        &admin,
        &power,
        &ssm_core,
        &lambda_basic,
        &ecs_exec,
        &asg_slr,
        &elb_slr,
        &sso_slr,
        &ci_policy,
    ] {
        a.policy(p.clone());
    }

    a.user(
        &e.chen.0,
        &e.chen.1,
        t("2019-04-22T02:30:11Z"),
        &["admins"],
        &[],
        &[],
        &[("team", "infra")],
    );
    a.user(
        &e.sun.0,
        &e.sun.1,
        t("2023-08-14T06:02:45Z"),
        &["developers"],
        &[],
        &[],
        &[("team", "qa")],
    );
    a.group(
        "admins",
        &r.iam_id("AGPA"),
        t("2019-04-22T02:28:40Z"),
        &[&admin],
        &[],
    );
    a.group("developers", &r.iam_id("AGPA"), t("2021-06-03T09:15:20Z"), &[&power], &[(
        "deny-iam-and-prod-secrets",
        document(json!([{"Effect": "Deny", "Action": ["iam:*", "secretsmanager:GetSecretValue"], "Resource": "*"}])),
    )]);

    let sso_trust = |w: &crate::synth::identity::World| {
        let provider = w.iam_arn(&format!("saml-provider/{}", e.saml_provider.0));
        document(json!([{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": format!("https://signin.{}/saml", w.console_domain)}},
        }]))
    };
    let read_only_statements = json!([{
        "Effect": "Allow",
        "Action": [
            "cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*",
            "cloudtrail:LookupEvents", "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
            "ec2:Describe*", "ecs:Describe*", "ecs:List*", "elasticloadbalancing:Describe*",
            "lambda:Get*", "lambda:List*", "logs:Describe*", "logs:FilterLogEvents", "logs:Get*",
            "rds:Describe*", "s3:GetBucketLocation", "s3:ListAllMyBuckets",
            "secretsmanager:DescribeSecret", "secretsmanager:ListSecrets",
        ],
        "Resource": "*",
    }]);
    let agent_last_used = t("2026-03-10T01:48:21Z");
    let roles = vec![
        RoleSpec {
            role: &e.roles.agent,
            created: t("2025-10-20T03:40:00Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": w.iam_arn("root")},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
                "Condition": {"ArnLike": {"aws:PrincipalArn": w.iam_arn(&format!("role/aws-reserved/sso.amazonaws.com/{HOME}/AWSReservedSSO_PlatformEngineer_*"))}},
            }])),
            attached: vec![&admin],
            inline: vec![(
                "ops-agent-scoped",
                document(json!([
                    {"Sid": "ReadOperationalState", "Effect": "Allow", "Action": [
                        "autoscaling:Describe*", "cloudformation:Describe*", "cloudformation:Get*",
                        "cloudformation:List*", "cloudformation:DetectStackDrift",
                        "cloudformation:ValidateTemplate", "cloudwatch:Describe*", "cloudwatch:Get*",
                        "ec2:Describe*", "elasticloadbalancing:Describe*", "logs:FilterLogEvents",
                        "logs:Get*", "secretsmanager:DescribeSecret", "secretsmanager:ListSecrets",
                    ], "Resource": "*"},
                ])),
            )],
            tags: vec![("owner", "platform-team"), ("purpose", "ai-coding-agent")],
            last_used: Some(agent_last_used),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_admin,
            created: t("2024-05-10T08:00:12Z"),
            trust: sso_trust(w),
            attached: vec![&admin],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-03-10T14:52:30Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_engineer,
            created: t("2024-05-10T08:00:14Z"),
            trust: sso_trust(w),
            attached: vec![],
            inline: vec![(
                "AwsSSOInlinePolicy",
                document(json!([
                    {"Effect": "Allow", "Action": ["cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*", "cloudformation:ValidateTemplate", "ec2:Describe*", "elasticloadbalancing:Describe*", "logs:*", "ssm:GetParameters", "ssm:StartSession"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"], "Resource": e.roles.agent.arn(w)},
                ])),
            )],
            tags: vec![],
            last_used: Some(t("2026-03-10T02:40:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_readonly,
            created: t("2024-05-10T08:00:16Z"),
            trust: sso_trust(w),
            attached: vec![],
            inline: vec![("AwsSSOInlinePolicy", document(read_only_statements.clone()))],
            tags: vec![],
            last_used: Some(t("2026-03-10T10:20:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.ci,
            created: t("2025-09-02T03:12:40Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"Federated": w.iam_arn("oidc-provider/token.actions.githubusercontent.com")},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": format!("sts.{}", w.dns_suffix)},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/catalog-service:ref:refs/heads/main"},
                },
            }])),
            attached: vec![&ci_policy],
            inline: vec![],
            tags: vec![("owner", "catalog-team")],
            last_used: Some(t("2026-03-10T16:05:10Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.orders,
            created: t("2025-06-30T10:02:00Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![],
            inline: vec![(
                "read-prod-web-secrets",
                document(
                    json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": w.arn("secretsmanager", HOME, "secret:prod/web/*")}]),
                ),
            )],
            tags: vec![("service", "orders-api")],
            last_used: Some(t("2026-03-10T23:58:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.payments,
            created: t("2025-06-30T10:04:00Z"),
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&lambda_basic],
            inline: vec![(
                "payments-worker",
                document(json!([
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": w.arn("secretsmanager", HOME, "secret:prod/web/*")},
                    {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": w.arn("sqs", HOME, "payments-jobs")},
                ])),
            )],
            tags: vec![("service", "payments-worker")],
            last_used: Some(t("2026-03-10T23:55:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.health,
            created: t("2025-07-14T05:30:00Z"),
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&lambda_basic],
            inline: vec![(
                "check-web-tier",
                document(
                    json!([{"Effect": "Allow", "Action": ["elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeLoadBalancers", "ec2:DescribeInstanceStatus"], "Resource": "*"}]),
                ),
            )],
            tags: vec![("service", "edge-healthcheck")],
            last_used: Some(t("2026-03-10T23:59:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.web,
            created: t("2025-03-04T04:20:00Z"),
            trust: service_trust("ec2.amazonaws.com"),
            attached: vec![&ssm_core],
            inline: vec![(
                "read-db-credentials",
                document(
                    json!([{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": w.arn("secretsmanager", HOME, "secret:prod/web/db-credentials-*")}]),
                ),
            )],
            tags: vec![("service", "prod-web")],
            last_used: Some(t("2026-03-10T23:50:00Z")),
            instance_profile: Some((&e.instance_profile.0, &e.instance_profile.1)),
        },
        RoleSpec {
            role: &e.roles.catalog,
            created: t("2025-09-02T03:12:10Z"),
            trust: service_trust("lambda.amazonaws.com"),
            attached: vec![&lambda_basic],
            inline: vec![],
            tags: vec![("service", "catalog-service")],
            last_used: Some(t("2026-03-10T23:40:00Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.exec,
            created: t("2025-06-30T09:58:00Z"),
            trust: service_trust("ecs-tasks.amazonaws.com"),
            attached: vec![&ecs_exec],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-03-10T14:41:30Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.partner,
            created: t("2024-11-02T02:00:00Z"),
            trust: document(json!([{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws-cn:iam::{PARTNER_ACCOUNT}:root")},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "c1f0e3b7a9d24e6f8b5a"}},
            }])),
            attached: vec![],
            inline: vec![("observability-read", document(read_only_statements))],
            tags: vec![("vendor", "observability")],
            last_used: Some(t("2026-03-10T23:59:30Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.asg,
            created: t("2019-04-22T03:00:00Z"),
            trust: service_trust("autoscaling.amazonaws.com"),
            attached: vec![&asg_slr],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-03-10T01:45:10Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.elb,
            created: t("2019-04-22T03:00:05Z"),
            trust: service_trust("elasticloadbalancing.amazonaws.com"),
            attached: vec![&elb_slr],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-03-10T01:44:40Z")),
            instance_profile: None,
        },
        RoleSpec {
            role: &e.roles.sso_slr,
            created: t("2024-05-10T07:58:00Z"),
            trust: service_trust("sso.amazonaws.com"),
            attached: vec![&sso_slr],
            inline: vec![],
            tags: vec![],
            last_used: Some(t("2026-03-09T00:10:00Z")),
            instance_profile: None,
        },
    ];
    for spec in roles {
        a.role(spec);
    }
    a.render()
}
