//! The story as tables: the dated steps and the routines.

use super::*;
use crate::synth::api::ecs;

/// The dated steps.
pub(super) fn script() -> Vec<Step<Env>> {
    let mut s: Vec<Step<Env>> = vec![
        // 12:40: the operations lead signs in and reads.
        step(
            JORDAN_D1,
            |e, _| {
                Some(
                    e.sso
                        .user("jordan.alvarez@example-agency.gov", OFFICE, BROWSER_MAC),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.jordan_d1, r),
        ),
        step(
            "2026-05-05T12:40:24Z",
            |e, _| Some(signing_in(&e.jordan_d1, BROWSER_MAC)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        // 12:59: the scheduled clean-up task starts; ECS mints its credentials.
        step(
            AGENT_TASK,
            |_, _| Some(Caller::service("ecs-tasks.amazonaws.com")),
            |e, _, r| sts::assume_role(&e.w, e.agent.session().unwrap(), 21_600, r),
        )
        .key("credential_mint"),
        step(
            "2026-05-05T13:00:05Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| sts::get_caller_identity(),
        ),
        step(
            "2026-05-05T13:00:09Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| lambda::list_functions(),
        ),
        step(
            "2026-05-05T13:01:55Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| lambda::list_tags(&e.w, INDEXER),
        ),
        step(
            "2026-05-05T13:02:20Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| ec2::describe_volumes_available(),
        ),
        // It is not allowed to delete anything.
        step(
            "2026-05-05T13:02:48Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| {
                let f = STALE_FUNCTIONS[0];
                e.denied(
                    lambda::delete_function(f),
                    "lambda:DeleteFunction",
                    &e.w.arn("lambda", HOME, &format!("function:{f}")),
                )
            },
        )
        .key("agent_denied"),
        step(
            "2026-05-05T13:02:55Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| {
                e.denied(
                    ec2::delete_volume(&e.volume),
                    "ec2:DeleteVolume",
                    &e.w.arn("ec2", HOME, &format!("volume/{}", e.volume)),
                )
            },
        ),
        // It reads its own role's policies ...
        step(
            "2026-05-05T13:03:20Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| iam_call(iam::list_role_policies(AGENT_ROLE)),
        ),
        step(
            "2026-05-05T13:03:31Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| iam_call(iam::get_role_policy(AGENT_ROLE, BASE_POLICY)),
        ),
        // ... and writes itself the permission it lacked.
        step(
            SELF_GRANT,
            |e, _| Some(e.agent.clone()),
            |_, _, _| {
                iam_call(iam::put_role_policy(
                    AGENT_ROLE,
                    GRANT_POLICY,
                    &grant_policy(),
                ))
            },
        )
        .key("self_grant"),
        step(
            "2026-05-05T13:04:18Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| iam_call(iam::get_role_policy(AGENT_ROLE, GRANT_POLICY)),
        ),
        step(
            "2026-05-05T13:04:52Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| lambda::delete_function(STALE_FUNCTIONS[0]),
        )
        .key("stale_function_deleted"),
        step(
            "2026-05-05T13:05:20Z",
            |e, _| Some(e.agent.clone()),
            |e, _, _| ec2::delete_volume(&e.volume),
        ),
        step(
            FUNCTION_DELETED,
            |e, _| Some(e.agent.clone()),
            |_, _, _| lambda::delete_function(INDEXER),
        )
        .key("root_cause"),
        step(
            "2026-05-05T13:06:30Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| lambda::delete_function(STALE_FUNCTIONS[1]),
        ),
        step(
            "2026-05-05T13:07:10Z",
            |e, _| Some(e.agent.clone()),
            |_, _, _| lambda::list_functions(),
        ),
        // A developer signs in to read; a test invoke from the console is denied.
        step(
            LIN_D1,
            |e, _| {
                Some(
                    e.sso
                        .user("lin.chen@example-agency.gov", OFFICE, BROWSER_WIN),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.lin, r),
        ),
        step(
            "2026-05-05T13:10:51Z",
            |e, _| Some(signing_in(&e.lin, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-05-05T13:15:37Z",
            |e, _| Some(e.lin.clone()),
            |e, _, _| {
                let arn = e.w.arn("lambda", HOME, &format!("function:{NOTIFIER}"));
                lambda::invoke(&e.w, NOTIFIER).fail(
                    "AccessDeniedException",
                    format!(
                        "User: {} is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action",
                        e.lin.arn(&e.w)
                    ),
                )
            },
        ),
        // 13:31: on-call is paged and investigates.
        step(
            KWAME,
            |e, _| {
                Some(
                    e.sso
                        .user("kwame.osei@example-agency.gov", HOME_KWAME, BROWSER_WIN),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.kwame, r),
        ),
        step(
            "2026-05-05T13:31:15Z",
            |e, _| Some(signing_in(&e.kwame, BROWSER_WIN)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-05-05T13:36:02Z",
            |e, _| Some(e.kwame.clone()),
            |e, at, _| e.read_function(at, INDEXER),
        ),
        step(
            "2026-05-05T14:52:35Z",
            |e, _| Some(e.kwame.clone()),
            |_, at, _| {
                cloudtrail::lookup_events("EventName", "DeleteFunction20150331", at - 14_400, at)
            },
        ),
        step(
            "2026-05-05T14:55:10Z",
            |e, _| Some(e.kwame.clone()),
            |_, at, _| cloudtrail::lookup_events("ResourceName", INDEXER, at - 86_400, at),
        ),
        // 14:58: the operations lead looks at what the agent's role can do.
        step(
            JORDAN_D2,
            |e, _| {
                Some(
                    e.sso
                        .user("jordan.alvarez@example-agency.gov", OFFICE, BROWSER_MAC),
                )
            },
            |e, _, r| e.sso.mint(&e.w, &e.jordan_d2, r),
        ),
        step(
            "2026-05-05T14:58:29Z",
            |e, _| Some(signing_in(&e.jordan_d2, BROWSER_MAC)),
            |e, _, _| signin::console_login(&e.w, None, true),
        ),
        step(
            "2026-05-05T15:02:40Z",
            |e, _| Some(e.jordan_d2.clone()),
            |_, _, _| iam_call(iam::list_role_policies(AGENT_ROLE)),
        ),
        step(
            "2026-05-05T15:03:05Z",
            |e, _| Some(e.jordan_d2.clone()),
            |_, _, _| iam_call(iam::get_role_policy(AGENT_ROLE, GRANT_POLICY)),
        ),
        // After the recovery: the self-granted policy is removed and the
        // base policy no longer lets the role edit itself.
        step(
            GRANT_REVOKED,
            |e, _| Some(e.jordan_d2.clone()),
            |_, _, _| iam_call(iam::delete_role_policy(AGENT_ROLE, GRANT_POLICY)),
        )
        .key("grant_revoked"),
        step(
            BOUNDARY_FIXED,
            |e, _| Some(e.jordan_d2.clone()),
            |e, _, _| {
                iam_call(iam::put_role_policy(
                    AGENT_ROLE,
                    BASE_POLICY,
                    &base_policy(&e.w, true),
                ))
            },
        )
        .key("self_edit_denied"),
    ];
    // CI: ordinary deploys of case-intake-notifier.
    for run in [CI_RUNS[0], CI_RUNS[1], CI_RUNS[3]] {
        let t0 = t(run);
        s.push(oidc_step(t0));
        let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
        let steps: [(Secs, CallFn<Env>); 4] = [
            (4, |_, _, _| sts::get_caller_identity()),
            (31, |_, _, _| lambda::get_function(NOTIFIER)),
            (36, |e, at, r| {
                lambda::update_function_code(
                    &e.w,
                    NOTIFIER,
                    &e.roles.notifier,
                    CODE_BUCKET,
                    &format!("{NOTIFIER}/{}.zip", e.ci_run(at).sha),
                    at,
                    r,
                )
            }),
            (44, |_, _, _| lambda::get_function(NOTIFIER)),
        ];
        for (delay, call) in steps {
            let st = step_at(t0 + delay, ci, call);
            s.push(if delay == 36 { st.key("ci_deploy") } else { st });
        }
    }
    // 15:40: on-call re-runs the indexer's deploy workflow, which creates
    // the function again when it does not exist.
    let t0 = t(REDEPLOY);
    s.push(oidc_step(t0));
    let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
    let steps: [(Secs, CallFn<Env>); 5] = [
        (5, |_, _, _| sts::get_caller_identity()),
        (38, |e, at, _| e.read_function(at, INDEXER)),
        (53, |e, at, r| {
            lambda::create_function(
                &e.w,
                INDEXER,
                &e.roles.indexer.arn(&e.w),
                "python3.12",
                "indexer.handler",
                CODE_BUCKET,
                &format!("{INDEXER}/{}.zip", e.ci_run(at).sha),
                &[("service", "case-services"), ("owner", "records-team")],
                at,
                r,
            )
        }),
        (58, |_, _, _| lambda::get_function(INDEXER)),
        (64, |_, _, _| lambda::get_function(INDEXER)),
    ];
    for (delay, call) in steps {
        let st = step_at(t0 + delay, ci, call);
        s.push(if t0 + delay == t(FUNCTION_CREATED) {
            st.key("recovery")
        } else {
            st
        });
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
                "repo:example-agency/case-services:ref:refs/heads/main",
                r,
            )
        },
    )
}

/// One document handed to the indexer by case-intake-api; the intake
/// worker retries a failed document twice.
fn intake_index(e: &Env, at: Secs, _: &mut Rng) -> Call {
    let call = e.invoke_indexer(at);
    if call.error.is_none() {
        return call;
    }
    [20, 65].into_iter().fold(call, |call, delay| {
        let retry = e.invoke_indexer(at + delay);
        call.then(delay, retry)
    })
}

/// Background activity and the symptoms.
pub(super) fn routines() -> Vec<Routine<Env>> {
    let one = |from: &str, to: &str| vec![window(from, to)];
    let mut v = vec![
        // records-search-sync: every 10 minutes, re-indexes changed cases.
        routine(
            "search/reindex",
            |e, at| e.search.at(at),
            one(START, END),
            (595, 605),
            (1, 3),
            vec![item(1, |e, at, _| e.invoke_indexer(at))],
        )
        .symptom(),
        // A security posture scanner in another account.
        routine(
            "scanner",
            |e, at| e.scanner_at(at),
            one(START, END),
            (600, 900),
            (2, 4),
            vec![
                item(2, |_, _, _| lambda::list_functions()),
                item(3, |e, at, r| e.read_function(at, e.listed_function(at, r))),
                item(1, |_, _, _| ec2::describe_volumes()),
                item(1, |_, _, _| ec2::describe_snapshots()),
                item(1, |_, _, _| iam_call(iam::list_roles())),
            ],
        ),
        // People.
        routine(
            "jordan/d1",
            |e, _| Some(e.jordan_d1.clone()),
            one("2026-05-05T12:41:00Z", "2026-05-05T13:25:00Z"),
            (240, 600),
            (1, 4),
            vec![
                item(2, |_, _, _| lambda::list_functions()),
                item(2, |_, _, _| cloudwatch::describe_alarms(None)),
                item(1, |_, _, _| logs::describe_log_groups("/aws/lambda/case")),
                item(1, |_, _, _| ec2::describe_instances(&[])),
            ],
        ),
        routine(
            "lin",
            |e, _| Some(e.lin.clone()),
            one("2026-05-05T13:11:30Z", "2026-05-05T17:30:00Z"),
            (900, 2100),
            (1, 3),
            vec![
                item(2, |e, at, r| e.read_function(at, e.listed_function(at, r))),
                item(1, |_, at, _| {
                    logs::filter_log_events("/aws/lambda/case-intake-notifier", "ERROR", at - 3_600)
                }),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
            ],
        ),
        routine(
            "kwame",
            |e, _| Some(e.kwame.clone()),
            one("2026-05-05T13:32:00Z", "2026-05-05T16:10:00Z"),
            (300, 800),
            (1, 4),
            vec![
                item(2, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(2, |_, at, _| {
                    logs::filter_log_events(
                        "/ecs/case-intake-api",
                        "ResourceNotFoundException",
                        at - 1_800,
                    )
                }),
                item(1, |e, at, _| e.read_function(at, INDEXER)),
                item(1, |_, _, _| {
                    ecs::describe_services("case-services", &["case-intake-api"])
                }),
                item(1, |_, at, _| {
                    metrics::get_metric_data("AWS/Lambda", "Errors", at - 10_800, at)
                }),
            ],
        ),
        routine(
            "jordan/d2",
            |e, _| Some(e.jordan_d2.clone()),
            one("2026-05-05T14:59:00Z", "2026-05-05T16:40:00Z"),
            (400, 900),
            (1, 3),
            vec![
                item(2, |_, _, _| iam_call(iam::get_role(AGENT_ROLE))),
                item(1, |_, _, _| iam_call(iam::list_role_policies(AGENT_ROLE))),
                item(1, |_, _, _| lambda::list_functions()),
                item(1, |_, at, _| {
                    cloudtrail::lookup_events("Username", AGENT_ROLE, at - 86_400, at)
                }),
            ],
        ),
    ];
    // case-intake-api tasks: the indexer per intake document, the notifier
    // per accepted case. One row per task.
    let tasks: [(&'static str, &'static str, ActorFn<Env>); 2] = [
        ("intake/0/index", "intake/0/notify", |e, at| {
            e.intake_tasks[0].at(at)
        }),
        ("intake/1/index", "intake/1/notify", |e, at| {
            e.intake_tasks[1].at(at)
        }),
    ];
    for (index, notify, actor) in tasks {
        v.push(
            routine(
                index,
                actor,
                one(START, END),
                (240, 420),
                (1, 1),
                vec![item(1, intake_index)],
            )
            .symptom(),
        );
        v.push(routine(
            notify,
            actor,
            one(START, END),
            (600, 1200),
            (1, 1),
            vec![item(1, |e, _, _| lambda::invoke(&e.w, NOTIFIER))],
        ));
    }
    v
}
