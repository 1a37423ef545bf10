//! Runs one script on both sides, step by step, and compares after every operation.
//!
//! Each statement is evaluated twice, once with the model's names (addresses, fds, pids the
//! model returned) and once with the kernel's. After each operation the results are compared,
//! the kernel's per-CPU LRU and mlock batches are drained (move_pages of one of the oracle's own
//! pages runs `lru_cache_disable`, which drains every CPU), and both sides are read and
//! compared. The first step with a divergence that no known-divergence entry accepts ends the
//! comparison; so does the first step the kernel cannot run (a skip, with its reason).
//! `expect` lines are not evaluated: the model side of them is `mmlab run`'s business.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use mmlab_model::script::{self, OpExpr, Script, Stmt, StmtKind};
use mmlab_model::{Machine, MachineConfig, MapFlags, MremapFlags, Op, OpResult, Outcome};

use crate::caps::Caps;
use crate::compare::{self, Divergence};
use crate::kernel::{KernelExec, Step};
use crate::known::Known;
use crate::observe::{self, KpageFiles, ServantInfo};
use crate::reloc::Reloc;
use crate::servant::ServantProgram;
use crate::snapshot::Snapshot;

/// A divergence at one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepDivergence {
    pub line: usize,
    /// The statement without its comment and result.
    pub text: String,
    /// The operation's name (`mmap`, `fork`, ...).
    pub op: &'static str,
    pub divergence: Divergence,
    /// The known-divergence reason accepting it, if one does.
    pub known: Option<String>,
}

impl std::fmt::Display for StepDivergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} `{}`: {}", self.line, self.text, self.divergence)
    }
}

/// How a script ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every compared step agreed (known divergences aside).
    Agree,
    /// A divergence no known entry accepts.
    Diverge,
    /// The script could not run here at all.
    Skipped,
    /// The oracle itself failed (a servant died, /proc unreadable).
    Error,
}

/// What running one script found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptReport {
    pub verdict: Verdict,
    /// Operations run and compared on both sides.
    pub compared: usize,
    /// Unaccepted divergences (all of them at the step where the comparison stopped).
    pub divergences: Vec<StepDivergence>,
    /// Accepted divergences.
    pub known: Vec<StepDivergence>,
    /// Where and why the comparison stopped early: a whole-script skip has line None.
    pub skip: Option<(Option<usize>, String)>,
    pub error: Option<String>,
}

impl ScriptReport {
    fn new() -> ScriptReport {
        ScriptReport {
            verdict: Verdict::Agree,
            compared: 0,
            divergences: Vec::new(),
            known: Vec::new(),
            skip: None,
            error: None,
        }
    }
}

/// The oracle: capabilities, the servant program, the work directory, the known divergences.
pub struct Oracle {
    pub caps: Caps,
    pub known: Known,
    prog_path: PathBuf,
    dir: PathBuf,
    kpage: Option<KpageFiles>,
    drain_page: Vec<u8>,
    scripts: u64,
    /// The readahead window of the disk holding `dir`, where the scripts' files live.
    read_ahead_kb: Option<u32>,
}

/// Where the oracle keeps its files unless told otherwise: a disk file system, because scripts'
/// `open` files must be disk-backed (not tmpfs).
pub const DEFAULT_WORK_ROOT: &str = "/var/tmp";

