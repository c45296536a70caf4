//! Structure and safety of the report charts: every chart is well-formed
//! XML, sized, accessible, shows what it was given, stays bounded for large
//! inputs, and never lets a string from the logs become markup.
//!
//! Set BT_CHART_DIR to a directory to also write the charts there for a look.

use backtrail::report::charts::{self, LaneEvent};
use serde_json::{Value, json};

/// A minimal XML reader: enough to check well-formedness and walk the tree.
mod xml {
    #[derive(Debug)]
    pub struct El {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub children: Vec<El>,
        /// Decoded character data directly inside this element.
        pub text: String,
    }

    impl El {
        pub fn attr(&self, k: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        }

        pub fn has_class(&self, c: &str) -> bool {
            self.attr("class")
                .is_some_and(|v| v.split_whitespace().any(|x| x == c))
        }

        /// This element and all below it, in document order.
        pub fn all(&self) -> Vec<&El> {
            let mut out = vec![self];
            for c in &self.children {
                out.extend(c.all());
            }
            out
        }

        pub fn with_class(&self, c: &str) -> Vec<&El> {
            self.all().into_iter().filter(|e| e.has_class(c)).collect()
        }

        /// All character data below this element.
        pub fn all_text(&self) -> String {
            self.all()
                .iter()
                .map(|e| e.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    fn xml_char(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    }

    fn name_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')
    }

    struct P<'a> {
        s: &'a str,
        i: usize,
    }

    impl P<'_> {
        fn rest(&self) -> &str {
            &self.s[self.i..]
        }
        fn err<T>(&self, what: &str) -> Result<T, String> {
            let ctx: String = self.rest().chars().take(60).collect();
            Err(format!("{what} at byte {}: {ctx:?}", self.i))
        }
        fn ws(&mut self) {
            while self.rest().starts_with([' ', '\n', '\r', '\t']) {
                self.i += 1;
            }
        }
        fn name(&mut self) -> Result<String, String> {
            let n: String = self.rest().chars().take_while(|c| name_char(*c)).collect();
            if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                return self.err("expected a name");
            }
            self.i += n.len();
            Ok(n)
        }
        /// Decode character data up to `stop`, checking entity references.
        fn chars_until(&mut self, stop: char) -> Result<String, String> {
            let mut out = String::new();
            loop {
                let Some(c) = self.rest().chars().next() else {
                    return self.err("unexpected end");
                };
                if c == stop {
                    return Ok(out);
                }
                if c == '<' {
                    return self.err("raw '<' in attribute value");
                }
                if c == '&' {
                    let end = self
                        .rest()
                        .find(';')
                        .filter(|e| *e <= 12)
                        .ok_or_else(|| format!("bad entity at byte {}", self.i))?;
                    let ent = &self.rest()[1..end];
                    let ch = match ent {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or("bad char ref")?,
                        _ if ent.starts_with('#') => ent[1..]
                            .parse::<u32>()
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or("bad char ref")?,
                        _ => return self.err("unknown entity"),
                    };
                    if !xml_char(ch) {
                        return self.err("reference to a character XML forbids");
                    }
                    out.push(ch);
                    self.i += end + 1;
                    continue;
                }
                if !xml_char(c) {
                    return self.err("character XML forbids");
                }
                out.push(c);
                self.i += c.len_utf8();
            }
        }
        fn element(&mut self, depth: usize) -> Result<El, String> {
            if depth > 64 {
                return self.err("nested too deep");
            }
            if !self.rest().starts_with('<') {
                return self.err("expected '<'");
            }
            self.i += 1;
            let name = self.name()?;
            let mut attrs: Vec<(String, String)> = Vec::new();
            loop {
                let before = self.i;
                self.ws();
                if self.rest().starts_with("/>") {
                    self.i += 2;
                    return Ok(El {
                        name,
                        attrs,
                        children: vec![],
                        text: String::new(),
                    });
                }
                if self.rest().starts_with('>') {
                    self.i += 1;
                    break;
                }
                if self.i == before {
                    return self.err("expected whitespace before an attribute");
                }
                let k = self.name()?;
                if !self.rest().starts_with('=') {
                    return self.err("expected '='");
                }
                self.i += 1;
                let q = match self.rest().chars().next() {
                    Some(q @ ('"' | '\'')) => q,
                    _ => return self.err("expected a quote"),
                };
                self.i += 1;
                let v = self.chars_until(q)?;
                self.i += 1;
                if attrs.iter().any(|(n, _)| *n == k) {
                    return self.err("duplicate attribute");
                }
                attrs.push((k, v));
            }
            let mut children = Vec::new();
            let mut text = String::new();
            loop {
                if self.rest().starts_with("</") {
                    self.i += 2;
                    let close = self.name()?;
                    if close != name {
                        return self.err(&format!("</{close}> closes <{name}>"));
                    }
                    self.ws();
                    if !self.rest().starts_with('>') {
                        return self.err("expected '>'");
                    }
                    self.i += 1;
                    return Ok(El {
                        name,
                        attrs,
                        children,
                        text,
                    });
                }
                if self.rest().starts_with("<!") || self.rest().starts_with("<?") {
                    return self
                        .err("comments, CDATA and processing instructions are not expected");
                }
                if self.rest().starts_with('<') {
                    children.push(self.element(depth + 1)?);
                    continue;
                }
                if self.rest().is_empty() {
                    return self.err(&format!("<{name}> not closed"));
                }
                text.push_str(&self.chars_until('<')?);
            }
        }
    }

    /// Parse a document holding one element and nothing else.
    pub fn parse(s: &str) -> Result<El, String> {
        let mut p = P { s, i: 0 };
        p.ws();
        let root = p.element(0)?;
        p.ws();
        if !p.rest().is_empty() {
            return p.err("content after the root element");
        }
        Ok(root)
    }

    #[test]
    fn reader_rejects_what_it_should() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a x=\"<\"/>").is_err());
        assert!(parse("<a>&foo;</a>").is_err());
        assert!(parse("<a>x</a><b/>").is_err());
        assert!(parse("<a x=\"1\" x=\"2\"/>").is_err());
        assert!(parse("<a>\u{1}</a>").is_err());
        assert!(parse("<a x=\"&amp;&#39;\">&lt;b&gt;</a>").is_ok());
    }
}

