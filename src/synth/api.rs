//! Builders for the API calls the scenarios use, one module per service.
//! Each returns a [`Call`] whose requestParameters and responseElements have
//! the shape real CloudTrail records of that call have.

use serde_json::{Value, json};

use super::identity::{RoleDef, Secs, Session, World, iso, java_date};
use super::records::{Call, RequestId};
use super::rng::Rng;

fn role_resource(w: &World, role_arn: &str) -> Value {
    json!([{"accountId": w.account, "type": "AWS::IAM::Role", "ARN": role_arn}])
}

fn credentials(s: &Session, duration: Secs, rng: &mut Rng) -> Value {
    json!({
        "accessKeyId": s.key.clone().unwrap_or_default(),
        "sessionToken": rng.session_token(),
        "expiration": java_date(s.created + duration),
    })
}

fn assumed_role_user(w: &World, s: &Session) -> Value {
    json!({"assumedRoleId": s.principal_id(), "arn": s.arn(w)})
}

/// AWS Security Token Service: where temporary credentials are minted.
pub(crate) mod sts {
    use super::*;

    /// AssumeRole minting the credentials of `s` (its key, name and start time).
    pub(crate) fn assume_role(w: &World, s: &Session, duration: Secs, rng: &mut Rng) -> Call {
        let role_arn = s.role.arn(w);
        let mut req = json!({"roleArn": role_arn, "roleSessionName": s.name});
        let mut resp = json!({
            "credentials": credentials(s, duration, rng),
            "assumedRoleUser": assumed_role_user(w, s),
        });
        if duration != 3600 {
            req["durationSeconds"] = json!(duration);
        }
        if let Some(src) = &s.source_identity {
            req["sourceIdentity"] = json!(src);
            resp["sourceIdentity"] = json!(src);
        }
        Call::new("sts", "AssumeRole", true)
            .req(req)
            .resp(resp)
            .resources(role_resource(w, &role_arn))
    }

    /// AssumeRoleWithWebIdentity by an OIDC identity (GitHub Actions).
    pub(crate) fn assume_role_with_web_identity(
        w: &World,
        s: &Session,
        provider_arn: &str,
        subject: &str,
        rng: &mut Rng,
    ) -> Call {
        let role_arn = s.role.arn(w);
        Call::new("sts", "AssumeRoleWithWebIdentity", true)
            .req(json!({"roleArn": role_arn, "roleSessionName": s.name, "durationSeconds": 3600}))
            .resp(json!({
                "credentials": credentials(s, 3600, rng),
                "subjectFromWebIdentityToken": subject,
                "assumedRoleUser": assumed_role_user(w, s),
                "provider": provider_arn,
                "audience": format!("sts.{}", w.dns_suffix),
            }))
            .additional(json!({"identityProviderConnectionVerificationMethod": "IAMTrustStore"}))
            .resources(role_resource(w, &role_arn))
    }

    /// AssumeRoleWithSAML as IAM Identity Center issues it when a user picks
    /// an account and permission set in the access portal.
    pub(crate) fn assume_role_with_saml(
        w: &World,
        s: &Session,
        provider_name: &str,
        provider_hash: &str,
        rng: &mut Rng,
    ) -> Call {
        let role_arn = s.role.arn(w);
        let provider_arn = w.iam_arn(&format!("saml-provider/{provider_name}"));
        Call::new("sts", "AssumeRoleWithSAML", true)
            .req(json!({
                "sAMLAssertionID": format!("_{}", rng.uuid()),
                "roleSessionName": s.name,
                "durationSeconds": 28800,
                "roleArn": role_arn,
                "principalArn": provider_arn,
            }))
            .resp(json!({
                "credentials": credentials(s, 28800, rng),
                "assumedRoleUser": assumed_role_user(w, s),
                "subject": s.name,
                "subjectType": "persistent",
                "issuer": format!("https://portal.sso.{}.{}/saml/assertion/{}", w.home, w.dns_suffix, rng.base64(24)),
                "audience": format!("https://signin.{}/saml", w.console_domain),
                "nameQualifier": provider_hash,
            }))
            .resources(json!([
                {"accountId": w.account, "type": "AWS::IAM::Role", "ARN": role_arn},
                {"accountId": w.account, "type": "AWS::IAM::SAMLProvider", "ARN": provider_arn},
            ]))
    }

    pub(crate) fn get_caller_identity() -> Call {
        Call::new("sts", "GetCallerIdentity", true)
    }
}

/// AWS sign-in.
pub(crate) mod signin {
    use super::*;

    /// A successful ConsoleLogin. `mfa_device` names the MFA device used, if any.
    pub(crate) fn console_login(w: &World, mfa_device: Option<&str>, federated: bool) -> Call {
        let mut add = json!({"MobileVersion": "No", "MFAUsed": if mfa_device.is_some() { "Yes" } else { "No" }});
        if !federated {
            add["LoginTo"] = json!(format!(
                "https://console.{}/console/home?hashArgs=%23&isauthcode=true&region={}&state=hashArgsFromTB_{}_{}",
                w.console_domain, w.home, w.home, w.account
            ));
        }
        if let Some(device) = mfa_device {
            add["MFAIdentifier"] = json!(device);
        }
        let mut call = Call::new("signin", "ConsoleLogin", false)
            .resp(json!({"ConsoleLogin": "Success"}))
            .additional(add);
        call.console_sign_in = true;
        call.request_id = RequestId::None;
        call
    }
}

/// AWS Identity and Access Management.
pub(crate) mod iam {
    use super::*;

    pub(crate) fn get_role(name: &str) -> Call {
        Call::new("iam", "GetRole", true).req(json!({"roleName": name}))
    }

    pub(crate) fn list_attached_role_policies(name: &str) -> Call {
        Call::new("iam", "ListAttachedRolePolicies", true).req(json!({"roleName": name}))
    }

    pub(crate) fn list_role_policies(name: &str) -> Call {
        Call::new("iam", "ListRolePolicies", true).req(json!({"roleName": name}))
    }

    pub(crate) fn attach_role_policy(role: &str, policy_arn: &str) -> Call {
        Call::new("iam", "AttachRolePolicy", false)
            .req(json!({"roleName": role, "policyArn": policy_arn}))
    }

    pub(crate) fn list_roles() -> Call {
        Call::new("iam", "ListRoles", true).req(json!({"maxItems": 1000}))
    }

    pub(crate) fn list_users() -> Call {
        Call::new("iam", "ListUsers", true)
    }

    pub(crate) fn list_policies() -> Call {
        Call::new("iam", "ListPolicies", true)
            .req(json!({"scope": "AWS", "onlyAttached": false, "maxItems": 100}))
    }

    pub(crate) fn get_account_summary() -> Call {
        Call::new("iam", "GetAccountSummary", true)
    }

    pub(crate) fn list_account_aliases() -> Call {
        Call::new("iam", "ListAccountAliases", true)
    }

    /// Fails with NoSuchEntity: the account has no password policy.
    pub(crate) fn get_account_password_policy(w: &World) -> Call {
        Call::new("iam", "GetAccountPasswordPolicy", true).fail(
            "NoSuchEntityException",
            format!(
                "The Password Policy with domain name {} cannot be found.",
                w.account
            ),
        )
    }

