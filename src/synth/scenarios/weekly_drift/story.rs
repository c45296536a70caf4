//! The story as tables: the dated steps (the review week's changes, the
//! scheduled jobs, the decoys) and the routines (everyone's repertoire).

use super::calls::{ce, ec2_more, iam_admin, logs, rds_more, s3_more};
use super::*;
use crate::synth::api::{cfn, cloudtrail, cloudwatch, ec2, lambda, rds, s3, secrets, ssm};
use serde_json::Value;

/// Roles people look at in the IAM console.
const ROLE_NAMES: &[&str] = &[
    "dev-assistant-agent-role",
    "github-actions-deploy",
    "inventory-sync-role",
    "storefront-instance-role",
    "data-export-role",
];

const LOG_GROUPS: &[&str] = &[
    "/aws/lambda/inventory-sync",
    "/storefront/api",
    "/storefront/web",
];

const FUNCTIONS: &[&str] = &["inventory-sync", "storefront-thumbnailer"];

fn template_url(sha: &str) -> String {
    format!("https://{ARTIFACT_BUCKET}.s3.{HOME}.amazonaws.com/storefront-api/{sha}.yaml")
}

fn ci_policy_arn(w: &World) -> String {
    w.iam_arn("policy/ci-deploy-storefront")
}

/// The probe's calls, in order: service, eventName, IAM action, request
/// and the resource named in the error. `None` as the action marks a call
/// the key's policy allows.
type ProbeRow = (
    &'static str,
    &'static str,
    Option<&'static str>,
    fn(&World) -> Value,
    fn(&World) -> String,
);

fn any(_: &World) -> String {
    "*".to_string()
}

fn none(_: &World) -> Value {
    Value::Null
}