fn golden() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/agent-env-rebuild.incident.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).expect("golden incident JSON")).unwrap()
}

fn save(name: &str, svg: &str) {
    if let Ok(dir) = std::env::var("BT_CHART_DIR") {
        std::fs::write(std::path::Path::new(&dir).join(name), svg).unwrap();
    }
}

/// Parse and check what every chart must have.
fn check(svg: &str, class: &str) -> xml::El {
    let root = xml::parse(svg).unwrap_or_else(|e| panic!("{class} is not well-formed: {e}"));
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attr("class"), Some(class));
    assert_eq!(root.attr("role"), Some("img"));
    assert!(root.attr("aria-label").is_some_and(|l| !l.is_empty()));
    for dim in ["width", "height"] {
        let v: f64 = root.attr(dim).unwrap().parse().unwrap();
        assert!(v > 0.0, "{class} {dim} = {v}");
    }
    assert!(root.attr("viewBox").is_some());
    self_contained(&root, svg);
    root
}

/// Nothing that runs, links or loads: no scripts, foreign content, links or
/// images, no event handler or reference attributes, no `url(...)`.
fn self_contained(root: &xml::El, raw: &str) {
    for el in root.all() {
        assert!(
            !matches!(
                el.name.to_ascii_lowercase().as_str(),
                "script" | "foreignobject" | "a" | "image" | "img" | "use" | "iframe" | "style"
            ),
            "element <{}>",
            el.name
        );
        for (k, v) in &el.attrs {
            let k = k.to_ascii_lowercase();
            assert!(!k.starts_with("on"), "event handler attribute {k}");
            assert!(
                !matches!(k.as_str(), "href" | "xlink:href" | "src" | "style"),
                "attribute {k}"
            );
            // Data and ARIA attributes carry log text and are never
            // interpreted; presentation attributes must not reference anything.
            if !k.starts_with("data-") && !k.starts_with("aria-") {
                assert!(!v.contains("url("), "url() in {k}");
            }
        }
    }
    assert!(!raw.contains("<script") && !raw.contains("<img") && !raw.contains("<!"));
}