    pub(crate) fn list_mfa_devices(user: &str) -> Call {
        Call::new("iam", "ListMFADevices", true).req(json!({"userName": user}))
    }

    pub(crate) fn get_role_policy(role: &str, policy: &str) -> Call {
        Call::new("iam", "GetRolePolicy", true).req(json!({"roleName": role, "policyName": policy}))
    }

    /// PutRolePolicy; CloudTrail shows the document as the JSON text the
    /// caller sent.
    pub(crate) fn put_role_policy(role: &str, policy: &str, document: &Value) -> Call {
        Call::new("iam", "PutRolePolicy", false).req(json!({
            "roleName": role,
            "policyName": policy,
            "policyDocument": serde_json::to_string_pretty(document).unwrap_or_default(),
        }))
    }

    pub(crate) fn delete_role_policy(role: &str, policy: &str) -> Call {
        Call::new("iam", "DeleteRolePolicy", false)
            .req(json!({"roleName": role, "policyName": policy}))
    }
}

/// AWS CloudFormation.
pub(crate) mod cfn {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Value {
        pairs
            .iter()
            .map(|(k, v)| json!({"parameterKey": k, "parameterValue": v}))
            .collect()
    }

    pub(crate) fn describe_stacks(stack: Option<&str>) -> Call {
        let call = Call::new("cloudformation", "DescribeStacks", true);
        match stack {
            Some(s) => call.req(json!({"stackName": s})),
            None => call,
        }
    }

    /// DescribeStacks for a stack that no longer exists (how `aws
    /// cloudformation wait stack-delete-complete` learns it is done).
    pub(crate) fn describe_stacks_missing(stack: &str) -> Call {
        describe_stacks(Some(stack)).fail(
            "ValidationError",
            format!("Stack with id {stack} does not exist"),
        )
    }

    pub(crate) fn describe_stack_events(stack: &str) -> Call {
        Call::new("cloudformation", "DescribeStackEvents", true).req(json!({"stackName": stack}))
    }

    pub(crate) fn describe_stack_resources(stack: &str) -> Call {
        Call::new("cloudformation", "DescribeStackResources", true).req(json!({"stackName": stack}))
    }

    pub(crate) fn list_stack_resources(stack: &str) -> Call {
        Call::new("cloudformation", "ListStackResources", true).req(json!({"stackName": stack}))
    }

    pub(crate) fn list_stacks() -> Call {
        Call::new("cloudformation", "ListStacks", true).req(json!({
            "stackStatusFilter": ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"]
        }))
    }

    pub(crate) fn get_template(stack: &str) -> Call {
        Call::new("cloudformation", "GetTemplate", true)
            .req(json!({"stackName": stack, "templateStage": "Original"}))
    }

    pub(crate) fn validate_template(url: &str) -> Call {
        Call::new("cloudformation", "ValidateTemplate", true).req(json!({"templateURL": url}))
    }

    pub(crate) fn update_stack(
        stack: &str,
        stack_id: &str,
        url: &str,
        parameters: &[(&str, &str)],
    ) -> Call {
        Call::new("cloudformation", "UpdateStack", false)
            .req(json!({
                "stackName": stack,
                "templateURL": url,
                "parameters": params(parameters),
                "capabilities": ["CAPABILITY_NAMED_IAM"],
            }))
            .resp(json!({"stackId": stack_id}))
    }

    pub(crate) fn continue_update_rollback(stack: &str) -> Call {
        Call::new("cloudformation", "ContinueUpdateRollback", false)
            .req(json!({"stackName": stack}))
    }

    pub(crate) fn update_termination_protection(stack: &str, stack_id: &str, enable: bool) -> Call {
        Call::new("cloudformation", "UpdateTerminationProtection", false)
            .req(json!({"enableTerminationProtection": enable, "stackName": stack}))
            .resp(json!({"stackId": stack_id}))
    }

    pub(crate) fn delete_stack(stack: &str) -> Call {
        Call::new("cloudformation", "DeleteStack", false).req(json!({"stackName": stack}))
    }

    pub(crate) fn create_stack(
        stack: &str,
        stack_id: &str,
        url: &str,
        parameters: &[(&str, &str)],
        tags: &[(&str, &str)],
    ) -> Call {
        let tags: Value = tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        Call::new("cloudformation", "CreateStack", false)
            .req(json!({
                "stackName": stack,
                "templateURL": url,
                "parameters": params(parameters),
                "capabilities": ["CAPABILITY_NAMED_IAM"],
                "tags": tags,
            }))
            .resp(json!({"stackId": stack_id}))
    }

    pub(crate) fn create_change_set(
        stack: &str,
        stack_id: &str,
        change_set: &str,
        change_set_arn: &str,
        url: Option<&str>,
        parameters: &[(&str, &str)],
    ) -> Call {
        let mut req = json!({
            "stackName": stack,
            "changeSetName": change_set,
            "changeSetType": "UPDATE",
            "parameters": params(parameters),
            "capabilities": ["CAPABILITY_NAMED_IAM"],
        });
        match url {
            Some(u) => req["templateURL"] = json!(u),
            None => req["usePreviousTemplate"] = json!(true),
        }
        Call::new("cloudformation", "CreateChangeSet", false)
            .req(req)
            .resp(json!({"id": change_set_arn, "stackId": stack_id}))
    }

    pub(crate) fn describe_change_set(stack: &str, change_set: &str) -> Call {
        Call::new("cloudformation", "DescribeChangeSet", true)
            .req(json!({"changeSetName": change_set, "stackName": stack}))
    }

    pub(crate) fn execute_change_set(stack: &str, change_set: &str) -> Call {
        Call::new("cloudformation", "ExecuteChangeSet", false)
            .req(json!({"changeSetName": change_set, "stackName": stack}))
    }
}

/// Elastic Load Balancing v2 (application load balancers).
pub(crate) mod elbv2 {
    use super::*;

    fn call(name: &str, read_only: bool) -> Call {
        let mut c = Call::new("elasticloadbalancing", name, read_only);
        c.api_version = Some("2015-12-01");
        c
    }

    pub(crate) fn describe_load_balancers(arns: &[&str]) -> Call {
        call("DescribeLoadBalancers", true).req(json!({"loadBalancerArns": arns}))
    }

    pub(crate) fn describe_all_load_balancers() -> Call {
        call("DescribeLoadBalancers", true).req(json!({"pageSize": 400}))
    }

    pub(crate) fn load_balancer_not_found(arns: &[&str]) -> Call {
        describe_load_balancers(arns).fail(
            "LoadBalancerNotFound",
            "One or more load balancers not found",
        )
    }

    pub(crate) fn describe_target_groups(lb_arn: &str) -> Call {
        call("DescribeTargetGroups", true).req(json!({"loadBalancerArn": lb_arn}))
    }

    pub(crate) fn describe_target_health(tg_arn: &str) -> Call {
        call("DescribeTargetHealth", true).req(json!({"targetGroupArn": tg_arn}))
    }

    pub(crate) fn target_group_not_found(tg_arn: &str) -> Call {
        describe_target_health(tg_arn).fail(
            "TargetGroupNotFound",
            format!("Target groups '{tg_arn}' not found"),
        )
    }

