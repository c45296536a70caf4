//! Credential provenance: which STS call minted the temporary credentials an
//! event was made with, following role chains, and which console sign-in a
//! console session came from.

use serde_json::Value;

/// An STS call that handed out credentials.
#[derive(Debug, Clone)]
pub struct Mint {
    /// Index of the minting event in the event list.
    pub event: usize,
    pub access_key_id: String,
    pub issued: i64,
    /// End of validity (µs); when the response omits it, one hour is assumed
    /// (STS's default duration) and twelve hours for GetSessionToken.
    pub expires: i64,
    pub assumed_arn: Option<String>,
    pub source_identity: Option<String>,
    pub via_web_identity: bool,
    pub via_saml: bool,
    /// The caller's account differs from the account the credentials are for.
    pub cross_account: bool,
}

/// The minimal view of an event provenance needs.
pub trait CallView {
    fn time(&self) -> i64;
    fn action(&self) -> &str;
    fn access_key_id(&self) -> Option<&str>;
    fn response_elements(&self) -> Option<&str>;
    fn request_parameters(&self) -> Option<&str>;
    fn failed(&self) -> bool;
    /// The caller's own account (userIdentity.accountId).
    fn caller_account(&self) -> Option<&str>;
}

const MINTING: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
    "sts:GetSessionToken",
    "sts:GetFederationToken",
    "sts:AssumeRoot",
];

fn parse_time(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => crate::event::time::parse_event_time(s)
            .or_else(|| {
                // "Mar 10, 2026, 1:00:00 AM" is how CloudTrail writes expirations.
                chrono::NaiveDateTime::parse_from_str(s, "%b %e, %Y, %l:%M:%S %p")
                    .ok()
                    .map(|n| n.and_utc())
            })
            .map(|t| crate::event::time::to_micros(&t)),
        _ => None,
    }
}

/// Minted credentials by access key ID (foldhash: every event of a window
/// looks its key up).
pub type Mints = polars::prelude::PlHashMap<String, Mint>;

/// Every credential minted in `events`, by access key ID (a key minted
/// twice: the later). The minting calls' payloads are parsed on every core.
pub fn mints<E: CallView + Sync>(events: &[E]) -> Mints {
    use rayon::prelude::*;
    let minted: Vec<(String, Mint)> = events
        .par_iter()
        .enumerate()
        .filter_map(|(i, e)| mint(i, e))
        .collect();
    let mut out = Mints::default();
    out.extend(minted);
    out
}

/// The credential event `i`, `e`, minted, with its access key ID.
fn mint<E: CallView>(i: usize, e: &E) -> Option<(String, Mint)> {
    if e.failed() || !MINTING.contains(&e.action()) {
        return None;
    }
    let resp = e
        .response_elements()
        .and_then(|r| crate::event::canonical::parse_value(r).ok())?;
    let creds = &resp["credentials"];
    let key = creds["accessKeyId"].as_str()?;
    let default_hours = if e.action() == "sts:GetSessionToken" {
        12
    } else {
        1
    };
    let expires =
        parse_time(creds.get("expiration")).unwrap_or(e.time() + default_hours * 3_600_000_000);
    let req: Value = e
        .request_parameters()
        .and_then(|r| crate::event::canonical::parse_value(r).ok())
        .unwrap_or(Value::Null);
    Some((
        key.to_string(),
        Mint {
            event: i,
            access_key_id: key.to_string(),
            issued: e.time(),
            expires: expires.max(e.time()),
            assumed_arn: resp["assumedRoleUser"]["arn"]
                .as_str()
                .or(resp["federatedUser"]["arn"].as_str())
                .map(str::to_string),
            source_identity: resp["sourceIdentity"]
                .as_str()
                .or(req["sourceIdentity"].as_str())
                .map(str::to_string),
            via_web_identity: e.action() == "sts:AssumeRoleWithWebIdentity",
            via_saml: e.action() == "sts:AssumeRoleWithSAML",
            cross_account: {
                let target = resp["assumedRoleUser"]["arn"]
                    .as_str()
                    .and_then(|a| a.split(':').nth(4));
                matches!((e.caller_account(), target), (Some(c), Some(t)) if c != t)
            },
        },
    ))
}

/// The mint behind an event: its access key, used within the credentials'
/// lifetime (a few minutes of clock skew allowed).
pub fn minted_by<'m, E: CallView>(e: &E, mints: &'m Mints) -> Option<&'m Mint> {
    let m = mints.get(e.access_key_id()?)?;
    const SKEW: i64 = 5 * 60_000_000;
    (e.time() + SKEW >= m.issued && e.time() <= m.expires + SKEW).then_some(m)
}

/// The chain of mints behind an event, nearest first (role chaining: the
/// minting call was itself made with minted credentials).
pub fn chain<'m, E: CallView>(events: &[E], e: &E, mints: &'m Mints) -> Vec<&'m Mint> {
    let mut out: Vec<&Mint> = Vec::new();
    let mut cur = minted_by(e, mints);
    while let Some(m) = cur {
        if out.iter().any(|x| x.event == m.event) || out.len() > 16 {
            break;
        }
        out.push(m);
        cur = minted_by(&events[m.event], mints);
    }
    out
}
