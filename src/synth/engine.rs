//! The scenario engine: a timeline of rendered records, and the two kinds of
//! table a scenario is written in — a script of dated steps (the story) and
//! routines of repeated calls (background activity and the symptoms).
//!
//! A scenario first computes an environment `E` from the seed (every
//! principal, session, key and resource ID it will ever mention), then the
//! engine runs its tables against that environment. Steps and routines are
//! plain functions of `(&E, time, rng)`, so they stay data, not control flow.

use serde_json::Value;

use super::KeyEvent;
use super::api::sts;
use super::identity::{Caller, Secs, World, iso, parse_time};
use super::records::{Call, render};
use super::rng::Rng;

/// One rendered record and where it is delivered.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub time: Secs,
    pub region: String,
    pub record: Value,
    /// Emission order, to break ties deterministically.
    pub seq: u64,
    /// Delivered in the next 5-minute file (CloudTrail delivers some
    /// records late).
    pub late: bool,
}

/// Who is acting at a time: `None` when that actor does not exist then
/// (an instance not yet launched, a session expired).
pub(crate) type ActorFn<E> = fn(&E, Secs) -> Option<Caller>;
/// What is called at a time; may depend on the time (a resource deleted).
pub(crate) type CallFn<E> = fn(&E, Secs, &mut Rng) -> Call;

/// A dated step of the story.
pub(crate) struct Step<E> {
    pub at: Secs,
    pub actor: ActorFn<E>,
    pub call: CallFn<E>,
    /// Region, when not the home region.
    pub region: Option<&'static str>,
    /// Label for the ground truth (`root_cause`, `recovery`, ...).
    pub key: Option<&'static str>,
}

impl<E> Step<E> {
    /// A step at `at` (RFC 3339) in the home region.
    pub(crate) fn new(at: &str, actor: ActorFn<E>, call: CallFn<E>) -> Self {
        Step::at(parse_time(at), actor, call)
    }

    pub(crate) fn at(at: Secs, actor: ActorFn<E>, call: CallFn<E>) -> Self {
        Step {
            at,
            actor,
            call,
            region: None,
            key: None,
        }
    }

    /// Marks the step as a ground-truth event named `label`.
    pub(crate) fn key(mut self, label: &'static str) -> Self {
        self.key = Some(label);
        self
    }

    pub(crate) fn region(mut self, region: &'static str) -> Self {
        self.region = Some(region);
        self
    }
}

/// Repeated calls by one actor.
pub(crate) struct Routine<E> {
    /// Name of the random stream; unique per routine.
    pub track: &'static str,
    pub actor: ActorFn<E>,
    pub region: Option<&'static str>,
    /// Active intervals (RFC 3339 start, end).
    pub windows: Vec<(Secs, Secs)>,
    /// Gap between occurrences, in seconds (uniform in the range).
    pub gap: (Secs, Secs),
    /// Calls per occurrence (uniform in the range), a few seconds apart.
    pub burst: (u32, u32),
    /// Weighted choice of call per call.
    pub menu: Vec<(u32, CallFn<E>)>,
    /// Background noise scales with the noise knob; symptoms do not.
    pub noise: bool,
    /// First occurrence right at the window start (a process starting up)
    /// rather than anywhere within one gap.
    pub eager: bool,
}

impl<E> Routine<E> {
    /// Background activity in the home region.
    pub(crate) fn new(
        track: &'static str,
        actor: ActorFn<E>,
        windows: Vec<(Secs, Secs)>,
        gap: (Secs, Secs),
        burst: (u32, u32),
        menu: Vec<(u32, CallFn<E>)>,
    ) -> Self {
        Routine {
            track,
            actor,
            region: None,
            windows,
            gap,
            burst,
            menu,
            noise: true,
            eager: false,
        }
    }

    pub(crate) fn region(mut self, region: &'static str) -> Self {
        self.region = Some(region);
        self
    }

    /// Part of the incident's signal: not scaled by the noise knob.
    pub(crate) fn symptom(mut self) -> Self {
        self.noise = false;
        self
    }

    pub(crate) fn eager(mut self) -> Self {
        self.eager = true;
        self
    }
}

/// A set of temporary credentials over time: (valid from, valid until, caller).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rotation {
    pub spans: Vec<(Secs, Secs, Caller)>,
}

impl Rotation {
    /// The caller whose credentials are current at `t`.
    pub(crate) fn at(&self, t: Secs) -> Option<Caller> {
        self.spans
            .iter()
            .find(|(from, until, _)| *from <= t && t < *until)
            .map(|(_, _, c)| c.clone())
    }
}

/// Parses an RFC 3339 window.
pub(crate) fn window(from: &str, to: &str) -> (Secs, Secs) {
    (parse_time(from), parse_time(to))
}

/// The records generated so far, and the ground truth collected with them.
pub(crate) struct Timeline {
    pub world: World,
    seed: u64,
    noise_percent: u32,
    pub events: Vec<Event>,
    pub key_events: Vec<KeyEvent>,
    seq: u64,
}