    pub(crate) fn describe_listeners(lb_arn: &str) -> Call {
        call("DescribeListeners", true).req(json!({"loadBalancerArn": lb_arn}))
    }

    pub(crate) fn delete_listener(arn: &str) -> Call {
        call("DeleteListener", false).req(json!({"listenerArn": arn}))
    }

    pub(crate) fn delete_load_balancer(arn: &str) -> Call {
        call("DeleteLoadBalancer", false).req(json!({"loadBalancerArn": arn}))
    }

    pub(crate) fn delete_target_group(arn: &str) -> Call {
        call("DeleteTargetGroup", false).req(json!({"targetGroupArn": arn}))
    }

    pub(crate) fn create_target_group(name: &str, arn: &str, vpc: &str) -> Call {
        call("CreateTargetGroup", false)
            .req(json!({
                "name": name, "protocol": "HTTP", "port": 8080, "vpcId": vpc,
                "healthCheckPath": "/healthz", "targetType": "instance",
            }))
            .resp(json!({"targetGroups": [{
                "targetGroupArn": arn, "targetGroupName": name, "protocol": "HTTP", "port": 8080,
                "vpcId": vpc, "healthCheckProtocol": "HTTP", "healthCheckPort": "traffic-port",
                "healthCheckEnabled": true, "healthCheckIntervalSeconds": 30,
                "healthCheckTimeoutSeconds": 5, "healthyThresholdCount": 5,
                "unhealthyThresholdCount": 2, "healthCheckPath": "/healthz",
                "matcher": {"httpCode": "200"}, "targetType": "instance",
                "protocolVersion": "HTTP1", "ipAddressType": "ipv4",
            }]}))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_load_balancer(
        name: &str,
        arn: &str,
        dns: &str,
        vpc: &str,
        subnets: &[(&str, &str)],
        security_groups: &[&str],
        created: Secs,
    ) -> Call {
        let subnet_ids: Vec<&str> = subnets.iter().map(|(_, s)| *s).collect();
        let zones: Value = subnets
            .iter()
            .map(|(zone, s)| json!({"zoneName": zone, "subnetId": s, "loadBalancerAddresses": []}))
            .collect();
        call("CreateLoadBalancer", false)
            .req(json!({
                "name": name, "subnets": subnet_ids, "securityGroups": security_groups,
                "scheme": "internet-facing", "type": "application", "ipAddressType": "ipv4",
            }))
            .resp(json!({"loadBalancers": [{
                "loadBalancerArn": arn, "dNSName": dns, "canonicalHostedZoneId": "Z1GDH35T77C1KE",
                "createdTime": java_date(created), "loadBalancerName": name,
                "scheme": "internet-facing", "vpcId": vpc, "state": {"code": "provisioning"},
                "type": "application", "availabilityZones": zones,
                "securityGroups": security_groups, "ipAddressType": "ipv4",
            }]}))
    }

    pub(crate) fn create_listener(
        arn: &str,
        lb_arn: &str,
        tg_arn: &str,
        certificate_arn: &str,
    ) -> Call {
        let actions = json!([{"type": "forward", "targetGroupArn": tg_arn}]);
        call("CreateListener", false)
            .req(json!({
                "loadBalancerArn": lb_arn, "protocol": "HTTPS", "port": 443,
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "certificates": [{"certificateArn": certificate_arn}],
                "defaultActions": actions,
            }))
            .resp(json!({"listeners": [{
                "listenerArn": arn, "loadBalancerArn": lb_arn, "port": 443, "protocol": "HTTPS",
                "certificates": [{"certificateArn": certificate_arn}],
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "defaultActions": actions,
            }]}))
    }

    pub(crate) fn modify_load_balancer_attributes(arn: &str, key: &str, value: &str) -> Call {
        let attrs = json!([{"key": key, "value": value}]);
        call("ModifyLoadBalancerAttributes", false)
            .req(json!({"loadBalancerArn": arn, "attributes": attrs}))
            .resp(json!({"attributes": attrs}))
    }

    pub(crate) fn modify_listener(arn: &str, certificate_arn: &str) -> Call {
        call("ModifyListener", false).req(json!({
            "listenerArn": arn,
            "certificates": [{"certificateArn": certificate_arn}],
        }))
    }
}

/// Amazon EC2.
pub(crate) mod ec2 {
    use super::*;

    fn items(key: &str, ids: &[&str]) -> Value {
        json!({"items": ids.iter().map(|id| json!({key: id})).collect::<Vec<_>>()})
    }

    fn ok() -> Value {
        json!({"requestId": "", "_return": true})
    }

    pub(crate) fn describe_instances(ids: &[&str]) -> Call {
        let set = if ids.is_empty() {
            json!({})
        } else {
            items("instanceId", ids)
        };
        Call::new("ec2", "DescribeInstances", true)
            .req(json!({"instancesSet": set, "filterSet": {}}))
    }

    pub(crate) fn describe_instances_by_tag(key: &str, value: &str) -> Call {
        Call::new("ec2", "DescribeInstances", true).req(json!({
            "instancesSet": {},
            "filterSet": {"items": [{"name": format!("tag:{key}"), "valueSet": {"items": [{"value": value}]}}]},
        }))
    }

    pub(crate) fn describe_instance_status(ids: &[&str]) -> Call {
        Call::new("ec2", "DescribeInstanceStatus", true).req(json!({
            "instancesSet": items("instanceId", ids),
            "filterSet": {},
            "includeAllInstances": false,
        }))
    }

    pub(crate) fn instances_not_found(ids: &[&str]) -> Call {
        describe_instance_status(ids).fail(
            "Client.InvalidInstanceID.NotFound",
            format!("The instance IDs '{}' do not exist", ids.join(", ")),
        )
    }

