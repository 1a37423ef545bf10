//! The live-kernel executor: applies an [`Op`] (with the kernel side's addresses, fds and pids)
//! as the real syscall or memory access in the servant standing for the script process.
//!
//! Operations this kernel cannot perform the way the model means them return [`Step::Skip`]
//! with the reason, and the runner stops comparing the script there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mmlab_model::{Errno, Op, OpResult, Outcome, Signal};

use crate::servant::{Cmd, CmdOp, MAXLIST, Reply, Servant, ServantProgram};

/// What the kernel did with one operation.
#[derive(Debug)]
pub enum Step {
    /// The operation ran; this is its result in the model's vocabulary.
    Ran(OpResult),
    /// The kernel cannot run it here (the reason is printed).
    Skip(String),
}

/// The servant processes of one script and the directory its files live in.
pub struct KernelExec {
    prog: ServantProgram,
    dir: PathBuf,
    servants: BTreeMap<i32, Servant>,
    /// Script path -> real path of every file the script opened.
    files: BTreeMap<String, PathBuf>,
    /// RLIMIT_MEMLOCK given to spawned servants.
    memlock: u64,
    forks: u64,
}

const SIGBUS: i64 = libc::SIGBUS as i64;
const SEGV_ACCERR: i64 = 2;

impl KernelExec {
    /// An executor whose servants start with RLIMIT_MEMLOCK = `memlock` and without
    /// CAP_IPC_LOCK in their effective set (the model's default process).
    pub fn new(prog: ServantProgram, dir: PathBuf, memlock: u64) -> KernelExec {
        KernelExec { prog, dir, servants: BTreeMap::new(), files: BTreeMap::new(), memlock, forks: 0 }
    }

    /// Live servant pids, ascending.
    pub fn pids(&self) -> Vec<i32> {
        self.servants.keys().copied().collect()
    }

    /// The script path of a real file path, if the script opened it.
    pub fn script_path(&self, real: &str) -> Option<&str> {
        self.files.iter().find(|(_, r)| r.as_os_str() == real).map(|(s, _)| s.as_str())
    }

    /// Runs a command in a servant: Ok(reply), Err(ESRCH) when no servant has that pid.
    fn call(&mut self, pid: u32, cmd: &Cmd) -> Result<Result<Reply, Errno>, String> {
        let Some(s) = i32::try_from(pid).ok().and_then(|p| self.servants.get_mut(&p)) else {
            return Ok(Err(Errno::ESRCH));
        };
        s.call(cmd).map(Ok)
    }

