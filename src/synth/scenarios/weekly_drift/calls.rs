//! Calls this scenario makes that the shared builders in `api` do not cover,
//! with the request and response shapes real CloudTrail records have.

use serde_json::{Value, json};

use crate::synth::api::{ec2, iam, s3};
use crate::synth::identity::{Secs, World, iso, java_date};
use crate::synth::records::Call;
use crate::synth::rng::Rng;

/// IAM is global: clients in the `aws` partition call `iam.amazonaws.com`,
/// and CloudTrail records the call in us-east-1.
pub(super) fn global(mut c: Call) -> Call {
    c.host = Some("iam.amazonaws.com".to_string());
    c
}

/// A policy document as a client sends it: compact JSON with the keys in
/// the order people write them (`Version` before `Statement`, `Effect`
/// before `Action`).
pub(super) fn policy_text(doc: &Value) -> String {
    const ORDER: &[&str] = &[
        "Version",
        "Id",
        "Statement",
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ];
    fn write(out: &mut String, v: &Value) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by_key(|k| {
                    (
                        ORDER.iter().position(|o| o == k).unwrap_or(usize::MAX),
                        (*k).clone(),
                    )
                });
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).expect("strings serialize"));
                    out.push(':');
                    write(out, &map[k.as_str()]);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(out, item);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(&mut out, doc);
    out
}

/// AWS Identity and Access Management, as the people of this account use it.
pub(super) mod iam_admin {
    use super::*;

    pub(in super::super) fn get_role(name: &str) -> Call {
        global(iam::get_role(name))
    }

    pub(in super::super) fn list_roles() -> Call {
        global(iam::list_roles())
    }

    pub(in super::super) fn list_users() -> Call {
        global(iam::list_users())
    }

    pub(in super::super) fn list_policies() -> Call {
        global(iam::list_policies())
    }

    pub(in super::super) fn list_attached_role_policies(name: &str) -> Call {
        global(iam::list_attached_role_policies(name))
    }

    pub(in super::super) fn list_role_policies(name: &str) -> Call {
        global(iam::list_role_policies(name))
    }

    pub(in super::super) fn get_account_summary() -> Call {
        global(iam::get_account_summary())
    }

    pub(in super::super) fn list_mfa_devices(user: &str) -> Call {
        global(iam::list_mfa_devices(user))
    }

    pub(in super::super) fn attach_role_policy(role: &str, policy_arn: &str) -> Call {
        global(iam::attach_role_policy(role, policy_arn))
    }

    pub(in super::super) fn list_groups_for_user(user: &str) -> Call {
        global(Call::new("iam", "ListGroupsForUser", true).req(json!({"userName": user})))
    }

    pub(in super::super) fn get_policy(arn: &str) -> Call {
        global(Call::new("iam", "GetPolicy", true).req(json!({"policyArn": arn})))
    }

    pub(in super::super) fn get_policy_version(arn: &str, version: &str) -> Call {
        global(
            Call::new("iam", "GetPolicyVersion", true)
                .req(json!({"policyArn": arn, "versionId": version})),
        )
    }

    pub(in super::super) fn list_access_keys(user: &str) -> Call {
        global(Call::new("iam", "ListAccessKeys", true).req(json!({"userName": user})))
    }

    pub(in super::super) fn generate_credential_report() -> Call {
        global(
            Call::new("iam", "GenerateCredentialReport", false).resp(json!({
                "state": "STARTED",
                "description": "No report exists. Starting a new report generation task",
            })),
        )
    }

    pub(in super::super) fn get_credential_report() -> Call {
        global(Call::new("iam", "GetCredentialReport", true))
    }

    pub(in super::super) fn create_access_key(user: &str, key: &str, at: Secs) -> Call {
        global(
            Call::new("iam", "CreateAccessKey", false)
                .req(json!({"userName": user}))
                .resp(json!({"accessKey": {
                    "userName": user,
                    "accessKeyId": key,
                    "status": "Active",
                    "createDate": java_date(at),
                }})),
        )
    }