    pub(crate) fn terminate_instances(ids: &[&str]) -> Call {
        let states: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({
                    "instanceId": id,
                    "currentState": {"code": 32, "name": "shutting-down"},
                    "previousState": {"code": 16, "name": "running"},
                })
            })
            .collect();
        Call::new("ec2", "TerminateInstances", false)
            .req(json!({"instancesSet": items("instanceId", ids)}))
            .resp(json!({"requestId": "", "instancesSet": {"items": states}}))
    }

    /// One instance launched from a launch template (as Auto Scaling does).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_instance(
        w: &World,
        instance: &str,
        private_ip: &str,
        zone: &str,
        subnet: &str,
        vpc: &str,
        launch_template: &str,
        group: (&str, &str),
        instance_profile: (&str, &str),
        asg: &str,
        launched: Secs,
        rng: &mut Rng,
    ) -> Call {
        let dns = format!(
            "ip-{}.{}.compute.internal",
            private_ip.replace('.', "-"),
            w.home
        );
        let tags = json!({"items": [{"resourceType": "instance", "tags": [{"key": "aws:autoscaling:groupName", "value": asg}]}]});
        Call::new("ec2", "RunInstances", false)
            .req(json!({
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": launch_template, "version": "1"},
                "subnetId": subnet,
                "clientToken": rng.uuid(),
                "tagSpecificationSet": tags,
            }))
            .resp(json!({
                "requestId": "",
                "reservationId": rng.ec2_id("r"),
                "ownerId": w.account,
                "groupSet": {},
                "instancesSet": {"items": [{
                    "instanceId": instance,
                    "imageId": "ami-0c3a1f8d2e7b94d51",
                    "instanceState": {"code": 0, "name": "pending"},
                    "privateDnsName": dns,
                    "amiLaunchIndex": 0,
                    "productCodes": {},
                    "instanceType": "m6i.large",
                    "launchTime": launched * 1000,
                    "placement": {"availabilityZone": zone, "tenancy": "default"},
                    "monitoring": {"state": "disabled"},
                    "subnetId": subnet,
                    "vpcId": vpc,
                    "privateIpAddress": private_ip,
                    "stateReason": {"code": "pending", "message": "pending"},
                    "architecture": "x86_64",
                    "rootDeviceType": "ebs",
                    "rootDeviceName": "/dev/xvda",
                    "blockDeviceMapping": {},
                    "virtualizationType": "hvm",
                    "groupSet": {"items": [{"groupId": group.0, "groupName": group.1}]},
                    "sourceDestCheck": true,
                    "hypervisor": "xen",
                    "iamInstanceProfile": {"arn": instance_profile.0, "id": instance_profile.1},
                    "ebsOptimized": true,
                    "enaSupport": true,
                    "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"},
                }]},
                "requesterId": "112233445566",
            }))
    }

    pub(crate) fn delete_security_group(id: &str) -> Call {
        Call::new("ec2", "DeleteSecurityGroup", false)
            .req(json!({"groupId": id}))
            .resp(ok())
    }

    pub(crate) fn create_security_group(w: &World, name: &str, id: &str, vpc: &str) -> Call {
        Call::new("ec2", "CreateSecurityGroup", false)
            .req(json!({"groupName": name, "groupDescription": format!("{name} managed by CloudFormation"), "vpcId": vpc}))
            .resp(json!({
                "requestId": "", "_return": true, "groupId": id,
                "securityGroupArn": w.arn("ec2", &w.home, &format!("security-group/{id}")),
            }))
    }

    pub(crate) fn authorize_ingress(
        w: &World,
        group: &str,
        port: u16,
        cidr: &str,
        rng: &mut Rng,
    ) -> Call {
        Call::new("ec2", "AuthorizeSecurityGroupIngress", false)
            .req(json!({
                "groupId": group,
                "ipPermissions": {"items": [{
                    "ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {},
                    "ipRanges": {"items": [{"cidrIp": cidr}]}, "ipv6Ranges": {}, "prefixListIds": {},
                }]},
            }))
            .resp(json!({
                "requestId": "", "_return": true,
                "securityGroupRuleSet": {"items": [{
                    "groupOwnerId": w.account, "groupId": group,
                    "securityGroupRuleId": rng.ec2_id("sgr"), "isEgress": false,
                    "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": cidr,
                }]},
            }))
    }

    pub(crate) fn create_launch_template(name: &str, id: &str, created: Secs, by: &str) -> Call {
        Call::new("ec2", "CreateLaunchTemplate", false)
            .req(json!({"CreateLaunchTemplateRequest": {
                "LaunchTemplateName": name,
                "LaunchTemplateData": {"ImageId": "ami-0c3a1f8d2e7b94d51", "InstanceType": "m6i.large"},
            }}))
            .resp(json!({"CreateLaunchTemplateResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": "",
                "launchTemplate": {
                    "launchTemplateId": id, "launchTemplateName": name,
                    "createTime": iso(created).replace('Z', ".000Z"), "createdBy": by,
                    "defaultVersionNumber": 1, "latestVersionNumber": 1,
                },
            }}))
    }

    pub(crate) fn delete_launch_template(name: &str, id: &str, created: Secs, by: &str) -> Call {
        Call::new("ec2", "DeleteLaunchTemplate", false)
            .req(json!({"DeleteLaunchTemplateRequest": {"LaunchTemplateId": id}}))
            .resp(json!({"DeleteLaunchTemplateResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": "",
                "launchTemplate": {
                    "launchTemplateId": id, "launchTemplateName": name,
                    "createTime": iso(created).replace('Z', ".000Z"), "createdBy": by,
                    "defaultVersionNumber": 1, "latestVersionNumber": 1,
                },
            }}))
    }

    pub(crate) fn create_tags(ids: &[&str], tags: &[(&str, &str)]) -> Call {
        let tag_items: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        Call::new("ec2", "CreateTags", false)
            .req(json!({"resourcesSet": items("resourceId", ids), "tagSet": {"items": tag_items}}))
            .resp(ok())
    }

    pub(crate) fn delete_snapshot(id: &str) -> Call {
        Call::new("ec2", "DeleteSnapshot", false)
            .req(json!({"snapshotId": id}))
            .resp(ok())
    }

    pub(crate) fn delete_volume(id: &str) -> Call {
        Call::new("ec2", "DeleteVolume", false)
            .req(json!({"volumeId": id}))
            .resp(ok())
    }

    pub(crate) fn describe_volumes_available() -> Call {
        Call::new("ec2", "DescribeVolumes", true).req(json!({
            "volumeSet": {},
            "filterSet": {"items": [{"name": "status", "valueSet": {"items": [{"value": "available"}]}}]},
        }))
    }

    pub(crate) fn describe_snapshots() -> Call {
        Call::new("ec2", "DescribeSnapshots", true).req(json!({
            "snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]},
            "sharedUsersSet": {}, "filterSet": {},
        }))
    }

    pub(crate) fn describe_volumes() -> Call {
        Call::new("ec2", "DescribeVolumes", true).req(json!({"volumeSet": {}, "filterSet": {}}))
    }

    pub(crate) fn describe_security_groups() -> Call {
        Call::new("ec2", "DescribeSecurityGroups", true).req(json!({
            "securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {},
        }))
    }

    pub(crate) fn describe_vpcs() -> Call {
        Call::new("ec2", "DescribeVpcs", true).req(json!({"vpcSet": {}, "filterSet": {}}))
    }

    pub(crate) fn describe_regions() -> Call {
        Call::new("ec2", "DescribeRegions", true).req(json!({"regionSet": {}, "allRegions": false}))
    }

    pub(crate) fn delete_network_interface(id: &str) -> Call {
        Call::new("ec2", "DeleteNetworkInterface", false)
            .req(json!({"networkInterfaceId": id}))
            .resp(ok())
    }

    pub(crate) fn throttled(call: Call) -> Call {
        call.fail("Client.RequestLimitExceeded", "Request limit exceeded.")
    }
}

/// Amazon EC2 Auto Scaling.
pub(crate) mod autoscaling {
    use super::*;

    pub(crate) fn describe_auto_scaling_groups(names: &[&str]) -> Call {
        Call::new("autoscaling", "DescribeAutoScalingGroups", true)
            .req(json!({"autoScalingGroupNames": names}))
    }

    pub(crate) fn delete_auto_scaling_group(name: &str) -> Call {
        Call::new("autoscaling", "DeleteAutoScalingGroup", false)
            .req(json!({"autoScalingGroupName": name, "forceDelete": true}))
    }