impl Timeline {
    pub(crate) fn new(world: World, seed: u64, noise_percent: u32) -> Self {
        Timeline {
            world,
            seed,
            noise_percent,
            events: Vec::new(),
            key_events: Vec::new(),
            seq: 0,
        }
    }

    /// The random stream named `track`.
    pub(crate) fn rng(&self, track: &str) -> Rng {
        Rng::derive(self.seed, track)
    }

    /// Records `call` by `caller` at `t` (and the calls it triggers);
    /// returns the eventID. Calls outside the trail's window are dropped.
    pub(crate) fn emit(
        &mut self,
        rng: &mut Rng,
        t: Secs,
        region: Option<&str>,
        caller: &Caller,
        call: &Call,
    ) -> Option<String> {
        let region = region.unwrap_or(&self.world.home).to_string();
        let record = render(&self.world, caller, call, t, &region, rng);
        let late = rng.chance(40);
        let id = record["eventID"].as_str().map(str::to_string);
        if t >= self.world.start && t < self.world.end {
            self.seq += 1;
            self.events.push(Event {
                time: t,
                region: region.clone(),
                record,
                seq: self.seq,
                late,
            });
        } else {
            return None;
        }
        for (delay, follow) in &call.then {
            self.emit(rng, t + delay, Some(&region), caller, follow);
        }
        id
    }

    /// Runs the dated steps of a story.
    pub(crate) fn run_script<E>(&mut self, env: &E, track: &str, steps: &[Step<E>]) {
        let mut rng = self.rng(track);
        for step in steps {
            let t = step.at;
            let caller =
                (step.actor)(env, t).unwrap_or_else(|| panic!("step at {} has no actor", step.at));
            let call = (step.call)(env, t, &mut rng);
            let id = self.emit(&mut rng, t, step.region, &caller, &call);
            if let (Some(label), Some(id)) = (step.key, id) {
                self.key_events.push(KeyEvent {
                    label: label.to_string(),
                    event_id: id,
                    event_time: iso(t),
                    event_name: call.name.clone(),
                    actor: caller.arn(&self.world),
                });
            }
        }
    }

    /// Emits the AssumeRole that minted each session of `rotation` (those
    /// minted inside the trail's window), made by `assumer`.
    pub(crate) fn mint(
        &mut self,
        track: &str,
        rotation: &Rotation,
        assumer: &Caller,
        duration: Secs,
    ) {
        let mut rng = self.rng(track);
        for (_, _, caller) in &rotation.spans {
            if let Some(s) = caller.session()
                && s.created >= self.world.start
            {
                let call = sts::assume_role(&self.world, s, duration, &mut rng);
                self.emit(&mut rng, s.created, None, assumer, &call);
            }
        }
    }

    /// Runs a routine over its windows.
    pub(crate) fn run_routine<E>(&mut self, env: &E, routine: &Routine<E>) {
        if routine.noise && self.noise_percent == 0 {
            return;
        }
        let scale = |gap: Secs| {
            if routine.noise {
                gap * 100 / Secs::from(self.noise_percent.max(1))
            } else {
                gap
            }
        };
        let (min_gap, max_gap) = (scale(routine.gap.0).max(1), scale(routine.gap.1).max(1));
        let weights: Vec<u32> = routine.menu.iter().map(|(w, _)| *w).collect();
        let mut rng = self.rng(routine.track);
        for &(from, to) in &routine.windows {
            let mut t = from + rng.range(0, if routine.eager { 20 } else { max_gap });
            while t < to {
                let calls = rng.range(
                    i64::from(routine.burst.0),
                    i64::from(routine.burst.1.max(routine.burst.0)),
                );
                let mut ct = t;
                for _ in 0..calls {
                    if ct >= to {
                        break;
                    }
                    if let Some(caller) = (routine.actor)(env, ct) {
                        let pick = rng.weighted(&weights);
                        let call = (routine.menu[pick].1)(env, ct, &mut rng);
                        self.emit(&mut rng, ct, routine.region, &caller, &call);
                    }
                    ct += rng.range(2, 25);
                }
                t += rng.range(min_gap, max_gap);
            }
        }
    }
}

/// Sessions of one principal renewed every `every` seconds (jittered) over
/// `[from, to)`; `make` builds the caller of a session created at a time.
/// With `existing`, the first session was minted before `from` (for
/// principals already running when the trail's window opens).
pub(crate) fn rotate(
    rng: &mut Rng,
    (from, to): (Secs, Secs),
    every: (Secs, Secs),
    existing: bool,
    mut make: impl FnMut(&mut Rng, Secs) -> Caller,
) -> Rotation {
    let mut spans = Vec::new();
    let mut created = if existing {
        from - rng.range(0, every.0)
    } else {
        from
    };
    while created < to {
        let next = (created + rng.range(every.0, every.1)).max(from);
        let caller = make(rng, created);
        spans.push((created.max(from), next.min(to), caller));
        created = next;
    }
    Rotation { spans }
}
