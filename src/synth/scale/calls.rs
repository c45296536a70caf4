//! The call catalogue of scale mode: what each kind of principal calls,
//! and how calls fail.

use serde_json::{Value, json};

use super::super::api::{
    cfn, cloudtrail, cloudwatch, dynamodb, ec2, ecs, elbv2, iam, lambda, logs, metrics, rds, s3,
    secrets, ssm, sts,
};
use super::super::identity::{Caller, RoleDef, Session, at, iso};
use super::super::records::{Call, RequestId};
use super::super::rng::Rng;
use super::{Ctx, Kind, PEOPLE, PERMISSION_SETS, Slot};

fn iam_prefix(service: &str) -> &str {
    match service {
        "monitoring" => "cloudwatch",
        other => other,
    }
}

/// With probability `per_mille`, the call fails the way that service fails.
pub(super) fn maybe_fail(
    call: Call,
    per_mille: u32,
    arn: &str,
    region: &str,
    rng: &mut Rng,
) -> Call {
    if call.error.is_some() || !rng.chance(per_mille) {
        return call;
    }
    let svc = call.service;
    let action = format!("{}:{}", iam_prefix(svc), strip_version(&call.name));
    match rng.below(10) {
        0..=4 => {
            let code = if svc == "ec2" {
                "Client.UnauthorizedOperation"
            } else {
                "AccessDenied"
            };
            let msg = format!(
                "User: {arn} is not authorized to perform: {action} on resource: arn:aws:{}:{region}:*:* because no identity-based policy allows the {action} action",
                iam_prefix(svc)
            );
            call.fail(code, msg)
        }
        5..=6 => match svc {
            "ec2" => call.fail("Client.RequestLimitExceeded", "Request limit exceeded."),
            "dynamodb" => call.fail(
                "ThrottlingException",
                "Rate of requests exceeds the allowed throughput.",
            ),
            "s3" => call.fail("SlowDown", "Please reduce your request rate."),
            _ => call.fail("ThrottlingException", "Rate exceeded"),
        },
        7..=8 => match svc {
            "s3" => call.fail("NoSuchKey", "The specified key does not exist."),
            "iam" => call.fail(
                "NoSuchEntityException",
                "The role with name cannot be found.",
            ),
            "ssm" => call.fail("ParameterNotFound", ""),
            "ec2" => call.fail(
                "Client.InvalidParameterValue",
                "Invalid value for parameter",
            ),
            "sqs" => call.fail(
                "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.",
            ),
            _ => call.fail("ResourceNotFoundException", "Requested resource not found"),
        },
        _ => call.fail(
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint",
        ),
    }
}

fn strip_version(name: &str) -> &str {
    match name.find(|c: char| c.is_ascii_digit()) {
        Some(i) => &name[..i],
        None => name,
    }
}

// ---------------------------------------------------------------------------
// The call catalogue.

#[derive(Debug, Clone, Copy)]
pub(super) enum Menu {
    App,
    Instance,
    Ecs,
    Deploy,
    Human,
    Audit,
    Agent,
    Federated,
    Portal,
    Root,
    Monitor,
    Backup,
    Broker,
    Developer,
    AutoScaling,
}

type Build = fn(&Ctx, &mut Rng) -> Call;

pub(super) fn slot_call(slot: &Slot, ctx: &Ctx, rng: &mut Rng) -> Call {
    match slot.kind {
        Kind::Instance => menu_call(
            if rng.chance(350) {
                Menu::Instance
            } else {
                Menu::App
            },
            ctx,
            rng,
        ),
        Kind::Lambda => menu_call(Menu::App, ctx, rng),
        Kind::Ecs => menu_call(
            if rng.chance(150) {
                Menu::Ecs
            } else {
                Menu::App
            },
            ctx,
            rng,
        ),
        Kind::GitHub => menu_call(Menu::Deploy, ctx, rng),
        Kind::Sso | Kind::Console => menu_call(Menu::Human, ctx, rng),
        Kind::CrossAccount => menu_call(Menu::Audit, ctx, rng),
        Kind::Config => {
            let mut c = menu_call(Menu::Audit, ctx, rng);
            c = c.via("config.amazonaws.com");
            c.then.clear();
            c
        }
        Kind::Agent => menu_call(Menu::Agent, ctx, rng),
        Kind::Federated => menu_call(Menu::Federated, ctx, rng),
        Kind::IdentityCenter => menu_call(Menu::Portal, ctx, rng),
        Kind::Root => menu_call(Menu::Root, ctx, rng),
        Kind::AutoScaling => {
            menu_call(Menu::AutoScaling, ctx, rng).via("autoscaling.amazonaws.com")
        }
    }
}

pub(super) fn menu_call(menu: Menu, ctx: &Ctx, rng: &mut Rng) -> Call {
    let table: &[(u32, Build)] = match menu {
        Menu::App => APP,
        Menu::Instance => INSTANCE,
        Menu::Ecs => ECS_PULL,
        Menu::Deploy => DEPLOY,
        Menu::Human => HUMAN,
        Menu::Audit => AUDIT,
        Menu::Agent => AGENT,
        Menu::Federated => FEDERATED,
        Menu::Portal => PORTAL,
        Menu::Root => ROOT,
        Menu::Monitor => MONITOR,
        Menu::Backup => BACKUP,
        Menu::Broker => BROKER,
        Menu::Developer => DEVELOPER,
        Menu::AutoScaling => AUTOSCALING,
    };
    let mut total = 0u64;
    for (w, _) in table {
        total += u64::from(*w);
    }
    let mut roll = rng.below(total);
    for (w, build) in table {
        if roll < u64::from(*w) {
            return build(ctx, rng);
        }
        roll -= u64::from(*w);
    }
    (table[table.len() - 1].1)(ctx, rng)
}