    pub(crate) fn create_auto_scaling_group(
        name: &str,
        launch_template: &str,
        tg_arn: &str,
        subnets: &[&str],
    ) -> Call {
        Call::new("autoscaling", "CreateAutoScalingGroup", false).req(json!({
            "autoScalingGroupName": name,
            "launchTemplate": {"launchTemplateId": launch_template, "version": "1"},
            "minSize": 3, "maxSize": 6, "desiredCapacity": 3,
            "targetGroupARNs": [tg_arn],
            "healthCheckType": "ELB", "healthCheckGracePeriod": 300,
            "vPCZoneIdentifier": subnets.join(","),
        }))
    }
}

/// AWS Secrets Manager.
pub(crate) mod secrets {
    use super::*;

    /// A successful GetSecretValue, followed by the KMS Decrypt Secrets
    /// Manager makes with the caller's credentials.
    pub(crate) fn get_secret_value(
        w: &World,
        secret_id: &str,
        secret_arn: &str,
        version: &str,
    ) -> Call {
        Call::new("secretsmanager", "GetSecretValue", true)
            .req(json!({"secretId": secret_id}))
            .then(
                0,
                super::kms::decrypt_secret(w, secret_arn, version)
                    .via("secretsmanager.amazonaws.com"),
            )
    }

    /// GetSecretValue for a secret that does not exist (any more).
    pub(crate) fn get_secret_value_missing(secret_id: &str) -> Call {
        Call::new("secretsmanager", "GetSecretValue", true)
            .req(json!({"secretId": secret_id}))
            .fail(
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.",
            )
    }

    pub(crate) fn list_secrets() -> Call {
        Call::new("secretsmanager", "ListSecrets", true).req(json!({"maxResults": 100}))
    }

    pub(crate) fn describe_secret(id: &str) -> Call {
        Call::new("secretsmanager", "DescribeSecret", true).req(json!({"secretId": id}))
    }

    pub(crate) fn get_random_password() -> Call {
        Call::new("secretsmanager", "GetRandomPassword", true).req(json!({
            "passwordLength": 32, "excludeCharacters": "\"@/\\",
        }))
    }

    pub(crate) fn delete_secret(name: &str, arn: &str, deleted: Secs) -> Call {
        Call::new("secretsmanager", "DeleteSecret", false)
            .req(json!({"secretId": arn, "forceDeleteWithoutRecovery": true}))
            .resp(json!({"arn": arn, "name": name, "deletionDate": java_date(deleted)}))
    }

    pub(crate) fn create_secret(
        w: &World,
        name: &str,
        arn: &str,
        version: &str,
        description: &str,
    ) -> Call {
        Call::new("secretsmanager", "CreateSecret", false)
            .req(json!({
                "name": name, "clientRequestToken": version, "description": description,
                "forceOverwriteReplicaSecret": false,
            }))
            .resp(json!({"arn": arn, "name": name, "versionId": version}))
            .then(
                0,
                super::kms::generate_data_key(w, arn, version).via("secretsmanager.amazonaws.com"),
            )
    }

    pub(crate) fn put_secret_value(w: &World, name: &str, arn: &str, version: &str) -> Call {
        Call::new("secretsmanager", "PutSecretValue", false)
            .req(json!({"secretId": arn, "clientRequestToken": version}))
            .resp(json!({"arn": arn, "name": name, "versionId": version, "versionStages": ["AWSCURRENT"]}))
            .then(
                0,
                super::kms::generate_data_key(w, arn, version).via("secretsmanager.amazonaws.com"),
            )
    }
}

/// AWS Key Management Service (as used by Secrets Manager).
pub(crate) mod kms {
    use super::*;

    /// The account's AWS managed key for Secrets Manager.
    pub(crate) fn secrets_key(w: &World) -> String {
        w.arn("kms", &w.home, "key/6b1d0f4e-3c2a-4e8b-9f71-2d5c8a9e0b34")
    }

    pub(crate) fn decrypt_secret(w: &World, secret_arn: &str, version: &str) -> Call {
        Call::new("kms", "Decrypt", true)
            .req(json!({
                "encryptionContext": {"SecretARN": secret_arn, "SecretVersionId": version},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }))
            .resources(
                json!([{"accountId": w.account, "type": "AWS::KMS::Key", "ARN": secrets_key(w)}]),
            )
    }

    pub(crate) fn generate_data_key(w: &World, secret_arn: &str, version: &str) -> Call {
        Call::new("kms", "GenerateDataKey", true)
            .req(json!({
                "keyId": "alias/aws/secretsmanager",
                "encryptionContext": {"SecretARN": secret_arn, "SecretVersionId": version},
                "keySpec": "AES_256",
            }))
            .resources(
                json!([{"accountId": w.account, "type": "AWS::KMS::Key", "ARN": secrets_key(w)}]),
            )
    }
}

/// AWS Lambda.
pub(crate) mod lambda {
    use super::*;

    pub(crate) fn update_function_code(
        w: &World,
        function: &str,
        role: &RoleDef,
        bucket: &str,
        key: &str,
        modified: Secs,
        rng: &mut Rng,
    ) -> Call {
        let arn = w.arn("lambda", &w.home, &format!("function:{function}"));
        Call::new("lambda", "UpdateFunctionCode20150331v2", false)
            .req(json!({
                "functionName": arn, "s3Bucket": bucket, "s3Key": key,
                "publish": false, "dryRun": false,
            }))
            .resp(json!({
                "functionName": function, "functionArn": arn, "runtime": "python3.12",
                "role": role.arn(w), "handler": "app.handler",
                "codeSize": 1_000_000 + rng.below(400_000),
                "description": "", "timeout": 30, "memorySize": 512,
                "lastModified": iso(modified).replace('Z', ".000+0000"),
                "codeSha256": format!("{}=", rng.base64(43)),
                "version": "$LATEST", "tracingConfig": {"mode": "PassThrough"},
                "revisionId": rng.uuid(), "state": "Active",
                "lastUpdateStatus": "InProgress", "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating", "packageType": "Zip",
                "architectures": ["x86_64"], "ephemeralStorage": {"size": 512},
                "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
                "loggingConfig": {"logFormat": "Text", "logGroup": format!("/aws/lambda/{function}")},
            }))
    }

    pub(crate) fn update_function_configuration(
        w: &World,
        function: &str,
        role: &RoleDef,
        rng: &mut Rng,
    ) -> Call {
        let arn = w.arn("lambda", &w.home, &format!("function:{function}"));
        Call::new("lambda", "UpdateFunctionConfiguration20150331v2", false)
            .req(json!({"functionName": function, "environment": {}, "timeout": 30}))
            .resp(json!({
                "functionName": function, "functionArn": arn, "runtime": "python3.12",
                "role": role.arn(w), "handler": "app.handler", "timeout": 30, "memorySize": 512,
                "environment": {}, "version": "$LATEST", "revisionId": rng.uuid(),
                "state": "Active", "lastUpdateStatus": "InProgress", "packageType": "Zip",
                "architectures": ["x86_64"],
            }))
    }

    pub(crate) fn get_function(function: &str) -> Call {
        Call::new("lambda", "GetFunction20150331v2", true).req(json!({"functionName": function}))
    }

    pub(crate) fn list_functions() -> Call {
        Call::new("lambda", "ListFunctions20150331", true)
    }

    fn function_arn(w: &World, function: &str) -> String {
        w.arn("lambda", &w.home, &format!("function:{function}"))
    }

