//! The story as tables: the dated steps and the routines.

use super::*;

/// The dated steps: day-1 precursors, the incident, the recovery, the decoys.
pub(super) fn script() -> Vec<Step<Env>> {
    let mut s: Vec<Step<Env>> = vec![
        // Day 1, morning: people sign in.
        step(
            LIU_D1,
            |e, _| Some(e.saml("liu.yang@example.cn", OFFICE_LIU, BROWSER_MAC)),
            |e, _, r| e.saml_call(&e.liu_d1, r),
        ),
        step(
            "2026-03-09T01:05:20Z",
            |e, _| Some(signing_in(&e.liu_d1, BROWSER_MAC)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            WANG_D1,
            |e, _| Some(e.saml("wang.fang@example.cn", OFFICE_WANG, BROWSER_WIN)),
            |e, _, r| e.saml_call(&e.wang_d1, r),
        ),
        step(
            "2026-03-09T01:21:39Z",
            |e, _| Some(signing_in(&e.wang_d1, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            ZHAO_D1,
            |e, _| Some(e.saml("zhao.lei@example.cn", OFFICE_ZHAO, BROWSER_EDGE)),
            |e, _, r| e.saml_call(&e.zhao_d1, r),
        ),
        step(
            "2026-03-09T01:40:11Z",
            |e, _| Some(signing_in(&e.zhao_d1, BROWSER_EDGE)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            SUN_D1,
            |e, _| Some(signing_in(&e.sun_d1, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, Some(&e.w.iam_arn("mfa/sun.hao")), false),
        ),
        // The root user signs in with MFA and only reads.
        step(
            ROOT_D1,
            |e, _| Some(signing_in(&e.root_d1, BROWSER_MAC)),
            |e, _, _| {
                signin::console_login(
                    &e.w,
                    Some(&e.w.iam_arn("mfa/root-account-mfa-device")),
                    false,
                )
            },
        )
        .key("root_sign_in"),
        step(
            "2026-03-09T03:02:41Z",
            |e, _| Some(e.root_d1.clone()),
            |_, _, _| iam::get_account_summary(),
        ),
        step(
            "2026-03-09T03:02:44Z",
            |e, _| Some(e.root_d1.clone()),
            |_, _, _| iam::list_account_aliases(),
        ),
        step(
            "2026-03-09T03:03:02Z",
            |e, _| Some(e.root_d1.clone()),
            |e, _, _| iam::get_account_password_policy(&e.w),
        ),
        step(
            "2026-03-09T03:03:30Z",
            |e, _| Some(e.root_d1.clone()),
            |_, _, _| iam::list_mfa_devices("root"),
        ),
        step(
            "2026-03-09T03:04:12Z",
            |e, _| Some(e.root_d1.clone()),
            |_, _, _| ec2::describe_regions(),
        ),
        // Day 1, 08:30: the agent, narrowly scoped, is denied an update.
        step(
            ZHAO_D1_CLI,
            |e, _| Some(e.saml("zhao.lei@example.cn", OFFICE_ZHAO, BROWSER_EDGE)),
            |e, _, r| e.saml_call(&e.zhao_d1_cli, r),
        ),
        step(
            AGENT_1A,
            |e, _| Some(e.zhao_d1_cli.clone()),
            |e, _, r| sts::assume_role(&e.w, e.agent_1a.session().unwrap(), 3600, r),
        ),
        step(
            "2026-03-09T08:30:14Z",
            |e, _| Some(e.agent_1a.clone()),
            |_, _, _| sts::get_caller_identity(),
        ),
        step(
            "2026-03-09T08:30:41Z",
            |e, _| Some(e.agent_1a.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ),
        step(
            "2026-03-09T08:31:20Z",
            |e, _| Some(e.agent_1a.clone()),
            |_, _, _| cfn::get_template("prod-web"),
        ),
        step(
            "2026-03-09T08:32:02Z",
            |e, _| Some(e.agent_1a.clone()),
            |_, _, _| cfn::describe_stack_resources("prod-web"),
        ),
        step(
            "2026-03-09T08:33:15Z",
            |e, _| Some(e.agent_1a.clone()),
            |e, _, _| elbv2::describe_load_balancers(&[&e.old.lb_arn]),
        ),
        step(
            "2026-03-09T08:33:48Z",
            |e, _| Some(e.agent_1a.clone()),
            |e, _, _| elbv2::describe_listeners(&e.old.lb_arn),
        ),
        step(
            "2026-03-09T08:38:26Z",
            |e, _| Some(e.agent_1a.clone()),
            |_, _, _| {
                // The template bucket is not readable with the narrow policy.
                cfn::validate_template(&template_url("prod-web/prod-web-template.yaml")).fail(
                    "ValidationError",
                    "S3 error: Access Denied\nFor more information check http://docs.amazonwebservices.com/AmazonS3/latest/API/ErrorResponses.html",
                )
            },
        ),
        step(
            "2026-03-09T08:41:03Z",
            |e, _| Some(e.agent_1a.clone()),
            |e, _, _| {
                cfn::update_stack(
                    "prod-web",
                    &e.old.stack_id,
                    &template_url("prod-web/prod-web-template.yaml"),
                    &[
                        ("IdleTimeoutSeconds", "120"),
                        ("CertificateArn", &e.missing_certificate),
                    ],
                )
                .denied(
                    &e.w,
                    &e.agent_1a,
                    "cloudformation:UpdateStack",
                    &e.old.stack_id,
                )
            },
        )
        .key("agent_denied"),
        step(
            "2026-03-09T08:41:37Z",
            |e, _| Some(e.agent_1a.clone()),
            |e, _, _| {
                iam::list_attached_role_policies("ops-agent-role").denied(
                    &e.w,
                    &e.agent_1a,
                    "iam:ListAttachedRolePolicies",
                    &e.roles.agent.arn(&e.w),
                )
            },
        ),
        // Day 1, 09:02: a legacy admin signs in without MFA and broadens the agent's role.
        step(
            CHEN_D1,
            |e, _| Some(signing_in(&e.chen_d1, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, false),
        )
        .key("console_login_without_mfa"),
        step(
            "2026-03-09T09:05:10Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::list_roles(),
        ),
        step(
            "2026-03-09T09:05:52Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::get_role("ops-agent-role"),
        ),
        step(
            "2026-03-09T09:06:03Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::list_attached_role_policies("ops-agent-role"),
        ),
        step(
            "2026-03-09T09:06:04Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::list_role_policies("ops-agent-role"),
        ),
        step(
            "2026-03-09T09:13:40Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::list_policies(),
        ),
        step(
            GRANT,
            |e, _| Some(e.chen_d1.clone()),
            |e, _, _| {
                iam::attach_role_policy("ops-agent-role", &e.w.aws_policy("AdministratorAccess"))
            },
        )
        .key("permission_grant"),
        step(
            "2026-03-09T09:14:25Z",
            |e, _| Some(e.chen_d1.clone()),
            |_, _, _| iam::list_attached_role_policies("ops-agent-role"),
        ),
        // Day 1, 09:38: the agent retries with the new permissions; the
        // update fails and the rollback fails too (UPDATE_ROLLBACK_FAILED).
        step(
            AGENT_1B,
            |e, _| Some(e.zhao_d1_cli.clone()),
            |e, _, r| sts::assume_role(&e.w, e.agent_1b.session().unwrap(), 3600, r),
        ),
        step(
            "2026-03-09T09:38:30Z",
            |e, _| Some(e.agent_1b.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ),
        step(
            "2026-03-09T09:38:52Z",
            |e, _| Some(e.agent_1b.clone()),
            |_, _, _| cfn::validate_template(&template_url("prod-web/prod-web-template.yaml")),
        ),
        step(
            "2026-03-09T09:39:12Z",
            |e, _| Some(e.agent_1b.clone()),
            |e, _, _| {
                cfn::update_stack(
                    "prod-web",
                    &e.old.stack_id,
                    &template_url("prod-web/prod-web-template.yaml"),
                    &[
                        ("IdleTimeoutSeconds", "120"),
                        ("CertificateArn", &e.missing_certificate),
                    ],
                )
            },
        )
        .key("agent_update"),
        step(
            "2026-03-09T09:39:30Z",
            |e, _| Some(e.agent_1b.clone()),
            |e, _, _| {
                elbv2::modify_load_balancer_attributes(
                    &e.old.lb_arn,
                    "idle_timeout.timeout_seconds",
                    "120",
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-09T09:39:41Z",
            |e, _| Some(e.agent_1b.clone()),
            |e, _, _| {
                elbv2::modify_listener(&e.old.listener_arn, &e.missing_certificate)
                    .via("cloudformation.amazonaws.com")
                    .fail(
                        "CertificateNotFound",
                        format!("Certificate '{}' not found", e.missing_certificate),
                    )
            },
        ),
        step(
            "2026-03-09T09:40:05Z",
            |e, _| Some(e.agent_1b.clone()),
            |e, _, _| {
                elbv2::modify_load_balancer_attributes(
                    &e.old.lb_arn,
                    "idle_timeout.timeout_seconds",
                    "60",
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-09T09:40:20Z",
            |e, _| Some(e.agent_1b.clone()),
            |e, _, _| {
                elbv2::modify_listener(&e.old.listener_arn, &e.missing_certificate)
                    .via("cloudformation.amazonaws.com")
                    .fail(
                        "CertificateNotFound",
                        format!("Certificate '{}' not found", e.missing_certificate),
                    )
            },
        ),
        step(
            "2026-03-09T09:44:31Z",
            |e, _| Some(e.agent_1b.clone()),
            |_, _, _| cfn::describe_stack_events("prod-web"),
        ),
        step(
            "2026-03-09T09:44:58Z",
            |e, _| Some(e.agent_1b.clone()),
            |_, _, _| cfn::describe_stack_events("prod-web"),
        ),
        // Day 2, 00:50: the engineer starts the agent again.
        step(
            ZHAO_D2_CLI,
            |e, _| Some(e.saml("zhao.lei@example.cn", OFFICE_ZHAO, BROWSER_EDGE)),
            |e, _, r| e.saml_call(&e.zhao_d2_cli, r),
        )
        .key("engineer_session"),
        step(
            AGENT_2,
            |e, _| Some(e.zhao_d2_cli.clone()),
            |e, _, r| sts::assume_role(&e.w, e.agent_2.session().unwrap(), 3600, r),
        )
        .key("credential_mint"),
        step(
            "2026-03-10T00:59:02Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| sts::get_caller_identity(),
        ),
        step(
            "2026-03-10T00:59:40Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ),
        step(
            "2026-03-10T01:00:15Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stack_events("prod-web"),
        ),
        step(
            "2026-03-10T01:01:30Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::get_template("prod-web"),
        ),
        step(
            "2026-03-10T01:02:10Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stack_resources("prod-web"),
        ),
        step(
            "2026-03-10T01:03:05Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::describe_load_balancers(&[&e.old.lb_arn]),
        ),
        step(
            "2026-03-10T01:03:40Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::describe_listeners(&e.old.lb_arn),
        ),
        step(
            "2026-03-10T01:04:20Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::describe_target_groups(&e.old.lb_arn),
        ),
        step(
            "2026-03-10T01:05:00Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::describe_target_health(&e.old.tg_arn),
        ),
        step(
            "2026-03-10T01:06:10Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| secrets::list_secrets(),
        ),
        step(
            "2026-03-10T01:07:30Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| secrets::describe_secret(&e.old.db.arn),
        ),
        step(
            "2026-03-10T01:09:00Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| autoscaling::describe_auto_scaling_groups(&["prod-web-asg"]),
        ),
        step(
            "2026-03-10T01:10:40Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stack_events("prod-web"),
        ),
        step(
            "2026-03-10T01:16:12Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| {
                cfn::continue_update_rollback("prod-web").fail("ValidationError", "Resource ProdWebHttpsListener failed to roll back: Certificate not found. ContinueUpdateRollback cannot complete; specify resources to skip with --resources-to-skip")
            },
        ),
        step(
            "2026-03-10T01:19:45Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stack_events("prod-web"),
        ),
        step(
            "2026-03-10T01:24:03Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                cfn::update_stack(
                    "prod-web",
                    &e.old.stack_id,
                    &template_url("prod-web/prod-web-template.yaml"),
                    &[("IdleTimeoutSeconds", "60")],
                )
                .fail(
                    "ValidationError",
                    format!(
                        "Stack:{} is in UPDATE_ROLLBACK_FAILED state and can not be updated.",
                        e.old.stack_id
                    ),
                )
            },
        ),
        step(
            "2026-03-10T01:27:20Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::get_template("prod-web"),
        ),
        // The agent decides to delete and re-create the environment.
        step(
            "2026-03-10T01:29:41Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| {
                cfn::delete_stack("prod-web").fail(
                    "ValidationError",
                    "Stack [prod-web] cannot be deleted while TerminationProtection is enabled",
                )
            },
        )
        .key("delete_blocked"),
        step(
            GUARDRAIL_OFF,
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| cfn::update_termination_protection("prod-web", &e.old.stack_id, false),
        )
        .key("guardrail_removal"),
        step(
            DELETE_STACK,
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::delete_stack("prod-web"),
        )
        .key("root_cause"),
        // CloudFormation deletes the stack's resources with the agent's credentials.
        step(
            "2026-03-10T01:31:24Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                elbv2::delete_listener(&e.old.listener_arn).via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:31:26Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| {
                autoscaling::delete_auto_scaling_group("prod-web-asg")
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            DB_SECRET_DELETED,
            |e, _| Some(e.agent_2.clone()),
            |e, at, _| {
                secrets::delete_secret(e.old.db.name, &e.old.db.arn, at)
                    .via("cloudformation.amazonaws.com")
            },
        )
        .key("secret_deleted"),
        step(
            SIGNING_SECRET_DELETED,
            |e, _| Some(e.agent_2.clone()),
            |e, at, _| {
                secrets::delete_secret(e.signing_old.name, &e.signing_old.arn, at)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            INSTANCES_TERMINATED,
            |e, _| Some(e.asg.clone()),
            |e, _, _| {
                let ids: Vec<String> = e.old.instances.iter().map(|i| i.id.clone()).collect();
                ec2::terminate_instances(&refs(&ids)).via("autoscaling.amazonaws.com")
            },
        )
        .key("instances_terminated"),
        step(
            LB_DELETED,
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                elbv2::delete_load_balancer(&e.old.lb_arn).via("cloudformation.amazonaws.com")
            },
        )
        .key("load_balancer_deleted"),
        step(
            "2026-03-10T01:32:48Z",
            |e, _| Some(e.elb.clone()),
            |e, _, _| {
                ec2::delete_network_interface(&e.enis[0]).via("elasticloadbalancing.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:33:51Z",
            |e, _| Some(e.elb.clone()),
            |e, _, _| {
                ec2::delete_network_interface(&e.enis[1]).via("elasticloadbalancing.amazonaws.com")
            },
        ),
        step(
            TG_DELETED,
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::delete_target_group(&e.old.tg_arn).via("cloudformation.amazonaws.com"),
        ),
        step(
            "2026-03-10T01:35:40Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                ec2::delete_launch_template(
                    "prod-web-lt",
                    &e.old.launch_template,
                    e.old.created,
                    &e.roles.agent.arn(&e.w),
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:35:52Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                ec2::delete_security_group(&e.old.sg_web)
                    .via("cloudformation.amazonaws.com")
                    .fail(
                        "Client.DependencyViolation",
                        format!("resource {} has a dependent object", e.old.sg_web),
                    )
            },
        ),
        step(
            "2026-03-10T01:36:58Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| ec2::delete_security_group(&e.old.sg_web).via("cloudformation.amazonaws.com"),
        ),
        step(
            "2026-03-10T01:37:20Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| ec2::delete_security_group(&e.old.sg_alb).via("cloudformation.amazonaws.com"),
        ),
        step(
            "2026-03-10T01:38:10Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stacks_missing("prod-web"),
        ),
        // ... and re-creates it from an older template in its workspace.
        step(
            "2026-03-10T01:40:02Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::validate_template(&template_url("prod-web/prod-web-template.yaml")),
        ),
        step(
            CREATE_STACK,
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                cfn::create_stack(
                    "prod-web",
                    &e.new.stack_id,
                    &template_url("prod-web/prod-web-template.yaml"),
                    &[
                        ("Environment", "prod"),
                        ("InstanceType", "m6i.large"),
                        ("CertificateArn", &e.certificate),
                    ],
                    &[("team", "platform"), ("created-by", "kiro-agent")],
                )
            },
        )
        .key("recreate"),
        step(
            "2026-03-10T01:41:25Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                ec2::create_security_group(&e.w, "prod-web-alb-sg", &e.new.sg_alb, &e.vpc)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:26Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                ec2::create_security_group(&e.w, "prod-web-instance-sg", &e.new.sg_web, &e.vpc)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:28Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| secrets::get_random_password().via("cloudformation.amazonaws.com"),
        ),
        step(
            NEW_DB_SECRET,
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                secrets::create_secret(
                    &e.w,
                    e.new.db.name,
                    &e.new.db.arn,
                    &e.new.db.version,
                    "prod-web database credentials",
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:33Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, r| {
                ec2::authorize_ingress(&e.w, &e.new.sg_alb, 443, "0.0.0.0/0", r)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:34Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, r| {
                ec2::authorize_ingress(&e.w, &e.new.sg_web, 8080, "10.20.0.0/16", r)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:40Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                elbv2::create_target_group("prod-web-tg", &e.new.tg_arn, &e.vpc)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:42Z",
            |e, _| Some(e.agent_2.clone()),
            |e, at, _| {
                let subnets: Vec<(&str, &str)> =
                    e.subnets.iter().map(|(z, s)| (*z, s.as_str())).collect();
                elbv2::create_load_balancer(
                    "prod-web-alb",
                    &e.new.lb_arn,
                    &e.new.lb_dns,
                    &e.vpc,
                    &subnets,
                    &[&e.new.sg_alb],
                    at,
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:41:50Z",
            |e, _| Some(e.agent_2.clone()),
            |e, at, _| {
                ec2::create_launch_template(
                    "prod-web-lt",
                    &e.new.launch_template,
                    at,
                    &e.roles.agent.arn(&e.w),
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:44:20Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                elbv2::create_listener(
                    &e.new.listener_arn,
                    &e.new.lb_arn,
                    &e.new.tg_arn,
                    &e.certificate,
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:44:35Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| {
                let subnets: Vec<&str> = e.subnets.iter().map(|(_, s)| s.as_str()).collect();
                autoscaling::create_auto_scaling_group(
                    "prod-web-asg",
                    &e.new.launch_template,
                    &e.new.tg_arn,
                    &subnets,
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T01:47:40Z",
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stack_resources("prod-web"),
        ),
        step(
            "2026-03-10T01:48:21Z",
            |e, _| Some(e.agent_2.clone()),
            |e, _, _| elbv2::describe_target_health(&e.new.tg_arn),
        ),
        // Day 2, 05:18: a developer cleans up an old test bucket and a dev
        // snapshot: destructive, during the outage, unrelated (decoys).
        step(
            SUN_D2,
            |e, _| Some(signing_in(&e.sun_d2, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, Some(&e.w.iam_arn("mfa/sun.hao")), false),
        ),
        step(
            "2026-03-10T05:20:02Z",
            |e, _| Some(e.sun_d2.clone()),
            |e, _, r| s3::list_buckets(&e.w, r),
        ),
        step(
            "2026-03-10T05:20:40Z",
            |e, _| Some(e.sun_d2.clone()),
            |e, _, r| s3::get_bucket_location(&e.w, DECOY_BUCKET, r),
        ),
        step(
            "2026-03-10T05:21:13Z",
            |e, _| Some(e.sun_d2.clone()),
            |e, _, r| s3::get_bucket_versioning(&e.w, DECOY_BUCKET, r),
        ),
        step(
            "2026-03-10T05:23:51Z",
            |e, _| Some(e.sun_d2.clone()),
            |e, _, r| s3::delete_bucket(&e.w, DECOY_BUCKET, r),
        )
        .key("decoy"),
        step(
            "2026-03-10T05:27:18Z",
            |e, _| Some(e.sun_d2.clone()),
            |_, _, _| ec2::describe_snapshots(),
        )
        .region(OTHER),
        step(
            "2026-03-10T05:31:07Z",
            |e, _| Some(e.sun_d2.clone()),
            |e, _, _| ec2::delete_snapshot(&e.decoy_snapshot),
        )
        .region(OTHER)
        .key("decoy_snapshot"),
        // On-call and the engineer look at what happened.
        step(
            WANG_D2,
            |e, _| Some(e.saml("wang.fang@example.cn", OFFICE_WANG, BROWSER_WIN)),
            |e, _, r| e.saml_call(&e.wang_d2, r),
        ),
        step(
            "2026-03-10T02:04:58Z",
            |e, _| Some(signing_in(&e.wang_d2, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-03-10T02:09:44Z",
            |e, _| Some(e.wang_d2.clone()),
            |_, _, _| {
                cloudtrail::lookup_events(
                    "ResourceName",
                    "prod-web",
                    parse_time("2026-03-09T02:00:00Z"),
                    parse_time("2026-03-10T02:09:00Z"),
                )
            },
        ),
        step(
            ZHAO_D2,
            |e, _| Some(e.saml("zhao.lei@example.cn", OFFICE_ZHAO, BROWSER_EDGE)),
            |e, _, r| e.saml_call(&e.zhao_d2, r),
        ),
        step(
            "2026-03-10T02:11:38Z",
            |e, _| Some(signing_in(&e.zhao_d2, BROWSER_EDGE)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            CHEN_D2,
            |e, _| Some(signing_in(&e.chen_d2, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, false),
        ),
        // Day 2, 13:48: the SRE lead repairs the dependents.
        step(
            LIU_D2,
            |e, _| Some(e.saml("liu.yang@example.cn", HOME_LIU, BROWSER_MAC)),
            |e, _, r| e.saml_call(&e.liu_d2, r),
        ),
        step(
            "2026-03-10T13:49:05Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| sts::get_caller_identity(),
        ),
        step(
            "2026-03-10T13:52:40Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, at, _| cloudtrail::lookup_events("EventName", "DeleteStack", at - 86_400, at),
        ),
        step(
            "2026-03-10T14:02:11Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, at, _| {
                secrets::get_secret_value(&e.w, e.new.db.name, &e.new.db.arn, e.db_version(at))
            },
        ),
        step(
            "2026-03-10T14:12:30Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| rds::describe_db_snapshots("prod-web-db"),
        ),
        step(
            DB_SECRET_RESTORED,
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| {
                secrets::put_secret_value(
                    &e.w,
                    e.new.db.name,
                    &e.new.db.arn,
                    &e.db_restored_version,
                )
            },
        )
        .key("secret_restored"),
        step(
            SIGNING_SECRET_RECREATED,
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| {
                secrets::create_secret(
                    &e.w,
                    e.signing_new.name,
                    &e.signing_new.arn,
                    &e.signing_new.version,
                    "payments request signing key (restored)",
                )
            },
        )
        .key("secret_recreated"),
        step(
            "2026-03-10T14:36:40Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| {
                cfn::create_change_set(
                    "orders-platform",
                    &e.orders_stack_id,
                    "repoint-prod-web-20260310",
                    &e.recovery_change_set,
                    None,
                    &[
                        ("DbSecretArn", &e.new.db.arn),
                        ("SigningKeySecretArn", &e.signing_new.arn),
                        ("WebTargetGroupArn", &e.new.tg_arn),
                        ("WebLoadBalancerArn", &e.new.lb_arn),
                    ],
                )
            },
        ),
        step(
            "2026-03-10T14:37:10Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| cfn::describe_change_set("orders-platform", "repoint-prod-web-20260310"),
        ),
        step(
            "2026-03-10T14:38:05Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| cfn::describe_change_set("orders-platform", "repoint-prod-web-20260310"),
        ),
        step(
            RECOVERY,
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| cfn::execute_change_set("orders-platform", "repoint-prod-web-20260310"),
        )
        .key("recovery"),
        step(
            "2026-03-10T14:39:45Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, r| {
                lambda::update_function_configuration(&e.w, "payments-worker", &e.roles.payments, r)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            CONFIG_FIXED,
            |e, _| Some(e.liu_d2.clone()),
            |e, _, r| {
                lambda::update_function_configuration(&e.w, "edge-healthcheck", &e.roles.health, r)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T14:39:52Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| {
                ecs::register_task_definition(
                    &e.w,
                    "orders-api",
                    43,
                    &e.roles.orders.arn(&e.w),
                    &e.new.db.arn,
                )
                .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T14:40:05Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| {
                ecs::update_service(&e.w, ORDERS_CLUSTER, "orders-api", "orders-api", 43)
                    .via("cloudformation.amazonaws.com")
            },
        ),
        step(
            "2026-03-10T14:45:31Z",
            |e, _| Some(e.liu_d2.clone()),
            |_, _, _| ecs::describe_services(ORDERS_CLUSTER, &["orders-api"]),
        ),
        step(
            "2026-03-10T14:47:02Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| elbv2::describe_target_health(&e.new.tg_arn),
        ),
        step(
            "2026-03-10T14:52:30Z",
            |e, _| Some(e.liu_d2.clone()),
            |e, _, _| cfn::update_termination_protection("prod-web", &e.new.stack_id, true),
        )
        .key("guardrail_restored"),
    ];

    // The agent polls the stack while it is deleted and re-created, the
    // way `aws cloudformation wait` does.
    for at in (t("2026-03-10T01:31:40Z")..t("2026-03-10T01:38:00Z")).step_by(30) {
        s.push(step_at(
            at,
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ));
    }
    for at in (t("2026-03-10T01:41:45Z")..t("2026-03-10T01:47:30Z")).step_by(30) {
        s.push(step_at(
            at,
            |e, _| Some(e.agent_2.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ));
    }
    for at in (t("2026-03-09T09:39:40Z")..t("2026-03-09T09:44:20Z")).step_by(30) {
        s.push(step_at(
            at,
            |e, _| Some(e.agent_1b.clone()),
            |_, _, _| cfn::describe_stacks(Some("prod-web")),
        ));
    }
    // Auto Scaling launches the new stack's instances.
    for i in 0..3 {
        s.push(step_at(
            t(NEW_INSTANCES) + 10 * i,
            |e, _| Some(e.asg.clone()),
            |e, at, r| {
                let i = ((at - t(NEW_INSTANCES)) / 10) as usize;
                let inst = &e.new.instances[i];
                let profile_arn =
                    e.w.iam_arn(&format!("instance-profile/{}", e.instance_profile.0));
                ec2::run_instance(
                    &e.w,
                    &inst.id,
                    &inst.ip,
                    inst.zone,
                    &inst.subnet,
                    &e.vpc,
                    &e.new.launch_template,
                    (&e.new.sg_web, "prod-web-instance-sg"),
                    (&profile_arn, &e.instance_profile.1),
                    "prod-web-asg",
                    at,
                    r,
                )
                .via("autoscaling.amazonaws.com")
            },
        ));
    }
    // Each CI run: OIDC sign-in, artifact upload, function update, change set.
    for run in CI_RUNS {
        let t0 = t(run);
        let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
        s.push(step_at(
            t0,
            |e, _| Some(e.ci_oidc.clone()),
            |e, at, r| {
                let run = e.ci_run(at);
                sts::assume_role_with_web_identity(
                    &e.w,
                    run.caller.session().unwrap(),
                    &e.w.iam_arn("oidc-provider/token.actions.githubusercontent.com"),
                    "repo:example-org/catalog-service:ref:refs/heads/main",
                    r,
                )
            },
        ));
        let steps: [(Secs, CallFn<Env>); 11] = [
            (4, |_, _, _| sts::get_caller_identity()),
            (41, |e, at, r| {
                s3::put_object(
                    &e.w,
                    ARTIFACT_BUCKET,
                    &format!("catalog-service/{}.zip", e.ci_run(at).sha),
                    1_400_000 + r.below(300_000),
                    r,
                )
            }),
            (52, |e, at, r| {
                lambda::update_function_code(
                    &e.w,
                    "catalog-api",
                    &e.roles.catalog,
                    ARTIFACT_BUCKET,
                    &format!("catalog-service/{}.zip", e.ci_run(at).sha),
                    at,
                    r,
                )
            }),
            (63, |e, at, _| {
                let run = e.ci_run(at);
                let name = format!("deploy-{}", &run.sha[..12]);
                let arn = e.w.arn(
                    "cloudformation",
                    HOME,
                    &format!("changeSet/{name}/{}", run.change_set_id),
                );
                let template = format!(
                    "https://s3.{HOME}.amazonaws.com.cn/{ARTIFACT_BUCKET}/catalog-service/{}.yaml",
                    run.sha
                );
                let code = format!("catalog-service/{}.zip", run.sha);
                cfn::create_change_set(
                    "catalog-service",
                    &e.catalog_stack_id,
                    &name,
                    &arn,
                    Some(&template),
                    &[("CodeKey", &code)],
                )
            }),
            (70, |e, at, _| {
                cfn::describe_change_set(
                    "catalog-service",
                    &format!("deploy-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (78, |e, at, _| {
                cfn::describe_change_set(
                    "catalog-service",
                    &format!("deploy-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (84, |e, at, _| {
                cfn::execute_change_set(
                    "catalog-service",
                    &format!("deploy-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (97, |e, _, r| {
                lambda::update_function_configuration(&e.w, "catalog-sync", &e.roles.catalog, r)
                    .via("cloudformation.amazonaws.com")
            }),
            (100, |_, _, _| cfn::describe_stacks(Some("catalog-service"))),
            (130, |_, _, _| cfn::describe_stacks(Some("catalog-service"))),
            (160, |_, _, _| cfn::describe_stacks(Some("catalog-service"))),
        ];
        for (delay, call) in steps {
            let st = step_at(t0 + delay, ci, call);
            // Ordinary deploys, some during the outage: not causes.
            s.push(if delay == 84 { st.key("ci_deploy") } else { st });
        }
    }
    // One run also tries to read alarms it has no permission for.
    s.push(step_at(
        t(CI_RUNS[4]) + 170,
        |e, at| Some(e.ci_run(at).caller.clone()),
        |e, at, _| {
            cloudwatch::describe_alarms(Some("ALARM")).denied(
                &e.w,
                &e.ci_run(at).caller,
                "cloudwatch:DescribeAlarms",
                &e.w.arn("cloudwatch", HOME, "alarm:*"),
            )
        },
    ));
    s.sort_by_key(|step| step.at);
    s
}

/// Routine tracks, heartbeat actor, app actor and heartbeat call of one web instance.
type WebRow = (
    (&'static str, &'static str),
    ActorFn<Env>,
    ActorFn<Env>,
    CallFn<Env>,
);

/// Background activity and the symptoms.
pub(super) fn routines() -> Vec<Routine<Env>> {
    let day1 = |from: &str, to: &str| vec![window(from, to)];
    let mut v = vec![
        // orders-api tasks: healthy every ~10 min, then retrying every minute.
        routine(
            "orders/a/ok",
            |e, at| e.orders_tasks[0].at(at),
            day1(START, DB_SECRET_DELETED),
            (540, 660),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, false))],
        )
        .symptom(),
        routine(
            "orders/b/ok",
            |e, at| e.orders_tasks[1].at(at),
            day1(START, DB_SECRET_DELETED),
            (540, 660),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, false))],
        )
        .symptom(),
        routine(
            "orders/a/fail",
            |e, at| e.orders_tasks[0].at(at),
            day1(DB_SECRET_DELETED, ORDERS_OLD_TASKS_STOP),
            (70, 110),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, false))],
        )
        .symptom()
        .eager(),
        routine(
            "orders/b/fail",
            |e, at| e.orders_tasks[1].at(at),
            day1(DB_SECRET_DELETED, ORDERS_OLD_TASKS_STOP),
            (70, 110),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, false))],
        )
        .symptom()
        .eager(),
        routine(
            "orders/c",
            |e, at| e.orders_tasks[2].at(at),
            day1(ORDERS_NEW_TASKS, END),
            (540, 660),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, true))],
        )
        .symptom()
        .eager(),
        routine(
            "orders/d",
            |e, at| e.orders_tasks[3].at(at),
            day1(ORDERS_NEW_TASKS, END),
            (540, 660),
            (1, 1),
            vec![item(1, |e, at, _| e.orders_read(at, true))],
        )
        .symptom()
        .eager(),
        // payments-worker: reads its signing key per batch; SQS redelivers failures.
        routine(
            "payments/ok",
            |e, at| e.payments.at(at),
            day1(START, SIGNING_SECRET_DELETED),
            (700, 1200),
            (1, 1),
            vec![item(1, |e, at, _| e.payments_read(at))],
        )
        .symptom(),
        routine(
            "payments/fail",
            |e, at| e.payments.at(at),
            day1(SIGNING_SECRET_DELETED, CONFIG_FIXED),
            (60, 90),
            (1, 1),
            vec![item(1, |e, at, _| e.payments_read(at))],
        )
        .symptom()
        .eager(),
        routine(
            "payments/recovered",
            |e, at| e.payments.at(at),
            day1(CONFIG_FIXED, END),
            (700, 1200),
            (1, 1),
            vec![item(1, |e, at, _| e.payments_read(at))],
        )
        .symptom()
        .eager(),
        // edge-healthcheck: a scheduled Lambda checking the web tier.
        routine(
            "health/targets",
            |e, at| e.health.at(at),
            day1(START, END),
            (290, 310),
            (1, 1),
            vec![item(1, |e, at, _| e.health_targets(at))],
        )
        .symptom(),
        routine(
            "health/lb",
            |e, at| e.health.at(at),
            day1(START, END),
            (880, 920),
            (1, 1),
            vec![item(1, |e, at, _| e.health_lb(at))],
        )
        .symptom(),
        routine(
            "health/instances",
            |e, at| e.health.at(at),
            day1(START, END),
            (880, 920),
            (1, 1),
            vec![item(1, |e, at, _| e.health_instances(at))],
        )
        .symptom(),
        // Observability partner polling from its own account.
        routine(
            "partner/home",
            |e, at| e.partner_at(at),
            day1(START, END),
            (800, 1000),
            (2, 4),
            vec![
                item(3, |_, _, r| {
                    let c = ec2::describe_instances(&[]);
                    if r.chance(60) { ec2::throttled(c) } else { c }
                }),
                item(3, |_, _, _| elbv2::describe_all_load_balancers()),
                item(2, |_, _, r| {
                    let c = cloudwatch::describe_alarms(None);
                    if r.chance(50) {
                        cloudwatch::throttled(c)
                    } else {
                        c
                    }
                }),
                item(2, |_, _, _| cloudwatch::list_metrics("AWS/ApplicationELB")),
                item(2, |_, _, _| lambda::list_functions()),
                item(1, |_, _, _| autoscaling::describe_auto_scaling_groups(&[])),
                item(1, |_, _, _| rds::describe_db_instances()),
                item(1, |_, _, _| ecs::list_clusters()),
            ],
        ),
        routine(
            "partner/other",
            |e, at| e.partner_at(at),
            day1(START, END),
            (1100, 1300),
            (1, 2),
            vec![
                item(2, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
            ],
        )
        .region(OTHER),
        // Humans reading during office hours (Beijing time is UTC+8).
        routine(
            "liu/day1",
            |e, _| Some(e.liu_d1.clone()),
            day1("2026-03-09T01:06:00Z", "2026-03-09T10:30:00Z"),
            (1200, 2400),
            (2, 6),
            vec![
                item(2, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| {
                    ec2::describe_instances_by_tag("aws:cloudformation:stack-name", "prod-web")
                }),
                item(2, |_, _, _| {
                    ecs::describe_services(ORDERS_CLUSTER, &["orders-api"])
                }),
                item(1, |_, _, _| ecs::list_clusters()),
                item(2, |_, _, _| rds::describe_db_instances()),
                item(2, |_, _, _| cloudwatch::describe_alarms(None)),
                item(2, |_, _, _| cfn::list_stacks()),
                item(2, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(1, |_, _, _| elbv2::describe_all_load_balancers()),
                item(1, |e, at, _| {
                    let ids: Vec<String> =
                        e.web(at).instances.iter().map(|i| i.id.clone()).collect();
                    ec2::create_tags(&refs(&ids[..1]), &[("cost-center", "web-platform")])
                }),
            ],
        ),
        routine(
            "wang/day1",
            |e, _| Some(e.wang_d1.clone()),
            day1("2026-03-09T01:22:10Z", "2026-03-09T09:30:00Z"),
            (1500, 3000),
            (1, 4),
            vec![
                item(3, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(2, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(2, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| secrets::list_secrets()),
                item(1, |e, at, _| {
                    let w = e.web(at);
                    let c = secrets::get_secret_value(&e.w, &w.db.arn, &w.db.arn, &w.db.version);
                    c.denied(&e.w, &e.wang_d1, "secretsmanager:GetSecretValue", &w.db.arn)
                }),
                item(1, |_, _, _| lambda::list_functions()),
            ],
        ),
        routine(
            "zhao/day1",
            |e, _| Some(e.zhao_d1.clone()),
            vec![
                window("2026-03-09T01:41:00Z", "2026-03-09T08:20:00Z"),
                window("2026-03-09T10:00:00Z", "2026-03-09T11:30:00Z"),
            ],
            (1800, 3600),
            (2, 5),
            vec![
                item(3, |_, _, _| cfn::describe_stacks(Some("prod-web"))),
                item(2, |_, _, _| cfn::describe_stack_events("prod-web")),
                item(1, |_, _, _| cfn::get_template("prod-web")),
                item(2, |e, at, _| {
                    elbv2::describe_target_health(&e.web(at).tg_arn)
                }),
                item(1, |_, _, _| ec2::describe_security_groups()),
                item(1, |_, _, _| {
                    ssm::get_parameters(&["/prod/web/feature-flags"])
                }),
            ],
        ),
        routine(
            "sun/day1/home",
            |e, _| Some(e.sun_d1.clone()),
            day1("2026-03-09T02:32:00Z", "2026-03-09T10:50:00Z"),
            (1800, 3000),
            (1, 4),
            vec![
                item(2, |e, _, r| s3::list_buckets(&e.w, r)),
                item(1, |e, _, r| {
                    s3::get_bucket_location(&e.w, ARTIFACT_BUCKET, r)
                }),
                item(2, |_, _, _| ec2::describe_volumes()),
                item(1, |_, _, _| ec2::describe_vpcs()),
            ],
        ),
        routine(
            "sun/day1/other",
            |e, _| Some(e.sun_d1.clone()),
            day1("2026-03-09T02:40:00Z", "2026-03-09T10:50:00Z"),
            (2400, 4200),
            (1, 3),
            vec![
                item(2, |_, _, _| ec2::describe_snapshots()),
                item(1, |_, _, _| ec2::describe_volumes()),
                item(1, |_, _, _| ec2::describe_instances(&[])),
            ],
        )
        .region(OTHER),
        routine(
            "chen/day1",
            |e, _| Some(e.chen_d1.clone()),
            day1("2026-03-09T09:15:00Z", "2026-03-09T09:45:00Z"),
            (240, 480),
            (1, 3),
            vec![
                item(2, |_, _, _| iam::list_users()),
                item(1, |_, _, _| iam::list_mfa_devices("chen.jie")),
                item(1, |_, _, _| iam::get_account_summary()),
            ],
        ),
        // Day 2: on-call investigates; others carry on.
        routine(
            "wang/day2",
            |e, _| Some(e.wang_d2.clone()),
            vec![
                window("2026-03-10T02:05:30Z", "2026-03-10T05:00:00Z"),
                window("2026-03-10T06:00:00Z", "2026-03-10T10:30:00Z"),
            ],
            (300, 900),
            (2, 6),
            vec![
                item(3, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(3, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(2, |_, _, _| cfn::describe_stack_events("prod-web")),
                item(2, |e, at, _| {
                    if at < t(CONFIG_FIXED) {
                        elbv2::target_group_not_found(&e.old.tg_arn)
                    } else {
                        elbv2::describe_target_health(&e.new.tg_arn)
                    }
                }),
                item(1, |_, _, _| elbv2::describe_all_load_balancers()),
                item(1, |_, _, _| secrets::list_secrets()),
                item(1, |e, at, _| {
                    let c = secrets::get_secret_value(
                        &e.w,
                        &e.new.db.arn,
                        &e.new.db.arn,
                        e.db_version(at),
                    );
                    c.denied(
                        &e.w,
                        &e.wang_d2,
                        "secretsmanager:GetSecretValue",
                        &e.new.db.arn,
                    )
                }),
                item(2, |_, _, _| {
                    ecs::describe_services(ORDERS_CLUSTER, &["orders-api"])
                }),
                item(1, |_, _, _| lambda::get_function("payments-worker")),
                item(1, |_, at, _| {
                    cloudtrail::lookup_events("ResourceName", "prod-web", at - 43_200, at)
                }),
            ],
        ),
        routine(
            "zhao/day2",
            |e, _| Some(e.zhao_d2.clone()),
            day1("2026-03-10T02:12:00Z", "2026-03-10T03:40:00Z"),
            (400, 900),
            (2, 5),
            vec![
                item(3, |_, _, _| cfn::describe_stacks(Some("prod-web"))),
                item(3, |_, _, _| cfn::describe_stack_events("prod-web")),
                item(1, |_, _, _| cfn::list_stacks()),
                item(1, |_, _, _| cfn::list_stack_resources("prod-web")),
                item(1, |_, _, _| secrets::list_secrets()),
                item(1, |e, _, _| secrets::describe_secret(&e.new.db.arn)),
            ],
        ),
        routine(
            "sun/day2/other",
            |e, _| Some(e.sun_d2.clone()),
            day1("2026-03-10T05:35:00Z", "2026-03-10T07:30:00Z"),
            (1200, 2400),
            (1, 3),
            vec![
                item(2, |_, _, _| ec2::describe_snapshots()),
                item(1, |_, _, _| ec2::describe_volumes()),
            ],
        )
        .region(OTHER),
        routine(
            "chen/day2",
            |e, _| Some(e.chen_d2.clone()),
            day1("2026-03-10T08:31:30Z", "2026-03-10T09:10:00Z"),
            (300, 600),
            (1, 3),
            vec![
                item(2, |_, _, _| iam::list_users()),
                item(2, |_, _, _| iam::list_roles()),
                item(1, |_, _, _| iam::get_role("ops-agent-role")),
                item(1, |_, _, _| {
                    iam::list_attached_role_policies("ops-agent-role")
                }),
            ],
        ),
        routine(
            "liu/day2",
            |e, _| Some(e.liu_d2.clone()),
            vec![
                window("2026-03-10T13:50:00Z", "2026-03-10T14:30:00Z"),
                window("2026-03-10T14:55:00Z", "2026-03-10T15:40:00Z"),
            ],
            (200, 500),
            (1, 4),
            vec![
                item(3, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(2, |_, _, _| cfn::describe_stack_events("prod-web")),
                item(1, |_, _, _| cfn::get_template("orders-platform")),
                item(1, |e, _, _| secrets::describe_secret(&e.new.db.arn)),
                item(1, |_, _, _| secrets::list_secrets()),
                item(2, |_, _, _| {
                    ecs::describe_services(ORDERS_CLUSTER, &["orders-api"])
                }),
                item(1, |_, _, _| lambda::get_function("payments-worker")),
                item(1, |_, _, _| lambda::get_function("edge-healthcheck")),
                item(1, |e, _, _| elbv2::describe_target_groups(&e.new.lb_arn)),
                item(1, |_, _, _| rds::describe_db_instances()),
            ],
        ),
    ];
    // The web tier's instances: SSM heartbeats and the app reading its
    // DB credentials by name (so the re-created secret satisfies it).
    // One row per web instance (the engine's functions cannot capture an
    // index): tracks, heartbeat actor, app actor, heartbeat call.
    let web: [WebRow; 3] = [
        (
            ("web/0/ssm", "web/0/app"),
            |e, at| e.instance(at, 0).map(|c| with_agent(c, SSM_AGENT)),
            |e, at| e.instance(at, 0),
            |e, at, _| e.heartbeat(at, 0),
        ),
        (
            ("web/1/ssm", "web/1/app"),
            |e, at| e.instance(at, 1).map(|c| with_agent(c, SSM_AGENT)),
            |e, at| e.instance(at, 1),
            |e, at, _| e.heartbeat(at, 1),
        ),
        (
            ("web/2/ssm", "web/2/app"),
            |e, at| e.instance(at, 2).map(|c| with_agent(c, SSM_AGENT)),
            |e, at| e.instance(at, 2),
            |e, at, _| e.heartbeat(at, 2),
        ),
    ];
    for (i, (tracks, heartbeat, app, ssm_call)) in web.into_iter().enumerate() {
        let windows = vec![
            window(START, INSTANCES_TERMINATED),
            (t(NEW_INSTANCES) + 90 + 10 * i as Secs, t(END)),
        ];
        v.push(
            routine(
                tracks.0,
                heartbeat,
                windows.clone(),
                (1700, 1900),
                (1, 1),
                vec![item(1, ssm_call)],
            )
            .symptom()
            .eager(),
        );
        v.push(
            routine(
                tracks.1,
                app,
                windows,
                (3300, 3900),
                (1, 1),
                vec![item(1, |e, at, _| {
                    let w = e.web(at);
                    let version = if w.stack_id == e.new.stack_id {
                        e.db_version(at).to_string()
                    } else {
                        w.db.version.clone()
                    };
                    secrets::get_secret_value(&e.w, w.db.name, &w.db.arn, &version)
                })],
            )
            .symptom()
            .eager(),
        );
    }
    v
}