fn ev(t_s: i64, actor: &str, kind: &str, class: &str, label: &str) -> LaneEvent {
    LaneEvent {
        time_us: t_s * 1_000_000,
        actor: actor.into(),
        kind: kind.into(),
        class: class.into(),
        label: label.into(),
    }
}

// 2026-03-10T00:00:00Z
const DAY0: i64 = 1_773_100_800;

// --- errors per minute ------------------------------------------------------

#[test]
fn errors_chart_of_the_golden_incident() {
    let a = golden();
    let svg = charts::errors_per_minute(&a);
    save("errors.svg", &svg);
    let root = check(&svg, "bt-errors");
    let total: u64 = a["impact"]["per_minute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"].as_u64().unwrap())
        .sum();
    assert_eq!(root.attr("data-total"), Some(total.to_string().as_str()));
    // 792 minutes of outage (plus margins) do not fit in 180 one-minute bars.
    assert_eq!(root.attr("data-bucket-minutes"), Some("5"));
    assert_eq!(root.attr("data-series"), Some("3"));
    let text = root.all_text();
    for s in [
        "secretsmanager",
        "elasticloadbalancing",
        "ec2",
        "outage window",
    ] {
        assert!(text.contains(s), "legend lacks {s}");
    }
    assert!(text.contains("UTC"), "axis labels name UTC");
    assert!(text.contains("per 5 minutes"));
    let label = root.attr("aria-label").unwrap();
    assert!(label.contains("2026-03-10") && label.contains("outage window"));
}

fn per_minute(rows: &[(i64, &str, u64)], window: (i64, i64)) -> Value {
    let t = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    json!({
        "window": {"start": t(window.0), "end": t(window.1)},
        "impact": {"per_minute": rows.iter().map(|(m, s, e)| json!({
            "minute": t(*m), "service": s, "errors": e
        })).collect::<Vec<_>>()},
    })
}

fn bars(root: &xml::El) -> usize {
    root.all().iter().filter(|e| e.name == "rect").count()
}

#[test]
fn errors_chart_keeps_minutes_for_short_ranges() {
    let rows: Vec<(i64, &str, u64)> = (0..30)
        .map(|m| (DAY0 + m * 60, "s3.amazonaws.com", 2))
        .collect();
    let svg = charts::errors_per_minute(&per_minute(&rows, (DAY0, DAY0 + 1800)));
    let root = check(&svg, "bt-errors");
    assert_eq!(root.attr("data-bucket-minutes"), Some("1"));
    assert_eq!(root.attr("data-total"), Some("60"));
    assert!(root.all_text().contains("per minute"));
}

#[test]
fn errors_chart_aggregates_long_ranges() {
    // Three days, every minute failing in two services.
    let mut rows = Vec::new();
    for m in 0..3 * 1440 {
        rows.push((DAY0 + m * 60, "s3.amazonaws.com", 1));
        rows.push((DAY0 + m * 60, "ec2.amazonaws.com", 1));
    }
    let svg = charts::errors_per_minute(&per_minute(&rows, (DAY0 + 3600, DAY0 + 7200)));
    save("errors-long.svg", &svg);
    let root = check(&svg, "bt-errors");
    assert_eq!(root.attr("data-bucket-minutes"), Some("60"));
    assert_eq!(
        root.attr("data-total"),
        Some((3 * 1440 * 2).to_string().as_str())
    );
    // One bar per service and hour, plus background, window and legend.
    assert!(bars(&root) < 3 * 24 * 2 + 20, "{} rects", bars(&root));
    assert!(svg.len() < 100_000, "{} bytes", svg.len());
    // Ticks span days, so labels carry the date.
    assert!(root.all_text().contains("03-11"));
}

#[test]
fn errors_chart_folds_many_services() {
    let services: Vec<String> = (0..20)
        .map(|i| format!("svc{i:02}.amazonaws.com"))
        .collect();
    let rows: Vec<(i64, &str, u64)> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (DAY0 + i as i64 * 60, s.as_str(), 100 - i as u64))
        .collect();
    let svg = charts::errors_per_minute(&per_minute(&rows, (DAY0, DAY0 + 1200)));
    let root = check(&svg, "bt-errors");
    assert_eq!(root.attr("data-series"), Some("8"));
    let text = root.all_text();
    assert!(text.contains("svc00") && text.contains("other services (13)"));
    assert!(!text.contains("svc19"));
}