    /// The error Lambda returns for a function that does not exist.
    pub(crate) fn not_found(w: &World, call: Call, function: &str) -> Call {
        call.fail(
            "ResourceNotFoundException",
            format!("Function not found: {}", function_arn(w, function)),
        )
    }

    pub(crate) fn get_function_configuration(function: &str) -> Call {
        Call::new("lambda", "GetFunctionConfiguration20150331v2", true)
            .req(json!({"functionName": function}))
    }

    pub(crate) fn list_tags(w: &World, function: &str) -> Call {
        Call::new("lambda", "ListTags20170331", true)
            .req(json!({"resource": function_arn(w, function)}))
    }

    pub(crate) fn delete_function(function: &str) -> Call {
        Call::new("lambda", "DeleteFunction20150331", false).req(json!({"functionName": function}))
    }

    /// CreateFunction from a zip in S3; the function starts `Pending`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_function(
        w: &World,
        function: &str,
        role_arn: &str,
        runtime: &str,
        handler: &str,
        bucket: &str,
        key: &str,
        tags: &[(&str, &str)],
        modified: Secs,
        rng: &mut Rng,
    ) -> Call {
        let arn = function_arn(w, function);
        let tags: serde_json::Map<String, Value> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        Call::new("lambda", "CreateFunction20150331", false)
            .req(json!({
                "functionName": function, "runtime": runtime, "role": role_arn,
                "handler": handler, "code": {"s3Bucket": bucket, "s3Key": key},
                "description": "", "timeout": 60, "memorySize": 1024, "publish": false,
                "tags": tags, "architectures": ["arm64"],
                "environment": {},
                "loggingConfig": {"logFormat": "JSON"},
            }))
            .resp(json!({
                "functionName": function, "functionArn": arn, "runtime": runtime,
                "role": role_arn, "handler": handler,
                "codeSize": 8_000_000 + rng.below(2_000_000),
                "description": "", "timeout": 60, "memorySize": 1024,
                "lastModified": iso(modified).replace('Z', ".000+0000"),
                "codeSha256": format!("{}=", rng.base64(43)),
                "version": "$LATEST", "tracingConfig": {"mode": "PassThrough"},
                "revisionId": rng.uuid(), "state": "Pending",
                "stateReason": "The function is being created.", "stateReasonCode": "Creating",
                "packageType": "Zip", "architectures": ["arm64"],
                "ephemeralStorage": {"size": 512},
                "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
                "loggingConfig": {"logFormat": "JSON", "logGroup": format!("/aws/lambda/{function}")},
            }))
    }

    /// A synchronous Invoke, logged as a data event (readOnly false).
    pub(crate) fn invoke(w: &World, function: &str) -> Call {
        let arn = function_arn(w, function);
        let mut c = Call::new("lambda", "Invoke", false)
            .req(json!({"functionName": arn}))
            .additional(json!({"functionVersion": format!("{arn}:$LATEST")}))
            .resources(
                json!([{"accountId": w.account, "type": "AWS::Lambda::Function", "ARN": arn}]),
            );
        c.data_event = true;
        c
    }

    /// Invoke of a function that does not exist.
    pub(crate) fn invoke_missing(w: &World, function: &str) -> Call {
        let mut c = not_found(w, invoke(w, function), function);
        c.additional = None;
        c
    }
}

/// Amazon ECS.
pub(crate) mod ecs {
    use super::*;

    pub(crate) fn register_task_definition(
        w: &World,
        family: &str,
        revision: u32,
        task_role: &str,
        secret_arn: &str,
    ) -> Call {
        let image = format!(
            "{}.dkr.ecr.{}.{}/{family}:2026.03.06-4f1c2ab",
            w.account, w.home, w.dns_suffix
        );
        Call::new("ecs", "RegisterTaskDefinition", false)
            .req(json!({
                "family": family, "taskRoleArn": task_role,
                "executionRoleArn": w.iam_arn("role/ecsTaskExecutionRole"),
                "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                "cpu": "512", "memory": "1024",
                "containerDefinitions": [{
                    "name": family, "image": image, "essential": true,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "secrets": [{"name": "DB_CREDENTIALS", "valueFrom": secret_arn}],
                }],
            }))
            .resp(json!({"taskDefinition": {
                "taskDefinitionArn": w.arn("ecs", &w.home, &format!("task-definition/{family}:{revision}")),
                "family": family, "revision": revision, "status": "ACTIVE",
                "taskRoleArn": task_role, "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024",
            }}))
    }

    pub(crate) fn update_service(
        w: &World,
        cluster: &str,
        service: &str,
        family: &str,
        revision: u32,
    ) -> Call {
        let td = w.arn(
            "ecs",
            &w.home,
            &format!("task-definition/{family}:{revision}"),
        );
        Call::new("ecs", "UpdateService", false)
            .req(json!({"cluster": cluster, "service": service, "taskDefinition": format!("{family}:{revision}"), "forceNewDeployment": true}))
            .resp(json!({"service": {
                "serviceArn": w.arn("ecs", &w.home, &format!("service/{cluster}/{service}")),
                "serviceName": service,
                "clusterArn": w.arn("ecs", &w.home, &format!("cluster/{cluster}")),
                "status": "ACTIVE", "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
                "launchType": "FARGATE", "taskDefinition": td,
            }}))
    }

    pub(crate) fn describe_services(cluster: &str, services: &[&str]) -> Call {
        Call::new("ecs", "DescribeServices", true)
            .req(json!({"cluster": cluster, "services": services}))
    }

    pub(crate) fn list_clusters() -> Call {
        Call::new("ecs", "ListClusters", true)
    }
}

/// Amazon S3.
pub(crate) mod s3 {
    use super::*;

    fn additional(rng: &mut Rng, bytes_in: u64, bytes_out: u64) -> Value {
        json!({
            "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": bytes_in, "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": rng.base64(76), "bytesTransferredOut": bytes_out,
        })
    }

    fn bucket_host(w: &World, bucket: &str) -> String {
        format!("{bucket}.s3.{}.{}", w.home, w.dns_suffix)
    }

    fn bucket_call(w: &World, name: &str, read_only: bool, bucket: &str, rng: &mut Rng) -> Call {
        let host = bucket_host(w, bucket);
        let mut c = Call::new("s3", name, read_only)
            .req(json!({"bucketName": bucket, "Host": host}))
            .additional(additional(rng, 0, 0))
            .resources(
                json!([{"accountId": w.account, "type": "AWS::S3::Bucket", "ARN": w.s3_arn(bucket)}]),
            );
        c.host = Some(host);
        c
    }

    pub(crate) fn list_buckets(w: &World, rng: &mut Rng) -> Call {
        let host = format!("s3.{}.{}", w.home, w.dns_suffix);
        let mut c = Call::new("s3", "ListBuckets", true)
            .req(json!({"Host": host}))
            .additional({
                let out = 2_000 + rng.below(3_000);
                additional(rng, 0, out)
            });
        c.host = Some(host);
        c
    }

    pub(crate) fn get_bucket_location(w: &World, bucket: &str, rng: &mut Rng) -> Call {
        let mut c = bucket_call(w, "GetBucketLocation", true, bucket, rng);
        c.request["location"] = json!("");
        c
    }