/// An AWS service acting as itself.
pub(super) fn service_call(ctx: &Ctx, rng: &mut Rng) -> (Caller, Call) {
    let w = &ctx.w;
    let res = &ctx.a.res;
    match rng.below(10) {
        0..=3 => {
            // CloudTrail checking and writing its bucket.
            let bucket = &res.buckets[4];
            let name = if rng.chance(500) {
                "GetBucketAcl"
            } else {
                "PutObject"
            };
            let key = format!(
                "AWSLogs/{}/CloudTrail/{}/{}/{}_CloudTrail_{}_{}_{}.json.gz",
                w.account,
                ctx.region,
                at(ctx.t).format("%Y/%m/%d"),
                w.account,
                ctx.region,
                at(ctx.t).format("%Y%m%dT%H%MZ"),
                rng.alnum(16)
            );
            let mut c = object_call(ctx, name, name == "GetBucketAcl", bucket, &key, rng);
            if name == "GetBucketAcl" {
                c.request = json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{}.{}", ctx.region, w.dns_suffix), "acl": ""});
                c.resources = Some(
                    json!([{"accountId": w.account, "type": "AWS::S3::Bucket", "ARN": w.s3_arn(bucket)}]),
                );
            } else {
                c.request["x-amz-acl"] = json!("bucket-owner-full-control");
                c.request["x-amz-server-side-encryption"] = json!("AES256");
            }
            (Caller::service("cloudtrail.amazonaws.com"), c)
        }
        4..=6 => {
            // A service role's session, minted for a scheduled job.
            let (svc, role) = *rng.pick(&[
                ("events.amazonaws.com", "eventbridge-invoke-role"),
                ("states.amazonaws.com", "stepfunctions-workflow-role"),
                ("backup.amazonaws.com", "AWSBackupDefaultServiceRole"),
                ("scheduler.amazonaws.com", "scheduler-invoke-role"),
            ]);
            let sess = Session {
                role: RoleDef {
                    name: role.to_string(),
                    path: "/service-role/".to_string(),
                    id: rng.iam_id("AROA"),
                },
                name: format!("{}", rng.below(u64::MAX / 2)),
                key: Some(rng.access_key("ASIA")),
                created: ctx.t,
                mfa: false,
                source_identity: None,
                ec2_delivery: false,
                web_identity_provider: None,
            };
            (Caller::service(svc), sts::assume_role(w, &sess, 3600, rng))
        }
        7..=8 => {
            let key = &res.keys[rng.below(res.keys.len() as u64) as usize];
            let c = Call::new("kms", "GenerateDataKey", true)
                .req(json!({"keyId": w.arn("kms", ctx.region, &format!("key/{key}")), "keySpec": "AES_256",
                    "encryptionContext": {"aws:s3:arn": w.s3_arn(&res.buckets[2])}}))
                .resources(json!([{"accountId": w.account, "type": "AWS::KMS::Key", "ARN": w.arn("kms", ctx.region, &format!("key/{key}"))}]));
            (Caller::service("s3.amazonaws.com"), c)
        }
        _ => {
            // Automatic yearly rotation of a customer managed key.
            let arn = w.arn("kms", ctx.region, &format!("key/{}", res.keys[0]));
            let mut c = Call::new("kms", "RotateKey", false)
                .additional(json!({"keyId": arn}))
                .resources(json!([{"accountId": w.account, "type": "AWS::KMS::Key", "ARN": arn}]));
            c.request_id = RequestId::None;
            (Caller::service("kms.amazonaws.com"), c)
        }
    }
}

fn pick_str<'a>(rng: &mut Rng, items: &'a [String]) -> &'a str {
    items[rng.below(items.len() as u64) as usize].as_str()
}

fn table_of(ctx: &Ctx, rng: &mut Rng) -> dynamodb::Table {
    let name = pick_str(rng, &ctx.a.res.tables).to_string();
    dynamodb::Table {
        arn: ctx.w.arn("dynamodb", ctx.region, &format!("table/{name}")),
        id: String::new(),
        created: 0,
        items: 0,
        bytes: 0,
        name,
    }
}

fn secret_arn(ctx: &Ctx, name: &str) -> String {
    ctx.w
        .arn("secretsmanager", ctx.region, &format!("secret:{name}"))
}

/// An S3 object-level call (a data event).
fn object_call(
    ctx: &Ctx,
    name: &str,
    read_only: bool,
    bucket: &str,
    key: &str,
    rng: &mut Rng,
) -> Call {
    let w = &ctx.w;
    let host = format!("{bucket}.s3.{}.{}", ctx.region, w.dns_suffix);
    let bytes = 200 + rng.below(2_000_000);
    let (bytes_in, bytes_out) = if read_only { (0, bytes) } else { (bytes, 0) };
    let mut c = Call::new("s3", name, read_only)
        .req(json!({"bucketName": bucket, "Host": host, "key": key}))
        .additional(json!({
            "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": bytes_in, "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": rng.base64(76), "bytesTransferredOut": bytes_out,
        }))
        .resources(json!([
            {"type": "AWS::S3::Object", "ARN": w.s3_arn(&format!("{bucket}/{key}"))},
            {"accountId": w.account, "type": "AWS::S3::Bucket", "ARN": w.s3_arn(bucket)},
        ]));
    c.data_event = true;
    c.host = Some(host);
    c
}

