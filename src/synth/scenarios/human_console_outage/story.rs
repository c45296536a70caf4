//! The story as tables: the dated steps and the routines.

use super::*;

/// The dated steps.
pub(super) fn script() -> Vec<Step<Env>> {
    let mut s: Vec<Step<Env>> = vec![
        // A developer signs in to read; a SecureString is not hers to decrypt.
        step(
            SOFIA,
            |e, _| {
                Some(
                    e.sso
                        .user("sofia.martins@example-shop.com", OFFICE, BROWSER_SOFIA),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.sofia, r),
        ),
        step(
            "2026-06-02T13:05:53Z",
            |e, _| Some(signing_in(&e.sofia, BROWSER_SOFIA)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-06-02T13:40:12Z",
            |e, _| Some(e.sofia.clone()),
            |e, _, _| {
                let arn =
                    e.w.arn("ssm", HOME, "parameter/prod/checkout/stripe-api-key");
                ssm::get_parameter("/prod/checkout/stripe-api-key", true).fail(
                    "AccessDeniedException",
                    format!(
                        "User: {} is not authorized to perform: ssm:GetParameter on resource: {arn} because no identity-based policy allows the ssm:GetParameter action",
                        e.sofia.arn(&e.w)
                    ),
                )
            },
        ),
        // 14:02: an engineer signs in with MFA to retire checkout-v1's leftovers.
        step(
            DANA_LOGIN,
            |e, _| Some(signing_in(&e.dana_console, BROWSER)),
            |e, _, _| signin::console_login(&e.w, Some(&e.w.iam_arn("mfa/dana-iphone")), false),
        )
        .key("console_login"),
        step(
            "2026-06-02T14:03:02Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::describe_parameters(None),
        ),
        step(
            "2026-06-02T14:04:40Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::describe_parameters(Some("checkout")),
        ),
        step(
            "2026-06-02T14:06:15Z",
            |e, _| Some(e.dana_console.clone()),
            |e, at, _| e.read(at, RETIRED[0], false),
        ),
        step(
            "2026-06-02T14:07:30Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::get_parameter_history(RETIRED[1]),
        ),
        step(
            "2026-06-02T14:12:48Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ecs::describe_services(CLUSTER, &["checkout-api"]),
        ),
        step(
            "2026-06-02T14:18:20Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::describe_parameters(Some("checkout")),
        ),
        // The selection holds the retired parameters and two live ones.
        step(
            PARAMS_DELETED,
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::delete_parameters(&[RETIRED[0], RETIRED[1], PAYMENT, TAX]),
        )
        .key("root_cause"),
        step(
            "2026-06-02T14:21:44Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ssm::describe_parameters(Some("checkout")),
        ),
        step(
            "2026-06-02T14:26:02Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ec2::describe_instances(&[]),
        ),
        step(
            "2026-06-02T14:27:15Z",
            |e, _| Some(e.dana_console.clone()),
            |_, _, _| ec2::describe_security_groups(),
        ),
        // The incident assistant, woken by the alarm, reads the missing parameter.
        step(
            "2026-06-02T14:27:05Z",
            |e, at| e.copilot.at(at),
            |e, at, _| e.read(at, PAYMENT, false),
        )
        .key("agent_read"),
        // 14:33: on-call signs in through IAM Identity Center.
        step(
            RAJ,
            |e, _| {
                Some(
                    e.sso
                        .user("raj.patel@example-shop.com", HOME_RAJ, BROWSER_RAJ),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.raj, r),
        ),
        step(
            "2026-06-02T14:34:02Z",
            |e, _| Some(signing_in(&e.raj, BROWSER_RAJ)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-06-02T14:41:30Z",
            |e, _| Some(e.raj.clone()),
            |_, _, _| ssm::describe_parameters(Some("checkout")),
        ),
        step(
            "2026-06-02T14:46:12Z",
            |e, _| Some(e.raj.clone()),
            |_, _, _| ssm::get_parameter_history(PAYMENT).fail("ParameterNotFound", ""),
        ),
        step(
            "2026-06-02T14:52:40Z",
            |e, _| Some(e.raj.clone()),
            |_, at, _| cloudtrail::lookup_events("EventName", "DeleteParameters", at - 3_600, at),
        ),
        step(
            "2026-06-02T14:55:05Z",
            |e, _| Some(e.raj.clone()),
            |_, at, _| cloudtrail::lookup_events("ResourceName", PAYMENT, at - 86_400, at),
        ),
        // He puts both parameters back from the service's runbook.
        step(
            FIRST_FIX,
            |e, _| Some(e.raj.clone()),
            |_, _, _| ssm::put_parameter(PAYMENT, "String", 1),
        )
        .key("partial_fix"),
        step(
            SECOND_FIX,
            |e, _| Some(e.raj.clone()),
            |_, _, _| ssm::put_parameter(TAX, "String", 1),
        )
        .key("recovery"),
        step(
            "2026-06-02T15:02:30Z",
            |e, _| Some(e.raj.clone()),
            |e, at, _| e.read(at, PAYMENT, false),
        ),
    ];
    // CI deploys of storefront-web.
    for run in DEPLOYS {
        let t0 = t(run);
        s.push(oidc_step(t0));
        let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
        let steps: [(Secs, CallFn<Env>); 5] = [
            (4, |_, _, _| sts::get_caller_identity()),
            (41, |e, at, _| {
                ecs::register_task_definition(
                    &e.w,
                    "storefront-web",
                    e.ci_run(at).revision,
                    &e.w.iam_arn("role/storefront-web-task-role"),
                    &e.w.arn("ssm", HOME, "parameter/prod/storefront/session-key"),
                )
            }),
            (47, |e, at, _| {
                ecs::update_service(
                    &e.w,
                    "storefront",
                    "storefront-web",
                    "storefront-web",
                    e.ci_run(at).revision,
                )
            }),
            (60, |_, _, _| {
                ecs::describe_services("storefront", &["storefront-web"])
            }),
            (95, |_, _, _| {
                ecs::describe_services("storefront", &["storefront-web"])
            }),
        ];
        for (delay, call) in steps {
            let st = step_at(t0 + delay, ci, call);
            s.push(if delay == 47 { st.key("ci_deploy") } else { st });
        }
    }
    // 14:22: a cleanup workflow removes closed pull requests' preview buckets.
    let t0 = t(CLEANUP);
    s.push(oidc_step(t0));
    let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
    let steps: [(Secs, CallFn<Env>); 4] = [
        (3, |_, _, _| sts::get_caller_identity()),
        (20, |e, _, r| s3::list_buckets(&e.w, r)),
        (34, |e, _, r| s3::delete_bucket(&e.w, PREVIEW_BUCKETS[0], r)),
        (37, |e, _, r| s3::delete_bucket(&e.w, PREVIEW_BUCKETS[1], r)),
    ];
    for (delay, call) in steps {
        let st = step_at(t0 + delay, ci, call);
        s.push(if delay == 34 { st.key("decoy") } else { st });
    }
    s.sort_by_key(|step| step.at);
    s
}

fn oidc_step(t0: Secs) -> Step<Env> {
    step_at(
        t0,
        |e, _| Some(e.ci_oidc.clone()),
        |e, at, r| {
            sts::assume_role_with_web_identity(
                &e.w,
                e.ci_run(at).caller.session().unwrap(),
                &e.w.iam_arn("oidc-provider/token.actions.githubusercontent.com"),
                "repo:example-shop/storefront:ref:refs/heads/main",
                r,
            )
        },
    )
}

fn refresh(e: &Env, at: Secs, _: &mut Rng) -> Call {
    e.refresh(at)
}

fn banner(e: &Env, at: Secs, _: &mut Rng) -> Call {
    e.read(at, BANNER, false)
}

/// Background activity and the symptoms.
pub(super) fn routines() -> Vec<Routine<Env>> {
    let one = |from: &str, to: &str| vec![window(from, to)];
    let mut v = vec![
        // invoice-worker reads the tax endpoint per batch.
        routine(
            "invoice",
            |e, at| e.invoice.at(at),
            one(START, END),
            (150, 330),
            (1, 1),
            vec![item(1, |e, at, _| e.read(at, TAX, false))],
        )
        .symptom(),
        // The incident assistant: a morning summary, then the incident.
        routine(
            "copilot/summary",
            |e, at| e.copilot.at(at),
            one("2026-06-02T09:00:10Z", "2026-06-02T09:06:00Z"),
            (20, 60),
            (2, 4),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(None)),
                item(2, |_, at, _| {
                    metrics::get_metric_data(
                        "ECS/ContainerInsights",
                        "RunningTaskCount",
                        at - 86_400,
                        at,
                    )
                }),
                item(1, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["checkout-api"])
                }),
            ],
        )
        .eager(),
        routine(
            "copilot/incident",
            |e, at| e.copilot.at(at),
            one("2026-06-02T14:28:00Z", "2026-06-02T15:12:00Z"),
            (200, 320),
            (3, 6),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(2, |_, at, _| {
                    metrics::get_metric_data(
                        "AWS/ApplicationELB",
                        "HTTPCode_Target_5XX_Count",
                        at - 3_600,
                        at,
                    )
                }),
                item(2, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["checkout-api"])
                }),
                item(2, |_, at, _| {
                    logs::filter_log_events("/ecs/checkout-api", "ERROR", at - 900)
                }),
                item(1, |_, _, _| ssm::describe_parameters(Some("checkout"))),
                item(1, |_, _, _| ssm::get_parameters_by_path("/prod/checkout")),
                item(1, |e, at, _| e.read(at, TAX, false)),
                item(1, |_, at, _| {
                    cloudtrail::lookup_events("ResourceName", TAX, at - 7_200, at)
                }),
            ],
        )
        .eager(),
        // AWS Config describing resources with its service-linked role.
        routine(
            "config",
            |e, _| Some(e.config.clone()),
            one(START, END),
            (1700, 1900),
            (2, 4),
            vec![
                item(1, |_, _, _| {
                    ec2::describe_security_groups().via("config.amazonaws.com")
                }),
                item(1, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["checkout-api"]).via("config.amazonaws.com")
                }),
                item(1, |_, _, _| {
                    lambda::list_functions().via("config.amazonaws.com")
                }),
                item(1, |_, _, _| {
                    ssm::describe_parameters(None).via("config.amazonaws.com")
                }),
            ],
        ),
        // People reading.
        routine(
            "sofia",
            |e, _| Some(e.sofia.clone()),
            one("2026-06-02T13:06:30Z", "2026-06-02T17:30:00Z"),
            (900, 2000),
            (1, 3),
            vec![
                item(2, |_, at, _| {
                    logs::filter_log_events("/aws/lambda/invoice-worker", "WARN", at - 3_600)
                }),
                item(1, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["checkout-api"])
                }),
                item(1, |_, _, _| lambda::get_function("invoice-worker")),
                item(1, |_, _, _| ssm::describe_parameters(None)),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
            ],
        ),
        routine(
            "raj",
            |e, _| Some(e.raj.clone()),
            one("2026-06-02T14:35:00Z", "2026-06-02T15:30:00Z"),
            (200, 500),
            (1, 3),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(2, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["checkout-api"])
                }),
                item(2, |_, at, _| {
                    logs::filter_log_events("/ecs/checkout-api", "ParameterNotFound", at - 1_800)
                }),
                item(1, |_, at, _| {
                    metrics::get_metric_data(
                        "AWS/ApplicationELB",
                        "HTTPCode_Target_5XX_Count",
                        at - 3_600,
                        at,
                    )
                }),
            ],
        ),
    ];
    // checkout-api tasks: refresh every ~10 minutes, every minute while
    // failing; the optional banner is read now and then and never exists.
    let tasks: [([&'static str; 4], ActorFn<Env>); 3] = [
        (
            [
                "checkout/0/ok",
                "checkout/0/fail",
                "checkout/0/back",
                "checkout/0/banner",
            ],
            |e, at| e.checkout_tasks[0].at(at),
        ),
        (
            [
                "checkout/1/ok",
                "checkout/1/fail",
                "checkout/1/back",
                "checkout/1/banner",
            ],
            |e, at| e.checkout_tasks[1].at(at),
        ),
        (
            [
                "checkout/2/ok",
                "checkout/2/fail",
                "checkout/2/back",
                "checkout/2/banner",
            ],
            |e, at| e.checkout_tasks[2].at(at),
        ),
    ];
    for ([ok, fail, back, optional], actor) in tasks {
        v.push(
            routine(
                ok,
                actor,
                one(START, PARAMS_DELETED),
                (580, 620),
                (1, 1),
                vec![item(1, refresh)],
            )
            .symptom(),
        );
        v.push(
            routine(
                fail,
                actor,
                one(PARAMS_DELETED, SECOND_FIX),
                (55, 65),
                (1, 1),
                vec![item(1, refresh)],
            )
            .symptom()
            .eager(),
        );
        v.push(
            routine(
                back,
                actor,
                one(SECOND_FIX, END),
                (580, 620),
                (1, 1),
                vec![item(1, refresh)],
            )
            .symptom()
            .eager(),
        );
        v.push(routine(
            optional,
            actor,
            one(START, END),
            (2400, 4800),
            (1, 1),
            vec![item(1, banner)],
        ));
    }
    v
}