    pub(in super::super) fn create_login_profile(user: &str, at: Secs) -> Call {
        global(
            Call::new("iam", "CreateLoginProfile", false)
                .req(json!({"userName": user, "passwordResetRequired": true}))
                .resp(json!({"loginProfile": {
                    "userName": user,
                    "createDate": java_date(at),
                    "passwordResetRequired": true,
                }})),
        )
    }

    pub(in super::super) fn update_assume_role_policy(role: &str, trust: &Value) -> Call {
        global(
            Call::new("iam", "UpdateAssumeRolePolicy", false)
                .req(json!({"roleName": role, "policyDocument": policy_text(trust)})),
        )
    }

    pub(in super::super) fn create_policy_version(
        arn: &str,
        doc: &Value,
        version: &str,
        at: Secs,
    ) -> Call {
        global(
            Call::new("iam", "CreatePolicyVersion", false)
                .req(json!({
                    "policyArn": arn,
                    "policyDocument": policy_text(doc),
                    "setAsDefault": true,
                }))
                .resp(json!({"policyVersion": {
                    "versionId": version,
                    "isDefaultVersion": true,
                    "createDate": java_date(at),
                }})),
        )
    }
}

/// Amazon EC2 calls of the backup job and the agent.
pub(super) mod ec2_more {
    use super::*;

