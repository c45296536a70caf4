//! The story as tables: the dated steps and the routines.

use super::*;

/// The dated steps.
pub(super) fn script() -> Vec<Step<Env>> {
    let mut s: Vec<Step<Env>> = vec![
        // 02:00: the nightly backup job snapshots the entitlement tables.
        step(
            NIGHTLY_D1,
            |e, at| e.backup.at(at),
            |e, at, _| dynamodb::create_backup(&e.w, &e.table, &e.backup_d1.0, &e.backup_d1.1, at),
        )
        .key("nightly_backup"),
        step(
            "2026-04-14T02:00:07Z",
            |e, at| e.backup.at(at),
            |e, at, r| {
                let (name, arn) = backup(&e.w, r, AUDIT_TABLE, NIGHTLY_D1);
                dynamodb::create_backup(&e.w, &e.audit, &name, &arn, at)
            },
        ),
        // Morning: people sign in through IAM Identity Center.
        step(
            MARIA_CONSOLE,
            |e, _| {
                Some(
                    e.sso
                        .user("maria.rossi@example.eu", OFFICE_MARIA, BROWSER_FIREFOX),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.maria_console, r),
        ),
        step(
            "2026-04-14T07:45:18Z",
            |e, _| Some(signing_in(&e.maria_console, BROWSER_FIREFOX)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            ERIK_D1,
            |e, _| {
                Some(
                    e.sso
                        .user("erik.lund@example.eu", OFFICE_ERIK, BROWSER_CHROME),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.erik_d1, r),
        ),
        step(
            "2026-04-14T08:20:49Z",
            |e, _| Some(signing_in(&e.erik_d1, BROWSER_CHROME)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-04-14T10:41:12Z",
            |e, _| Some(e.erik_d1.clone()),
            |e, at, r| {
                let (name, arn) = backup(&e.w, r, AUDIT_TABLE, "2026-04-14T10:41:12Z");
                dynamodb::create_backup(&e.w, &e.audit, &name, &arn, at).fail(
                    "AccessDeniedException",
                    format!(
                        "User: {} is not authorized to perform: dynamodb:CreateBackup on resource: {} because no identity-based policy allows the dynamodb:CreateBackup action",
                        e.erik_d1.arn(&e.w),
                        e.audit.arn
                    ),
                )
            },
        ),
        // 15:08: the data engineer opens a terminal for a clean-up task.
        step(
            MARIA_CLI,
            |e, _| {
                Some(
                    e.sso
                        .user("maria.rossi@example.eu", OFFICE_MARIA, BROWSER_FIREFOX),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.maria_cli, r),
        )
        .key("engineer_session"),
        step(
            "2026-04-14T15:08:51Z",
            |e, _| Some(e.maria_cli.clone()),
            |_, _, _| sts::get_caller_identity(),
        ),
        // First hop: her CLI session assumes platform-tools-role.
        step(
            CHAIN,
            |e, _| Some(e.maria_cli.clone()),
            |e, _, r| sts::assume_role(&e.w, e.platform.session().unwrap(), 3600, r),
        )
        .key("role_chain"),
        // Second hop: Amazon Q, running the CLI with those credentials,
        // assumes data-admin-role under its own session name.
        step(
            AGENT_MINT,
            |e, _| Some(e.platform.clone()),
            |e, _, r| sts::assume_role(&e.w, e.agent.session().unwrap(), 3600, r),
        )
        .key("credential_mint"),
        step(
            "2026-04-14T15:11:03Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| dynamodb::list_tables(),
        ),
        step(
            "2026-04-14T15:12:15Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::describe_table(&e.w, &e.stale),
        ),
        step(
            "2026-04-14T15:12:52Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::describe_table(&e.w, &e.table),
        ),
        step(
            "2026-04-14T15:13:30Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::describe_table(&e.w, &e.audit),
        ),
        step(
            "2026-04-14T15:14:10Z",
            |e, _| Some(e.agent.clone()),
            |_, at, _| {
                metrics::get_metric_statistics(
                    "AWS/DynamoDB",
                    "ConsumedReadCapacityUnits",
                    ("TableName", STALE_TABLE),
                    at - 30 * 86_400,
                    at,
                )
            },
        ),
        step(
            "2026-04-14T15:15:30Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::list_backups(&e.stale),
        ),
        step(
            "2026-04-14T15:16:40Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::describe_continuous_backups(&e.w, &e.table),
        ),
        step(
            STALE_DELETED,
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::delete_table(&e.w, &e.stale),
        )
        .key("stale_table_deleted"),
        step(
            "2026-04-14T15:19:12Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::delete_table_protected(&e.w, &e.table),
        )
        .key("delete_blocked"),
        step(
            GUARDRAIL_OFF,
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::set_deletion_protection(&e.w, &e.table, false),
        )
        .key("guardrail_removal"),
        step(
            TABLE_DELETED,
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::delete_table(&e.w, &e.table),
        )
        .key("root_cause"),
        step(
            "2026-04-14T15:20:31Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| dynamodb::list_tables(),
        ),
        step(
            "2026-04-14T15:21:06Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| dynamodb::describe_table_missing(&e.w, &e.table),
        ),
        // 15:47: the on-call engineer is paged and signs in from home.
        step(
            TOMAS_CONSOLE,
            |e, _| {
                Some(
                    e.sso
                        .user("tomas.novak@example.eu", HOME_TOMAS, BROWSER_EDGE),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.tomas, r),
        ),
        step(
            "2026-04-14T15:47:31Z",
            |e, _| Some(signing_in(&e.tomas, BROWSER_EDGE)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-04-14T17:12:40Z",
            |e, _| Some(e.tomas.clone()),
            |_, _, _| dynamodb::list_tables(),
        ),
        step(
            "2026-04-14T17:13:05Z",
            |e, _| Some(e.tomas.clone()),
            |e, _, _| dynamodb::describe_table_missing(&e.w, &e.table),
        ),
        step(
            "2026-04-14T17:41:18Z",
            |e, _| Some(e.tomas.clone()),
            |_, at, _| cloudtrail::lookup_events("EventName", "DeleteTable", at - 21_600, at),
        ),
        step(
            "2026-04-14T17:52:10Z",
            |e, _| Some(e.tomas.clone()),
            |e, _, _| dynamodb::list_backups(&e.table),
        ),
        step(
            "2026-04-14T17:55:33Z",
            |e, _| Some(e.tomas.clone()),
            |e, _, _| dynamodb::describe_backup(&e.backup_d1.1),
        ),
        step(
            RESTORE,
            |e, _| Some(e.tomas.clone()),
            |e, at, _| dynamodb::restore_table_from_backup(&e.w, &e.restored, &e.backup_d1.1, at),
        )
        .key("recovery"),
        // Restores do not carry over point-in-time recovery, deletion
        // protection or tags; he sets them again once the table is back.
        step(
            PITR_ON,
            |e, _| Some(e.tomas.clone()),
            |e, _, _| dynamodb::update_continuous_backups(&e.w, &e.restored, true),
        ),
        step(
            PROTECTION_ON,
            |e, _| Some(e.tomas.clone()),
            |e, _, _| dynamodb::set_deletion_protection(&e.w, &e.restored, true),
        )
        .key("protection_restored"),
        step(
            "2026-04-14T18:34:20Z",
            |e, _| Some(e.tomas.clone()),
            |e, _, _| {
                dynamodb::tag_resource(
                    &e.w,
                    &e.restored,
                    &[("service", "billing"), ("data-class", "confidential")],
                )
            },
        ),
        // 16:02: an unrelated export job is throttled by CloudWatch Logs.
        step(
            THROTTLE_FROM,
            |e, at| e.exporter.at(at),
            |_, at, _| {
                cloudwatch::throttled(logs::filter_log_events(
                    "/aws/lambda/support-portal-api",
                    "{ $.audit = true }",
                    at - 3_600,
                ))
            },
        )
        .key("decoy_throttling"),
        // Day 2.
        step(
            NIGHTLY_D2,
            |e, at| e.backup.at(at),
            |e, at, _| {
                dynamodb::create_backup(&e.w, &e.restored, &e.backup_d2.0, &e.backup_d2.1, at)
            },
        ),
        step(
            ERIK_D2,
            |e, _| {
                Some(
                    e.sso
                        .user("erik.lund@example.eu", OFFICE_ERIK, BROWSER_CHROME),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.erik_d2, r),
        ),
        step(
            "2026-04-15T07:31:14Z",
            |e, _| Some(signing_in(&e.erik_d2, BROWSER_CHROME)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
    ];
    // The on-call engineer watches the restore.
    for at in [
        "2026-04-14T18:06:30Z",
        "2026-04-14T18:12:00Z",
        "2026-04-14T18:18:40Z",
        "2026-04-14T18:24:55Z",
        "2026-04-14T18:28:05Z",
    ] {
        s.push(step(
            at,
            |e, _| Some(e.tomas.clone()),
            |e, at, _| e.describe(at),
        ));
    }
    // Each CI run: OIDC sign-in, then a code update of invoice-renderer.
    for run in CI_RUNS {
        let t0 = t(run);
        let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
        s.push(step_at(
            t0,
            |e, _| Some(e.ci_oidc.clone()),
            |e, at, r| {
                sts::assume_role_with_web_identity(
                    &e.w,
                    e.ci_run(at).caller.session().unwrap(),
                    &e.w.iam_arn("oidc-provider/token.actions.githubusercontent.com"),
                    "repo:example-eu/invoice-renderer:ref:refs/heads/main",
                    r,
                )
            },
        ));
        let steps: [(Secs, CallFn<Env>); 5] = [
            (5, |_, _, _| sts::get_caller_identity()),
            (38, |_, _, _| lambda::get_function("invoice-renderer")),
            (44, |e, at, r| {
                lambda::update_function_code(
                    &e.w,
                    "invoice-renderer",
                    &e.roles.sync,
                    ARTIFACT_BUCKET,
                    &format!("invoice-renderer/{}.zip", e.ci_run(at).sha),
                    at,
                    r,
                )
            }),
            (51, |_, _, _| lambda::get_function("invoice-renderer")),
            (58, |_, _, _| lambda::get_function("invoice-renderer")),
        ];
        for (delay, call) in steps {
            let st = step_at(t0 + delay, ci, call);
            s.push(if delay == 44 { st.key("ci_deploy") } else { st });
        }
    }
    s.sort_by_key(|step| step.at);
    s
}

/// Reads of the table by billing-api: the entitlements of one customer.
fn billing_read(e: &Env, at: Secs, _: &mut Rng) -> Call {
    e.item(at, |w, tb| dynamodb::get_item(w, tb, "customer_id"))
}

/// Background activity and the symptoms.
pub(super) fn routines() -> Vec<Routine<Env>> {
    let one = |from: &str, to: &str| vec![window(from, to)];
    let mut v = vec![
        // entitlement-sync: every 15 minutes; while the table is missing the
        // run fails and Lambda retries it twice.
        routine(
            "sync/run",
            |e, at| e.sync.at(at),
            one(START, END),
            (895, 905),
            (1, 1),
            vec![item(1, |e, at, r| {
                let run = e.sync_run(at, r);
                if run.error.is_none() {
                    return run;
                }
                let again = run.clone();
                [61, 183]
                    .into_iter()
                    .filter(|delay| at + delay < t(TABLE_ACTIVE))
                    .fold(run, |run, delay| run.then(delay, again.clone()))
            })],
        )
        .symptom(),
        // support-portal-api: a lookup per support request, and a
        // DescribeTable on each cold start.
        routine(
            "portal/lookups",
            |e, at| e.portal.at(at),
            one(START, END),
            (360, 900),
            (1, 2),
            vec![item(1, |e, at, _| {
                e.item(at, |w, tb| dynamodb::get_item(w, tb, "customer_id"))
            })],
        )
        .symptom(),
        routine(
            "portal/cold-start",
            |e, at| e.portal.at(at),
            one(START, END),
            (1500, 3000),
            (1, 1),
            vec![item(1, |e, at, _| e.describe(at))],
        )
        .symptom(),
        // Observability integration polling from its own account.
        routine(
            "partner",
            |e, at| e.partner_at(at),
            one(START, END),
            (840, 960),
            (2, 4),
            vec![
                item(3, |e, at, _| e.describe(at)),
                item(2, |e, _, _| dynamodb::describe_table(&e.w, &e.audit)),
                item(2, |_, _, _| dynamodb::list_tables()),
                item(3, |_, at, _| {
                    metrics::get_metric_data(
                        "AWS/DynamoDB",
                        "ConsumedReadCapacityUnits",
                        at - 600,
                        at,
                    )
                }),
                item(1, |_, _, _| ecs::list_clusters()),
                item(1, |_, _, _| lambda::list_functions()),
            ],
        ),
        // The audit exporter's hourly run, and its throttled burst.
        routine(
            "exporter/hourly",
            |e, at| e.exporter.at(at),
            one(START, END),
            (3500, 3700),
            (3, 6),
            vec![item(1, |_, at, _| {
                logs::filter_log_events(
                    "/aws/lambda/support-portal-api",
                    "{ $.audit = true }",
                    at - 3_600,
                )
            })],
        ),
        routine(
            "exporter/throttled",
            |e, at| e.exporter.at(at),
            vec![(t(THROTTLE_FROM) + 4, t(THROTTLE_TO))],
            (6, 15),
            (2, 4),
            vec![item(1, |_, at, _| {
                cloudwatch::throttled(logs::filter_log_events(
                    "/aws/lambda/support-portal-api",
                    "{ $.audit = true }",
                    at - 3_600,
                ))
            })],
        )
        .symptom()
        .eager(),
        // People reading in the console.
        routine(
            "maria/console",
            |e, _| Some(e.maria_console.clone()),
            one("2026-04-14T07:46:00Z", "2026-04-14T11:40:00Z"),
            (600, 1500),
            (2, 5),
            vec![
                item(2, |_, _, _| dynamodb::list_tables()),
                item(2, |e, at, _| e.describe(at)),
                item(1, |e, _, _| dynamodb::describe_table(&e.w, &e.stale)),
                item(1, |e, _, _| dynamodb::describe_table(&e.w, &e.audit)),
                item(1, |e, _, _| {
                    dynamodb::describe_continuous_backups(&e.w, &e.table)
                }),
                item(2, |_, at, _| {
                    metrics::get_metric_data(
                        "AWS/DynamoDB",
                        "ConsumedReadCapacityUnits",
                        at - 10_800,
                        at,
                    )
                }),
                item(1, |_, _, _| {
                    logs::describe_log_groups("/aws/lambda/entitlement")
                }),
                item(1, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["billing-api"])
                }),
            ],
        ),
        routine(
            "erik/d1",
            |e, _| Some(e.erik_d1.clone()),
            one("2026-04-14T08:21:30Z", "2026-04-14T12:30:00Z"),
            (900, 2400),
            (1, 4),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(None)),
                item(2, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["billing-api"])
                }),
                item(1, |_, _, _| dynamodb::list_tables()),
                item(1, |e, _, _| dynamodb::describe_table(&e.w, &e.audit)),
                item(1, |_, _, _| lambda::list_functions()),
            ],
        ),
        routine(
            "erik/d2",
            |e, _| Some(e.erik_d2.clone()),
            one("2026-04-15T07:32:00Z", "2026-04-15T10:45:00Z"),
            (700, 1800),
            (1, 4),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(None)),
                item(2, |e, at, _| e.describe(at)),
                item(1, |e, _, _| dynamodb::list_backups(&e.restored)),
                item(1, |e, _, _| {
                    dynamodb::describe_continuous_backups(&e.w, &e.restored)
                }),
                item(1, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["billing-api"])
                }),
            ],
        ),
        routine(
            "tomas/investigation",
            |e, _| Some(e.tomas.clone()),
            one("2026-04-14T15:48:00Z", "2026-04-14T18:40:00Z"),
            (300, 700),
            (1, 4),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(2, |_, _, _| {
                    ecs::describe_services(CLUSTER, &["billing-api"])
                }),
                item(2, |_, at, _| {
                    logs::filter_log_events(
                        "/ecs/billing-api",
                        "ResourceNotFoundException",
                        at - 1_800,
                    )
                }),
                item(1, |_, _, _| lambda::get_function("entitlement-sync")),
                item(1, |_, _, _| ecs::list_clusters()),
                item(1, |_, at, _| {
                    metrics::get_metric_data("AWS/DynamoDB", "UserErrors", at - 10_800, at)
                }),
            ],
        ),
    ];
    // billing-api tasks: a read every ~10 minutes (cached), retried every
    // minute or so while failing. One row per task (the engine's functions
    // cannot capture an index).
    let tasks: [(&'static str, &'static str, &'static str, ActorFn<Env>); 2] = [
        (
            "billing/0/ok",
            "billing/0/fail",
            "billing/0/back",
            |e, at| e.billing_tasks[0].at(at),
        ),
        (
            "billing/1/ok",
            "billing/1/fail",
            "billing/1/back",
            |e, at| e.billing_tasks[1].at(at),
        ),
    ];
    for (ok, fail, back, actor) in tasks {
        v.push(
            routine(
                ok,
                actor,
                one(START, TABLE_DELETED),
                (500, 700),
                (1, 1),
                vec![item(1, billing_read)],
            )
            .symptom(),
        );
        v.push(
            routine(
                fail,
                actor,
                one(TABLE_DELETED, TABLE_ACTIVE),
                (60, 90),
                (1, 1),
                vec![item(1, billing_read)],
            )
            .symptom()
            .eager(),
        );
        v.push(
            routine(
                back,
                actor,
                one(TABLE_ACTIVE, END),
                (500, 700),
                (1, 1),
                vec![item(1, billing_read)],
            )
            .symptom()
            .eager(),
        );
    }
    v
}
