//! One API call and its rendering as a CloudTrail record.
//!
//! A [`Call`] says what was called and what came back; the caller, time and
//! region are supplied when it is rendered, so the same call builders serve
//! every actor and scenario.

use serde_json::{Value, json};

use super::identity::{Caller, Secs, Who, World, iso};
use super::rng::Rng;

/// How the record's requestID looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestId {
    /// A UUID, like most services.
    Uuid,
    /// 16 upper-case characters, like Amazon S3.
    S3,
    /// No requestID (console sign-in events).
    None,
    /// 52 upper-case characters, like Amazon DynamoDB.
    Dynamo,
}

/// What was called and with what outcome.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// Service prefix: `cloudformation`, `ec2`, `sts`, ...
    pub service: &'static str,
    pub name: String,
    pub read_only: bool,
    pub request: Value,
    pub response: Value,
    pub error: Option<(String, String)>,
    pub resources: Option<Value>,
    pub additional: Option<Value>,
    pub console_sign_in: bool,
    pub data_event: bool,
    pub version: &'static str,
    pub api_version: Option<&'static str>,
    pub request_id: RequestId,
    /// Host header the client named, when not the service's regional endpoint.
    pub host: Option<String>,
    /// Set when a service makes this call with the caller's credentials
    /// (`invokedBy`), e.g. CloudFormation deleting a stack's resources.
    pub via: Option<&'static str>,
    /// Calls the service makes right after this one with the same identity
    /// (seconds later), e.g. KMS Decrypt behind GetSecretValue.
    pub then: Vec<(Secs, Call)>,
}

impl Call {
    /// A call with no parameters, no response and the service's usual event version.
    pub(crate) fn new(service: &'static str, name: &str, read_only: bool) -> Self {
        Call {
            service,
            name: name.to_string(),
            read_only,
            request: Value::Null,
            response: Value::Null,
            error: None,
            resources: None,
            additional: None,
            console_sign_in: false,
            data_event: false,
            version: default_version(service),
            api_version: None,
            request_id: if service == "s3" {
                RequestId::S3
            } else {
                RequestId::Uuid
            },
            host: None,
            via: None,
            then: Vec::new(),
        }
    }

    pub(crate) fn req(mut self, request: Value) -> Self {
        self.request = request;
        self
    }

    pub(crate) fn resp(mut self, response: Value) -> Self {
        self.response = response;
        self
    }

    /// The call failed: CloudTrail records the error and no response.
    pub(crate) fn fail(mut self, code: &str, message: impl Into<String>) -> Self {
        self.error = Some((code.to_string(), message.into()));
        self.response = Value::Null;
        self.then.clear();
        self
    }

    pub(crate) fn resources(mut self, resources: Value) -> Self {
        self.resources = Some(resources);
        self
    }

    pub(crate) fn additional(mut self, additional: Value) -> Self {
        self.additional = Some(additional);
        self
    }

    /// Made by `service` with the caller's credentials (`invokedBy`).
    pub(crate) fn via(mut self, service: &'static str) -> Self {
        self.via = Some(service);
        for (_, c) in &mut self.then {
            if c.via.is_none() {
                c.via = Some(service);
            }
        }
        self
    }

    pub(crate) fn then(mut self, delay: Secs, call: Call) -> Self {
        self.then.push((delay, call));
        self
    }

    /// An AccessDenied the way IAM words it.
    pub(crate) fn denied(self, w: &World, caller: &Caller, action: &str, resource: &str) -> Self {
        let code = if self.service == "ec2" {
            "Client.UnauthorizedOperation"
        } else {
            "AccessDenied"
        };
        let msg = format!(
            "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
            caller.arn(w)
        );
        self.fail(code, msg)
    }
}

/// eventVersion per service, as current records show them.
fn default_version(service: &str) -> &'static str {
    match service {
        "sts" | "signin" | "lambda" | "ssm" | "kms" | "logs" => "1.08",
        "ec2" | "cloudtrail" | "ecs" | "s3" => "1.10",
        "elasticloadbalancing" => "1.11",
        _ => "1.09",
    }
}

/// The CloudTrail record for `call` made by `caller` at `t` in `region`.
pub(crate) fn render(
    w: &World,
    caller: &Caller,
    call: &Call,
    t: Secs,
    region: &str,
    rng: &mut Rng,
) -> Value {
    let service_caller = matches!(caller.who, Who::Service(_));
    let (source_ip, user_agent) = match call.via {
        Some(svc) => (svc.to_string(), svc.to_string()),
        None => (
            caller.ip.clone(),
            caller.user_agent(call.service, &call.name),
        ),
    };
    let mut rec = json!({
        "eventVersion": call.version,
        "userIdentity": caller.user_identity(w, call.via),
        "eventTime": iso(t),
        "eventSource": format!("{}.amazonaws.com", call.service),
        "eventName": call.name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": call.request,
        "responseElements": call.response,
        "eventID": Value::Null,
        "readOnly": call.read_only,
        "eventType": if call.console_sign_in { "AwsConsoleSignIn" } else { "AwsApiCall" },
        "managementEvent": !call.data_event,
        "recipientAccountId": w.account,
        "eventCategory": if call.data_event { "Data" } else { "Management" },
    });
    if let Some((code, message)) = &call.error {
        rec["errorCode"] = json!(code);
        // Some services (SSM's ParameterNotFound) send no message at all.
        if !message.is_empty() {
            rec["errorMessage"] = json!(message);
        }
    }
    match call.request_id {
        RequestId::Uuid => rec["requestID"] = json!(rng.uuid()),
        RequestId::S3 => rec["requestID"] = json!(rng.upper_alnum(16)),
        RequestId::None => {}
        RequestId::Dynamo => rec["requestID"] = json!(rng.upper_alnum(52)),
    }
    // EC2 echoes the request ID inside its response.
    if let (Some(id), Some(resp)) = (
        rec.get("requestID").cloned(),
        rec.get_mut("responseElements"),
    ) && resp.get("requestId").is_some()
    {
        resp["requestId"] = id;
    }
    rec["eventID"] = json!(rng.uuid());
    if let Some(res) = &call.resources {
        rec["resources"] = res.clone();
    }
    if let Some(add) = &call.additional {
        rec["additionalEventData"] = add.clone();
    }
    if let Some(v) = call.api_version {
        rec["apiVersion"] = json!(v);
    }
    if call.via.is_none() && !service_caller {
        if let Some(vpce) = &caller.vpc_endpoint {
            rec["vpcEndpointId"] = json!(vpce);
        }
        let host = call
            .host
            .clone()
            .unwrap_or_else(|| w.host(call.service, region));
        rec["tlsDetails"] = json!({
            "tlsVersion": caller.tls.0,
            "cipherSuite": caller.tls.1,
            "clientProvidedHostHeader": host,
        });
        if caller.is_console() && !call.console_sign_in {
            rec["sessionCredentialFromConsole"] = json!("true");
        }
    }
    rec
}
