//! Test harness: builds and spawns the real `mmlabd` on a free loopback port (port 0; it prints
//! the port it picked), and runs the built `mmlab` binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The `mmlabd` binary, built once per test process (`cargo build` is a no-op when it is fresh;
/// `cargo test -p mmlab-client` alone does not build another package's binaries).
pub fn mmlabd() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root())
            .args(["build", "--locked", "-q", "-p", "mmlab-server", "--bin", "mmlabd"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build mmlabd failed");
        // The test binary lives in target/<profile>/deps; mmlabd one level up.
        let exe = std::env::current_exe().expect("test exe");
        let dir = exe.parent().and_then(Path::parent).expect("target dir");
        let bin = dir.join("mmlabd");
        assert!(bin.exists(), "{} missing", bin.display());
        bin
    })
}

/// A running `mmlabd`, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `mmlabd --listen 127.0.0.1:0 ARGS...` and waits for its address line.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(mmlabd())
            .args(["--listen", "127.0.0.1:0", "--log", "warn"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn mmlabd");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(a) = line.strip_prefix("mmlabd listening on ") {
                return Server { child, addr: a.to_string() };
            }
        }
        let _ = child.kill();
        panic!("mmlabd exited before listening: {:?}", child.wait());
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `mmlab ARGS...` in the workspace root, without the MMLAB_* environment of the caller.
pub fn mmlab(args: &[&str]) -> Output {
    mmlab_env(args, &[])
}

pub fn mmlab_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mmlab"));
    c.current_dir(root()).args(args);
    for v in ["MMLAB_SERVER", "MMLAB_TOKEN"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run mmlab")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A file in a fresh temporary directory, removed on drop.
pub struct TempFile {
    dir: PathBuf,
    pub path: PathBuf,
}

impl TempFile {
    pub fn new(name: &str, text: &str) -> TempFile {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mmlab-client-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        TempFile { dir, path }
    }
    pub fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