    pub(in super::super) fn describe_volumes_tagged(key: &str, value: &str) -> Call {
        Call::new("ec2", "DescribeVolumes", true).req(json!({
            "volumeSet": {},
            "filterSet": {"items": [{"name": format!("tag:{key}"), "valueSet": {"items": [{"value": value}]}}]},
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(in super::super) fn create_snapshot(
        w: &World,
        volume: &str,
        size: u32,
        snapshot: &str,
        description: &str,
        at: Secs,
    ) -> Call {
        Call::new("ec2", "CreateSnapshot", false)
            .req(json!({"volumeId": volume, "description": description}))
            .resp(json!({
                "requestId": "",
                "snapshotId": snapshot,
                "volumeId": volume,
                "status": "pending",
                "startTime": at * 1000,
                "progress": "",
                "ownerId": w.account,
                "volumeSize": size,
                "description": description,
                "encrypted": true,
            }))
    }

    pub(in super::super) fn describe_snapshots_of(volumes: &[&str]) -> Call {
        let values: Vec<Value> = volumes.iter().map(|v| json!({"value": v})).collect();
        Call::new("ec2", "DescribeSnapshots", true).req(json!({
            "snapshotSet": {},
            "ownersSet": {"items": [{"owner": "self"}]},
            "sharedUsersSet": {},
            "filterSet": {"items": [{"name": "volume-id", "valueSet": {"items": values}}]},
        }))
    }

    pub(in super::super) fn describe_instances_in(state: &str) -> Call {
        Call::new("ec2", "DescribeInstances", true).req(json!({
            "instancesSet": {},
            "filterSet": {"items": [{"name": "instance-state-name", "valueSet": {"items": [{"value": state}]}}]},
        }))
    }

    pub(in super::super) fn describe_instance_types() -> Call {
        Call::new("ec2", "DescribeInstanceTypes", true)
            .req(json!({"instanceTypeSet": {"items": [{"instanceType": "m6i.large"}]}}))
    }

    pub(in super::super) fn describe_subnets() -> Call {
        Call::new("ec2", "DescribeSubnets", true).req(json!({"subnetSet": {}, "filterSet": {}}))
    }

    pub(in super::super) fn terminate(ids: &[&str]) -> Call {
        ec2::terminate_instances(ids)
    }
}

/// Amazon RDS.
pub(super) mod rds_more {
    use super::*;

    pub(in super::super) fn describe_db_snapshots_all() -> Call {
        Call::new("rds", "DescribeDBSnapshots", true)
            .req(json!({"snapshotType": "manual", "includeShared": false, "includePublic": false}))
    }

    pub(in super::super) fn describe_db_clusters() -> Call {
        Call::new("rds", "DescribeDBClusters", true).req(json!({"includeShared": false}))
    }

    pub(in super::super) fn delete_db_snapshot(
        w: &World,
        snapshot: &str,
        instance: &str,
        created: Secs,
    ) -> Call {
        let arn = w.arn("rds", &w.home, &format!("snapshot:{snapshot}"));
        Call::new("rds", "DeleteDBSnapshot", false)
            .req(json!({"dBSnapshotIdentifier": snapshot}))
            .resp(json!({
                "dBSnapshotIdentifier": snapshot,
                "dBInstanceIdentifier": instance,
                "snapshotCreateTime": java_date(created),
                "engine": "postgres",
                "allocatedStorage": 100,
                "status": "deleted",
                "port": 5432,
                "availabilityZone": format!("{}b", w.home),
                "vpcId": "vpc-0b5d1c7e9a3f24d68",
                "instanceCreateTime": java_date(created - 180 * 86_400),
                "masterUsername": "storefront_admin",
                "engineVersion": "16.4",
                "licenseModel": "postgresql-license",
                "snapshotType": "manual",
                "percentProgress": 100,
                "storageType": "gp3",
                "encrypted": true,
                "dBSnapshotArn": arn,
                "iAMDatabaseAuthenticationEnabled": false,
                "dbiResourceId": "db-4YKQ2N7RZ5LJXHDW3GTB6MCV2E",
                "tagList": [],
                "snapshotTarget": "region",
                "dedicatedLogVolume": false,
            }))
            .resources(
                json!([{"accountId": w.account, "type": "AWS::RDS::DBSnapshot", "ARN": arn}]),
            )
    }
}

/// Amazon S3 data events (the trail logs data events for the exports bucket).
pub(super) mod s3_more {
    use super::*;

    pub(in super::super) fn get_object(
        w: &World,
        bucket: &str,
        key: &str,
        bytes: u64,
        rng: &mut Rng,
    ) -> Call {
        let host = format!("{bucket}.s3.{}.{}", w.home, w.dns_suffix);
        let mut c = Call::new("s3", "GetObject", true)
            .req(json!({"bucketName": bucket, "Host": host, "key": key}))
            .additional(json!({
                "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": rng.base64(76), "bytesTransferredOut": bytes,
            }))
            .resources(json!([
                {"type": "AWS::S3::Object", "ARN": w.s3_arn(&format!("{bucket}/{key}"))},
                {"accountId": w.account, "type": "AWS::S3::Bucket", "ARN": w.s3_arn(bucket)},
            ]));
        c.data_event = true;
        c.host = Some(host);
        c
    }

    pub(in super::super) fn list_buckets(w: &World, rng: &mut Rng) -> Call {
        s3::list_buckets(w, rng)
    }
}

/// AWS Cost Explorer (the reporting job).
pub(super) mod ce {
    use super::*;

    pub(in super::super) fn get_cost_and_usage(from: Secs, to: Secs, granularity: &str) -> Call {
        Call::new("ce", "GetCostAndUsage", true).req(json!({
            "timePeriod": {"start": &iso(from)[..10], "end": &iso(to)[..10]},
            "granularity": granularity,
            "metrics": ["UnblendedCost"],
            "groupBy": [{"type": "DIMENSION", "key": "SERVICE"}],
        }))
    }

    pub(in super::super) fn get_cost_forecast(from: Secs, to: Secs) -> Call {
        Call::new("ce", "GetCostForecast", true).req(json!({
            "timePeriod": {"start": &iso(from)[..10], "end": &iso(to)[..10]},
            "metric": "UNBLENDED_COST",
            "granularity": "MONTHLY",
        }))
    }
}

/// CloudWatch Logs.
pub(super) mod logs {
    use super::*;

    pub(in super::super) fn describe_log_groups(prefix: &str) -> Call {
        Call::new("logs", "DescribeLogGroups", true).req(json!({"logGroupNamePrefix": prefix}))
    }

    pub(in super::super) fn filter_log_events(group: &str, from: Secs, to: Secs) -> Call {
        Call::new("logs", "FilterLogEvents", true).req(json!({
            "logGroupName": group,
            "startTime": from * 1000,
            "endTime": to * 1000,
            "filterPattern": "ERROR",
        }))
    }
}