#[test]
fn errors_chart_without_data_is_a_placeholder() {
    for a in [
        json!({}),
        json!(null),
        json!({"impact": {"per_minute": "x"}}),
    ] {
        let root = check(&charts::errors_per_minute(&a), "bt-errors");
        assert_eq!(root.with_class("empty").len(), 1);
    }
}

// --- swimlane -----------------------------------------------------------------

#[test]
fn swimlane_draws_one_lane_per_actor_and_one_mark_per_event() {
    let events = vec![
        ev(DAY0 + 10, "ops-agent", "agent", "read", "s3:ListBuckets"),
        ev(
            DAY0 + 60,
            "ops-agent",
            "agent",
            "destructive",
            "DeleteStack prod",
        ),
        ev(
            DAY0 + 70,
            "ops-agent",
            "agent",
            "change",
            "CreateStack prod",
        ),
        ev(
            DAY0 + 90,
            "web",
            "automation",
            "error",
            "GetSecretValue failed",
        ),
        ev(
            DAY0 + 95,
            "web",
            "automation",
            "error",
            "GetSecretValue failed",
        ),
        ev(
            DAY0 + 400,
            "engineer 1",
            "human",
            "recovery",
            "ExecuteChangeSet",
        ),
        ev(DAY0 + 30, "engineer 1", "human", "read", "DescribeStacks"),
    ];
    let window = Some(((DAY0 + 60) * 1_000_000, (DAY0 + 400) * 1_000_000));
    let svg = charts::swimlane(&events, window, 900);
    save("swimlane-small.svg", &svg);
    let root = check(&svg, "bt-swimlane");
    assert_eq!(root.attr("width"), Some("900"));

    let lanes = root.with_class("lane");
    assert_eq!(lanes.len(), 3);
    // Lanes in order of first activity.
    let kinds: Vec<&str> = lanes.iter().map(|l| l.attr("data-kind").unwrap()).collect();
    assert_eq!(kinds, ["agent", "human", "automation"]);
    assert!(lanes.iter().all(|l| l.attr("data-mode") == Some("marks")));
    assert_eq!(lanes[0].attr("data-actor"), Some("ops-agent"));
    assert_eq!(lanes[0].attr("data-events"), Some("3"));

    assert_eq!(root.with_class("mark").len(), 7);
    for (class, n) in [
        ("mark-read", 2),
        ("mark-change", 1),
        ("mark-destructive", 1),
        ("mark-error", 2),
        ("mark-recovery", 1),
    ] {
        assert_eq!(root.with_class(class).len(), n, "{class}");
    }
    assert!(root.with_class("agg").is_empty());
    // The lane colour follows the actor kind.
    let agent_bg = lanes[0].with_class("lane-bg");
    assert_eq!(agent_bg[0].attr("fill"), Some("#8e44ad"));
    assert_eq!(root.with_class("window").len(), 1);
    // The tooltip of a mark says when and what.
    let destructive = &root.with_class("mark-destructive")[0];
    let title = &destructive.children[0];
    assert_eq!(title.name, "title");
    assert!(title.text.contains("00:01:00 UTC") && title.text.contains("DeleteStack prod"));
}

/// 10,000 events from 40 actors over six hours, a few actors very busy.
fn many_events() -> Vec<LaneEvent> {
    let classes = [
        "read",
        "read",
        "read",
        "change",
        "error",
        "destructive",
        "recovery",
    ];
    let kinds = ["human", "agent", "automation", "service", "unknown"];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..10_000)
        .map(|i| {
            let r = next();
            let actor = if i % 3 == 0 { r % 3 } else { r % 40 };
            ev(
                DAY0 + (next() % (6 * 3600)) as i64,
                &format!("actor-{actor:02}"),
                kinds[(actor % 5) as usize],
                classes[(r >> 20) as usize % classes.len()],
                &format!("event {i}"),
            )
        })
        .collect()
}