fn object_key(ctx: &Ctx, rng: &mut Rng) -> String {
    format!(
        "{}/{}/{}-{}.json",
        ctx.me.split('@').next().unwrap_or("data"),
        at(ctx.t).format("%Y/%m/%d"),
        rng.hex(8),
        rng.below(1000)
    )
}

fn sqs_call(ctx: &Ctx, name: &str, read_only: bool, rng: &mut Rng) -> Call {
    let q = pick_str(rng, &ctx.a.res.queues);
    let url = format!(
        "https://sqs.{}.{}/{}/{q}",
        ctx.region, ctx.w.dns_suffix, ctx.w.account
    );
    let mut req = json!({"queueUrl": url});
    match name {
        "ReceiveMessage" => {
            req["maxNumberOfMessages"] = json!(10);
            req["waitTimeSeconds"] = json!(20);
        }
        "SendMessage" => {
            req["messageBody"] = json!("HIDDEN_DUE_TO_SECURITY_REASONS");
        }
        _ => req["receiptHandle"] = json!(rng.base64(120)),
    }
    let mut c = Call::new("sqs", name, read_only)
        .req(req)
        .resources(json!([{"accountId": ctx.w.account, "type": "AWS::SQS::Queue", "ARN": ctx.w.arn("sqs", ctx.region, q)}]));
    if name == "SendMessage" {
        c.response = json!({"mD5OfMessageBody": rng.hex(32), "messageId": rng.uuid()});
    }
    c.data_event = true;
    c.version = "1.09";
    c
}

/// An S3 bucket sub-resource read (`GetBucketPolicy` and the like) of a
/// random bucket of the account, addressed virtual-host style.
fn bucket_read(c: &Ctx, r: &mut Rng, name: &str, sub_resource: &str) -> Call {
    let b = pick_str(r, &c.a.res.buckets).to_string();
    let host = format!("{b}.s3.{}.{}", c.region, c.w.dns_suffix);
    let mut req = json!({"bucketName": b, "Host": host});
    req[sub_resource] = json!("");
    let mut call = simple("s3", name, true, req).resources(
        json!([{"accountId": c.w.account, "type": "AWS::S3::Bucket", "ARN": c.w.s3_arn(&b)}]),
    );
    call.host = Some(host);
    call
}

fn simple(service: &'static str, name: &str, read_only: bool, req: Value) -> Call {
    Call::new(service, name, read_only).req(req)
}

