//! Servant processes: one real process per script process, driven over pipes.
//!
//! The servant program (servant/servant.c, built by build.rs and embedded here) performs each
//! command in its own address space and answers with a [`Reply`]. [`Cmd`] and [`Reply`] mirror
//! the C structs byte for byte. A spawned servant is a child of the oracle; a forked one is the
//! servant's child, reached through two FIFOs and waited for with a pidfd.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Most addresses one MOVE_PAGES command carries.
pub const MAXLIST: usize = 64;

/// Command numbers (the C enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum CmdOp {
    Mmap = 1,
    Munmap,
    Mprotect,
    Mremap,
    Madvise,
    Read,
    Write,
    Touch,
    Memfd,
    Open,
    Pwrite,
    Pread,
    Ftruncate,
    Fallocate,
    Close,
    Mlock,
    Mlock2,
    Munlock,
    Mlockall,
    Munlockall,
    Setrlimit,
    CapIpcLock,
    MovePages,
    Fork,
    Exit,
    Ping,
    Minflt,
}

/// `struct cmd` of servant.c.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Cmd {
    pub op: u64,
    pub a: [u64; 8],
    pub n: u64,
    pub s: [u8; 256],
    pub list: [u64; MAXLIST],
    pub nodes: [i32; MAXLIST],
}

impl Cmd {
    /// A command with numeric arguments.
    pub fn new(op: CmdOp, args: &[u64]) -> Cmd {
        let mut c = Cmd { op: op as u64, a: [0; 8], n: 0, s: [0; 256], list: [0; MAXLIST], nodes: [0; MAXLIST] };
        c.a[..args.len()].copy_from_slice(args);
        c
    }

    /// Sets the string argument; false when it does not fit (255 bytes and a NUL).
    pub fn with_str(mut self, s: &[u8]) -> Option<Cmd> {
        if s.len() >= self.s.len() || s.contains(&0) {
            return None;
        }
        self.s[..s.len()].copy_from_slice(s);
        Some(self)
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: Cmd is repr(C) plain data without padding (u64 fields, then u8 and i32 arrays
        // whose sizes are multiples of 8).
        unsafe { std::slice::from_raw_parts((self as *const Cmd).cast::<u8>(), size_of::<Cmd>()) }
    }
}

/// `struct rep` of servant.c.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Reply {
    pub ret: i64,
    pub err: i64,
    pub sig: i64,
    pub code: i64,
    pub val: u64,
    pub status: [i32; MAXLIST],
}

impl Reply {
    fn from_bytes(b: &[u8; size_of::<Reply>()]) -> Reply {
        // SAFETY: every bit pattern is a valid Reply (integers only) and the buffer has its size.
        unsafe { std::ptr::read_unaligned(b.as_ptr().cast::<Reply>()) }
    }
}

/// How a servant was started, which decides how to wait for its end.
enum Origin {
    /// A child of the oracle.
    Spawned(Child),
    /// A child of another servant, observed through a pidfd.
    Forked(OwnedFd),
}

/// One live servant process.
pub struct Servant {
    pub pid: i32,
    tx: Box<dyn Write + Send>,
    rx: Box<dyn Read + Send>,
    origin: Origin,
}

/// The servant executable, written out once per oracle run.
pub struct ServantProgram {
    pub path: PathBuf,
}

#[cfg(mmlab_servant)]
const SERVANT_BYTES: Option<&[u8]> = Some(include_bytes!(concat!(env!("OUT_DIR"), "/mmlab-servant")));
#[cfg(not(mmlab_servant))]
const SERVANT_BYTES: Option<&[u8]> = None;

impl ServantProgram {
    /// Writes the embedded servant into `dir`.
    pub fn install(dir: &Path) -> Result<ServantProgram, String> {
        let bytes = SERVANT_BYTES.ok_or("this build has no servant (no C compiler, or not Linux)")?;
        let path = dir.join("mmlab-servant");
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(ServantProgram { path })
    }
}

fn io_err(what: &str, e: std::io::Error) -> String {
    format!("{what}: {e}")
}