#[test]
fn swimlane_aggregates_ten_thousand_events() {
    let events = many_events();
    let window = Some(((DAY0 + 3600) * 1_000_000, (DAY0 + 7200) * 1_000_000));
    let svg = charts::swimlane(&events, window, 1000);
    save("swimlane-10k.svg", &svg);
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
    let root = check(&svg, "bt-swimlane");

    let lanes = root.with_class("lane");
    assert_eq!(lanes.len(), 26, "25 busiest actors and one for the rest");
    let other = lanes.last().unwrap();
    assert_eq!(other.attr("data-kind"), Some("other"));
    assert!(other.all_text().contains("other actors (15)"));
    assert!(lanes.iter().any(|l| l.attr("data-mode") == Some("counts")));

    // Every event is accounted for, drawn one by one or counted in a bucket.
    let events_in_lanes: usize = lanes
        .iter()
        .map(|l| l.attr("data-events").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(events_in_lanes, 10_000);
    let marks = root.with_class("mark").len();
    let counted: usize = root
        .with_class("agg")
        .iter()
        .map(|b| b.attr("data-count").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(marks + counted, 10_000);
    assert!(marks <= 1500);
    // A bucket's colour is its most severe class; destructive events are everywhere here.
    assert!(!root.with_class("agg-destructive").is_empty());
}

#[test]
fn swimlane_keeps_marks_for_quiet_lanes_among_busy_ones() {
    // Forty busy actors that only read and fail, and one agent that deletes
    // five times: the agent keeps a lane of its own, drawn mark by mark.
    let mut events: Vec<LaneEvent> = many_events()
        .into_iter()
        .map(|mut e| {
            if !matches!(e.class.as_str(), "read" | "error") {
                e.class = "read".into();
            }
            e
        })
        .collect();
    for i in 0..5 {
        events.push(ev(
            DAY0 + i * 3600,
            "quiet-agent",
            "agent",
            "destructive",
            "DeleteStack",
        ));
    }
    let svg = charts::swimlane(&events, None, 1000);
    let root = check(&svg, "bt-swimlane");
    let quiet = root
        .with_class("lane")
        .into_iter()
        .find(|l| l.attr("data-actor") == Some("quiet-agent"))
        .expect("a lane for the actor that deleted");
    assert_eq!(quiet.attr("data-mode"), Some("marks"));
    assert_eq!(quiet.with_class("mark-destructive").len(), 5);
}

#[test]
fn swimlane_stays_bounded_for_one_busy_actor() {
    let events: Vec<LaneEvent> = (0..10_000)
        .map(|i| ev(DAY0 + i, "bot", "automation", "read", "GetObject"))
        .collect();
    let svg = charts::swimlane(&events, None, 800);
    assert!(svg.len() < 50_000, "{} bytes", svg.len());
    let root = check(&svg, "bt-swimlane");
    let lanes = root.with_class("lane");
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0].attr("data-mode"), Some("counts"));
    assert!(root.with_class("mark").is_empty());
    assert!(root.with_class("agg").len() <= 80);
    assert!(root.with_class("window").is_empty());
}

#[test]
fn swimlane_without_events_is_a_placeholder() {
    let root = check(&charts::swimlane(&[], None, 600), "bt-swimlane");
    assert!(root.with_class("lane").is_empty());
    assert_eq!(root.with_class("empty").len(), 1);
    // A window alone still draws.
    let w = Some((DAY0 * 1_000_000, (DAY0 + 60) * 1_000_000));
    let root = check(&charts::swimlane(&[], w, 600), "bt-swimlane");
    assert_eq!(root.with_class("window").len(), 1);
}