const APP: &[(u32, Build)] = &[
    (14, |c, r| {
        let b = pick_str(r, &c.a.res.buckets[..4]).to_string();
        let k = object_key(c, r);
        object_call(c, "GetObject", true, &b, &k, r)
    }),
    (6, |c, r| {
        let b = pick_str(r, &c.a.res.buckets[..4]).to_string();
        let k = object_key(c, r);
        let mut call = object_call(c, "PutObject", false, &b, &k, r);
        call.response = json!({"x-amz-server-side-encryption": "AES256"});
        call
    }),
    (12, |c, r| {
        let t = table_of(c, r);
        dynamodb::get_item(&c.w, &t, "pk")
    }),
    (8, |c, r| {
        let t = table_of(c, r);
        dynamodb::query(&c.w, &t, r.chance(300).then_some("by-customer"), "pk")
    }),
    (5, |c, r| {
        let t = table_of(c, r);
        dynamodb::update_item(&c.w, &t, "pk", &["status", "updatedAt"])
    }),
    (6, |c, r| {
        let s = pick_str(r, &c.a.res.secrets).to_string();
        let arn = secret_arn(c, &s);
        let v = r.uuid();
        let mut call = secrets::get_secret_value(&c.w, &s, &arn, &v);
        // The KMS call names the regional key, not the home region's.
        if let Some((_, kms)) = call.then.first_mut() {
            kms.resources = Some(
                json!([{"accountId": c.w.account, "type": "AWS::KMS::Key", "ARN": c.w.arn("kms", c.region, &format!("key/{}", c.a.res.keys[0]))}]),
            );
        }
        call
    }),
    (7, |c, r| {
        let key = pick_str(r, &c.a.res.keys).to_string();
        let arn = c.w.arn("kms", c.region, &format!("key/{key}"));
        Call::new("kms", "Decrypt", true)
            .req(json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": arn}))
            .resources(json!([{"accountId": c.w.account, "type": "AWS::KMS::Key", "ARN": arn}]))
    }),
    (4, |c, r| {
        let key = pick_str(r, &c.a.res.keys).to_string();
        let arn = c.w.arn("kms", c.region, &format!("key/{key}"));
        Call::new("kms", "GenerateDataKey", true)
            .req(json!({"keyId": format!("alias/{}-data", c.me.split('-').next().unwrap_or("app")), "numberOfBytes": 32}))
            .resources(json!([{"accountId": c.w.account, "type": "AWS::KMS::Key", "ARN": arn}]))
    }),
    (8, |c, r| {
        ssm::get_parameter(pick_str(r, &c.a.res.params), r.chance(300))
    }),
    (2, |c, r| {
        let p = pick_str(r, &c.a.res.params);
        ssm::get_parameters_by_path(&p[..p.rfind('/').unwrap_or(p.len())])
    }),
    (8, |c, r| sqs_call(c, "ReceiveMessage", true, r)),
    (6, |c, r| sqs_call(c, "SendMessage", false, r)),
    (5, |c, r| sqs_call(c, "DeleteMessage", false, r)),
    (4, |c, r| {
        let topic = c.w.arn("sns", c.region, pick_str(r, &c.a.res.topics));
        let mut call = simple(
            "sns",
            "Publish",
            false,
            json!({"topicArn": topic, "message": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
        )
        .resp(json!({"messageId": r.uuid()}));
        call.version = "1.09";
        call
    }),
    (5, |_, _| sts::get_caller_identity()),
    (3, |c, r| {
        let bus = format!("{}-bus", c.me.split('-').next().unwrap_or("app"));
        simple("events", "PutEvents", false, json!({"entries": [{"source": format!("com.example.{bus}"), "detailType": "OrderUpdated", "eventBusName": bus}]}))
            .resp(json!({"failedEntryCount": 0, "entries": [{"eventId": r.uuid()}]}))
    }),
    (2, |c, r| {
        let sm = pick_str(r, &c.a.res.state_machines);
        let arn = c.w.arn("states", c.region, &format!("stateMachine:{sm}"));
        let name = r.uuid();
        simple("states", "StartExecution", false, json!({"stateMachineArn": arn, "name": name, "input": "HIDDEN_DUE_TO_SECURITY_REASONS"}))
            .resp(json!({"executionArn": c.w.arn("states", c.region, &format!("execution:{sm}:{name}")), "startDate": format!("{}.{:03}Z", iso(c.t).trim_end_matches('Z'), r.below(1000))}))
    }),
    (3, |c, r| {
        let g = pick_str(r, &c.a.res.log_groups).to_string();
        let mut call = simple(
            "logs",
            "CreateLogStream",
            false,
            json!({"logGroupName": g, "logStreamName": format!("{}/[$LATEST]{}", at(c.t).format("%Y/%m/%d"), r.hex(32))}),
        );
        call.version = "1.08";
        call
    }),
];

const INSTANCE: &[(u32, Build)] = &[
    (20, |c, r| {
        ssm::update_instance_information(
            c.me,
            &format!("10.0.{}.{}", r.range(0, 255), r.range(4, 250)),
            &format!("{}a", c.region),
        )
    }),
    (10, |c, _| {
        simple(
            "ssm",
            "ListInstanceAssociations",
            true,
            json!({"instanceId": c.me, "maxResults": 20}),
        )
    }),
    (4, |c, _| {
        simple(
            "ec2",
            "DescribeTags",
            true,
            json!({"filterSet": {"items": [{"name": "resource-id", "valueSet": {"items": [{"value": c.me}]}}]}}),
        )
    }),
    (2, |c, _| ec2::describe_instances(&[c.me])),
    (3, |c, r| {
        let instance = c.me;
        simple(
            "ec2messages",
            "GetMessages",
            true,
            json!({"destination": instance, "messagesRequestId": r.uuid(), "visibilityTimeoutInSeconds": 10}),
        )
    }),
];

const ECS_PULL: &[(u32, Build)] = &[
    (6, |_, _| {
        simple(
            "ecr",
            "GetAuthorizationToken",
            true,
            json!({"registryIds": []}),
        )
    }),
    (3, |c, r| {
        let repo = pick_str(r, &c.a.res.repos);
        simple("ecr", "BatchGetImage", true, json!({"repositoryName": repo, "imageIds": [{"imageTag": "latest"}], "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json"]}))
            .resources(json!([{"accountId": c.w.account, "ARN": c.w.arn("ecr", c.region, &format!("repository/{repo}"))}]))
    }),
    (2, |c, r| {
        let repo = pick_str(r, &c.a.res.repos);
        simple(
            "ecr",
            "GetDownloadUrlForLayer",
            true,
            json!({"repositoryName": repo, "layerDigest": format!("sha256:{}", r.hex(64))}),
        )
    }),
];

fn stack(ctx: &Ctx, rng: &mut Rng) -> (String, String) {
    let (name, id) = &ctx.a.res.stacks[rng.below(ctx.a.res.stacks.len() as u64) as usize];
    (
        name.clone(),
        ctx.w
            .arn("cloudformation", ctx.region, &format!("stack/{name}/{id}")),
    )
}

const DEPLOY: &[(u32, Build)] = &[
    (10, |c, r| cfn::describe_stacks(Some(&stack(c, r).0))),
    (6, |c, r| cfn::describe_stack_events(&stack(c, r).0)),
    (2, |c, r| cfn::get_template(&stack(c, r).0)),
    (2, |c, r| {
        let b = &c.a.res.buckets[0];
        cfn::validate_template(&format!(
            "https://{b}.s3.{}.{}/templates/{}.yaml",
            c.region,
            c.w.dns_suffix,
            r.hex(8)
        ))
    }),
    (3, |c, r| {
        let (name, id) = stack(c, r);
        let cs = format!("deploy-{}", r.hex(7));
        let cs_arn = c.w.arn(
            "cloudformation",
            c.region,
            &format!("changeSet/{cs}/{}", r.uuid()),
        );
        let b = &c.a.res.buckets[0];
        cfn::create_change_set(
            &name,
            &id,
            &cs,
            &cs_arn,
            Some(&format!(
                "https://{b}.s3.{}.{}/templates/{name}.yaml",
                c.region, c.w.dns_suffix
            )),
            &[("ImageTag", &r.hex(7))],
        )
    }),
    (3, |c, r| {
        let (name, _) = stack(c, r);
        cfn::describe_change_set(&name, &format!("deploy-{}", r.hex(7)))
    }),
    (2, |c, r| {
        let (name, _) = stack(c, r);
        let sg = pick_str(r, &c.a.res.groups).to_string();
        let f = pick_str(r, &c.a.res.functions).to_string();
        let role = c.a.res.lambda_role.clone();
        let mut follow = lambda::update_function_configuration(&c.w, &f, &role, r)
            .via("cloudformation.amazonaws.com");
        follow.request["functionName"] = json!(f);
        cfn::execute_change_set(&name, &format!("deploy-{}", r.hex(7)))
            .then(4, follow)
            .then(
                9,
                ec2::authorize_ingress(&c.w, &sg, 443, "10.0.0.0/16", r)
                    .via("cloudformation.amazonaws.com"),
            )
            .then(
                12,
                ssm::put_parameter(
                    &format!("/prod/{}/image-tag", name),
                    "String",
                    1 + r.below(300) as u32,
                )
                .via("cloudformation.amazonaws.com"),
            )
    }),
    (10, |c, r| {
        let b = c.a.res.buckets[0].clone();
        let k = format!("builds/{}/{}.zip", c.me, r.hex(40));
        s3::put_object(&c.w, &b, &k, 1_000_000 + r.below(50_000_000), r)
    }),
    (5, |_, _| {
        simple(
            "ecr",
            "GetAuthorizationToken",
            true,
            json!({"registryIds": []}),
        )
    }),
    (4, |c, r| {
        let repo = pick_str(r, &c.a.res.repos);
        simple(
            "ecr",
            "BatchCheckLayerAvailability",
            true,
            json!({"repositoryName": repo, "layerDigests": [format!("sha256:{}", r.hex(64)), format!("sha256:{}", r.hex(64))]}),
        )
    }),
    (2, |c, r| {
        let repo = pick_str(r, &c.a.res.repos);
        simple(
            "ecr",
            "InitiateLayerUpload",
            false,
            json!({"repositoryName": repo}),
        )
        .resp(json!({"uploadId": r.uuid(), "partSize": 20_971_520}))
    }),
    (2, |c, r| {
        let repo = pick_str(r, &c.a.res.repos).to_string();
        let digest = format!("sha256:{}", r.hex(64));
        simple("ecr", "PutImage", false, json!({"repositoryName": repo, "imageTag": r.hex(7), "imageManifest": "{\"schemaVersion\":2}"}))
            .resp(json!({"image": {"registryId": c.w.account, "repositoryName": repo, "imageId": {"imageDigest": digest}}}))
            .resources(json!([{"accountId": c.w.account, "ARN": c.w.arn("ecr", c.region, &format!("repository/{repo}"))}]))
    }),
    (3, |c, r| {
        let f = pick_str(r, &c.a.res.functions).to_string();
        let role = c.a.res.lambda_role.clone();
        let b = c.a.res.buckets[0].clone();
        lambda::update_function_code(
            &c.w,
            &f,
            &role,
            &b,
            &format!("builds/{f}/{}.zip", r.hex(40)),
            c.t,
            r,
        )
    }),
    (3, |c, r| {
        lambda::get_function(pick_str(r, &c.a.res.functions))
    }),
    (2, |c, r| {
        let family = pick_str(r, &c.a.res.repos).to_string();
        let role = c.w.iam_arn(&format!("role/{family}-task-role"));
        let secret = secret_arn(c, &c.a.res.secrets[0]);
        ecs::register_task_definition(&c.w, &family, 1 + r.below(400) as u32, &role, &secret)
    }),
    (2, |c, r| {
        let (cluster, services) = &c.a.res.clusters[0];
        let s = pick_str(r, services).to_string();
        ecs::update_service(&c.w, cluster, &s, &s, 1 + r.below(400) as u32)
    }),
    (5, |c, r| {
        let (cluster, services) = &c.a.res.clusters[0];
        ecs::describe_services(cluster, &[pick_str(r, services)])
    }),
    (4, |_, _| sts::get_caller_identity()),
    (3, |c, _| iam::get_role(&c.role.name)),
    (2, |c, _| {
        simple(
            "eks",
            "DescribeCluster",
            true,
            json!({"name": format!("{}-eks", c.a.res.clusters[0].0)}),
        )
    }),
];

const HUMAN: &[(u32, Build)] = &[
    (8, |c, r| {
        if r.chance(500) {
            ec2::describe_instances(&[])
        } else {
            ec2::describe_instances(&[pick_str(r, &c.a.res.instances)])
        }
    }),
    (3, |_, _| ec2::describe_security_groups()),
    (2, |_, _| ec2::describe_vpcs()),
    (2, |_, _| ec2::describe_volumes()),
    (2, |_, _| ec2::describe_regions()),
    (6, |_, r| {
        cloudwatch::describe_alarms(r.chance(300).then_some("ALARM"))
    }),
    (6, |c, r| {
        metrics::get_metric_data(
            "AWS/ApplicationELB",
            *r.pick::<&str>(&[
                "HTTPCode_Target_5XX_Count",
                "TargetResponseTime",
                "RequestCount",
            ]),
            c.t - 3 * 3600,
            c.t,
        )
    }),
    (5, |c, r| {
        logs::filter_log_events(
            pick_str(r, &c.a.res.log_groups),
            *r.pick::<&str>(&["ERROR", "Exception", "timeout", "\"status\":500"]),
            c.t - 3600,
        )
    }),
    (4, |c, r| {
        logs::describe_log_groups(&pick_str(r, &c.a.res.log_groups)[..12])
    }),
    (4, |_, _| cfn::describe_stacks(None)),
    (2, |_, _| cfn::list_stacks()),
    (2, |c, r| cfn::describe_stack_events(&stack(c, r).0)),
    (3, |_, _| rds::describe_db_instances()),
    (4, |_, _| lambda::list_functions()),
    (3, |c, r| {
        lambda::get_function(pick_str(r, &c.a.res.functions))
    }),
    (2, |c, r| {
        lambda::get_function_configuration(pick_str(r, &c.a.res.functions))
    }),
    (2, |_, _| iam::list_roles()),
    (2, |c, _| iam::get_role(&c.a.res.lambda_role.name)),
    (1, |_, _| iam::list_users()),
    (1, |c, _| {
        iam::list_attached_role_policies(&c.a.res.lambda_role.name)
    }),
    (3, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        s3::list_buckets(&w, r)
    }),
    (2, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        let b = pick_str(r, &c.a.res.buckets).to_string();
        s3::get_bucket_location(&w, &b, r)
    }),
    (2, |c, r| {
        let t = table_of(c, r);
        dynamodb::describe_table(&c.w, &t)
    }),
    (2, |_, _| dynamodb::list_tables()),
    (1, |_, _| secrets::list_secrets()),
    (1, |c, r| {
        secrets::describe_secret(pick_str(r, &c.a.res.secrets))
    }),
    (2, |c, r| {
        ssm::describe_parameters(Some(
            pick_str(r, &c.a.res.params)
                .split('/')
                .nth(2)
                .unwrap_or("prod"),
        ))
    }),
    (2, |c, r| {
        ssm::get_parameter(pick_str(r, &c.a.res.params), false)
    }),
    (2, |c, r| {
        let f = pick_str(r, &c.a.res.functions).to_string();
        cloudtrail::lookup_events("ResourceName", &f, c.t - 86_400, c.t)
    }),
    (1, |_, _| ecs::list_clusters()),
    (1, |c, r| {
        let (cluster, services) = &c.a.res.clusters[0];
        ecs::describe_services(cluster, &[pick_str(r, services)])
    }),
    (2, |_, _| elbv2::describe_all_load_balancers()),
    (1, |_, _| {
        simple("route53", "ListHostedZones", true, Value::Null)
    }),
    (1, |c, r| {
        simple(
            "route53",
            "GetHostedZone",
            true,
            json!({"id": pick_str(r, &c.a.res.zones)}),
        )
    }),
    (1, |c, r| {
        let id = r.uuid();
        simple("athena", "StartQueryExecution", false, json!({
            "queryString": "SELECT status, count(*) FROM orders_raw WHERE dt = current_date GROUP BY 1",
            "clientRequestToken": r.uuid(),
            "queryExecutionContext": {"database": "analytics"},
            "resultConfiguration": {"outputLocation": format!("s3://{}/athena-results/", c.a.res.buckets[2])},
            "workGroup": "primary",
        }))
        .resp(json!({"queryExecutionId": id}))
    }),
    (2, |_, r| {
        simple(
            "athena",
            "GetQueryExecution",
            true,
            json!({"queryExecutionId": r.uuid()}),
        )
    }),
    (1, |_, _| {
        simple(
            "glue",
            "GetTables",
            true,
            json!({"databaseName": "analytics", "maxResults": 100}),
        )
    }),
    (1, |_, _| sts::get_caller_identity()),
    // Changes people make.
    (2, |c, r| {
        ec2::create_tags(
            &[pick_str(r, &c.a.res.instances)],
            &[("owner", c.me.split('@').next().unwrap_or("team"))],
        )
    }),
    (1, |c, r| {
        ssm::put_parameter(
            pick_str(r, &c.a.res.params),
            "String",
            2 + r.below(60) as u32,
        )
    }),
    (1, |c, r| {
        let f = pick_str(r, &c.a.res.functions).to_string();
        let role = c.a.res.lambda_role.clone();
        lambda::update_function_configuration(&c.w, &f, &role, r)
    }),
    (1, |c, r| {
        let asg = pick_str(r, &c.a.res.asgs);
        simple(
            "autoscaling",
            "UpdateAutoScalingGroup",
            false,
            json!({"autoScalingGroupName": asg, "minSize": 2, "maxSize": 2 + r.below(8), "desiredCapacity": 2 + r.below(4)}),
        )
    }),
    (1, |c, r| {
        let id = pick_str(r, &c.a.res.instances);
        simple(
            "ec2",
            "RebootInstances",
            false,
            json!({"instancesSet": {"items": [{"instanceId": id}]}}),
        )
        .resp(json!({"requestId": "", "_return": true}))
    }),
    (1, |c, r| {
        let topic = pick_str(r, &c.a.res.topics);
        simple(
            "monitoring",
            "PutMetricAlarm",
            false,
            json!({
                "alarmName": format!("{topic}-5xx-high"), "metricName": "HTTPCode_Target_5XX_Count",
                "namespace": "AWS/ApplicationELB", "statistic": "Sum", "period": 60, "evaluationPeriods": 5,
                "threshold": 10.0, "comparisonOperator": "GreaterThanThreshold",
                "alarmActions": [c.w.arn("sns", c.region, topic)],
            }),
        )
    }),
];

