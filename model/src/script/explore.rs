//! The interleaving explorer behind `mmlab explore`: every order in which the tasks of a script
//! can take their steps and receive their I/O completions, with the invariants checked after
//! each step and the script's own expectations checked at the end of each schedule.
//!
//! The script runs as written up to its first `run_until_idle`. From there the explorer searches
//! depth first: at each point the choices are one step of any runnable task or the completion of
//! any pending read, in ascending task order. A state already reached by another schedule is not
//! searched again (states are compared without the timing figures, which only count steps). A
//! schedule ends when no choice is left; the script is then run again with that `run_until_idle`
//! replaced by the schedule's `step` and `io_complete` lines, so a failing schedule is reported
//! as a plain script that fails the same way under `mmlab run`. Only the first `run_until_idle`
//! is explored; later ones run in the default order.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{OpExpr, ParseError, RunOptions, RunReport, StmtKind, parse, run, run_prefix};
use crate::machine::Machine;
use crate::ops::Op;
use crate::task::TaskId;

/// Bounds of one exploration.
#[derive(Clone, Debug)]
pub struct ExploreOptions {
    /// Stop after this many complete schedules.
    pub max_schedules: u64,
    /// Stop after this many distinct states.
    pub max_states: u64,
    /// Longest schedule, in choices.
    pub max_depth: usize,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        ExploreOptions { max_schedules: 100_000, max_states: 1_000_000, max_depth: 10_000 }
    }
}

/// One choice of a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Choice {
    Step(TaskId),
    IoComplete(TaskId),
}

impl Choice {
    fn op(self) -> Op {
        match self {
            Choice::Step(task) => Op::TaskStep { task },
            Choice::IoComplete(task) => Op::IoComplete { task },
        }
    }

    /// The script line of this choice.
    pub fn line(self) -> String {
        match self {
            Choice::Step(t) => format!("step {t}"),
            Choice::IoComplete(t) => format!("io_complete {t}"),
        }
    }
}

/// The first failing schedule.
#[derive(Clone, Debug)]
pub struct FailingSchedule {
    pub choices: Vec<Choice>,
    /// The script with the schedule in place of `run_until_idle`.
    pub script: String,
    /// How that script fails under `mmlab run`.
    pub report: RunReport,
}

/// What an exploration found.
#[derive(Clone, Debug, Default)]
pub struct ExploreReport {
    /// The line of the explored `run_until_idle` (None: the script has none, and ran once).
    pub line: Option<usize>,
    /// Complete schedules checked.
    pub schedules: u64,
    /// Distinct states reached.
    pub states: u64,
    /// Choices that led to a state already searched.
    pub pruned: u64,
    /// A bound stopped the search before every schedule was checked.
    pub bounded: bool,
    pub failure: Option<FailingSchedule>,
    /// The script's own failure before the explored line, if it has one.
    pub prefix_failure: Option<RunReport>,
}

struct Search<'a> {
    lines: Vec<&'a str>,
    line: usize,
    opts: &'a ExploreOptions,
    seen: HashSet<u64>,
    report: ExploreReport,
    path: Vec<Choice>,
}

/// Explores the interleavings of the script `text`.
pub fn explore(text: &str, opts: &ExploreOptions) -> Result<ExploreReport, ParseError> {
    let script = parse(text)?;
    let first = script.steps().find(|s| matches!(s.kind, StmtKind::Op { op: OpExpr::RunUntilIdle, .. }));
    let Some(stmt) = first else {
        let r = run(&script, &RunOptions::default());
        let mut report = ExploreReport { schedules: 1, ..ExploreReport::default() };
        if !r.passed() {
            report.prefix_failure = Some(r);
        }
        return Ok(report);
    };
    let line = stmt.line;
    let mut search = Search {
        lines: text.lines().collect(),
        line,
        opts,
        seen: HashSet::new(),
        report: ExploreReport { line: Some(line), ..ExploreReport::default() },
        path: Vec::new(),
    };
    match run_prefix(&script, &RunOptions::default(), line) {
        Err(r) => search.report.prefix_failure = Some(r),
        Ok(m) => {
            search.visit(&m);
        }
    }
    Ok(search.report)
}

/// A hash of what the machine is, leaving out the step counts and latencies.
fn state_hash(m: &Machine) -> u64 {
    let mut m = m.clone();
    m.tasks.forget_timing();
    let mut h = DefaultHasher::new();
    format!("{m:?}").hash(&mut h);
    h.finish()
}

impl Search<'_> {
    /// Searches from `m`; returns true to stop (a failure was found or a bound was hit).
    fn visit(&mut self, m: &Machine) -> bool {
        if !self.seen.insert(state_hash(m)) {
            self.report.pruned += 1;
            return false;
        }
        self.report.states += 1;
        if self.report.states >= self.opts.max_states {
            self.report.bounded = true;
            return true;
        }
        let choices = choices(m);
        if choices.is_empty() || self.path.len() >= self.opts.max_depth {
            self.report.bounded |= !choices.is_empty();
            return self.finish_schedule(false);
        }
        for c in choices {
            let mut next = m.clone();
            let _ = next.apply(&c.op());
            self.path.push(c);
            let stop = if next.check_invariants().is_empty() { self.visit(&next) } else { self.finish_schedule(true) };
            self.path.pop();
            if stop {
                return true;
            }
        }
        false
    }

    /// Runs the script with the current path as its schedule; returns true to stop.
    fn finish_schedule(&mut self, cut: bool) -> bool {
        self.report.schedules += 1;
        let script = self.script_text(cut);
        let report = match parse(&script) {
            Ok(s) => run(&s, &RunOptions::default()),
            Err(e) => {
                RunReport { lines: vec![format!("explorer produced an unparsable script: {e}")], ..Default::default() }
            }
        };
        if !report.passed() || report.lines.first().is_some_and(|l| l.starts_with("explorer produced")) {
            self.report.failure = Some(FailingSchedule { choices: self.path.clone(), script, report });
            return true;
        }
        if self.report.schedules >= self.opts.max_schedules {
            self.report.bounded = true;
            return true;
        }
        false
    }

    /// The script with the explored `run_until_idle` replaced by the path (followed by a
    /// `run_until_idle` when the path stops early at a violation).
    fn script_text(&self, cut: bool) -> String {
        let mut out = String::new();
        for (i, l) in self.lines.iter().enumerate() {
            if i + 1 == self.line {
                out += &format!("# schedule found by mmlab explore ({} choices)\n", self.path.len());
                for c in &self.path {
                    out += &c.line();
                    out.push('\n');
                }
                if cut {
                    out += "run_until_idle\n";
                }
            } else {
                out += l;
                out.push('\n');
            }
        }
        out
    }
}

/// The choices at `m`: a step of each runnable task, the completion of each pending read.
fn choices(m: &Machine) -> Vec<Choice> {
    let steps = m.tasks.runnable().into_iter().map(Choice::Step);
    steps.chain(m.tasks.io_pending().into_iter().map(Choice::IoComplete)).collect()
}