#[test]
fn lane_events_of_the_golden_incident() {
    let a = golden();
    let events = charts::lane_events(&a);
    assert_eq!(events.len(), a["chain"].as_array().unwrap().len());
    let count = |c: &str| events.iter().filter(|e| e.class == c).count();
    // DeleteStack is the one destructive act of a principal; the service's
    // deletions on its behalf are changes.
    assert_eq!(count("destructive"), 1);
    assert_eq!(count("error"), 5);
    assert_eq!(count("recovery"), 1);
    assert_eq!(count("change"), 14);
    let trigger = events.iter().find(|e| e.class == "destructive").unwrap();
    assert_eq!(trigger.kind, "agent");
    assert!(trigger.label.contains("DeleteStack"));

    let svg = charts::swimlane(&events, charts::window_us(&a), 1000);
    save("swimlane-golden.svg", &svg);
    let root = check(&svg, "bt-swimlane");
    let mut pairs: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.actor.as_str(), e.kind.as_str()))
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(root.with_class("lane").len(), pairs.len());
    // The cloudformation service's nine deletions within six minutes share
    // a few pixels of a 29-hour axis, so its lane is drawn as counts.
    let marks = root.with_class("mark").len();
    let counted: usize = root
        .with_class("agg")
        .iter()
        .map(|b| b.attr("data-count").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(marks + counted, events.len());
    let service = root
        .with_class("lane")
        .into_iter()
        .find(|l| l.attr("data-kind") == Some("service"))
        .unwrap();
    assert_eq!(service.attr("data-mode"), Some("counts"));
    assert_eq!(root.with_class("mark-destructive").len(), 1);
    // "engineer 2" acted as a human and as an agent: two lanes, told apart.
    let text = root.all_text();
    assert!(text.contains("engineer 2 (human)") && text.contains("engineer 2 (agent)"));
    assert!(text.contains("ops-agent-role/kiro-agent-session"));
}

// --- causal chain -------------------------------------------------------------

#[test]
fn chain_graph_of_the_golden_incident() {
    let a = golden();
    let svg = charts::chain_graph(&a);
    save("chain.svg", &svg);
    let root = check(&svg, "bt-chain");
    let nodes = root.with_class("node");
    assert_eq!(nodes.len(), a["chain"].as_array().unwrap().len());
    // Two pairs are linked twice (two kinds); they share an arrow.
    let edges = root.with_class("edge");
    assert_eq!(edges.len(), a["edges"].as_array().unwrap().len() - 2);
    let both = edges
        .iter()
        .find(|e| e.attr("data-kind") == Some("removed guardrail,session sequence"))
        .expect("one arrow for both kinds");
    assert!(
        both.all_text()
            .contains("removed guardrail, session sequence")
    );
    assert!(
        edges
            .iter()
            .all(|e| e.all().iter().any(|c| c.name == "path"))
    );

    let x_of = |role: &str| -> Vec<f64> {
        root.with_class(&format!("node-{role}"))
            .iter()
            .map(|g| {
                let r = g.children.iter().find(|c| c.name == "rect").unwrap();
                r.attr("x").unwrap().parse().unwrap()
            })
            .collect()
    };
    let trigger = x_of("trigger");
    assert_eq!(trigger.len(), 1);
    let max = |v: Vec<f64>| v.into_iter().fold(f64::MIN, f64::max);
    let min = |v: Vec<f64>| v.into_iter().fold(f64::MAX, f64::min);
    // Causes left of the trigger, effects right of it, recovery last.
    assert!(max(x_of("credential")) < trigger[0]);
    assert!(max(x_of("permission")) < trigger[0]);
    assert!(min(x_of("impact")) > trigger[0]);
    assert!(min(x_of("service_action")) > trigger[0]);
    assert!(min(x_of("recovery")) > max(x_of("impact")));

    let trigger_node = &root.with_class("node-trigger")[0];
    assert_eq!(trigger_node.attr("data-kind"), Some("agent"));
    let text = trigger_node.all_text();
    assert!(text.contains("DeleteStack") && text.contains("agent"));

    // Nodes never overlap.
    let boxes: Vec<(f64, f64)> = nodes
        .iter()
        .map(|g| {
            let r = g.children.iter().find(|c| c.name == "rect").unwrap();
            (
                r.attr("x").unwrap().parse().unwrap(),
                r.attr("y").unwrap().parse().unwrap(),
            )
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(
                (a.0 - b.0).abs() >= 200.0 || (a.1 - b.1).abs() >= 38.0,
                "{a:?} overlaps {b:?}"
            );
        }
    }
}

#[test]
fn chain_graph_without_chain_is_a_placeholder() {
    for a in [
        json!({}),
        json!({"chain": [], "edges": []}),
        json!({"chain": 5}),
    ] {
        let root = check(&charts::chain_graph(&a), "bt-chain");
        assert!(root.with_class("node").is_empty());
    }
}