const AUDIT: &[(u32, Build)] = &[
    (3, |_, _| iam::list_roles()),
    (2, |_, _| iam::list_users()),
    (2, |_, _| iam::list_policies()),
    (2, |_, _| iam::get_account_summary()),
    (1, |_, _| iam::list_account_aliases()),
    (1, |c, _| iam::get_account_password_policy(&c.w)),
    (1, |_, r| {
        iam::list_mfa_devices(&format!("{}-dev", r.pick(PEOPLE)))
    }),
    (2, |c, _| iam::get_role(&c.a.res.lambda_role.name)),
    (2, |c, _| {
        iam::list_attached_role_policies(&c.a.res.lambda_role.name)
    }),
    (1, |c, _| iam::list_role_policies(&c.a.res.lambda_role.name)),
    (3, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        let b = pick_str(r, &c.a.res.buckets).to_string();
        s3::get_bucket_versioning(&w, &b, r)
    }),
    (2, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        let b = pick_str(r, &c.a.res.buckets).to_string();
        s3::get_bucket_location(&w, &b, r)
    }),
    (2, |c, r| {
        let mut call = bucket_read(c, r, "GetBucketPolicy", "policy");
        if r.chance(400) {
            call = call.fail("NoSuchBucketPolicy", "The bucket policy does not exist");
        }
        call
    }),
    (2, |c, r| {
        bucket_read(c, r, "GetBucketEncryption", "encryption")
    }),
    (2, |c, r| {
        bucket_read(c, r, "GetBucketPublicAccessBlock", "publicAccessBlock")
    }),
    (3, |_, _| ec2::describe_security_groups()),
    (2, |_, _| ec2::describe_vpcs()),
    (2, |_, _| ec2::describe_volumes()),
    (1, |_, _| ec2::describe_snapshots()),
    (3, |_, _| ec2::describe_instances(&[])),
    (1, |_, _| ec2::describe_regions()),
    (2, |_, _| {
        simple("kms", "ListKeys", true, json!({"limit": 1000}))
    }),
    (2, |c, r| {
        simple(
            "kms",
            "DescribeKey",
            true,
            json!({"keyId": pick_str(r, &c.a.res.keys)}),
        )
    }),
    (1, |c, r| {
        simple(
            "kms",
            "GetKeyRotationStatus",
            true,
            json!({"keyId": pick_str(r, &c.a.res.keys)}),
        )
    }),
    (1, |_, _| {
        simple(
            "cloudtrail",
            "DescribeTrails",
            true,
            json!({"includeShadowTrails": true}),
        )
    }),
    (1, |c, _| {
        simple(
            "cloudtrail",
            "GetTrailStatus",
            true,
            json!({"name": c.w.arn("cloudtrail", c.region, "trail/org-trail")}),
        )
    }),
    (1, |_, _| {
        simple("config", "DescribeConfigurationRecorders", true, json!({}))
    }),
    (1, |_, _| {
        simple("guardduty", "ListDetectors", true, Value::Null)
    }),
    (2, |_, _| rds::describe_db_instances()),
    (1, |c, r| {
        rds::describe_db_snapshots(pick_str(r, &c.a.res.dbs))
    }),
    (2, |_, _| lambda::list_functions()),
    (1, |_, _| {
        simple("acm", "ListCertificates", true, json!({"includes": {}}))
    }),
    (1, |_, _| {
        simple("apigateway", "GetRestApis", true, json!({"limit": 500}))
    }),
    (1, |_, _| simple("eks", "ListClusters", true, Value::Null)),
    (1, |_, _| simple("sns", "ListTopics", true, Value::Null)),
    (1, |_, _| simple("sqs", "ListQueues", true, Value::Null)),
];

