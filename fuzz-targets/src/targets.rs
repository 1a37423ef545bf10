//! The fuzz targets. Each takes the raw input bytes (plus the quirks to enable) and returns the
//! first failure; none may panic on any input unless the model itself panics.
//!
//! - [`ops`]: decode a machine and a sequence, check the invariants after every operation, then
//!   tear down and check that everything is back to zero.
//! - [`roundtrip`]: the `.mms` printer and parser give back the same operations and machine;
//!   a clone of a machine behaves as the original; replaying the journal on a fresh machine
//!   gives the same results and views.
//! - [`differential`]: the same sequence on two machines that differ only where userspace must
//!   not notice (THP never vs always; no swap vs swap without reclaim; more memory while
//!   neither machine is near OOM) gives the same results, maps and page values.
//!
//! The `service` target, arbitrary requests into the in-process gRPC service, is
//! [`crate::service::service`].

use arbitrary::{Arbitrary, Unstructured};
use mmlab_model::script::{self, OpExpr, StmtKind};
use mmlab_model::*;

use crate::input::{self, Driver, GenOptions};
use crate::oracle::{self, Checked, Failure, FailureKind};

/// A decoded and applied sequence: the machine's configuration, the operations, their results,
/// the machine after them, and the first failure (None if all held).
pub struct Run {
    pub config: MachineConfig,
    pub checked: Checked,
}

/// Decodes `data` into a machine and an operation sequence and applies it (checking the
/// invariants after each operation when `check`). `None` when the decoded configuration is one
/// the model refuses (cannot happen for the built-in ranges, kept total anyway).
pub fn generate(data: &[u8], quirks: &[String], opts: GenOptions, check: bool) -> Option<Run> {
    let mut u = Unstructured::new(data);
    let config = input::config(&mut u, quirks).ok()?;
    let machine = Machine::new(config.clone()).ok()?;
    let mut checked = Checked::new(machine, check);
    Driver::new(&mut checked, opts).run(&mut u);
    Some(Run { config, checked })
}

/// The `ops` target.
pub fn ops(data: &[u8], quirks: &[String]) -> Result<(), Failure> {
    let Some(mut run) = generate(data, quirks, GenOptions::default(), true) else { return Ok(()) };
    if let Some(f) = run.checked.failure.take() {
        return Err(f);
    }
    oracle::check_teardown(&mut run.checked.machine)
}

/// The `interleave` target: like [`ops`], with kernel tasks started, stepped and given their read
/// completions in the order the input chooses, the lockdep invariants (deadlock, a task nothing
/// can wake, a lock left held) checked after every operation; every task is run to completion
/// before the teardown check.
pub fn interleave(data: &[u8], quirks: &[String]) -> Result<(), Failure> {
    let opts = GenOptions { tasks: true, ..GenOptions::default() };
    let Some(mut run) = generate(data, quirks, opts, true) else { return Ok(()) };
    if let Some(f) = run.checked.failure.take() {
        return Err(f);
    }
    let m = &mut run.checked.machine;
    let _ = m.apply(&Op::RunUntilIdle);
    if let Some(f) = oracle::invariant_failure(m, None) {
        return Err(f);
    }
    oracle::check_teardown(m)
}

/// [`interleave`] with the quirks of the environment, panicking on a failure.
pub fn interleave_from_env(data: &[u8]) {
    if let Err(f) = interleave(data, crate::quirks_from_env()) {
        panic!("{f}");
    }
}

/// Applies `ops` to a fresh machine with the invariant checker after each, then runs the tasks
/// still in flight to completion (a violation there is at index `ops.len()`) and checks the
/// teardown: the failure a concrete sequence
/// produces (used to minimize reproducers of both the `ops` and the `interleave` target).
pub fn check_sequence(config: &MachineConfig, ops: &[Op]) -> Result<(), Failure> {
    let Ok(mut m) = Machine::new(config.clone()) else { return Ok(()) };
    for (i, op) in ops.iter().enumerate() {
        let _ = m.apply(op);
        if let Some(f) = oracle::invariant_failure(&m, Some(i)) {
            return Err(f);
        }
    }
    let _ = m.apply(&Op::RunUntilIdle);
    if let Some(f) = oracle::invariant_failure(&m, Some(ops.len())) {
        return Err(f);
    }
    oracle::check_teardown(&mut m)
}

fn mismatch(what: &str, op_index: Option<usize>, detail: String) -> Failure {
    Failure { kind: FailureKind::Mismatch(what.to_string()), op_index, detail }
}

/// The `machine` line that describes `c`.
pub fn machine_line(c: &MachineConfig) -> String {
    let mut s = format!(
        "machine nodes={} node_mem={} swap={} memlock={} thp={}",
        c.nodes,
        c.node_bytes,
        c.swap_bytes,
        c.memlock_bytes,
        c.thp.name()
    );
    if !c.quirks.is_empty() {
        s += &format!(" quirks={}", c.quirks.join(","));
    }
    s
}