impl Oracle {
    /// Detects capabilities and installs the servant under `work_root`.
    pub fn new(known: Known, work_root: &std::path::Path) -> Result<Oracle, String> {
        let caps = Caps::detect();
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = work_root.join(format!("mmlab-oracle-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let prog = ServantProgram::install(&dir)?;
        let kpage = if caps.root { Some(KpageFiles::open()?) } else { None };
        let read_ahead_kb = crate::caps::read_ahead_kb(&dir);
        Ok(Oracle {
            caps,
            known,
            prog_path: prog.path,
            dir,
            kpage,
            drain_page: vec![1u8; 8192],
            scripts: 0,
            read_ahead_kb,
        })
    }

    /// Runs one script; `label` names it in known-divergence `script` patterns.
    pub fn run(&mut self, s: &Script, label: &str) -> ScriptReport {
        let mut report = ScriptReport::new();
        let mut config = s.machine.as_ref().map(|m| m.config()).unwrap_or_default();
        if let Some(why) = self.caps.script_skip(&config) {
            report.verdict = Verdict::Skipped;
            report.skip = Some((None, why));
            return report;
        }
        // The model reads ahead with the window of the disk the script's files are on.
        let explicit = s.machine.as_ref().and_then(|m| m.read_ahead_kb.as_ref()).map(|_| config.read_ahead_kb);
        if let Some(why) = crate::caps::readahead_skip(explicit, self.read_ahead_kb, ops_used(s).contains(&"open")) {
            report.verdict = Verdict::Skipped;
            report.skip = Some((None, why));
            return report;
        }
        if let Some(kb) = self.read_ahead_kb {
            config.read_ahead_kb = kb;
        }
        // A machine with swap gets a zram swap area of its size for this script only; dropping
        // it (after the servants are gone, on every path) swaps it off and removes it.
        let _swap = if config.swap_bytes > 0 {
            match crate::zram::ZramSwap::setup(config.swap_bytes) {
                Ok(swap) => Some(swap),
                Err(e) => {
                    report.verdict = Verdict::Skipped;
                    report.skip = Some((None, format!("needs swap: setting up zram swap failed: {e}")));
                    return report;
                }
            }
        } else {
            None
        };
        if let Err(e) = self.run_steps(s, label, &config, &mut report) {
            report.verdict = Verdict::Error;
            report.error = Some(e);
        }
        report
    }

    fn run_steps(
        &mut self,
        s: &Script,
        label: &str,
        config: &MachineConfig,
        report: &mut ScriptReport,
    ) -> Result<(), String> {
        let model = Machine::new(config.clone()).map_err(|e| format!("the model refuses this machine: {e}"))?;
        self.scripts += 1;
        let dir = self.dir.join(format!("s{}", self.scripts));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let prog = ServantProgram { path: self.prog_path.clone() };
        let exec = KernelExec::new(prog, dir.clone(), config.memlock_bytes);
        let mut run = Run {
            model,
            exec,
            pids: BTreeMap::new(),
            info: HashMap::new(),
            reloc: HashMap::new(),
            menv: HashMap::new(),
            kenv: HashMap::new(),
            addrs: Vec::new(),
        };
        let res = self.steps(&mut run, s, label, config, report);
        let fin = run.exec.finish();
        let _ = std::fs::remove_dir_all(&dir);
        res.and(fin)
    }

    fn steps(
        &mut self,
        run: &mut Run,
        s: &Script,
        label: &str,
        config: &MachineConfig,
        report: &mut ScriptReport,
    ) -> Result<(), String> {
        let used = ops_used(s);
        let ctx = Ctx { label, used: &used };
        for stmt in s.steps() {
            let StmtKind::Op { bind, op, .. } = &stmt.kind else { continue };
            if let Some(why) = self.caps.op_skip(op, config) {
                report.skip = Some((Some(stmt.line), why));
                return Ok(());
            }
            let (Ok(mop), Ok(kop)) = (eval(op, &run.menv), eval(op, &run.kenv)) else {
                // A name without a value on both sides (its operation failed on both): the
                // statement cannot run on either side.
                continue;
            };
            let mres = match catch_unwind(AssertUnwindSafe(|| run.model.apply(&mop))) {
                Ok(r) => r,
                Err(_) => {
                    let d = Divergence {
                        field: "model.panic".into(),
                        at: String::new(),
                        model: "panicked".into(),
                        kernel: "-".into(),
                    };
                    self.record(report, stmt, &mop, vec![d], &ctx);
                    return Ok(());
                }
            };
            let kpid = mop.pid().and_then(|p| run.pids.get(&p).copied());
            let kres = match run.exec.apply(&at_model_address(&kop, &mop, &mres, kpid))? {
                Step::Ran(r) => r,
                Step::Skip(why) => {
                    report.skip = Some((Some(stmt.line), why));
                    return Ok(());
                }
            };
            report.compared += 1;
            let mut divs = Vec::new();
            divs.extend(compare::compare_result(&mres, &kres));
            run.track(&mop, &kop, &mres, &kres, &mut divs)?;
            if let Some(name) = bind {
                run.menv.insert(name.clone(), value_of(&mres));
                run.kenv.insert(name.clone(), value_of(&kres));
                if let (Ok(Outcome::Addr(a)), Ok(Outcome::Addr(_))) = (&mres, &kres) {
                    run.addrs.push((name.clone(), *a));
                }
            }
            self.drain();
            let (ms, ks) = self.snapshots(run)?;
            let describe = |a: u64| run.describe(a);
            divs.extend(compare::compare(&ms, &ks, &describe));
            if self.record(report, stmt, &mop, divs, &ctx) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Files divergences as known or not; true when an unknown one stops the script.
    fn record(&self, report: &mut ScriptReport, stmt: &Stmt, op: &Op, divs: Vec<Divergence>, ctx: &Ctx) -> bool {
        let mut stop = false;
        for d in divs {
            let known = self.known.find(&d.field, op.name(), ctx.label, ctx.used).map(|k| k.reason.clone());
            let sd = StepDivergence { line: stmt.line, text: stmt.body(false), op: op.name(), divergence: d, known };
            if sd.known.is_some() {
                report.known.push(sd);
            } else {
                stop = true;
                report.divergences.push(sd);
            }
        }
        if stop {
            report.verdict = Verdict::Diverge;
        }
        stop
    }

    /// Drains every CPU's LRU-add and mlock batches (`lru_cache_disable` in move_pages).
    fn drain(&mut self) {
        let mut page = self.drain_page.as_mut_ptr().wrapping_add(4096) as *mut libc::c_void;
        let mut node: libc::c_int = 0;
        let mut status: libc::c_int = 0;
        // SAFETY: one address inside our own buffer, one node, one status slot; MPOL_MF_MOVE.
        unsafe {
            libc::syscall(libc::SYS_move_pages, 0, 1usize, &mut page, &mut node, &mut status, 2);
        }
    }

    fn snapshots(&self, run: &Run) -> Result<(Snapshot, Snapshot), String> {
        let mut ms = Snapshot::default();
        for pid in run.model.pids() {
            ms.procs.insert(pid, observe::model_proc(&run.model, pid)?);
        }
        let mut ks = Snapshot::default();
        let kpage = self.kpage.as_ref().ok_or("no /proc/kpageflags access")?;
        let rename = |name: &str| run.exec.script_path(name).map_or_else(|| name.to_string(), str::to_string);
        for (&mpid, &kpid) in &run.pids {
            let info = run.info.get(&kpid).ok_or("servant without info")?;
            let reloc = run.reloc.get(&mpid).ok_or("process without relocation")?;
            ks.procs.insert(mpid, observe::kernel_proc(kpid, info, reloc, kpage, &rename)?);
        }
        Ok((ms, ks))
    }

    /// Removes the work directory.
    pub fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        self.cleanup();
    }
}

type Env = HashMap<String, Option<i128>>;

/// What known-divergence entries match on besides the field and the step.
struct Ctx<'a> {
    label: &'a str,
    used: &'a [&'static str],
}

/// The names of the operations a script uses.
fn ops_used(s: &Script) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = s
        .steps()
        .filter_map(|st| match &st.kind {
            StmtKind::Op { op, .. } => Some(op_name(op)),
            _ => None,
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// An operation's name, without the script's names (every name evaluates to 0 here).
fn op_name(op: &OpExpr) -> &'static str {
    script::eval_op(op, &mut |_| Ok::<i128, ()>(0)).map_or("?", |o| o.name())
}

fn eval(op: &OpExpr, env: &Env) -> Result<Op, ()> {
    script::eval_op(op, &mut |n| env.get(n).copied().flatten().ok_or(())).map_err(|_| ())
}

/// The value a name bound to this result takes (None: failures, signals, status lists).
fn value_of(r: &OpResult) -> Option<i128> {
    match r {
        Ok(Outcome::Done) => Some(0),
        Ok(Outcome::Pid(p)) => Some((*p).into()),
        Ok(Outcome::Addr(a)) => Some((*a).into()),
        Ok(Outcome::Fd(f)) => Some((*f).into()),
        Ok(Outcome::Value(v) | Outcome::Count(v)) => Some((*v).into()),
        Ok(Outcome::Task(t)) => Some((*t).into()),
        Ok(Outcome::Signal(_) | Outcome::Statuses(_) | Outcome::Step(_)) | Err(_) => None,
    }
}

/// The state of one script run.
struct Run {
    model: Machine,
    exec: KernelExec,
    /// Model pid -> kernel pid of every live process.
    pids: BTreeMap<u32, i32>,
    info: HashMap<i32, ServantInfo>,
    /// Per model pid.
    reloc: HashMap<u32, Reloc>,
    menv: Env,
    kenv: Env,
    /// Names bound to addresses, with their model value, for the report.
    addrs: Vec<(String, u64)>,
}

/// The kernel's copy of an operation that lets the kernel choose an address, placed where the
/// model placed it. An mmap is hinted at the model's address (the kernel takes a free hint as it
/// is); an mremap the model moved is sent with MREMAP_FIXED to the model's new address, unless
/// the kernel could grow the mapping in place (then it is sent as written, so a model that
/// moved where Linux grows in place still diverges). Both sides then lay mappings out at the
/// same addresses whenever they can, and what depends on absolute addresses (the 64 KiB
/// fault-around window, which pages share a page table) agrees. A hint the kernel cannot take
/// falls back to an address of its choosing, which relocation handles as before.
fn at_model_address(kop: &Op, mop: &Op, mres: &OpResult, kpid: Option<i32>) -> Op {
    let mut op = kop.clone();
    let Ok(Outcome::Addr(m)) = mres else { return op };
    match (&mut op, mop) {
        (Op::Mmap { addr, flags, .. }, _)
            if *addr == 0 && !flags.intersects(MapFlags::FIXED | MapFlags::FIXED_NOREPLACE) =>
        {
            *addr = *m;
        }
        (Op::Mremap { old_addr, old_len, new_len, flags, new_addr, .. }, Op::Mremap { old_addr: model_old, .. })
            if flags.contains(MremapFlags::MAYMOVE) && !flags.contains(MremapFlags::FIXED) && m != model_old =>
        {
            let (old_end, new_end) = (page_end(*old_addr, *old_len), page_end(*old_addr, *new_len));
            let grows_in_place = !flags.contains(MremapFlags::DONTUNMAP)
                && new_end > old_end
                && kpid.is_some_and(|k| range_is_free(k, old_end, new_end));
            if !grows_in_place {
                *flags |= MremapFlags::FIXED;
                *new_addr = *m;
            }
        }
        _ => {}
    }
    op
}

fn page_end(addr: u64, len: u64) -> u64 {
    addr.saturating_add(len.div_ceil(4096) * 4096)
}

/// Whether no VMA of kernel process `kpid` overlaps `[start, end)` (false if its maps cannot be
/// read).
fn range_is_free(kpid: i32, start: u64, end: u64) -> bool {
    let Ok(maps) = std::fs::read_to_string(format!("/proc/{kpid}/maps")) else { return false };
    maps.lines().filter_map(|l| l.split_whitespace().next()?.split_once('-')).all(|(a, b)| {
        let (a, b) = (u64::from_str_radix(a, 16).unwrap_or(0), u64::from_str_radix(b, 16).unwrap_or(u64::MAX));
        b <= start || a >= end
    })
}

impl Run {
    /// Follows processes and mappings that both sides created.
    fn track(
        &mut self,
        mop: &Op,
        kop: &Op,
        mres: &OpResult,
        kres: &OpResult,
        divs: &mut Vec<Divergence>,
    ) -> Result<(), String> {
        match (mop, kop, mres, kres) {
            (Op::Spawn, _, Ok(Outcome::Pid(m)), Ok(Outcome::Pid(k))) => {
                self.pids.insert(*m, *k as i32);
                self.info.insert(*k as i32, ServantInfo::record(*k as i32)?);
                self.reloc.insert(*m, Reloc::default());
            }
            (Op::Fork { pid: mp }, Op::Fork { pid: kp }, Ok(Outcome::Pid(m)), Ok(Outcome::Pid(k))) => {
                self.pids.insert(*m, *k as i32);
                let info = self.info.get(&(*kp as i32)).cloned().unwrap_or_default();
                self.info.insert(*k as i32, info);
                let reloc = self.reloc.get(mp).cloned().unwrap_or_default();
                self.reloc.insert(*m, reloc);
            }
            (Op::Exit { pid: mp }, Op::Exit { pid: kp }, Ok(_), Ok(_)) => {
                self.pids.remove(mp);
                self.info.remove(&(*kp as i32));
                self.reloc.remove(mp);
            }
            (
                Op::Mmap { pid, addr: ma, len, .. },
                Op::Mmap { addr: ka, .. },
                Ok(Outcome::Addr(m)),
                Ok(Outcome::Addr(k)),
            ) => {
                self.placed("mmap at the hint", *ma, *ka, *m, *k, divs);
                let len = len.div_ceil(4096) * 4096;
                self.reloc.entry(*pid).or_default().add(*m, *k, len);
            }
            (
                Op::Mremap { pid, old_addr: mo, new_len, .. },
                Op::Mremap { old_addr: ko, .. },
                Ok(Outcome::Addr(m)),
                Ok(Outcome::Addr(k)),
            ) => {
                self.placed("mremap in place", *mo, *ko, *m, *k, divs);
                let len = new_len.div_ceil(4096) * 4096;
                self.reloc.entry(*pid).or_default().add(*m, *k, len);
            }
            _ => {}
        }
        Ok(())
    }

    /// Both sides must agree on whether the result is the requested address.
    fn placed(&self, what: &str, m_req: u64, k_req: u64, m: u64, k: u64, divs: &mut Vec<Divergence>) {
        if m_req == 0 && k_req == 0 {
            return;
        }
        let (a, b) = (m == m_req, k == k_req);
        if a != b {
            divs.push(Divergence { field: "address".into(), at: what.into(), model: yes_no(a), kernel: yes_no(b) });
        }
    }

    /// `name+0x3000` for a model address, using the nearest address name below it.
    fn describe(&self, a: u64) -> String {
        let best = self.addrs.iter().filter(|(_, v)| *v <= a).max_by_key(|(_, v)| *v);
        match best {
            Some((n, v)) if a == *v => n.clone(),
            Some((n, v)) if a - v < 1 << 30 => format!("{n}+{:#x}", a - v),
            _ => format!("{a:#x}"),
        }
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}