const AGENT: &[(u32, Build)] = &[
    (4, |c, r| cfn::describe_stacks(Some(&stack(c, r).0))),
    (2, |c, r| cfn::describe_stack_events(&stack(c, r).0)),
    (4, |c, r| {
        logs::filter_log_events(pick_str(r, &c.a.res.log_groups), "ERROR", c.t - 1800)
    }),
    (3, |_, _| ec2::describe_instances(&[])),
    (2, |c, _| iam::get_role(&c.role.name)),
    (2, |c, _| iam::list_attached_role_policies(&c.role.name)),
    (2, |c, r| {
        let t = table_of(c, r);
        dynamodb::describe_table(&c.w, &t)
    }),
    (4, |_, _| sts::get_caller_identity()),
    (2, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        s3::list_buckets(&w, r)
    }),
    (2, |c, r| {
        let (cluster, services) = &c.a.res.clusters[0];
        ecs::describe_services(cluster, &[pick_str(r, services)])
    }),
    (2, |_, _| cloudwatch::describe_alarms(Some("ALARM"))),
    (2, |c, r| {
        lambda::get_function(pick_str(r, &c.a.res.functions))
    }),
    (2, |c, r| {
        ssm::get_parameter(pick_str(r, &c.a.res.params), false)
    }),
    (2, |c, r| {
        let f = pick_str(r, &c.a.res.functions).to_string();
        let role = c.a.res.lambda_role.clone();
        lambda::update_function_configuration(&c.w, &f, &role, r)
    }),
    (1, |c, r| {
        ssm::put_parameter(
            pick_str(r, &c.a.res.params),
            "String",
            2 + r.below(60) as u32,
        )
    }),
    (1, |c, r| {
        let (name, id) = stack(c, r);
        let b = &c.a.res.buckets[0];
        cfn::update_stack(
            &name,
            &id,
            &format!(
                "https://{b}.s3.{}.{}/templates/{name}.yaml",
                c.region, c.w.dns_suffix
            ),
            &[("DesiredCount", "3")],
        )
    }),
    (1, |c, r| {
        let (cluster, services) = &c.a.res.clusters[0];
        let s = pick_str(r, services).to_string();
        ecs::update_service(&c.w, cluster, &s, &s, 1 + r.below(400) as u32)
    }),
];