#[test]
fn chain_graph_survives_cycles_and_dangling_edges() {
    let a = json!({
        "chain": [
            {"event_id": "a", "role": "trigger", "event_time": "2026-03-10T01:00:00Z", "iam_action": "x:DeleteA", "actor": "p", "actor_kind": "agent", "summary": "a"},
            {"event_id": "b", "role": "impact", "event_time": "2026-03-10T01:01:00Z", "iam_action": "x:GetB", "actor": "q", "actor_kind": "automation", "summary": "b"},
            {"event_id": "c", "role": "impact", "event_time": "not a time", "iam_action": "", "actor": "q", "actor_kind": "martian", "summary": "c"},
            {"event_id": "a", "role": "trigger", "event_time": "2026-03-10T01:00:00Z", "iam_action": "dup", "actor": "p", "actor_kind": "agent", "summary": "dup"}
        ],
        "edges": [
            {"from": "a", "to": "b", "kind": "caused_errors"},
            {"from": "b", "to": "a", "kind": "loops_back"},
            {"from": "a", "to": "a", "kind": "self"},
            {"from": "a", "to": "zzz", "kind": "dangling"},
            {"from": "c", "to": "b", "kind": "backwards"}
        ]
    });
    let svg = charts::chain_graph(&a);
    let root = check(&svg, "bt-chain");
    assert_eq!(root.with_class("node").len(), 3);
    assert_eq!(root.with_class("edge").len(), 3);
    assert!(
        root.all()
            .iter()
            .any(|e| e.attr("data-kind") == Some("unknown"))
    );
}

#[test]
fn chain_graph_caps_nodes() {
    let chain: Vec<Value> = (0..500)
        .map(|i| {
            json!({"event_id": format!("e{i}"), "role": if i == 0 { "trigger" } else { "impact" },
                   "event_time": format!("2026-03-10T01:{:02}:{:02}Z", i / 60 % 60, i % 60),
                   "iam_action": "s:Get", "actor": format!("p{i}"), "actor_kind": "automation", "summary": "s"})
        })
        .collect();
    let edges: Vec<Value> = (1..500)
        .map(|i| json!({"from": "e0", "to": format!("e{i}"), "kind": "caused_errors"}))
        .collect();
    let svg = charts::chain_graph(&json!({"chain": chain, "edges": edges}));
    let root = check(&svg, "bt-chain");
    assert_eq!(root.with_class("node").len(), 60);
    assert_eq!(root.with_class("node-trigger").len(), 1);
    assert!(root.all_text().contains("440 later effects not drawn"));
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
}

// --- hostile input ------------------------------------------------------------

const HOSTILE: [&str; 8] = [
    "</svg><script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "' onload='alert(1)",
    "evil\u{202e}fdp.exe",
    "ctl\u{0}\u{1}\u{7}\u{1b}[31m\u{85}\u{2066}x\u{2069}",
    "a&b;&amp;<![CDATA[x]]><!-- c -->",
    "url(https://evil.example/x.svg)",
];

fn long() -> String {
    "A".repeat(10_000)
}

fn hostile_analysis() -> Value {
    let mut chain = Vec::new();
    let mut edges = Vec::new();
    let mut per_minute = Vec::new();
    let strings: Vec<String> = HOSTILE
        .iter()
        .map(|s| s.to_string())
        .chain([long()])
        .collect();
    for (i, h) in strings.iter().enumerate() {
        chain.push(json!({
            "event_id": format!("{h}{i}"),
            "role": if i == 0 { "trigger".to_string() } else { h.clone() },
            "event_time": format!("2026-03-10T01:{:02}:00Z", i),
            "iam_action": format!("{h}:Delete{h}"),
            "actor": h,
            "actor_kind": h,
            "summary": h,
        }));
        if i > 0 {
            edges.push(
                json!({"from": format!("{}0", strings[0]), "to": format!("{h}{i}"), "kind": h}),
            );
        }
        per_minute.push(
            json!({"minute": format!("2026-03-10T01:{:02}:00Z", i), "service": h, "errors": 3}),
        );
        per_minute.push(json!({"minute": h, "service": h, "errors": 1}));
    }
    json!({
        "window": {"start": "2026-03-10T01:00:00Z", "end": HOSTILE[0]},
        "chain": chain,
        "edges": edges,
        "impact": {"per_minute": per_minute},
    })
}

