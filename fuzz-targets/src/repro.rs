//! Reproducers: a failing `ops` or `interleave` input → a minimal, readable `.mms` script.
//!
//! The input is decoded exactly as its target decodes it ([`crate::targets::generate`]),
//! which gives the concrete operation list. Delta debugging (Zeller's ddmin, then a pass that
//! drops single operations) shrinks the list while the same kind of failure persists. The
//! script prints the machine line and every operation with the result it returned (`=> EINVAL`,
//! `=> SIGSEGV(MAPERR)`, `=> 0x7effffffe000`, ...), so that under `mmlab run` every line
//! before the last passes and the last one fails the way the fuzzer saw.

use std::panic::{self, AssertUnwindSafe};

use mmlab_model::script::{self, FailureKind as RunFailureKind, RunOptions};
use mmlab_model::*;

use crate::input::GenOptions;
use crate::oracle::{Failure, FailureKind};
use crate::targets::{self, machine_line};

/// The fuzz target an input was written for: it decides how the bytes decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Plain operations, each run to completion.
    Ops,
    /// Operations plus kernel tasks started, stepped and completed in the input's order.
    Interleave,
}

impl Target {
    fn gen_options(self) -> GenOptions {
        GenOptions { tasks: self == Target::Interleave, ..GenOptions::default() }
    }

    fn name(self) -> &'static str {
        match self {
            Target::Ops => "ops",
            Target::Interleave => "interleave",
        }
    }
}

/// A minimized reproducer.
#[derive(Clone, Debug)]
pub struct Repro {
    pub config: MachineConfig,
    /// Operations the input decoded to (up to the failure).
    pub original_ops: usize,
    /// The minimized operations.
    pub ops: Vec<Op>,
    /// The failure the minimized operations produce.
    pub failure: Failure,
    /// The `.mms` script.
    pub script: String,
    /// Whether `mmlab run` of the script fails with an invariant violation or a panic, as the
    /// reproducer says (teardown failures cannot be written as a script).
    pub verified: bool,
}

/// The failure a sequence produces, with panics of the model caught.
pub fn failure_of(config: &MachineConfig, ops: &[Op]) -> Option<Failure> {
    match panic::catch_unwind(AssertUnwindSafe(|| targets::check_sequence(config, ops))) {
        Ok(r) => r.err(),
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Some(Failure { kind: FailureKind::Panic(msg), op_index: None, detail: String::new() })
        }
    }
}

/// Runs `f` with the panic hook silenced (the minimizer provokes many panics on purpose).
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let r = f();
    panic::set_hook(hook);
    r
}

/// Whether `ops` still fails like `want`.
fn fails_like(config: &MachineConfig, ops: &[Op], want: &Failure) -> bool {
    failure_of(config, ops).is_some_and(|f| f.same_as(want))
}

/// ddmin over the operation list, then single-operation removal to a fixpoint.
pub fn minimize(config: &MachineConfig, ops: &[Op], want: &Failure) -> Vec<Op> {
    let mut cur = ops.to_vec();
    let mut n = 2usize;
    while cur.len() >= 2 {
        let chunk = cur.len().div_ceil(n);
        let reduced = (0..n).map(|i| i * chunk).filter(|&s| s < cur.len()).find_map(|start| {
            let cand: Vec<Op> = cur[..start].iter().chain(cur.get(start + chunk..).unwrap_or(&[])).cloned().collect();
            fails_like(config, &cand, want).then_some(cand)
        });
        match reduced {
            Some(c) => {
                cur = c;
                n = (n - 1).max(2);
            }
            None if n >= cur.len() => break,
            None => n = (n * 2).min(cur.len()),
        }
    }
    let mut i = 0;
    while i < cur.len() {
        let mut cand = cur.clone();
        cand.remove(i);
        if fails_like(config, &cand, want) {
            cur = cand;
        } else {
            i += 1;
        }
    }
    cur
}

/// The `=> RESULT` suffix that makes the runner accept `r` exactly.
fn result_suffix(r: &OpResult) -> String {
    match r {
        Ok(Outcome::Done) => String::new(),
        r => format!(" => {}", script::result_text(r)),
    }
}

/// The script: a header, the machine line, and each operation with its result. The operation
/// the failure shows after is written without a result when the model panics on it.
pub fn render(config: &MachineConfig, ops: &[Op], failure: &Failure, source: &str) -> String {
    let mut text = format!(
        "# Reproducer of a fuzz failure ({source}), minimized by `mmlab repro` to {} operations.\n# {}\n",
        ops.len(),
        failure.summary()
    );
    text += &machine_line(config);
    text.push('\n');
    let mut m = Machine::new(config.clone()).ok();
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        let panics = i == last && matches!(failure.kind, FailureKind::Panic(_));
        let r = if panics { None } else { m.as_mut().map(|m| m.apply(op)) };
        text += &script::print_op(op);
        text += &r.map(|r| result_suffix(&r)).unwrap_or_default();
        text.push('\n');
    }
    if failure.op_index == Some(ops.len()) {
        text += "# The failure shows once the tasks still in flight run to completion.\nrun_until_idle\n";
    }
    if let FailureKind::Teardown(_) = failure.kind {
        text += "# The failure shows at teardown (tasks run to completion, every mapping unmapped, processes\n# exited, files forgotten).\n";
        text += "run_until_idle\n";
        for pid in m.map(|m| m.pids()).unwrap_or_default() {
            text += &format!("munmap {pid} 0 {:#x}\nexit {pid}\n", crate::input::TASK_SIZE);
        }
    }
    text
}

/// Whether the script fails under the runner as `failure` says.
pub fn verify(text: &str, failure: &Failure) -> bool {
    let Ok(s) = script::parse(text) else { return false };
    let opts = RunOptions { check_invariants: true, proc_views: Vec::new(), catch_panics: true };
    let report = quietly(|| script::run(&s, &opts));
    let kind = report.failure.map(|f| f.kind);
    match failure.kind {
        FailureKind::Invariant(_) => kind == Some(RunFailureKind::Invariant),
        FailureKind::Panic(_) => kind == Some(RunFailureKind::Panic),
        _ => false,
    }
}

/// Decodes an `ops` input, minimizes its failure and writes the script. `Err` when the input
/// does not fail.
pub fn from_ops_input(data: &[u8], quirks: &[String], source: &str) -> Result<Repro, String> {
    from_input(Target::Ops, data, quirks, source)
}

/// Decodes an input of `target`, minimizes its failure and writes the script. `Err` when the
/// input does not fail.
pub fn from_input(target: Target, data: &[u8], quirks: &[String], source: &str) -> Result<Repro, String> {
    let opts = target.gen_options();
    let run = quietly(|| panic::catch_unwind(AssertUnwindSafe(|| targets::generate(data, quirks, opts, false))))
        .map_err(|_| "the model panicked while decoding the input".to_string())?
        .ok_or("the input decodes to a machine the model refuses")?;
    let (config, ops) = (run.config, run.checked.ops);
    let failure = quietly(|| failure_of(&config, &ops))
        .ok_or_else(|| format!("the input does not fail the {} target", target.name()))?;
    let min = quietly(|| minimize(&config, &ops, &failure));
    let failure = quietly(|| failure_of(&config, &min)).unwrap_or(failure);
    let script = render(&config, &min, &failure, source);
    let verified = verify(&script, &failure);
    Ok(Repro { config, original_ops: ops.len(), ops: min, failure, script, verified })
}
