//! IAM policy evaluation over `get-account-authorization-details` snapshots:
//! matching, evaluation, grants, least privilege, breadth, trust and diff.

use backtrail::iam::policy::{
    Decision, Effect, action_matches, diff, evaluate, granted_patterns, is_broad, least_privilege,
    parse_document, resource_matches, trust_risks, try_parse_document, unused_grants,
};
use backtrail::iam::snapshot::{Principal, PrincipalKind, Snapshot};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const ACCOUNT: &str = "111122223333";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample_snapshot() -> PathBuf {
    root().join("sample-data/agent-env-rebuild/iam/authorization-details.json")
}

fn corpus_snapshots() -> Vec<PathBuf> {
    let corpus = root().join("../shared/real-cloudtrail");
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(corpus.join("salesforce__cloudsplaining/test/files"))
            .expect("the cloudsplaining fixtures are beside the project")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
    out.sort();
    out.push(corpus.join(
        "duo-labs__cloudmapper/account-data/demo/us-east-1/iam-get-account-authorization-details.json",
    ));
    out
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A role whose only inline policy is `statements`.
fn role(name: &str, statements: Value) -> Principal {
    let snap = Snapshot::from_value(&json!({
        "RoleDetailList": [role_detail(name, statements, trust_to("AWS", &format!("arn:aws:iam::{ACCOUNT}:root")))]
    }))
    .unwrap();
    snap.principal(name).unwrap()
}

fn role_detail(name: &str, statements: Value, trust: Value) -> Value {
    json!({
        "RoleName": name,
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(statements)}],
        "AttachedManagedPolicies": []
    })
}