    pub(crate) fn get_bucket_versioning(w: &World, bucket: &str, rng: &mut Rng) -> Call {
        let mut c = bucket_call(w, "GetBucketVersioning", true, bucket, rng);
        c.request["versioning"] = json!("");
        c
    }

    pub(crate) fn delete_bucket(w: &World, bucket: &str, rng: &mut Rng) -> Call {
        bucket_call(w, "DeleteBucket", false, bucket, rng)
    }

    /// PutObject, a data event (the trail logs data events for CI artifact buckets).
    pub(crate) fn put_object(
        w: &World,
        bucket: &str,
        key: &str,
        bytes: u64,
        rng: &mut Rng,
    ) -> Call {
        let host = bucket_host(w, bucket);
        let mut c = Call::new("s3", "PutObject", false)
            .req(json!({"bucketName": bucket, "Host": host, "key": key}))
            .resp(json!({"x-amz-server-side-encryption": "AES256"}))
            .additional(additional(rng, bytes, 0))
            .resources(json!([
                {"accountId": w.account, "type": "AWS::S3::Bucket", "ARN": w.s3_arn(bucket)},
                {"type": "AWS::S3::Object", "ARN": w.s3_arn(&format!("{bucket}/{key}"))},
            ]));
        c.data_event = true;
        c.host = Some(host);
        c
    }
}

/// AWS Systems Manager (the agent's heartbeat).
pub(crate) mod ssm {
    use super::*;

    pub(crate) fn update_instance_information(instance: &str, ip: &str, zone: &str) -> Call {
        Call::new("ssm", "UpdateInstanceInformation", false).req(json!({
            "instanceId": instance, "agentVersion": "3.3.1142.0", "agentStatus": "Active",
            "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023",
            "iPAddress": ip, "computerName": format!("ip-{}.ec2.internal", ip.replace('.', "-")),
            "agentName": "amazon-ssm-agent", "availabilityZone": zone,
        }))
    }

    pub(crate) fn get_parameters(names: &[&str]) -> Call {
        Call::new("ssm", "GetParameters", true)
            .req(json!({"names": names, "withDecryption": false}))
    }

    pub(crate) fn get_parameter(name: &str, decrypt: bool) -> Call {
        Call::new("ssm", "GetParameter", true).req(json!({"name": name, "withDecryption": decrypt}))
    }

    /// GetParameter of a parameter that does not exist: SSM sends the code
    /// without a message.
    pub(crate) fn get_parameter_missing(name: &str, decrypt: bool) -> Call {
        get_parameter(name, decrypt).fail("ParameterNotFound", "")
    }

    pub(crate) fn get_parameters_by_path(path: &str) -> Call {
        Call::new("ssm", "GetParametersByPath", true)
            .req(json!({"path": path, "recursive": true, "withDecryption": false}))
    }

    pub(crate) fn get_parameter_history(name: &str) -> Call {
        Call::new("ssm", "GetParameterHistory", true)
            .req(json!({"name": name, "withDecryption": false}))
    }

    /// DescribeParameters as the Parameter Store console filters by name.
    pub(crate) fn describe_parameters(contains: Option<&str>) -> Call {
        let mut req = json!({"maxResults": 50});
        if let Some(c) = contains {
            req["parameterFilters"] = json!([{"key": "Name", "option": "Contains", "values": [c]}]);
        }
        Call::new("ssm", "DescribeParameters", true).req(req)
    }

    pub(crate) fn delete_parameters(names: &[&str]) -> Call {
        Call::new("ssm", "DeleteParameters", false)
            .req(json!({"names": names}))
            .resp(json!({"deletedParameters": names, "invalidParameters": []}))
    }

    pub(crate) fn put_parameter(name: &str, kind: &str, version: u32) -> Call {
        Call::new("ssm", "PutParameter", false)
            .req(json!({"name": name, "type": kind, "overwrite": false, "tier": "Standard"}))
            .resp(json!({"version": version, "tier": "Standard"}))
    }
}

/// AWS CloudTrail (people investigating).
pub(crate) mod cloudtrail {
    use super::*;

    pub(crate) fn lookup_events(key: &str, value: &str, from: Secs, to: Secs) -> Call {
        Call::new("cloudtrail", "LookupEvents", true).req(json!({
            "lookupAttributes": [{"attributeKey": key, "attributeValue": value}],
            "startTime": java_date(from), "endTime": java_date(to), "maxResults": 50,
        }))
    }
}

/// Amazon CloudWatch.
pub(crate) mod cloudwatch {
    use super::*;

    pub(crate) fn describe_alarms(state: Option<&str>) -> Call {
        let call = Call::new("monitoring", "DescribeAlarms", true);
        match state {
            Some(s) => call.req(json!({"stateValue": s, "maxRecords": 100})),
            None => call.req(json!({"maxRecords": 100})),
        }
    }

    pub(crate) fn list_metrics(namespace: &str) -> Call {
        Call::new("monitoring", "ListMetrics", true).req(json!({"namespace": namespace}))
    }

    pub(crate) fn throttled(call: Call) -> Call {
        call.fail("ThrottlingException", "Rate exceeded")
    }
}

/// More of Amazon CloudWatch: metric reads.
pub(crate) mod metrics {
    use super::*;

    /// GetMetricStatistics for one dimension over a day, as scripts ask.
    pub(crate) fn get_metric_statistics(
        namespace: &str,
        metric: &str,
        dimension: (&str, &str),
        from: Secs,
        to: Secs,
    ) -> Call {
        Call::new("monitoring", "GetMetricStatistics", true).req(json!({
            "namespace": namespace, "metricName": metric,
            "dimensions": [{"name": dimension.0, "value": dimension.1}],
            "startTime": java_date(from), "endTime": java_date(to),
            "period": 86400, "statistics": ["Sum"],
        }))
    }

    /// GetMetricData for a dashboard widget.
    pub(crate) fn get_metric_data(namespace: &str, metric: &str, from: Secs, to: Secs) -> Call {
        Call::new("monitoring", "GetMetricData", true).req(json!({
            "metricDataQueries": [{
                "id": "m1",
                "metricStat": {"metric": {"namespace": namespace, "metricName": metric}, "period": 60, "stat": "Sum"},
                "returnData": true,
            }],
            "startTime": java_date(from), "endTime": java_date(to),
        }))
    }
}

/// Amazon CloudWatch Logs.
pub(crate) mod logs {
    use super::*;

    pub(crate) fn filter_log_events(group: &str, pattern: &str, from: Secs) -> Call {
        Call::new("logs", "FilterLogEvents", true).req(json!({
            "logGroupName": group, "startTime": from * 1000, "filterPattern": pattern,
            "interleaved": true,
        }))
    }

    pub(crate) fn describe_log_groups(prefix: &str) -> Call {
        Call::new("logs", "DescribeLogGroups", true).req(json!({"logGroupNamePrefix": prefix}))
    }
}

/// Amazon RDS.
pub(crate) mod rds {
    use super::*;

    pub(crate) fn describe_db_instances() -> Call {
        Call::new("rds", "DescribeDBInstances", true)
    }

    pub(crate) fn describe_db_snapshots(instance: &str) -> Call {
        Call::new("rds", "DescribeDBSnapshots", true).req(json!({"dBInstanceIdentifier": instance}))
    }
}