const PROBES: &[ProbeRow] = &[
    ("iam", "ListUsers", Some("iam:ListUsers"), none, |w| {
        w.iam_arn("user/")
    }),
    (
        "iam",
        "ListRoles",
        Some("iam:ListRoles"),
        |_| json!({"maxItems": 1000}),
        |w| w.iam_arn("role/"),
    ),
    (
        "iam",
        "GetAccountAuthorizationDetails",
        Some("iam:GetAccountAuthorizationDetails"),
        |_| json!({"maxItems": 1000}),
        any,
    ),
    (
        "iam",
        "ListAttachedUserPolicies",
        Some("iam:ListAttachedUserPolicies"),
        |_| json!({"userName": "svc-backup"}),
        |w| w.iam_arn("user/svc-backup"),
    ),
    (
        "s3",
        "ListBuckets",
        Some("s3:ListAllMyBuckets"),
        none,
        |_| "arn:aws:s3:::*".to_string(),
    ),
    (
        "ec2",
        "DescribeInstances",
        Some("ec2:DescribeInstances"),
        |_| json!({"instancesSet": {}, "filterSet": {}}),
        any,
    ),
    (
        "ec2",
        "DescribeVolumes",
        None,
        |_| json!({"volumeSet": {}, "filterSet": {}}),
        any,
    ),
    (
        "ec2",
        "DescribeSecurityGroups",
        Some("ec2:DescribeSecurityGroups"),
        |_| json!({"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}),
        any,
    ),
    (
        "secretsmanager",
        "ListSecrets",
        Some("secretsmanager:ListSecrets"),
        |_| json!({"maxResults": 100}),
        any,
    ),
    (
        "rds",
        "DescribeDBInstances",
        Some("rds:DescribeDBInstances"),
        none,
        |w| w.arn("rds", HOME, "db:*"),
    ),
    (
        "lambda",
        "ListFunctions20150331",
        Some("lambda:ListFunctions"),
        none,
        any,
    ),
    (
        "dynamodb",
        "ListTables",
        Some("dynamodb:ListTables"),
        |_| json!({"limit": 100}),
        any,
    ),
    ("kms", "ListKeys", Some("kms:ListKeys"), none, any),
    (
        "ssm",
        "DescribeParameters",
        Some("ssm:DescribeParameters"),
        |_| json!({"maxResults": 50}),
        any,
    ),
    ("sns", "ListTopics", Some("sns:ListTopics"), none, |w| {
        w.arn("sns", HOME, "*")
    }),
    ("sqs", "ListQueues", Some("sqs:ListQueues"), none, |w| {
        w.arn("sqs", HOME, "*")
    }),
    (
        "ec2",
        "DescribeSnapshots",
        None,
        |_| json!({"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "sharedUsersSet": {}, "filterSet": {}}),
        any,
    ),
    (
        "logs",
        "DescribeLogGroups",
        Some("logs:DescribeLogGroups"),
        none,
        |w| w.arn("logs", HOME, "log-group::log-stream:"),
    ),
    (
        "cloudtrail",
        "DescribeTrails",
        Some("cloudtrail:DescribeTrails"),
        |_| json!({"includeShadowTrails": true}),
        |w| w.arn("cloudtrail", HOME, "trail/*"),
    ),
    (
        "guardduty",
        "ListDetectors",
        Some("guardduty:ListDetectors"),
        none,
        |w| w.arn("guardduty", HOME, "detector/*"),
    ),
    (
        "organizations",
        "DescribeOrganization",
        Some("organizations:DescribeOrganization"),
        none,
        any,
    ),
    (
        "ecr",
        "DescribeRepositories",
        Some("ecr:DescribeRepositories"),
        none,
        |w| w.arn("ecr", HOME, "repository/*"),
    ),
    ("ecs", "ListClusters", Some("ecs:ListClusters"), none, any),
    ("eks", "ListClusters", Some("eks:ListClusters"), none, |w| {
        w.arn("eks", HOME, "cluster/*")
    }),
    (
        "route53",
        "ListHostedZones",
        Some("route53:ListHostedZones"),
        none,
        any,
    ),
    (
        "cloudformation",
        "ListStacks",
        Some("cloudformation:ListStacks"),
        none,
        |w| w.arn("cloudformation", HOME, "stack/*/*"),
    ),
    (
        "iam",
        "ListAccessKeys",
        Some("iam:ListAccessKeys"),
        |_| json!({"userName": "svc-backup"}),
        |w| w.iam_arn("user/svc-backup"),
    ),
    (
        "sts",
        "AssumeRole",
        Some("sts:AssumeRole"),
        |w| json!({"roleArn": w.iam_arn("role/data-export-role"), "roleSessionName": "test"}),
        |w| w.iam_arn("role/data-export-role"),
    ),
];

/// Seconds after the probe's first call at which each row of [`PROBES`] runs.
fn probe_offset(i: usize) -> Secs {
    let i = i as Secs;
    13 + i * 8 + (i * 7) % 5
}

/// Call `i` of the probe.
fn probe_call(e: &Env, i: usize, r: &mut Rng) -> Call {
    let (service, name, action, request, resource) = PROBES[i];
    let mut call = match (service, name) {
        ("s3", "ListBuckets") => s3::list_buckets(&e.w, r),
        _ => Call::new(service, name, true).req(request(&e.w)),
    };
    match service {
        "iam" => call = calls::global(call),
        "route53" => call.host = Some("route53.amazonaws.com".to_string()),
        _ => {}
    }
    let Some(action) = action else {
        return call;
    };
    let mut call = call.denied(&e.w, &e.probe_caller, action, &resource(&e.w));
    // JSON-protocol services name the error with the exception's name.
    if matches!(
        service,
        "kms" | "logs" | "ecr" | "ecs" | "eks" | "guardduty" | "organizations" | "dynamodb"
    ) && let Some((code, _)) = &mut call.error
    {
        *code = "AccessDeniedException".to_string();
    }
    call
}

/// The probe's steps: `(offset, call)` functions cannot capture the index,
/// so each step looks its index up from its time.
fn probe_index(at: Secs) -> usize {
    let rel = at - t(PROBE);
    (0..PROBES.len())
        .find(|i| probe_offset(*i) == rel)
        .expect("probe steps run at their offsets")
}

/// The dated steps.
pub(super) fn script(e: &Env) -> Vec<Step<Env>> {
    let mut s: Vec<Step<Env>> = Vec::new();
    monthly_reviews(&mut s);
    review_week(&mut s);
    ci_runs(e, &mut s);
    backups(e, &mut s);
    reports(e, &mut s);
    exports(e, &mut s);
    s.sort_by_key(|step| step.at);
    s
}

/// `maria.lopez`'s monthly access review: a credential report, everyone's
/// access keys, and old AMI snapshots deleted in eu-west-1. It happens on
/// the first Tuesday of February (baseline) and of March (review week).
fn monthly_reviews(s: &mut Vec<Step<Env>>) {
    for (m, at) in MONTHLY_REVIEWS.iter().enumerate() {
        let t0 = t(at);
        let maria: ActorFn<Env> = |e, at| e.maria_at(at);
        let rows: [(Secs, CallFn<Env>); 8] = [
            (95, |_, _, _| iam_admin::generate_credential_report()),
            (110, |_, _, _| iam_admin::get_credential_report()),
            (160, |_, _, _| iam_admin::list_users()),
            (175, |_, _, _| iam_admin::list_access_keys("maria.lopez")),
            (180, |_, _, _| iam_admin::list_access_keys("tom.becker")),
            (186, |_, _, _| iam_admin::list_access_keys("svc-backup")),
            (191, |_, _, _| iam_admin::list_access_keys("svc-reporting")),
            (260, |_, _, _| iam_admin::list_mfa_devices("tom.becker")),
        ];
        for (delay, call) in rows {
            s.push(step_at(t0 + delay, maria, call));
        }
        s.push(step_at(t0 + 600, maria, |_, _, _| ec2::describe_snapshots()).region(OTHER));
        let deletes: [CallFn<Env>; 2] = if m == 0 {
            [
                |e, _, _| ec2::delete_snapshot(&e.monthly_snapshots[0][0]),
                |e, _, _| ec2::delete_snapshot(&e.monthly_snapshots[0][1]),
            ]
        } else {
            [
                |e, _, _| ec2::delete_snapshot(&e.monthly_snapshots[1][0]),
                |e, _, _| ec2::delete_snapshot(&e.monthly_snapshots[1][1]),
            ]
        };
        s.push(
            step_at(t0 + 690, maria, deletes[0])
                .region(OTHER)
                .key("decoy_monthly_review"),
        );
        s.push(step_at(t0 + 702, maria, deletes[1]).region(OTHER));
    }
}

/// The changes of the review week (and the one IAM change of the baseline).
fn review_week(s: &mut Vec<Step<Env>>) {
    let priya: ActorFn<Env> = |e, at| e.priya_at(at);
    let maria: ActorFn<Env> = |e, at| e.maria_at(at);
    let agent: ActorFn<Env> = |e, at| e.agent_at(at);

    // W07: priya publishes a new default version of the CI policy.
    let pv = t(POLICY_VERSION);
    s.push(step_at(pv - 95, priya, |e, _, _| {
        iam_admin::get_policy(&ci_policy_arn(&e.w))
    }));
    s.push(step_at(pv - 80, priya, |e, _, _| {
        iam_admin::get_policy_version(&ci_policy_arn(&e.w), "v1")
    }));
    s.push(
        step_at(pv, priya, |e, at, _| {
            iam_admin::create_policy_version(
                &ci_policy_arn(&e.w),
                &snapshot::ci_policy_v2(&e.w),
                "v2",
                at,
            )
        })
        .key("baseline_policy_version"),
    );

    // Tuesday: priya attaches PowerUserAccess to the agent's role.
    let g = t(GRANT);
    s.push(step_at(g - 120, priya, |_, _, _| {
        iam_admin::get_role("dev-assistant-agent-role")
    }));
    s.push(step_at(g - 101, priya, |_, _, _| {
        iam_admin::list_attached_role_policies("dev-assistant-agent-role")
    }));
    s.push(step_at(g - 99, priya, |_, _, _| {
        iam_admin::list_role_policies("dev-assistant-agent-role")
    }));
    s.push(step_at(g - 58, priya, |_, _, _| iam_admin::list_policies()));
    s.push(
        step_at(g, priya, |e, _, _| {
            iam_admin::attach_role_policy(
                "dev-assistant-agent-role",
                &e.w.aws_policy("PowerUserAccess"),
            )
        })
        .key("permission_grant"),
    );
    s.push(step_at(g + 4, priya, |_, _, _| {
        iam_admin::list_attached_role_policies("dev-assistant-agent-role")
    }));

    // Wednesday: the agent, now a power user, cleans up: instances in a
    // region it never worked in, manual DB snapshots, an S3 bucket.
    let a = t(SPREE);
    s.push(
        step_at(a + 425, agent, |_, _, _| {
            ec2_more::describe_instances_in("running")
        })
        .region(OTHER)
        .key("agent_new_region"),
    );
    s.push(
        step_at(a + 478, agent, |e, _, _| {
            ec2::describe_instances(&refs(&e.stale_instances))
        })
        .region(OTHER),
    );
    s.push(
        step_at(a + 562, agent, |e, _, _| {
            ec2_more::terminate(&refs(&e.stale_instances))
        })
        .region(OTHER)
        .key("agent_new_action"),
    );
    s.push(
        step_at(a + 610, agent, |e, _, _| {
            ec2::describe_instances(&refs(&e.stale_instances))
        })
        .region(OTHER),
    );
    s.push(step_at(a + 963, agent, |_, _, _| {
        rds_more::describe_db_snapshots_all()
    }));
    s.push(
        step_at(a + 1038, agent, |e, _, _| {
            let (id, created) = &e.db_snapshots[0];
            rds_more::delete_db_snapshot(&e.w, id, "storefront-db", *created)
        })
        .key("agent_new_action"),
    );
    s.push(step_at(a + 1061, agent, |e, _, _| {
        let (id, created) = &e.db_snapshots[1];
        rds_more::delete_db_snapshot(&e.w, id, "storefront-db", *created)
    }));
    s.push(step_at(a + 1490, agent, |e, _, r| {
        s3::list_buckets(&e.w, r)
    }));
    s.push(step_at(a + 1512, agent, |e, _, r| {
        s3::get_bucket_location(&e.w, SCRATCH_BUCKET, r)
    }));
    s.push(
        step_at(a + 1565, agent, |e, _, r| {
            s3::delete_bucket(&e.w, SCRATCH_BUCKET, r)
        })
        .key("agent_new_action"),
    );
    s.push(step_at(a + 1600, agent, |e, _, r| {
        s3::list_buckets(&e.w, r)
    }));

    // Wednesday evening: maria creates a second access key for svc-backup.
    let k = t(KEY_CREATED);
    s.push(step_at(k - 280, maria, |_, _, _| iam_admin::list_users()));
    s.push(step_at(k - 33, maria, |_, _, _| {
        iam_admin::list_access_keys("svc-backup")
    }));
    s.push(
        step_at(k, maria, |e, at, _| {
            iam_admin::create_access_key("svc-backup", &e.new_backup_key, at)
        })
        .key("credential_created"),
    );
    s.push(step_at(k + 6, maria, |_, _, _| {
        iam_admin::list_access_keys("svc-backup")
    }));

    // Thursday: priya gives svc-reporting a console password.
    let l = t(LOGIN_PROFILE);
    s.push(step_at(l - 62, priya, |_, _, _| iam_admin::list_users()));
    s.push(step_at(l - 41, priya, |_, _, _| {
        iam_admin::list_groups_for_user("svc-reporting")
    }));
    s.push(
        step_at(l, priya, |_, at, _| {
            iam_admin::create_login_profile("svc-reporting", at)
        })
        .key("login_profile_created"),
    );

    // Thursday evening: maria opens data-export-role to another account.
    let tr = t(TRUST_OPENED);
    s.push(step_at(tr - 70, maria, |_, _, _| {
        iam_admin::get_role("data-export-role")
    }));
    s.push(
        step_at(tr, maria, |e, _, _| {
            iam_admin::update_assume_role_policy(
                "data-export-role",
                &snapshot::export_trust(&e.w, true),
            )
        })
        .key("trust_opened"),
    );
    s.push(step_at(tr + 5, maria, |_, _, _| {
        iam_admin::get_role("data-export-role")
    }));

    // Friday night: the new key, from an address never seen before, asks
    // who it is and then tries everything.
    let p = t(PROBE);
    let prober: ActorFn<Env> = |e, _| Some(e.probe_caller.clone());
    s.push(
        step_at(p, prober, |_, _, _| {
            crate::synth::api::sts::get_caller_identity()
        })
        .key("new_key_first_use"),
    );
    let denied: Vec<usize> = (0..PROBES.len())
        .filter(|i| PROBES[*i].2.is_some())
        .collect();
    for i in 0..PROBES.len() {
        // Every call of the probe goes to us-east-1 (the home region).
        let st = step_at(p + probe_offset(i), prober, |e, at, r| {
            probe_call(e, probe_index(at), r)
        });
        s.push(if Some(&i) == denied.first() {
            st.key("access_denied_burst_first")
        } else if Some(&i) == denied.last() {
            st.key("access_denied_burst_last")
        } else {
            st
        });
    }
}

/// One of `items`, chosen by `r`.
fn one<'a>(r: &mut Rng, items: &[&'a str]) -> &'a str {
    let item: &&str = r.pick(items);
    item
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// GitHub Actions: pull-request runs read the stack; the weekly release deploys.
fn ci_runs(e: &Env, s: &mut Vec<Step<Env>>) {
    let ci: ActorFn<Env> = |e, at| Some(e.ci_run(at).caller.clone());
    for run in &e.ci {
        let t0 = run.start;
        let oidc: ActorFn<Env> = if run.deploy {
            |e, _| Some(e.ci_oidc[0].clone())
        } else {
            |e, _| Some(e.ci_oidc[1].clone())
        };
        s.push(step_at(t0, oidc, |e, at, r| {
            let run = e.ci_run(at);
            let subject = if run.deploy {
                "repo:example-org/storefront:ref:refs/heads/main"
            } else {
                "repo:example-org/storefront:pull_request"
            };
            crate::synth::api::sts::assume_role_with_web_identity(
                &e.w,
                run.caller.session().expect("CI runs are role sessions"),
                &e.oidc,
                subject,
                r,
            )
        }));
        let test: [(Secs, CallFn<Env>); 6] = [
            (4, |_, _, _| crate::synth::api::sts::get_caller_identity()),
            (31, |_, _, _| cfn::describe_stacks(Some("storefront-api"))),
            (34, |_, _, _| cfn::get_template("storefront-api")),
            (38, |e, at, _| {
                cfn::validate_template(&template_url(&e.ci_run(at).sha))
            }),
            (45, |_, _, _| lambda::get_function("inventory-sync")),
            (52, |_, _, _| {
                cfn::describe_stack_resources("storefront-api")
            }),
        ];
        let deploy: [(Secs, CallFn<Env>); 11] = [
            (4, |_, _, _| crate::synth::api::sts::get_caller_identity()),
            (41, |e, at, r| {
                s3::put_object(
                    &e.w,
                    ARTIFACT_BUCKET,
                    &format!("inventory-sync/{}.zip", e.ci_run(at).sha),
                    2_100_000 + r.below(300_000),
                    r,
                )
            }),
            (52, |e, at, r| {
                lambda::update_function_code(
                    &e.w,
                    "inventory-sync",
                    &e.roles.inventory,
                    ARTIFACT_BUCKET,
                    &format!("inventory-sync/{}.zip", e.ci_run(at).sha),
                    at,
                    r,
                )
            }),
            (63, |e, at, _| {
                let run = e.ci_run(at);
                let name = format!("release-{}", &run.sha[..12]);
                let arn = e.w.arn(
                    "cloudformation",
                    HOME,
                    &format!("changeSet/{name}/{}", run.change_set_id),
                );
                cfn::create_change_set(
                    "storefront-api",
                    &e.api_stack_id,
                    &name,
                    &arn,
                    Some(&template_url(&run.sha)),
                    &[("ImageTag", &run.sha[..12])],
                )
            }),
            (70, |e, at, _| {
                cfn::describe_change_set(
                    "storefront-api",
                    &format!("release-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (78, |e, at, _| {
                cfn::describe_change_set(
                    "storefront-api",
                    &format!("release-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (84, |e, at, _| {
                cfn::execute_change_set(
                    "storefront-api",
                    &format!("release-{}", &e.ci_run(at).sha[..12]),
                )
            }),
            (97, |e, _, r| {
                lambda::update_function_configuration(&e.w, "inventory-sync", &e.roles.inventory, r)
                    .via("cloudformation.amazonaws.com")
            }),
            (100, |_, _, _| cfn::describe_stacks(Some("storefront-api"))),
            (130, |_, _, _| cfn::describe_stacks(Some("storefront-api"))),
            (160, |_, _, _| cfn::describe_stacks(Some("storefront-api"))),
        ];
        let steps: &[(Secs, CallFn<Env>)] = if run.deploy { &deploy } else { &test };
        for &(delay, call) in steps {
            let st = step_at(t0 + delay, ci, call);
            s.push(if run.deploy && delay == 84 {
                st.key("decoy_ci_weekly_deploy")
            } else {
                st
            });
        }
    }
}

/// The nightly backup job (svc-backup's old key, from the office server):
/// snapshots of two volumes at home and one in eu-west-1; on Sundays it
/// deletes the home snapshots that are two weeks old.
fn backups(e: &Env, s: &mut Vec<Step<Env>>) {
    let job: ActorFn<Env> = |e, _| Some(e.backup_caller.clone());
    for night in e.nights.iter().filter(|n| n.at >= e.w.start) {
        let t0 = night.at;
        let home: [(Secs, CallFn<Env>); 4] = [
            (0, |_, _, _| {
                ec2_more::describe_volumes_tagged("backup", "daily")
            }),
            (3, |e, at, _| {
                let (_, n) = e.night(at);
                let (vol, size) = &e.volumes[0];
                ec2_more::create_snapshot(&e.w, vol, *size, &n.snapshots[0], "svc-backup daily", at)
            }),
            (5, |e, at, _| {
                let (_, n) = e.night(at);
                let (vol, size) = &e.volumes[1];
                ec2_more::create_snapshot(&e.w, vol, *size, &n.snapshots[1], "svc-backup daily", at)
            }),
            (6, |e, at, _| {
                let (_, n) = e.night(at);
                ec2::create_tags(
                    &[&n.snapshots[0], &n.snapshots[1]],
                    &[("backup", "daily"), ("retention", "14d")],
                )
            }),
        ];
        for (delay, call) in home {
            s.push(step_at(t0 + delay, job, call));
        }
        let other: [(Secs, CallFn<Env>); 3] = [
            (9, |_, _, _| {
                ec2_more::describe_volumes_tagged("backup", "daily")
            }),
            (11, |e, at, _| {
                let (_, n) = e.night(at);
                let (vol, size) = &e.volumes[2];
                ec2_more::create_snapshot(&e.w, vol, *size, &n.snapshots[2], "svc-backup daily", at)
            }),
            (12, |e, at, _| {
                let (_, n) = e.night(at);
                ec2::create_tags(
                    &[&n.snapshots[2]],
                    &[("backup", "daily"), ("retention", "14d")],
                )
            }),
        ];
        for (delay, call) in other {
            s.push(step_at(t0 + delay, job, call).region(OTHER));
        }
        if weekday(t0) == 6 {
            s.push(step_at(t0 + 20, job, |e, _, _| {
                ec2_more::describe_snapshots_of(&[&e.volumes[0].0, &e.volumes[1].0])
            }));
            s.push(
                step_at(t0 + 24, job, |e, at, _| {
                    let (i, _) = e.night(at);
                    ec2::delete_snapshot(&e.nights[i - 14].snapshots[0])
                })
                .key("decoy_backup_retention"),
            );
            s.push(step_at(t0 + 26, job, |e, at, _| {
                let (i, _) = e.night(at);
                ec2::delete_snapshot(&e.nights[i - 14].snapshots[1])
            }));
        }
    }
}

/// svc-reporting's daily cost report.
fn reports(e: &Env, s: &mut Vec<Step<Env>>) {
    let job: ActorFn<Env> = |e, _| Some(e.reporting_caller.clone());
    for &at in &e.reports {
        let rows: [(Secs, CallFn<Env>); 3] = [
            (0, |_, at, _| {
                let day = at - at.rem_euclid(DAY);
                ce::get_cost_and_usage(day - 7 * DAY, day, "DAILY")
            }),
            (2, |_, at, _| {
                let day = at - at.rem_euclid(DAY);
                ce::get_cost_and_usage(day - 90 * DAY, day, "MONTHLY")
            }),
            (4, |_, at, _| {
                let day = at - at.rem_euclid(DAY);
                ce::get_cost_forecast(day + DAY, day + 31 * DAY)
            }),
        ];
        for (delay, call) in rows {
            s.push(step_at(at + delay, job, call));
        }
    }
}

/// The analytics vendor downloads yesterday's export files.
fn exports(e: &Env, s: &mut Vec<Step<Env>>) {
    let vendor: ActorFn<Env> = |e, at| e.partner_at(at);
    for d in &e.partner_days {
        let rows: [(Secs, CallFn<Env>); 3] = [
            (6, |e, at, r| export_object(e, at, 0, r)),
            (9, |e, at, r| export_object(e, at, 1, r)),
            (13, |e, at, r| export_object(e, at, 2, r)),
        ];
        for (delay, call) in rows {
            s.push(step_at(d.from + delay, vendor, call));
        }
    }
}

fn export_object(e: &Env, at: Secs, part: usize, r: &mut Rng) -> Call {
    let day = crate::synth::identity::iso(at - DAY);
    let key = format!("daily/{}/part-{part:05}.snappy.parquet", &day[..10]);
    s3_more::get_object(&e.w, EXPORT_BUCKET, &key, 8_000_000 + r.below(4_000_000), r)
}

/// Everyone's repertoire.
pub(super) fn routines(e: &Env) -> Vec<Routine<Env>> {
    let active = |days: &[Day]| -> Vec<(Secs, Secs)> { days.iter().map(|d| d.active).collect() };
    let all = vec![(e.w.start, e.w.end)];
    let mut v = vec![
        // tom.becker: a developer with a long-term key, on the CLI all day.
        routine(
            "tom/home",
            |e, _| Some(e.tom_caller.clone()),
            e.tom_days.clone(),
            (1_500, 3_600),
            (2, 6),
            vec![
                item(3, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| ec2::describe_security_groups()),
                item(3, |_, at, r| {
                    logs::filter_log_events(one(r, LOG_GROUPS), at - 3_600, at)
                }),
                item(1, |_, _, _| logs::describe_log_groups("/storefront")),
                item(2, |_, _, r| lambda::get_function(one(r, FUNCTIONS))),
                item(1, |_, _, _| lambda::list_functions()),
                item(2, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(1, |_, _, r| cfn::describe_stack_events(one(r, STACKS))),
                item(1, |e, _, r| s3::list_buckets(&e.w, r)),
                item(1, |_, _, _| rds::describe_db_instances()),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
                item(1, |_, _, _| crate::synth::api::sts::get_caller_identity()),
                item(1, |_, _, _| {
                    ssm::get_parameters(&["/storefront/api/feature-flags"])
                }),
            ],
        )
        .symptom(),
        routine(
            "tom/other",
            |e, _| Some(e.tom_caller.clone()),
            e.tom_days.clone(),
            (5_400, 10_800),
            (1, 3),
            vec![
                item(2, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, at, _| {
                    logs::filter_log_events("/storefront/web", at - 3_600, at)
                }),
            ],
        )
        .region(OTHER)
        .symptom(),
        // dana.kim's own CLI use, beside the agent she runs.
        routine(
            "dana",
            |e, at| e.dana_at(at),
            active(&e.dana_days),
            (2_400, 5_400),
            (1, 3),
            vec![
                item(2, |_, at, r| {
                    logs::filter_log_events(one(r, LOG_GROUPS), at - 1_800, at)
                }),
                item(1, |_, _, r| lambda::get_function(one(r, FUNCTIONS))),
                item(1, |_, _, _| cfn::describe_stacks(Some("storefront-api"))),
                item(1, |_, _, _| crate::synth::api::sts::get_caller_identity()),
            ],
        )
        .symptom(),
        // The agent: reads only, in us-east-1 only.
        routine(
            "agent",
            |e, at| e.agent_at(at),
            active(&e.agent_days),
            (60, 240),
            (1, 4),
            vec![
                item(1, |_, _, _| crate::synth::api::sts::get_caller_identity()),
                item(3, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| ec2::describe_security_groups()),
                item(1, |_, _, _| ec2::describe_volumes()),
                item(1, |_, _, _| ec2_more::describe_subnets()),
                item(1, |_, _, _| ec2_more::describe_instance_types()),
                item(1, |_, _, _| rds::describe_db_instances()),
                item(1, |_, _, _| rds_more::describe_db_snapshots_all()),
                item(1, |_, _, _| rds_more::describe_db_clusters()),
                item(1, |e, _, r| s3_more::list_buckets(&e.w, r)),
                item(1, |e, _, r| {
                    s3::get_bucket_location(&e.w, ARTIFACT_BUCKET, r)
                }),
                item(2, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(1, |_, _, _| cfn::list_stacks()),
                item(1, |_, _, r| cfn::describe_stack_events(one(r, STACKS))),
                item(1, |_, _, _| lambda::list_functions()),
                item(1, |_, _, r| lambda::get_function(one(r, FUNCTIONS))),
                item(1, |_, _, _| logs::describe_log_groups("/storefront")),
                item(2, |_, at, r| {
                    logs::filter_log_events(one(r, LOG_GROUPS), at - 7_200, at)
                }),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
            ],
        )
        .symptom(),
        // priya.natarajan: the platform lead, administrator, IAM console.
        routine(
            "priya",
            |e, at| e.priya_at(at),
            active(&e.priya_days),
            (600, 1_800),
            (1, 4),
            vec![
                item(2, |_, _, _| iam_admin::list_roles()),
                item(2, |_, _, r| iam_admin::get_role(one(r, ROLE_NAMES))),
                item(1, |_, _, r| {
                    iam_admin::list_attached_role_policies(one(r, ROLE_NAMES))
                }),
                item(1, |_, _, r| {
                    iam_admin::list_role_policies(one(r, ROLE_NAMES))
                }),
                item(1, |_, _, _| iam_admin::list_policies()),
                item(1, |e, _, _| iam_admin::get_policy(&ci_policy_arn(&e.w))),
                item(1, |e, _, _| {
                    iam_admin::get_policy_version(&ci_policy_arn(&e.w), "v1")
                }),
                item(1, |_, _, _| iam_admin::list_users()),
                item(1, |_, _, r| {
                    iam_admin::list_groups_for_user(one(
                        r,
                        &["tom.becker", "svc-backup", "maria.lopez"],
                    ))
                }),
                item(1, |_, _, _| iam_admin::get_account_summary()),
                item(1, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(1, |_, _, _| cloudwatch::describe_alarms(None)),
                item(1, |_, _, _| ec2::describe_instances(&[])),
            ],
        )
        .symptom(),
        // li.wei: on call, read-only, every day including weekends.
        routine(
            "li/home",
            |e, at| e.li_at(at),
            active(&e.li_days),
            (600, 2_400),
            (1, 4),
            vec![
                item(4, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
                item(3, |_, _, _| ec2::describe_instances(&[])),
                item(2, |_, _, r| cfn::describe_stacks(Some(*r.pick(STACKS)))),
                item(3, |_, at, r| {
                    logs::filter_log_events(one(r, LOG_GROUPS), at - 3_600, at)
                }),
                item(1, |_, _, _| lambda::list_functions()),
                item(1, |_, _, _| rds::describe_db_instances()),
                // Read-only on-call cannot read secrets: ordinary, scattered
                // AccessDenied in every week.
                item(1, |e, at, _| {
                    let (arn, version) = &e.inventory_secret;
                    let li = e.li_at(at).expect("the routine runs in li.wei's sessions");
                    secrets::get_secret_value(&e.w, arn, arn, version).denied(
                        &e.w,
                        &li,
                        "secretsmanager:GetSecretValue",
                        arn,
                    )
                }),
            ],
        )
        .symptom(),
        routine(
            "li/other",
            |e, at| e.li_at(at),
            active(&e.li_days),
            (2_400, 5_400),
            (1, 2),
            vec![
                item(1, |_, _, _| ec2::describe_instances(&[])),
                item(1, |_, _, _| cloudwatch::describe_alarms(Some("ALARM"))),
            ],
        )
        .region(OTHER)
        .symptom(),
        // maria.lopez: account administrator, a little IAM housekeeping.
        routine(
            "maria",
            |e, at| e.maria_at(at),
            active(&e.maria_days),
            (400, 1_200),
            (1, 3),
            vec![
                item(2, |_, _, _| iam_admin::list_users()),
                item(1, |_, _, r| iam_admin::get_role(one(r, ROLE_NAMES))),
                item(1, |_, _, _| iam_admin::list_roles()),
                item(1, |_, _, _| iam_admin::get_account_summary()),
                item(1, |_, _, r| {
                    iam_admin::list_mfa_devices(one(r, &["maria.lopez", "tom.becker"]))
                }),
                item(1, |_, at, _| {
                    cloudtrail::lookup_events("EventName", "ConsoleLogin", at - 7 * DAY, at)
                }),
                item(1, |e, _, r| s3::list_buckets(&e.w, r)),
            ],
        )
        .symptom(),
        // inventory-sync, a Lambda function run on a schedule.
        routine(
            "inventory/home",
            |e, at| e.inventory.at(at),
            all.clone(),
            (RUN_HOME, RUN_HOME),
            (2, 4),
            vec![
                item(2, |e, _, _| {
                    let (arn, version) = &e.inventory_secret;
                    secrets::get_secret_value(&e.w, arn, arn, version)
                }),
                item(1, |_, _, _| {
                    ssm::get_parameters(&["/storefront/inventory/endpoint"])
                }),
                item(2, |_, _, _| ec2_more::describe_instances_in("running")),
            ],
        )
        .eager(),
        routine(
            "inventory/other",
            |e, at| e.inventory.at(at),
            all.clone(),
            (RUN_OTHER, RUN_OTHER),
            (1, 2),
            vec![item(1, |_, _, _| {
                ec2_more::describe_instances_in("running")
            })],
        )
        .region(OTHER)
        .eager(),
    ];
    // The storefront's instances: SSM heartbeats and the app reading its
    // configuration, on the same schedule as inventory-sync so the quiet
    // hours stay in few delivery files. One row per instance (the engine's functions cannot
    // capture an index).
    type Row = (
        &'static str,
        &'static str,
        ActorFn<Env>,
        ActorFn<Env>,
        CallFn<Env>,
    );
    let rows: [Row; 2] = [
        (
            "instance/0/ssm",
            "instance/0/app",
            |e, at| {
                e.instances[0]
                    .creds
                    .at(at)
                    .map(|c| with_agent(c, SSM_AGENT))
            },
            |e, at| e.instances[0].creds.at(at),
            |e, _, _| {
                let i = &e.instances[0];
                ssm::update_instance_information(&i.id, &i.ip, i.zone)
            },
        ),
        (
            "instance/1/ssm",
            "instance/1/app",
            |e, at| {
                e.instances[1]
                    .creds
                    .at(at)
                    .map(|c| with_agent(c, SSM_AGENT))
            },
            |e, at| e.instances[1].creds.at(at),
            |e, _, _| {
                let i = &e.instances[1];
                ssm::update_instance_information(&i.id, &i.ip, i.zone)
            },
        ),
    ];
    for (i, (ssm_track, app_track, heartbeat, app, call)) in rows.into_iter().enumerate() {
        let region = e.instances[i].region;
        let run = if region == HOME { RUN_HOME } else { RUN_OTHER };
        v.push(
            routine(
                ssm_track,
                heartbeat,
                all.clone(),
                (run, run),
                (1, 1),
                vec![item(1, call)],
            )
            .region(region)
            .eager(),
        );
        v.push(
            routine(
                app_track,
                app,
                all.clone(),
                (run, run),
                (1, 2),
                vec![item(1, |_, _, _| {
                    ssm::get_parameters(&[
                        "/storefront/web/config",
                        "/storefront/web/feature-flags",
                    ])
                })],
            )
            .region(region)
            .eager(),
        );
    }
    v
}