/// Print → parse of every operation alone and of the whole script.
fn script_roundtrip(config: &MachineConfig, ops: &[Op]) -> Result<(), Failure> {
    let mut text = machine_line(config) + "\n";
    for (i, op) in ops.iter().enumerate() {
        let line = script::print_op(op);
        if script::parse_op(&line).as_ref() != Ok(op) {
            return Err(mismatch("print_op/parse_op", Some(i), format!("{op:?} printed as {line:?}")));
        }
        text += &line;
        text.push('\n');
    }
    let parsed = script::parse(&text).map_err(|e| mismatch("parse", None, format!("{e}\n{text}")))?;
    if parsed.machine.as_ref().map(|m| m.config()).as_ref() != Some(config) {
        return Err(mismatch("machine line", None, format!("{config:?} printed as {text:?}")));
    }
    let got: Vec<&OpExpr> = parsed
        .steps()
        .filter_map(|s| match &s.kind {
            StmtKind::Op { op, bind: None, result: None } => Some(op),
            _ => None,
        })
        .collect();
    let want: Vec<OpExpr> = ops.iter().map(OpExpr::from_op).collect();
    if got.len() != want.len() || got.iter().zip(&want).any(|(g, w)| *g != w) {
        return Err(mismatch("script", None, text));
    }
    Ok(())
}

/// Applies `ops` to `m`, returning the results.
fn apply_all(m: &mut Machine, ops: &[Op]) -> Vec<OpResult> {
    ops.iter().map(|op| m.apply(op)).collect()
}

/// Compares two result lists.
fn same_results(what: &str, a: &[OpResult], b: &[OpResult], offset: usize) -> Result<(), Failure> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => Err(mismatch(what, Some(offset + i), format!("{:?} vs {:?}", a[i], b[i]))),
        None => Ok(()),
    }
}

/// The `roundtrip` target.
pub fn roundtrip(data: &[u8], quirks: &[String]) -> Result<(), Failure> {
    let Some(run) = generate(data, quirks, GenOptions::default(), false) else { return Ok(()) };
    let (config, ops, results) = (&run.config, &run.checked.ops, &run.checked.results);
    script_roundtrip(config, ops)?;
    // Clone at a point the input chooses, then run the rest on both.
    let split = data.last().map_or(0, |&b| usize::from(b) % (ops.len() + 1));
    let mut a = Machine::new(config.clone()).map_err(|e| mismatch("config", None, format!("{e:?}")))?;
    let head = apply_all(&mut a, &ops[..split]);
    let mut b = a.clone();
    oracle::compare("clone", &oracle::observe(&a), &oracle::observe(&b), Some(split))?;
    let tail_a = apply_all(&mut a, &ops[split..]);
    let tail_b = apply_all(&mut b, &ops[split..]);
    same_results("clone results", &tail_a, &tail_b, split)?;
    let end = oracle::observe(&a);
    oracle::compare("clone", &end, &oracle::observe(&b), None)?;
    // The journal replayed on a fresh machine gives the same results and state.
    let replayed: Vec<OpResult> = head.into_iter().chain(tail_a).collect();
    same_results("journal replay results", results, &replayed, 0)?;
    oracle::compare("journal replay", &oracle::observe(&run.checked.machine), &end, None)
}

/// The pair of machines a differential run compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Arbitrary)]
pub enum Variant {
    /// THP never vs always.
    Thp,
    /// No swap vs 64 MiB of swap, without reclaim.
    Swap,
    /// The same nodes with four times the memory.
    Memory,
}

impl Variant {
    /// The other machine's configuration.
    fn other(self, c: &MachineConfig) -> (MachineConfig, MachineConfig) {
        let (mut a, mut b) = (c.clone(), c.clone());
        match self {
            Variant::Thp => (a.thp, b.thp) = (ThpMode::Never, ThpMode::Always),
            Variant::Swap => (a.swap_bytes, b.swap_bytes) = (0, 64 << 20),
            Variant::Memory => b.node_bytes = (a.node_bytes * 4).min(config::MAX_NODE_BYTES),
        }
        (a, b)
    }
}

/// Pages a machine may still allocate per node, and pages it allocated so far (frames and page
/// tables).
fn free_and_allocated(m: &Machine) -> (Vec<u64>, u64) {
    let free = (0..m.config().nodes).map(|n| m.node_meminfo(n).map_or(0, |mi| mi.mem_free / 4)).collect();
    let v = m.vmstat();
    (free, v.get("pgalloc_normal").unwrap_or(0) + v.get("nr_page_table_pages").unwrap_or(0))
}

/// Slack, in pages, on top of what an operation allocated on the roomier machine, below which
/// the other machine counts as under memory pressure for that operation.
const PRESSURE_SLACK: u64 = 4;

/// Compares what userspace sees of two machines after an operation: every process's maps.
fn same_maps(a: &Machine, b: &Machine, i: usize) -> Result<(), Failure> {
    for pid in a.pids() {
        if a.maps(pid) != b.maps(pid) {
            return Err(mismatch("maps", Some(i), format!("pid {pid}: {:?} vs {:?}", a.maps(pid), b.maps(pid))));
        }
    }
    Ok(())
}