fn trust_to(kind: &str, who: &str) -> Value {
    doc(json!([{"Effect": "Allow", "Principal": {kind: who}, "Action": "sts:AssumeRole"}]))
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn wildcards_match_like_iam() {
    assert!(action_matches("s3:Get*", "s3:GetObject"));
    assert!(action_matches("s3:Get*", "s3:Get"));
    assert!(!action_matches("s3:Get*", "s3:PutObject"));
    assert!(!action_matches("s3:Get*", "s3express:GetObject"));
    assert!(action_matches("*", "ec2:RunInstances"));
    assert!(action_matches("iam:*", "iam:CreateUser"));
    assert!(!action_matches("iam:*", "sts:AssumeRole"));
    assert!(action_matches("iam:?etUser", "iam:GetUser"));
    assert!(!action_matches("iam:?etUser", "iam:GGetUser"));
    assert!(action_matches("*:Describe*", "ec2:DescribeInstances"));
    assert!(action_matches("ec2:*Instance*", "ec2:RunInstances"));
    assert!(resource_matches(
        "arn:aws:s3:::bucket/*",
        "arn:aws:s3:::bucket/a/b"
    ));
    assert!(!resource_matches(
        "arn:aws:s3:::bucket/*",
        "arn:aws:s3:::bucket"
    ));
}

#[test]
fn actions_are_case_insensitive_resources_are_not() {
    assert!(action_matches("S3:GETOBJECT", "s3:getobject"));
    assert!(action_matches("s3:get*", "S3:GetObject"));
    assert!(action_matches("IAM:PassRole", "iam:passrole"));
    assert!(!resource_matches(
        "arn:aws:s3:::Bucket/*",
        "arn:aws:s3:::bucket/x"
    ));
}

#[test]
fn deny_beats_allow() {
    let p = role(
        "r",
        json!([
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
        ]),
    );
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::b/k"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&p, "s3:deletebucket", "arn:aws:s3:::b"),
        Decision::ExplicitDeny
    );
    assert_eq!(
        evaluate(&p, "ec2:RunInstances", "*"),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_action_allows_everything_else() {
    let p = role(
        "r",
        json!([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]),
    );
    assert_eq!(evaluate(&p, "ec2:RunInstances", "*"), Decision::Allowed);
    assert_eq!(evaluate(&p, "iam:CreateUser", "*"), Decision::ImplicitDeny);
    assert_eq!(granted_patterns(&p), ["* except iam:*, organizations:*"]);

    // A Deny with NotAction denies everything but the listed actions.
    let q = role(
        "q",
        json!([
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
        ]),
    );
    assert_eq!(evaluate(&q, "s3:PutObject", "*"), Decision::Allowed);
    assert_eq!(
        evaluate(&q, "ec2:RunInstances", "*"),
        Decision::ExplicitDeny
    );
}

#[test]
fn not_resource_excludes_resources() {
    let p = role(
        "r",
        json!([
            {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"},
            {"Effect": "Deny", "Action": "s3:PutObject", "NotResource": ["arn:aws:s3:::drop/*"]},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
        ]),
    );
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::public/a"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::secret/a"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(&p, "s3:PutObject", "arn:aws:s3:::drop/a"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&p, "s3:PutObject", "arn:aws:s3:::other/a"),
        Decision::ExplicitDeny
    );
}

#[test]
fn resource_scopes_and_unknown_resources() {
    let p = role(
        "r",
        json!([
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/*"},
            {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/root-*"}
        ]),
    );
    let arn = |s: &str| format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{s}");
    assert_eq!(
        evaluate(&p, "secretsmanager:GetSecretValue", &arn("prod/db")),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&p, "secretsmanager:GetSecretValue", &arn("dev/db")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(&p, "secretsmanager:GetSecretValue", &arn("prod/root-key")),
        Decision::ExplicitDeny
    );
    // "*" asks about every resource: a scoped grant does not cover it.
    assert_eq!(
        evaluate(&p, "secretsmanager:GetSecretValue", "*"),
        Decision::ImplicitDeny
    );
    // "" is an unknown resource: scoped statements may apply, so the scoped
    // Allow counts and the scoped Deny does not.
    assert_eq!(
        evaluate(&p, "secretsmanager:GetSecretValue", ""),
        Decision::Allowed
    );
}

#[test]
fn conditions_may_apply() {
    let p = role(
        "r",
        json!([
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]),
    );
    // A conditional Allow may grant; a conditional Deny may not apply.
    assert_eq!(evaluate(&p, "ec2:RunInstances", "*"), Decision::Allowed);
    assert_eq!(evaluate(&p, "s3:GetObject", "*"), Decision::Allowed);
    assert!(p.statements.iter().filter(|s| s.has_condition).count() == 2);
}

#[test]
fn permission_boundary_limits_grants() {
    let snap = Snapshot::from_value(&json!({
        "UserDetailList": [{
            "UserName": "dev",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:user/dev"),
            "GroupList": [],
            "UserPolicyList": [{"PolicyName": "admin-ish", "PolicyDocument": doc(json!([
                {"Effect": "Allow", "Action": ["s3:*", "ec2:*", "iam:*"], "Resource": "*"}
            ]))}],
            "AttachedManagedPolicies": [],
            "PermissionsBoundary": {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/dev-boundary")
            }
        }],
        "Policies": [{
            "PolicyName": "dev-boundary",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/dev-boundary"),
            "DefaultVersionId": "v2",
            "PolicyVersionList": [
                {"VersionId": "v1", "IsDefaultVersion": false, "Document": doc(json!([
                    {"Effect": "Allow", "Action": "*", "Resource": "*"}]))},
                {"VersionId": "v2", "IsDefaultVersion": true, "Document": doc(json!([
                    {"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "lambda:*"], "Resource": "*"},
                    {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]))}
            ]
        }]
    }))
    .unwrap();
    let p = snap.principal("dev").unwrap();
    assert!(p.boundary.is_some());
    assert!(
        p.boundary.as_ref().unwrap()[0]
            .source
            .starts_with("boundary:dev-boundary")
    );
    assert_eq!(evaluate(&p, "s3:PutObject", "*"), Decision::Allowed);
    assert_eq!(
        evaluate(&p, "ec2:DescribeInstances", "*"),
        Decision::Allowed
    );
    // Allowed by identity, outside the boundary.
    assert_eq!(
        evaluate(&p, "ec2:RunInstances", "*"),
        Decision::ImplicitDeny
    );
    assert_eq!(evaluate(&p, "iam:CreateUser", "*"), Decision::ImplicitDeny);
    // Inside the boundary, not granted by identity.
    assert_eq!(
        evaluate(&p, "lambda:InvokeFunction", "*"),
        Decision::ImplicitDeny
    );
    // A Deny in the boundary wins.
    assert_eq!(evaluate(&p, "s3:DeleteBucket", "*"), Decision::ExplicitDeny);
    // The boundary (v2) leaves iam out, so the user is not broad in iam.
    assert!(
        is_broad(&p).unwrap().starts_with("s3:*"),
        "{:?}",
        is_broad(&p)
    );
}

#[test]
fn users_inherit_group_policies() {
    let snap = Snapshot::from_value(&json!({
        "UserDetailList": [{
            "UserName": "alice",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            "GroupList": ["readers", "ghosts"],
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": doc(json!([
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]))}],
            "AttachedManagedPolicies": []
        }],
        "GroupDetailList": [{
            "GroupName": "readers",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:group/readers"),
            "GroupPolicyList": [{"PolicyName": "no-secrets", "PolicyDocument": doc(json!([
                {"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}]))}],
            "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
        }]
    }))
    .unwrap();
    let alice = snap
        .principal(&format!("arn:aws:iam::{ACCOUNT}:user/alice"))
        .unwrap();
    assert_eq!(alice.kind, PrincipalKind::User);
    assert_eq!(evaluate(&alice, "sqs:SendMessage", "*"), Decision::Allowed);
    assert_eq!(
        evaluate(&alice, "s3:ListAllMyBuckets", "*"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&alice, "ec2:DescribeInstances", "*"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&alice, "s3:PutObject", "*"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(&alice, "secretsmanager:GetSecretValue", "*"),
        Decision::ExplicitDeny
    );
    let sources: Vec<&str> = alice.statements.iter().map(|s| s.source.as_str()).collect();
    assert!(sources.contains(&"inline:own"), "{sources:?}");
    assert!(
        sources.contains(&"group:readers/inline:no-secrets"),
        "{sources:?}"
    );
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("group:readers/managed:ReadOnlyAccess (built-in approximation")),
        "{sources:?}"
    );
    assert_eq!(
        alice.unevaluated,
        ["group:ghosts: group not in the snapshot, not evaluated"]
    );
    let group = snap.principal("readers").unwrap();
    assert_eq!(group.kind, PrincipalKind::Group);
    assert_eq!(
        evaluate(&group, "sqs:SendMessage", "*"),
        Decision::ImplicitDeny
    );
}

#[test]
fn url_encoded_documents_are_decoded() {
    let inline =
        doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]));
    let managed = doc(json!([{"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": "*"}]));
    let trust = trust_to("AWS", "arn:aws:iam::999999999999:root");
    let snap = Snapshot::from_value(&json!({
        "RoleDetailList": [{
            "RoleName": "enc",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:role/enc"),
            "AssumeRolePolicyDocument": url_encode(&trust.to_string()),
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": url_encode(&inline.to_string())}],
            "AttachedManagedPolicies": [{"PolicyName": "m", "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/m")}]
        }],
        "Policies": [{"PolicyName": "m", "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/m"),
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true,
                "Document": url_encode(&managed.to_string())}]}]
    }))
    .unwrap();
    let p = snap.principal("enc").unwrap();
    assert!(p.unevaluated.is_empty(), "{:?}", p.unevaluated);
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::b/k"),
        Decision::Allowed
    );
    assert_eq!(evaluate(&p, "dynamodb:Query", "*"), Decision::Allowed);
    assert_eq!(p.trust.as_ref().unwrap(), &trust);

    // parse_document on its own: encoded text, plain JSON text, a single
    // statement object, and string-or-list fields.
    let encoded = Value::String(url_encode(&inline.to_string()));
    assert_eq!(parse_document(&encoded, "x")[0].actions, ["s3:GetObject"]);
    let text = Value::String(
        r#"{"Statement":{"Effect":"Deny","Action":["a:B","a:C"],"Resource":"*"}}"#.into(),
    );
    let s = parse_document(&text, "x");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].effect, Effect::Deny);
    assert_eq!(s[0].actions, ["a:B", "a:C"]);
    assert_eq!(s[0].source, "x");
    // Unreadable documents: nothing from parse_document, a reason from try_.
    assert!(parse_document(&Value::String("%7Bnot json".into()), "x").is_empty());
    let err = try_parse_document(&json!({"Statement": [{"Effect": "Maybe"}]}), "x").unwrap_err();
    assert!(err.to_string().contains("Statement[0]"), "{err}");
}

#[test]
fn every_real_snapshot_loads() {
    let mut paths = corpus_snapshots();
    paths.push(sample_snapshot());
    let mut principals = 0;
    for path in &paths {
        let snap = Snapshot::load(path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        for p in snap.principals() {
            principals += 1;
            // Everything a principal references resolves or is explained.
            for note in &p.unevaluated {
                assert!(note.contains("not evaluated"), "{}: {note}", p.arn);
            }
            let _ = is_broad(&p);
            let _ = trust_risks(&p, &snap.account_id().unwrap_or_default());
            let _ = granted_patterns(&p);
        }
    }
    assert!(
        principals > 30,
        "only {principals} principals in {} files",
        paths.len()
    );
}

#[test]
fn real_snapshots_resolve_builtins_and_unknowns() {
    let files = root().join("../shared/real-cloudtrail/salesforce__cloudsplaining/test/files");

    // AdministratorAccess is referenced but not in Policies: built in.
    let snap = Snapshot::load(files.join("example_authz_v2.json")).unwrap();
    let user = snap.principal("BlakeBortles").unwrap();
    assert!(user.unevaluated.is_empty(), "{:?}", user.unevaluated);
    assert_eq!(
        evaluate(&user, "iam:CreateAccessKey", "*"),
        Decision::Allowed
    );
    assert!(is_broad(&user).unwrap().starts_with("administrator:"));

    // Attached AWSLambdaReadOnlyAccess, but only AWSLambda_ReadOnlyAccess is
    // in Policies: unknown, not evaluated.
    let snap = Snapshot::load(files.join("managed_policy_mismatch.json")).unwrap();
    let group = snap.principal("anton-test").unwrap();
    assert_eq!(
        group.unevaluated,
        [
            "managed:AWSLambdaReadOnlyAccess [arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess]: unknown policy, not evaluated"
        ]
    );
    assert!(group.statements.is_empty());
    assert_eq!(is_broad(&group), None);

    // cloudmapper's demo: a role with s3:* on *.
    let snap = Snapshot::load(root().join(
        "../shared/real-cloudtrail/duo-labs__cloudmapper/account-data/demo/us-east-1/iam-get-account-authorization-details.json",
    ))
    .unwrap();
    let exfiller = snap.principal("exfiller").unwrap();
    assert_eq!(
        is_broad(&exfiller).unwrap(),
        "s3:*: allows every s3 action on every resource (via inline:tmp)"
    );
}

#[test]
fn sample_snapshot_ops_agent_role_is_admin() {
    let snap = Snapshot::load(sample_snapshot()).unwrap();
    assert_eq!(snap.account_id().as_deref(), Some("210987654321"));
    let p = snap.principal("ops-agent-role").unwrap();
    assert_eq!(p.arn, "arn:aws-cn:iam::210987654321:role/ops-agent-role");
    assert_eq!(p.kind, PrincipalKind::Role);
    assert_eq!(
        is_broad(&p).unwrap(),
        "administrator: allows every action on every resource (via managed:AdministratorAccess)"
    );
    assert_eq!(evaluate(&p, "iam:CreateAccessKey", "*"), Decision::Allowed);
    // Its trust is to its own account (conditioned on SSO roles): no risk.
    assert!(trust_risks(&p, "210987654321").is_empty());

    // sun.hao: PowerUserAccess and a Deny on iam:* through "developers".
    let sun = snap.principal("sun.hao").unwrap();
    assert_eq!(evaluate(&sun, "ec2:RunInstances", "*"), Decision::Allowed);
    assert_eq!(evaluate(&sun, "iam:ListRoles", "*"), Decision::ExplicitDeny);
    assert_eq!(
        is_broad(&sun).unwrap(),
        "power user: allows every action on every resource except account:*, iam:*, organizations:* (via group:developers/managed:PowerUserAccess)"
    );
    // chen.jie: AdministratorAccess through "admins".
    let chen = snap.principal("chen.jie").unwrap();
    assert!(
        is_broad(&chen)
            .unwrap()
            .contains("group:admins/managed:AdministratorAccess")
    );

    // Scoped roles are not broad; a scoped PassRole is not PassRole on *.
    for name in [
        "orders-api-role",
        "github-actions-deploy",
        "edge-healthcheck-role",
    ] {
        let p = snap.principal(name).unwrap();
        assert_eq!(is_broad(&p), None, "{name}");
    }
    let sso_engineer = snap
        .principals()
        .into_iter()
        .find(|p| p.name.starts_with("AWSReservedSSO_PlatformEngineer"))
        .unwrap();
    assert_eq!(
        is_broad(&sso_engineer).unwrap(),
        "logs:*: allows every logs action on every resource (via inline:AwsSSOInlinePolicy)"
    );
}

#[test]
fn sample_snapshot_trust_risks() {
    let snap = Snapshot::load(sample_snapshot()).unwrap();
    let own = snap.account_id().unwrap();
    let risks = |name: &str| trust_risks(&snap.principal(name).unwrap(), &own);
    assert_eq!(
        risks("observability-integration"),
        [
            "trust to another account: 901234567890 (arn:aws-cn:iam::901234567890:root) (condition on sts:ExternalId)"
        ]
    );
    assert_eq!(
        risks("github-actions-deploy"),
        [
            "trust to a web identity provider: arn:aws-cn:iam::210987654321:oidc-provider/token.actions.githubusercontent.com (condition on token.actions.githubusercontent.com:aud, token.actions.githubusercontent.com:sub)"
        ]
    );
    assert!(risks("orders-api-role").is_empty());
    let sso = snap
        .principals()
        .into_iter()
        .find(|p| p.name.starts_with("AWSReservedSSO_ReadOnlyAccess"))
        .unwrap();
    assert_eq!(
        trust_risks(&sso, &own),
        [
            "trust to a SAML provider: arn:aws-cn:iam::210987654321:saml-provider/AWSSSO_6777a2ef47361c2d_DO_NOT_DELETE (condition on SAML:aud)"
        ]
    );
}

#[test]
fn trust_risks_flag_star_and_unconditioned_github() {
    let mut p = Principal::new(
        &format!("arn:aws:iam::{ACCOUNT}:role/r"),
        "r",
        PrincipalKind::Role,
    );
    p.trust = Some(doc(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ["999999999999", format!("arn:aws:iam::{ACCOUNT}:role/x")]}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ])));
    assert_eq!(
        trust_risks(&p, ACCOUNT),
        [
            "trust to any principal (*)",
            "trust to another account: 999999999999",
            "trust to a web identity provider: arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com (condition on token.actions.githubusercontent.com:aud)",
            "trust to GitHub Actions without a sub condition: any repository's workflow can assume the role",
        ]
    );
}

#[test]
fn granted_and_unused_patterns() {
    let p = role(
        "r",
        json!([
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "ec2:DescribeInstances"], "Resource": "*"},
            {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "arn:aws:s3:::b"},
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::other/*"},
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}
        ]),
    );
    assert_eq!(
        granted_patterns(&p),
        [
            "* except iam:*",
            "ec2:DescribeInstances",
            "s3:Get*",
            "s3:List*"
        ]
    );
    let used = ["s3:GetObject".to_string(), "S3:GETBUCKETPOLICY".to_string()];
    assert_eq!(
        unused_grants(&p, &used),
        ["ec2:DescribeInstances", "s3:List*"]
    );
    let only_iam = ["iam:GetUser".to_string()];
    assert_eq!(
        unused_grants(&p, &only_iam),
        [
            "* except iam:*",
            "ec2:DescribeInstances",
            "s3:Get*",
            "s3:List*"
        ]
    );
}

#[test]
fn least_privilege_groups_by_service() {
    let used = vec![
        (
            "s3:GetObject".to_string(),
            vec![
                "arn:aws:s3:::b/k2".to_string(),
                "arn:aws:s3:::b/k1".to_string(),
            ],
        ),
        (
            "s3:PutObject".to_string(),
            vec![
                "arn:aws:s3:::b/k1".to_string(),
                "arn:aws:s3:::b/k2".to_string(),
            ],
        ),
        ("s3:ListAllMyBuckets".to_string(), vec![]),
        ("ec2:DescribeInstances".to_string(), vec![]),
        ("ec2:describeinstances".to_string(), vec![]),
        ("ec2:DescribeVolumes".to_string(), vec![]),
        ("sts:GetCallerIdentity".to_string(), vec!["*".to_string()]),
    ];
    let policy = least_privilege(&used);
    assert_eq!(
        policy,
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Ec2", "Effect": "Allow",
                 "Action": ["ec2:DescribeInstances", "ec2:DescribeVolumes"], "Resource": ["*"]},
                {"Sid": "S3Group1", "Effect": "Allow",
                 "Action": ["s3:ListAllMyBuckets"], "Resource": ["*"]},
                {"Sid": "S3Group2", "Effect": "Allow",
                 "Action": ["s3:GetObject", "s3:PutObject"],
                 "Resource": ["arn:aws:s3:::b/k1", "arn:aws:s3:::b/k2"]},
                {"Sid": "Sts", "Effect": "Allow",
                 "Action": ["sts:GetCallerIdentity"], "Resource": ["*"]}
            ]
        })
    );
    // Deterministic: input order does not matter.
    let mut reversed = used.clone();
    reversed.reverse();
    reversed.retain(|(a, _)| a != "ec2:describeinstances");
    assert_eq!(least_privilege(&reversed), policy);
    // The result is itself a policy this module reads, allowing what was used.
    let stmts = parse_document(&policy, "suggested");
    let mut p = Principal::new("arn:aws:iam::1:role/x", "x", PrincipalKind::Role);
    p.statements = stmts;
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::b/k1"),
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&p, "s3:GetObject", "arn:aws:s3:::b/k3"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        least_privilege(&[]),
        json!({"Version": "2012-10-17", "Statement": []})
    );
}

#[test]
fn diff_reports_added_removed_and_trust_changes() {
    let managed = |name: &str| json!({"PolicyName": name, "PolicyArn": format!("arn:aws:iam::{ACCOUNT}:policy/{name}")});
    let policy = |name: &str, statements: Value| {
        json!({"PolicyName": name, "Arn": format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
               "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": doc(statements)}]})
    };
    let policies = json!([
        policy(
            "reads",
            json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}])
        ),
        policy(
            "writes",
            json!([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}])
        ),
        policy(
            "lambda",
            json!([{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}])
        )
    ]);
    let app = |attached: Value, trusted: &str| {
        json!({
            "RoleName": "app",
            "Arn": format!("arn:aws:iam::{ACCOUNT}:role/app"),
            "AssumeRolePolicyDocument": trust_to("AWS", trusted),
            "RolePolicyList": [],
            "AttachedManagedPolicies": attached
        })
    };
    let old_role = json!({"RoleName": "old", "Arn": format!("arn:aws:iam::{ACCOUNT}:role/old"),
        "AssumeRolePolicyDocument": trust_to("Service", "ec2.amazonaws.com"),
        "RolePolicyList": [], "AttachedManagedPolicies": [managed("lambda")]});
    let prev = Snapshot::from_value(&json!({
        "RoleDetailList": [app(json!([managed("reads"), managed("writes")]), &format!("arn:aws:iam::{ACCOUNT}:root")), old_role],
        "Policies": policies
    }))
    .unwrap();
    let cur = Snapshot::from_value(&json!({
        "RoleDetailList": [app(json!([managed("reads"), managed("lambda")]), "arn:aws:iam::999:root")],
        "UserDetailList": [{"UserName": "new", "Arn": format!("arn:aws:iam::{ACCOUNT}:user/new"),
            "GroupList": [], "AttachedManagedPolicies": [managed("reads")]}],
        "Policies": policies
    }))
    .unwrap();

    let d = diff(&prev, &cur);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json,
        json!([
            {"principal": "arn:aws:iam::111122223333:role/app",
             "added": ["lambda:InvokeFunction", "trust: arn:aws:iam::999:root"],
             "removed": ["s3:PutObject on arn:aws:s3:::b/*", "trust: arn:aws:iam::111122223333:root"]},
            {"principal": "arn:aws:iam::111122223333:role/old",
             "added": [],
             "removed": ["principal: removed", "lambda:InvokeFunction", "trust: ec2.amazonaws.com"]},
            {"principal": "arn:aws:iam::111122223333:user/new",
             "added": ["principal: added", "s3:Get*"],
             "removed": []}
        ])
    );
    assert!(diff(&cur, &cur).is_empty());
}

#[test]
fn load_errors_name_the_problem() {
    let err = Snapshot::from_value(&json!({"Records": []})).unwrap_err();
    assert!(
        err.to_string()
            .contains("not an IAM authorization-details snapshot"),
        "{err}"
    );
    let err = Snapshot::from_value(&json!({"RoleDetailList": [{"Arn": "arn:aws:iam::1:role/x"}]}))
        .unwrap_err();
    assert_eq!(err.to_string(), "RoleDetailList[0]: missing RoleName");
    let err = Snapshot::load(root().join("no/such/snapshot.json")).unwrap_err();
    assert!(err.to_string().contains("no/such/snapshot.json"), "{err}");
    // An unreadable inline document is not fatal: it is noted.
    let snap = Snapshot::from_value(&json!({"RoleDetailList": [{
        "RoleName": "x", "Arn": "arn:aws:iam::1:role/x",
        "RolePolicyList": [{"PolicyName": "bad", "PolicyDocument": "%7Bbroken"}]}]}))
    .unwrap();
    let p = snap.principal("x").unwrap();
    assert_eq!(p.unevaluated.len(), 1);
    assert!(
        p.unevaluated[0].starts_with("inline:bad: policy text is neither JSON"),
        "{:?}",
        p.unevaluated
    );
}