/// No hostile string survives as markup: the document parses to the same
/// elements it always has, no raw payload or forbidden character is in it,
/// and long strings are cut.
fn assert_defused(svg: &str, class: &str) {
    let root = check(svg, class);
    // Payloads may appear as escaped text ("onerror=alert(1)" is harmless
    // there); the tree check above proves they are not attributes.
    for bad in ["<script", "<img", "</svg><", "<![CDATA", "<!--"] {
        assert!(!svg.contains(bad), "{class} contains raw {bad:?}");
    }
    assert_eq!(svg.matches("</svg>").count(), 1);
    for c in svg.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{class} contains {c:?}"
        );
    }
    assert!(
        !svg.contains(&"A".repeat(200)),
        "{class} has an uncut long string"
    );
    for el in root.all() {
        assert!(
            el.text.chars().count() <= 400,
            "{class}: text of {} chars",
            el.text.len()
        );
        for (k, v) in &el.attrs {
            if k != "d" {
                assert!(
                    v.chars().count() <= 400,
                    "{class}: {k} of {} chars",
                    v.len()
                );
            }
        }
    }
}

#[test]
fn hostile_strings_never_become_markup() {
    let a = hostile_analysis();

    let errors = charts::errors_per_minute(&a);
    save("hostile-errors.svg", &errors);
    assert_defused(&errors, "bt-errors");
    // The service names are there, escaped.
    assert!(errors.contains("&lt;/svg&gt;&lt;script&gt;alert(1)"));

    let chain = charts::chain_graph(&a);
    save("hostile-chain.svg", &chain);
    assert_defused(&chain, "bt-chain");
    let root = xml::parse(&chain).unwrap();
    assert_eq!(root.with_class("node").len(), 9);
    assert!(root.all_text().contains("evilfdp.exe"));
    assert!(root.all_text().contains("javascript:alert(1)"));

    let lanes = charts::lane_events(&a);
    assert_eq!(lanes.len(), 9);
    let swim = charts::swimlane(&lanes, charts::window_us(&a), 1000);
    save("hostile-swimlane.svg", &swim);
    assert_defused(&swim, "bt-swimlane");

    // Hostile lane events built directly, with a hostile kind and class too.
    let mut events = Vec::new();
    for (i, h) in HOSTILE
        .iter()
        .map(|s| s.to_string())
        .chain([long()])
        .enumerate()
    {
        events.push(ev(DAY0 + i as i64 * 60, &h, &h, &h, &h));
        events.push(ev(DAY0 + i as i64 * 60 + 5, &h, "agent", "destructive", &h));
    }
    let swim = charts::swimlane(&events, Some((i64::MIN, i64::MAX)), 1000);
    save("hostile-swimlane-direct.svg", &swim);
    assert_defused(&swim, "bt-swimlane");
    let root = xml::parse(&swim).unwrap();
    let lanes = root.with_class("lane");
    assert_eq!(lanes.len(), 18);
    assert!(
        lanes
            .iter()
            .all(|l| matches!(l.attr("data-kind"), Some("agent" | "unknown")))
    );
    let marks = root.with_class("mark");
    assert_eq!(marks.len(), 18);
    // Unknown classes are drawn as plain "other" marks.
    assert_eq!(root.with_class("mark-other").len(), 9);
}

#[test]
fn extreme_times_do_not_panic() {
    let events = vec![
        ev(0, "a", "human", "read", "x"),
        LaneEvent {
            time_us: i64::MIN,
            ..ev(0, "b", "human", "read", "x")
        },
        LaneEvent {
            time_us: i64::MAX,
            ..ev(0, "c", "human", "read", "x")
        },
    ];
    check(&charts::swimlane(&events, None, 0), "bt-swimlane");
    check(&charts::swimlane(&events, None, u32::MAX), "bt-swimlane");
    let a = json!({
        "window": {"start": "0001-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"},
        "impact": {"per_minute": [
            {"minute": "0001-01-01T00:00:00Z", "service": "s", "errors": u64::MAX},
            {"minute": "9999-12-31T23:59:00Z", "service": "s", "errors": u64::MAX}
        ]},
    });
    check(&charts::errors_per_minute(&a), "bt-errors");
}
