//! Derived columns that are facts of CloudTrail's semantics, not opinions:
//! the IAM action a call maps to, the AWS partition, and dry runs.

/// Services whose `eventSource` prefix differs from their IAM action prefix.
const SERVICE_PREFIX_EXCEPTIONS: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("streams.dynamodb", "dynamodb"),
    ("tagging", "tag"),
    ("elasticache", "elasticache"),
    ("sso-directory", "sso-directory"),
    ("api.ecr", "ecr"),
    ("ecr-public", "ecr-public"),
    ("execute-api", "execute-api"),
    ("apigateway", "apigateway"),
    ("metering.marketplace", "aws-marketplace"),
    ("s3-outposts", "s3-outposts"),
    ("signin", "signin"),
    ("iot-data", "iot"),
    ("data.iot", "iot"),
    ("kinesisvideo", "kinesisvideo"),
    ("models.lex", "lex"),
    ("runtime.lex", "lex"),
    ("runtime.sagemaker", "sagemaker"),
    ("ssm-guiconnect", "ssm-guiconnect"),
    ("bedrock-runtime", "bedrock"),
    ("bedrock-agent", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
    ("es", "es"),
];

/// The IAM service prefix for an event source such as `ec2.amazonaws.com`.
pub fn service_prefix(event_source: &str) -> &str {
    let host = event_source
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| event_source.strip_suffix(".amazonaws.com"))
        .or_else(|| event_source.strip_suffix(".api.aws"))
        .unwrap_or(event_source);
    SERVICE_PREFIX_EXCEPTIONS
        .iter()
        .find(|(from, _)| *from == host)
        .map(|(_, to)| *to)
        .unwrap_or(host)
}

/// Strip the API-version suffix some services add to event names:
/// Lambda's `DeleteFunction20150331` and `UpdateFunctionCode20150331v2`,
/// CloudFront's `UpdateDistribution2017_03_25`.
pub fn undated_event_name(name: &str) -> &str {
    let b = name.as_bytes();
    // CloudFront style: YYYY_MM_DD
    if b.len() > 10 {
        let tail = &b[b.len() - 10..];
        if tail[4] == b'_'
            && tail[7] == b'_'
            && tail
                .iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        {
            return &name[..name.len() - 10];
        }
    }
    // Lambda style: YYYYMMDD optionally followed by vN
    let mut end = b.len();
    if let Some(v) = name.rfind('v') {
        if v + 1 < b.len() && b[v + 1..].iter().all(u8::is_ascii_digit) {
            end = v;
        }
    }
    if end > 8 && end - 8 > 0 && b[end - 8..end].iter().all(u8::is_ascii_digit) {
        let digits = &name[end - 8..end];
        if digits.starts_with("19") || digits.starts_with("20") {
            return &name[..end - 8];
        }
    }
    name
}

/// `service:Action` for an event, e.g. `lambda:DeleteFunction`.
pub fn iam_action(event_source: &str, event_name: &str) -> String {
    format!(
        "{}:{}",
        service_prefix(event_source),
        undated_event_name(event_name)
    )
}

/// The partition of an ARN (`arn:aws-cn:...`), if it is one.
pub fn arn_partition(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let p = rest.split(':').next()?;
    (!p.is_empty()).then_some(p)
}

/// The partition of a region name.
pub fn region_partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else {
        "aws"
    }
}

/// An EC2 dry run: the call was checked, not made.
pub fn is_dry_run(error_code: Option<&str>) -> bool {
    matches!(
        error_code,
        Some("Client.DryRunOperation") | Some("DryRunOperation")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_actions_with_known_exceptions() {
        assert_eq!(
            iam_action("lambda.amazonaws.com", "DeleteFunction20150331"),
            "lambda:DeleteFunction"
        );
        assert_eq!(
            iam_action("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
            "lambda:UpdateFunctionCode"
        );
        assert_eq!(
            iam_action("cloudfront.amazonaws.com", "UpdateDistribution2017_03_25"),
            "cloudfront:UpdateDistribution"
        );
        assert_eq!(
            iam_action("monitoring.amazonaws.com", "PutMetricAlarm"),
            "cloudwatch:PutMetricAlarm"
        );
        assert_eq!(
            iam_action("ec2.amazonaws.com", "RunInstances"),
            "ec2:RunInstances"
        );
        assert_eq!(iam_action("s3.amazonaws.com", "PutObject"), "s3:PutObject");
        assert_eq!(
            iam_action("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
            "sts:AssumeRoleWithWebIdentity"
        );
        // Names that merely end in digits are left alone.
        assert_eq!(undated_event_name("GetObjectV2"), "GetObjectV2");
        assert_eq!(undated_event_name("Describe123"), "Describe123");
    }

    #[test]
    fn partitions() {
        assert_eq!(arn_partition("arn:aws-cn:iam::1:role/x"), Some("aws-cn"));
        assert_eq!(arn_partition("AROAX"), None);
        assert_eq!(region_partition("cn-north-1"), "aws-cn");
        assert_eq!(region_partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(region_partition("eu-west-1"), "aws");
    }
}