    /// Applies one operation.
    pub fn apply(&mut self, op: &Op) -> Result<Step, String> {
        use CmdOp as C;
        let simple = |op: CmdOp, args: &[u64]| Cmd::new(op, args);
        let (pid, cmd, kind) = match op {
            Op::Spawn => return self.spawn().map(Step::Ran),
            Op::Fork { pid } => return self.fork(*pid),
            Op::Exit { pid } => return self.exit(*pid),
            Op::Reclaim { .. } => {
                return Ok(Step::Skip("reclaim: the live kernel cannot reclaim a node on demand".into()));
            }
            Op::TaskStart { .. } | Op::TaskStep { .. } | Op::IoComplete { .. } | Op::RunUntilIdle => {
                return Ok(Step::Skip(
                    "kernel tasks: the live kernel cannot pause a kernel path between its steps".into(),
                ));
            }
            Op::Khugepaged => {
                return Ok(Step::Skip(
                    "khugepaged: the live kernel cannot run a khugepaged scan on demand (it scans on its own timer)"
                        .into(),
                ));
            }
            Op::Mmap { pid, addr, len, prot, flags, fd, offset } => (
                *pid,
                simple(C::Mmap, &[*addr, *len, prot.bits().into(), flags.bits().into(), *fd as i64 as u64, *offset]),
                Kind::Addr,
            ),
            Op::Munmap { pid, addr, len } => (*pid, simple(C::Munmap, &[*addr, *len]), Kind::Done),
            Op::Mprotect { pid, addr, len, prot } => {
                (*pid, simple(C::Mprotect, &[*addr, *len, prot.bits().into()]), Kind::Done)
            }
            Op::Mremap { pid, old_addr, old_len, new_len, flags, new_addr } => {
                (*pid, simple(C::Mremap, &[*old_addr, *old_len, *new_len, flags.bits().into(), *new_addr]), Kind::Addr)
            }
            Op::Madvise { pid, addr, len, advice } => {
                (*pid, simple(C::Madvise, &[*addr, *len, advice.0 as i64 as u64]), Kind::Done)
            }
            Op::Read { pid, addr } => (*pid, simple(C::Read, &[*addr]), Kind::Value),
            Op::Write { pid, addr, value } => (*pid, simple(C::Write, &[*addr, *value]), Kind::Done),
            Op::Touch { pid, addr, len, access } => {
                let w = u64::from(*access == mmlab_model::Access::Write);
                (*pid, simple(C::Touch, &[*addr, *len, w]), Kind::Done)
            }
            Op::MemfdCreate { pid, name, flags } => {
                let Some(c) = simple(C::Memfd, &[flags.bits().into()]).with_str(name.as_bytes()) else {
                    return Ok(Step::Skip("memfd_create: the name does not fit the servant's buffer".into()));
                };
                (*pid, c, Kind::Fd)
            }
            Op::Open { pid, path, flags } => {
                let real = self.real_path(path);
                let Some(c) = simple(C::Open, &[flags.bits().into()]).with_str(real.as_os_str().as_encoded_bytes())
                else {
                    return Ok(Step::Skip("open: the path does not fit the servant's buffer".into()));
                };
                (*pid, c, Kind::Fd)
            }
            Op::Pwrite { pid, fd, offset, value } => {
                (*pid, simple(C::Pwrite, &[*fd as i64 as u64, *offset, *value]), Kind::Done)
            }
            Op::Pread { pid, fd, offset } => (*pid, simple(C::Pread, &[*fd as i64 as u64, *offset]), Kind::Value),
            Op::Ftruncate { pid, fd, len } => (*pid, simple(C::Ftruncate, &[*fd as i64 as u64, *len]), Kind::Done),
            Op::Fallocate { pid, fd, mode, offset, len } => {
                (*pid, simple(C::Fallocate, &[*fd as i64 as u64, mode.bits().into(), *offset, *len]), Kind::Done)
            }
            Op::Close { pid, fd } => (*pid, simple(C::Close, &[*fd as i64 as u64]), Kind::Done),
            Op::Mlock { pid, addr, len } => (*pid, simple(C::Mlock, &[*addr, *len]), Kind::Done),
            Op::Mlock2 { pid, addr, len, flags } => {
                (*pid, simple(C::Mlock2, &[*addr, *len, flags.bits().into()]), Kind::Done)
            }
            Op::Munlock { pid, addr, len } => (*pid, simple(C::Munlock, &[*addr, *len]), Kind::Done),
            Op::Mlockall { pid, flags } => (*pid, simple(C::Mlockall, &[flags.bits().into()]), Kind::Done),
            Op::Munlockall { pid } => (*pid, simple(C::Munlockall, &[]), Kind::Done),
            Op::SetMemlockLimit { pid, bytes } => (*pid, simple(C::Setrlimit, &[*bytes]), Kind::Rlimit),
            Op::SetCapIpcLock { pid, on } => (*pid, simple(C::CapIpcLock, &[u64::from(*on)]), Kind::Cap),
            Op::MovePages { pid, addrs, nodes, flags } => {
                let Some(c) = move_pages_cmd(addrs, nodes, flags.bits()) else {
                    return Ok(Step::Skip(format!("move_pages: more than {MAXLIST} pages in one call")));
                };
                (*pid, c, Kind::Statuses(addrs.len()))
            }
        };
        let rep = match self.call(pid, &cmd)? {
            Ok(r) => r,
            Err(e) => return Ok(Step::Ran(Err(e))),
        };
        Ok(kind.outcome(&rep))
    }

    fn real_path(&mut self, script_path: &str) -> PathBuf {
        if let Some(p) = self.files.get(script_path) {
            return p.clone();
        }
        let enc: String = script_path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let p = self.dir.join(format!("f{}-{enc}", self.files.len()));
        self.files.insert(script_path.to_string(), p.clone());
        p
    }

    fn spawn(&mut self) -> Result<OpResult, String> {
        let mut s = Servant::spawn(&self.prog)?;
        let caps = s.call(&Cmd::new(CmdOp::CapIpcLock, &[0]))?;
        let lim = s.call(&Cmd::new(CmdOp::Setrlimit, &[self.memlock]))?;
        if caps.ret != 0 || lim.ret != 0 {
            return Err(format!("servant setup failed: capset errno {}, setrlimit errno {}", caps.err, lim.err));
        }
        let pid = s.pid;
        self.servants.insert(pid, s);
        Ok(Ok(Outcome::Pid(pid as u32)))
    }