/// Amazon DynamoDB: table management (management events) and item reads
/// and writes (data events, logged when the trail selects the table).
pub(crate) mod dynamodb {
    use super::*;

    /// A table as DescribeTable and the table-changing calls describe it.
    #[derive(Debug, Clone)]
    pub(crate) struct Table {
        pub name: String,
        pub arn: String,
        pub id: String,
        pub created: Secs,
        pub items: u64,
        pub bytes: u64,
    }

    fn call(name: &str, read_only: bool) -> Call {
        let mut c = Call::new("dynamodb", name, read_only);
        c.api_version = Some("2012-08-10");
        c.request_id = RequestId::Dynamo;
        c
    }

    fn table_resource(w: &World, t: &Table) -> Value {
        json!([{"accountId": w.account, "type": "AWS::DynamoDB::Table", "ARN": t.arn}])
    }

    fn description(t: &Table, status: &str, protected: bool) -> Value {
        json!({
            "tableName": t.name, "tableStatus": status,
            "creationDateTime": java_date(t.created),
            "provisionedThroughput": {"numberOfDecreasesToday": 0, "readCapacityUnits": 0, "writeCapacityUnits": 0},
            "tableSizeBytes": t.bytes, "itemCount": t.items,
            "tableArn": t.arn, "tableId": t.id,
            "billingModeSummary": {"billingMode": "PAY_PER_REQUEST", "lastUpdateToPayPerRequestDateTime": java_date(t.created)},
            "deletionProtectionEnabled": protected,
        })
    }

    fn item_call(w: &World, name: &str, read_only: bool, t: &Table, request: Value) -> Call {
        let mut c = call(name, read_only)
            .req(request)
            .resources(table_resource(w, t));
        c.data_event = true;
        c
    }

    pub(crate) fn list_tables() -> Call {
        call("ListTables", true)
    }

    pub(crate) fn describe_table(w: &World, t: &Table) -> Call {
        call("DescribeTable", true)
            .req(json!({"tableName": t.name}))
            .resources(table_resource(w, t))
    }

    /// DescribeTable of a table that does not exist (any more).
    pub(crate) fn describe_table_missing(w: &World, t: &Table) -> Call {
        describe_table(w, t).fail(
            "ResourceNotFoundException",
            format!("Requested resource not found: Table: {} not found", t.name),
        )
    }

    pub(crate) fn describe_continuous_backups(w: &World, t: &Table) -> Call {
        call("DescribeContinuousBackups", true)
            .req(json!({"tableName": t.name}))
            .resources(table_resource(w, t))
    }

    pub(crate) fn delete_table(w: &World, t: &Table) -> Call {
        call("DeleteTable", false)
            .req(json!({"tableName": t.name}))
            .resp(json!({"tableDescription": description(t, "DELETING", false)}))
            .resources(table_resource(w, t))
    }

    /// DeleteTable refused because deletion protection is on.
    pub(crate) fn delete_table_protected(w: &World, t: &Table) -> Call {
        delete_table(w, t).fail(
            "ValidationException",
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        )
    }

    /// UpdateTable switching deletion protection.
    pub(crate) fn set_deletion_protection(w: &World, t: &Table, enabled: bool) -> Call {
        call("UpdateTable", false)
            .req(json!({"tableName": t.name, "deletionProtectionEnabled": enabled}))
            .resp(json!({"tableDescription": description(t, "ACTIVE", enabled)}))
            .resources(table_resource(w, t))
    }

    pub(crate) fn update_continuous_backups(w: &World, t: &Table, enabled: bool) -> Call {
        call("UpdateContinuousBackups", false)
            .req(json!({"tableName": t.name, "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": enabled}}))
            .resp(json!({"continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": if enabled { "ENABLED" } else { "DISABLED" }},
            }}))
            .resources(table_resource(w, t))
    }

    pub(crate) fn tag_resource(w: &World, t: &Table, tags: &[(&str, &str)]) -> Call {
        let tags: Value = tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        call("TagResource", false)
            .req(json!({"resourceArn": t.arn, "tags": tags}))
            .resources(table_resource(w, t))
    }

    /// An on-demand backup.
    pub(crate) fn create_backup(
        w: &World,
        t: &Table,
        backup: &str,
        backup_arn: &str,
        at: Secs,
    ) -> Call {
        call("CreateBackup", false)
            .req(json!({"tableName": t.name, "backupName": backup}))
            .resp(json!({"backupDetails": {
                "backupArn": backup_arn, "backupName": backup, "backupSizeBytes": t.bytes,
                "backupStatus": "CREATING", "backupType": "USER",
                "backupCreationDateTime": java_date(at),
            }}))
            .resources(table_resource(w, t))
    }

    pub(crate) fn list_backups(t: &Table) -> Call {
        call("ListBackups", true).req(json!({"tableName": t.name, "backupType": "ALL"}))
    }

    pub(crate) fn describe_backup(backup_arn: &str) -> Call {
        call("DescribeBackup", true).req(json!({"backupArn": backup_arn}))
    }

    /// RestoreTableFromBackup into a table of the same name; `restored` is
    /// the new table (same name and ARN, new table ID).
    pub(crate) fn restore_table_from_backup(
        w: &World,
        restored: &Table,
        backup_arn: &str,
        at: Secs,
    ) -> Call {
        let mut desc = description(restored, "CREATING", false);
        desc["restoreSummary"] = json!({
            "sourceBackupArn": backup_arn, "sourceTableArn": restored.arn,
            "restoreDateTime": java_date(at), "restoreInProgress": true,
        });
        call("RestoreTableFromBackup", false)
            .req(json!({"targetTableName": restored.name, "backupArn": backup_arn}))
            .resp(json!({"tableDescription": desc}))
            .resources(table_resource(w, restored))
    }

    const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

    pub(crate) fn get_item(w: &World, t: &Table, key: &str) -> Call {
        item_call(
            w,
            "GetItem",
            true,
            t,
            json!({"tableName": t.name, "key": {key: HIDDEN}, "consistentRead": false}),
        )
    }

    pub(crate) fn query(w: &World, t: &Table, index: Option<&str>, key: &str) -> Call {
        let mut req = json!({
            "tableName": t.name,
            "keyConditionExpression": format!("{key} = :v"),
            "expressionAttributeValues": {":v": HIDDEN},
        });
        if let Some(i) = index {
            req["indexName"] = json!(i);
        }
        item_call(w, "Query", true, t, req)
    }

    pub(crate) fn update_item(w: &World, t: &Table, key: &str, attrs: &[&str]) -> Call {
        let set: Vec<String> = attrs.iter().map(|a| format!("{a} = :{a}")).collect();
        let values: serde_json::Map<String, Value> = attrs
            .iter()
            .map(|a| (format!(":{a}"), json!(HIDDEN)))
            .collect();
        item_call(
            w,
            "UpdateItem",
            false,
            t,
            json!({
                "tableName": t.name, "key": {key: HIDDEN},
                "updateExpression": format!("SET {}", set.join(", ")),
                "expressionAttributeValues": values,
                "returnValues": "NONE",
            }),
        )
    }

    /// The data-plane error for a table that does not exist or is not ACTIVE.
    pub(crate) fn missing(call: Call) -> Call {
        call.fail("ResourceNotFoundException", "Requested resource not found")
    }
}