/// Compares the value of every mapped page of every process (up to a bound).
fn same_values(a: &Machine, b: &Machine) -> Result<(), Failure> {
    let mut budget = 4096u32;
    for pid in a.pids() {
        for v in a.maps(pid).unwrap_or_default() {
            for addr in (v.start..v.end).step_by(PAGE_SIZE as usize) {
                if budget == 0 {
                    return Ok(());
                }
                budget -= 1;
                if a.peek(pid, addr) != b.peek(pid, addr) {
                    let d = format!("pid {pid} addr {addr:#x}: {:?} vs {:?}", a.peek(pid, addr), b.peek(pid, addr));
                    return Err(mismatch("page value", None, d));
                }
            }
        }
    }
    Ok(())
}

/// Applies one operation to both machines; `Ok(false)` when a machine came near memory
/// pressure (the comparison stops there).
fn differential_step(a: &mut Machine, b: &mut Machine, op: &Op, i: usize, variant: Variant) -> Result<bool, Failure> {
    let (free_a, alloc_a) = free_and_allocated(a);
    let (free_b, alloc_b) = free_and_allocated(b);
    // khugepaged runs only with THP on, and a collapse turns lazyfree (MADV_FREE) pages into
    // dirty anon memory that reclaim keeps: from here on the two machines may rightly differ.
    if matches!(op, Op::Khugepaged) && variant == Variant::Thp {
        return Ok(false);
    }
    let (ra, rb) = (a.apply(op), b.apply(op));
    let used = |m: &Machine, before: u64| free_and_allocated(m).1.saturating_sub(before);
    let need = used(a, alloc_a).max(used(b, alloc_b)) + PRESSURE_SLACK;
    if free_a.iter().chain(&free_b).any(|&f| f < need) {
        return Ok(false);
    }
    // MADV_COLLAPSE needs 512 contiguous free frames, which fragmentation may deny one machine.
    if matches!(op, Op::Madvise { advice: Advice::COLLAPSE, .. }) && [&ra, &rb].contains(&&Err(Errno::ENOMEM)) {
        return Ok(false);
    }
    let same = match op {
        // How much reclaim frees is kernel-internal; that it succeeds is not.
        Op::Reclaim { .. } => ra.is_ok() == rb.is_ok(),
        // How many ranges khugepaged collapses follows swap and free huge pages; that it runs
        // does not.
        Op::Khugepaged => ra.is_ok() == rb.is_ok(),
        // Whether MADV_COLLAPSE finds a range collapsed already or a page table there follows
        // the page size; what userspace reads after does not.
        Op::Madvise { advice: Advice::COLLAPSE, .. } if variant == Variant::Thp => true,
        // Which pages are resident, and whether the zero page stands for them, follows the page
        // size: a THP fault populates 2 MiB (move_pages reports a node, not -ENOENT), the huge
        // zero page answers -EFAULT.
        Op::MovePages { .. } if variant == Variant::Thp => ra.is_ok() == rb.is_ok(),
        _ => ra == rb,
    };
    if !same {
        return Err(mismatch("result", Some(i), format!("{op:?}: {ra:?} vs {rb:?}")));
    }
    same_maps(a, b, i)?;
    Ok(true)
}

/// The `differential` target: the first byte picks the [`Variant`], the rest is an `ops` input.
pub fn differential(data: &[u8], quirks: &[String]) -> Result<(), Failure> {
    let Some((&first, rest)) = data.split_first() else { return Ok(()) };
    let variant = [Variant::Thp, Variant::Swap, Variant::Memory][usize::from(first) % 3];
    // Which pages a page-count-limited reclaim takes depends on the page sizes, and MADV_FREE of
    // a swapped page drops its data: with THP "always" reclaim is userspace-visible too.
    let opts = GenOptions { reclaim: variant == Variant::Memory, ..GenOptions::default() };
    let Some(run) = generate(rest, quirks, opts, false) else { return Ok(()) };
    let (ca, cb) = variant.other(&run.config);
    let (Ok(mut a), Ok(mut b)) = (Machine::new(ca), Machine::new(cb)) else { return Ok(()) };
    for (i, op) in run.checked.ops.iter().enumerate() {
        if !differential_step(&mut a, &mut b, op, i, variant)? {
            return Ok(());
        }
    }
    same_values(&a, &b)
}

/// [`ops`] with the quirks of the environment, panicking on a failure (the libFuzzer wrapper).
pub fn ops_from_env(data: &[u8]) {
    if let Err(f) = ops(data, crate::quirks_from_env()) {
        panic!("{f}");
    }
}

/// [`roundtrip`] with the quirks of the environment, panicking on a failure.
pub fn roundtrip_from_env(data: &[u8]) {
    if let Err(f) = roundtrip(data, crate::quirks_from_env()) {
        panic!("{f}");
    }
}

/// [`differential`] with the quirks of the environment, panicking on a failure.
pub fn differential_from_env(data: &[u8]) {
    if let Err(f) = differential(data, crate::quirks_from_env()) {
        panic!("{f}");
    }
}