const FEDERATED: &[(u32, Build)] = &[
    (5, |c, r| {
        let b = c.a.res.buckets[3].clone();
        let k = format!(
            "exports/{}/part-{:05}.csv.gz",
            at(c.t).format("%Y-%m-%d"),
            r.below(200)
        );
        object_call(c, "GetObject", true, &b, &k, r)
    }),
    (2, |c, r| {
        let b = c.a.res.buckets[3].clone();
        let host = format!("{b}.s3.{}.{}", c.region, c.w.dns_suffix);
        let mut call = simple("s3", "ListObjects", true, json!({"bucketName": b, "Host": host, "prefix": format!("exports/{}/", at(c.t).format("%Y-%m-%d"))}))
            .resources(json!([{"accountId": c.w.account, "type": "AWS::S3::Bucket", "ARN": c.w.s3_arn(&b)}]));
        call.data_event = true;
        call.host = Some(host);
        let _ = r;
        call
    }),
    (2, |_, _| sts::get_caller_identity()),
];

const PORTAL: &[(u32, Build)] = &[
    (5, |c, r| {
        let set = r.pick(PERMISSION_SETS);
        portal(
            c,
            simple(
                "sso",
                "GetRoleCredentials",
                true,
                json!({"roleName": set, "accountId": c.w.account}),
            ),
        )
    }),
    (3, |c, _| {
        portal(
            c,
            simple("sso", "ListAccounts", true, json!({"maxResults": 100})),
        )
    }),
    (3, |c, _| {
        portal(
            c,
            simple(
                "sso",
                "ListAccountRoles",
                true,
                json!({"accountId": c.w.account, "maxResults": 100}),
            ),
        )
    }),
    (1, |c, _| {
        portal(
            c,
            simple("sso", "ListApplicationInstances", true, Value::Null),
        )
    }),
];