impl Servant {
    /// Starts a fresh servant process.
    pub fn spawn(prog: &ServantProgram) -> Result<Servant, String> {
        let mut child = spawn_retrying(&prog.path)?;
        let tx: ChildStdin = child.stdin.take().ok_or("servant stdin")?;
        let rx: ChildStdout = child.stdout.take().ok_or("servant stdout")?;
        let pid = child.id() as i32;
        let mut s = Servant { pid, tx: Box::new(tx), rx: Box::new(rx), origin: Origin::Spawned(child) };
        s.call(&Cmd::new(CmdOp::Ping, &[]))?;
        Ok(s)
    }

    /// Sends one command and reads its reply.
    pub fn call(&mut self, cmd: &Cmd) -> Result<Reply, String> {
        self.send(cmd)?;
        let mut buf = [0u8; size_of::<Reply>()];
        self.rx.read_exact(&mut buf).map_err(|e| io_err(&format!("servant {} reply", self.pid), e))?;
        Ok(Reply::from_bytes(&buf))
    }

    fn send(&mut self, cmd: &Cmd) -> Result<(), String> {
        self.tx.write_all(cmd.bytes()).map_err(|e| io_err(&format!("servant {} command", self.pid), e))
    }

    /// fork(2) of this servant; `fifo_base` names the child's channel (`.in` and `.out`).
    pub fn fork(&mut self, fifo_base: &Path) -> Result<Result<Servant, i64>, String> {
        let fin = with_suffix(fifo_base, ".in");
        let fout = with_suffix(fifo_base, ".out");
        mkfifo(&fin)?;
        mkfifo(&fout)?;
        let cmd = Cmd::new(CmdOp::Fork, &[])
            .with_str(fifo_base.as_os_str().as_bytes())
            .ok_or("FIFO path too long for the servant")?;
        let rep = self.call(&cmd)?;
        if rep.ret < 0 {
            return Ok(Err(rep.err));
        }
        let pid = rep.ret as i32;
        let tx = OpenOptions::new().write(true).open(&fin).map_err(|e| io_err("open fork FIFO", e))?;
        let rx = File::open(&fout).map_err(|e| io_err("open fork FIFO", e))?;
        let pidfd = pidfd_open(pid)?;
        let _ = std::fs::remove_file(&fin);
        let _ = std::fs::remove_file(&fout);
        Ok(Ok(Servant { pid, tx: Box::new(tx), rx: Box::new(rx), origin: Origin::Forked(pidfd) }))
    }

    /// exit(2), returning once the process has released its memory.
    pub fn exit(mut self) -> Result<(), String> {
        self.send(&Cmd::new(CmdOp::Exit, &[]))?;
        match self.origin {
            Origin::Spawned(mut child) => child.wait().map(|_| ()).map_err(|e| io_err("wait servant", e)),
            Origin::Forked(pidfd) => wait_pidfd(&pidfd, self.pid),
        }
    }
}

/// Starts the servant program. Another thread forking while the program file was still open
/// for writing makes exec fail with ETXTBSY for a moment; that is retried.
fn spawn_retrying(path: &Path) -> Result<Child, String> {
    let mut tries = 0;
    loop {
        let r = Command::new(path).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
        match r {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            r => return r.map_err(|e| io_err("spawn servant", e)),
        }
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn cstring(p: &Path) -> Result<std::ffi::CString, String> {
    std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|_| format!("{}: NUL in path", p.display()))
}

fn mkfifo(p: &Path) -> Result<(), String> {
    let c = cstring(p)?;
    // SAFETY: c is a valid NUL-terminated path.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } != 0 {
        return Err(io_err(&format!("mkfifo {}", p.display()), std::io::Error::last_os_error()));
    }
    Ok(())
}

fn pidfd_open(pid: i32) -> Result<OwnedFd, String> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io_err("pidfd_open", std::io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Waits until the process behind `pidfd` has exited (its mm is gone by then).
fn wait_pidfd(pidfd: &OwnedFd, pid: i32) -> Result<(), String> {
    let mut p = libc::pollfd { fd: pidfd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    loop {
        // SAFETY: p is a valid pollfd; a 60 s limit only guards against a wedged servant.
        let n = unsafe { libc::poll(&mut p, 1, 60_000) };
        if n > 0 {
            return Ok(());
        }
        if n == 0 {
            return Err(format!("servant {pid} did not exit within 60 s"));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(io_err("poll pidfd", e));
        }
    }
}