    fn fork(&mut self, pid: u32) -> Result<Step, String> {
        self.forks += 1;
        let base = self.dir.join(format!("fork{}", self.forks));
        let Some(parent) = i32::try_from(pid).ok().and_then(|p| self.servants.get_mut(&p)) else {
            return Ok(Step::Ran(Err(Errno::ESRCH)));
        };
        match parent.fork(&base)? {
            Ok(child) => {
                let cpid = child.pid;
                self.servants.insert(cpid, child);
                Ok(Step::Ran(Ok(Outcome::Pid(cpid as u32))))
            }
            Err(errno) => Ok(Step::Ran(Err(errno_of(errno)))),
        }
    }

    fn exit(&mut self, pid: u32) -> Result<Step, String> {
        match i32::try_from(pid).ok().and_then(|p| self.servants.remove(&p)) {
            Some(s) => s.exit().map(|()| Step::Ran(Ok(Outcome::Done))),
            None => Ok(Step::Ran(Err(Errno::ESRCH))),
        }
    }

    /// Ends every servant and removes the script's files.
    pub fn finish(&mut self) -> Result<(), String> {
        let mut first_err = None;
        for (_, s) in std::mem::take(&mut self.servants) {
            if let Err(e) = s.exit() {
                first_err.get_or_insert(e);
            }
        }
        for p in self.files.values() {
            let _ = std::fs::remove_file(p);
        }
        first_err.map_or(Ok(()), Err)
    }

    /// The directory holding the script's files and FIFOs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for KernelExec {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// What a command returns on success.
#[derive(Clone, Copy)]
enum Kind {
    Done,
    Addr,
    Fd,
    Value,
    Statuses(usize),
    /// setrlimit: EPERM means the kernel refuses to raise the limit (no CAP_SYS_RESOURCE).
    Rlimit,
    /// capset: EPERM means CAP_IPC_LOCK is not in the permitted set.
    Cap,
}

impl Kind {
    fn outcome(self, r: &Reply) -> Step {
        if r.sig != 0 {
            let s = if r.sig == SIGBUS {
                Signal::Bus
            } else if r.code == SEGV_ACCERR {
                Signal::SegvAccerr
            } else {
                Signal::SegvMaperr
            };
            return Step::Ran(Ok(Outcome::Signal(s)));
        }
        if r.err != 0 {
            return match self {
                Kind::Rlimit if r.err == libc::EPERM as i64 => Step::Skip(
                    "setrlimit_memlock: the kernel refuses to raise RLIMIT_MEMLOCK (no CAP_SYS_RESOURCE)".into(),
                ),
                Kind::Cap => Step::Skip(format!("cap_ipc_lock: capset failed with errno {}", r.err)),
                _ => Step::Ran(Err(errno_of(r.err))),
            };
        }
        Step::Ran(Ok(match self {
            Kind::Done | Kind::Rlimit | Kind::Cap => Outcome::Done,
            Kind::Addr => Outcome::Addr(r.ret as u64),
            Kind::Fd => Outcome::Fd(r.ret as i32),
            Kind::Value => Outcome::Value(r.val),
            Kind::Statuses(n) => Outcome::Statuses(r.status[..n].to_vec()),
        }))
    }
}

/// The model's errno for a kernel errno number. Numbers the model has no name for become ENOSYS,
/// which the model never returns for these calls, so they still show as a divergence.
fn errno_of(n: i64) -> Errno {
    i32::try_from(n).ok().and_then(Errno::from_number).unwrap_or(Errno::ENOSYS)
}

fn move_pages_cmd(addrs: &[u64], nodes: &[u32], flags: u32) -> Option<Cmd> {
    if addrs.len() > MAXLIST || nodes.len() > MAXLIST {
        return None;
    }
    let mut c = Cmd::new(CmdOp::MovePages, &[u64::from(!nodes.is_empty()), flags.into()]);
    c.n = addrs.len() as u64;
    c.list[..addrs.len()].copy_from_slice(addrs);
    for (i, n) in nodes.iter().enumerate() {
        c.nodes[i] = *n as i32;
    }
    Some(c)
}