fn portal(ctx: &Ctx, mut call: Call) -> Call {
    call.host = Some(format!("portal.sso.{}.{}", ctx.region, ctx.w.dns_suffix));
    call
}

const ROOT: &[(u32, Build)] = &[
    (2, |_, _| iam::get_account_summary()),
    (2, |_, _| iam::list_account_aliases()),
    (1, |_, _| iam::list_users()),
    (1, |_, _| {
        simple("account", "GetContactInformation", true, Value::Null)
    }),
];

const MONITOR: &[(u32, Build)] = &[
    (10, |c, r| {
        metrics::get_metric_data(
            "AWS/Lambda",
            *r.pick::<&str>(&["Errors", "Invocations", "Duration", "Throttles"]),
            c.t - 300,
            c.t,
        )
    }),
    (6, |c, r| {
        let f = pick_str(r, &c.a.res.functions);
        metrics::get_metric_statistics("AWS/Lambda", "Errors", ("FunctionName", f), c.t - 600, c.t)
    }),
    (6, |_, _| cloudwatch::describe_alarms(None)),
    (3, |_, r| {
        cloudwatch::list_metrics(*r.pick::<&str>(&[
            "AWS/EC2",
            "AWS/Lambda",
            "AWS/DynamoDB",
            "AWS/SQS",
        ]))
    }),
    (2, |c, r| {
        logs::describe_log_groups(&pick_str(r, &c.a.res.log_groups)[..12])
    }),
];

const BACKUP: &[(u32, Build)] = &[
    (4, |c, r| {
        let vol = pick_str(r, &c.a.res.volumes);
        let snap = r.ec2_id("snap");
        simple("ec2", "CreateSnapshot", false, json!({"volumeId": vol, "description": format!("nightly {}", at(c.t).format("%Y-%m-%d"))}))
            .resp(json!({"requestId": "", "snapshotId": snap, "volumeId": vol, "status": "pending", "startTime": c.t * 1000, "progress": "", "ownerId": c.w.account, "volumeSize": 100, "encrypted": true}))
    }),
    (3, |_, _| ec2::describe_snapshots()),
    (1, |_, r| ec2::delete_snapshot(&r.ec2_id("snap"))),
    (2, |c, r| {
        let db = pick_str(r, &c.a.res.dbs);
        let mut call = simple(
            "rds",
            "CreateDBSnapshot",
            false,
            json!({"dBSnapshotIdentifier": format!("{db}-{}", at(c.t).format("%Y-%m-%d-%H-%M")), "dBInstanceIdentifier": db}),
        );
        call.api_version = Some("2014-10-31");
        call
    }),
    (2, |c, r| {
        rds::describe_db_snapshots(pick_str(r, &c.a.res.dbs))
    }),
    (2, |c, r| {
        let b = c.a.res.buckets[2].clone();
        let k = format!(
            "backups/{}/{}.tar.gz",
            at(c.t).format("%Y-%m-%d"),
            r.hex(12)
        );
        s3::put_object(&c.w, &b, &k, 100_000_000 + r.below(900_000_000), r)
    }),
];

const BROKER: &[(u32, Build)] = &[(3, |_, _| sts::get_caller_identity())];

const DEVELOPER: &[(u32, Build)] = &[
    (3, |_, _| sts::get_caller_identity()),
    (1, |_, _| iam::get_role("ops-agent-role")),
    (1, |c, r| {
        let mut w = c.w.clone();
        w.home = c.region.to_string();
        s3::list_buckets(&w, r)
    }),
    (1, |_, _| lambda::list_functions()),
];

const AUTOSCALING: &[(u32, Build)] = &[
    (6, |c, r| {
        ec2::describe_instance_status(&[pick_str(r, &c.a.res.instances)])
    }),
    (2, |c, r| {
        let asg = pick_str(r, &c.a.res.asgs).to_string();
        ec2::create_tags(&[&r.ec2_id("i")], &[("aws:autoscaling:groupName", &asg)])
    }),
    (1, |c, r| {
        ec2::terminate_instances(&[pick_str(r, &c.a.res.instances)])
    }),
    (1, |c, r| {
        let tg = c.w.arn(
            "elasticloadbalancing",
            c.region,
            &format!(
                "targetgroup/{}-tg/{}",
                c.a.res.asgs[0].trim_end_matches("-web-asg"),
                r.hex(16)
            ),
        );
        simple(
            "elasticloadbalancing",
            "RegisterTargets",
            false,
            json!({"targetGroupArn": tg, "targets": [{"id": r.ec2_id("i")}]}),
        )
    }),
];
