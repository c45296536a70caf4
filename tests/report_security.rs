//! Every string from a log is hostile: payloads in user agents, error
//! messages, session names and resource names never become markup in the
//! HTML or Markdown report.

mod common;

use serde_json::{Value, json};

const PAYLOADS: &[&str] = &[
    "<script>document.title='pwned'</script>",
    "\"><img src=x onerror=alert(1)>",
    "</svg><script>alert(2)</script>",
    "javascript:alert(3)",
    "\u{202e}gnp.exe",
    "ctrl\u{0007}\u{001b}[31m",
];

fn rec(
    id: &str,
    t: &str,
    name: &str,
    session: &str,
    ua: &str,
    params: Value,
    err: Option<(&str, &str)>,
) -> Value {
    let mut r = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": format!("AROAX:{session}"),
            "arn": format!("arn:aws:sts::111122223333:assumed-role/app-role/{session}"),
            "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAX", "arn": "arn:aws:iam::111122223333:role/app-role", "accountId": "111122223333", "userName": "app-role"},
                "attributes": {"creationDate": "2024-05-01T09:00:00Z", "mfaAuthenticated": "false"}}},
        "eventTime": t, "eventSource": "lambda.amazonaws.com", "eventName": name, "awsRegion": "eu-west-1",
        "sourceIPAddress": "192.0.2.10", "userAgent": ua, "requestParameters": params,
        "responseElements": null, "requestID": format!("r-{id}"), "eventID": id,
        "readOnly": name.starts_with("Get"), "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333", "eventCategory": "Management"
    });
    if let Some((c, m)) = err {
        r["errorCode"] = json!(c);
        r["errorMessage"] = json!(m);
    }
    r
}

#[test]
fn payloads_in_every_field_are_escaped() {
    let t = tempfile::tempdir().unwrap();
    let evil = PAYLOADS.join(" ");
    let func = format!("fn-{}", PAYLOADS[1]);
    let mut records = vec![rec(
        "cause",
        "2024-05-01T10:00:00Z",
        "DeleteFunction20150331",
        &format!("agent-{}", PAYLOADS[0]),
        &format!("aws-cli/2 md/awslabs#mcp {evil}"),
        json!({"functionName": func}),
        None,
    )];
    for i in 0..40 {
        records.push(rec(
            &format!("err-{i}"),
            &format!("2024-05-01T10:{:02}:00Z", 1 + i),
            "GetFunction20150331v2",
            &format!("worker-{}", PAYLOADS[2]),
            &evil,
            json!({"functionName": func}),
            Some((
                "ResourceNotFoundException",
                &format!("Function not found: '{func}' {evil}"),
            )),
        ));
    }
    let f = t.path().join("evil.json");
    std::fs::write(&f, json!({ "Records": records }).to_string()).unwrap();
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 0, "{s}");
    for format in ["html", "md"] {
        let out = common::bin()
            .args([
                "incident",
                "--identities",
                "show",
                "--format",
                format,
                "--lake",
            ])
            .arg(&lake)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page = String::from_utf8(out.stdout).unwrap();
        // The payload's function name made it into the report (escaped).
        assert!(page.contains("fn-"), "{format}: the cause is reported");
        for raw in ["<script", "<img", "</svg><", "onerror=alert(1)>"] {
            assert!(!page.contains(raw), "{format}: raw {raw:?} in the report");
        }
        assert!(
            !page.contains('\u{202e}'),
            "{format}: bidi override survived"
        );
        assert!(
            !page.contains('\u{0007}') && !page.contains('\u{001b}'),
            "{format}: control characters survived"
        );
        for attr in ["href=\"javascript", "src=\"javascript", "href='javascript"] {
            assert!(!page.contains(attr), "{format}: {attr}");
        }
    }
}
