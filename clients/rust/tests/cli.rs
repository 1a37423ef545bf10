//! Runs the built `mmlab` binary on temporary scripts.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn mmlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmlab")).args(args).output().expect("run mmlab")
}

/// A script file in a fresh temporary directory, removed on drop.
struct TempScript {
    dir: PathBuf,
    path: PathBuf,
}

impl TempScript {
    fn new(name: &str, text: &str) -> TempScript {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mmlab-cli-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        TempScript { dir, path }
    }
    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for TempScript {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn wrong_expectation_exits_1_naming_file_and_line() {
    // Needs no model behaviour: a fresh machine has 1 GiB per node and no invariant violation.
    let s = TempScript::new(
        "wrong.mms",
        "# a deliberately wrong expectation\nmachine node_mem=64M\nexpect invariants violations == 0\nexpect meminfo MemTotal == 1 kB\nexpect invariants violations == 0\n",
    );
    let out = mmlab(&["run", s.path()]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    let want = format!("{}:4: expect meminfo MemTotal == 1 kB: got 65536 kB\n", s.path());
    assert_eq!(stderr, want);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("== {}\n   2  machine node_mem=64M\n", s.path())), "{stdout}");
    assert!(stdout.contains("   4  expect meminfo MemTotal == 1 kB => 65536 kB\n"), "{stdout}");
    assert!(stdout.ends_with(&format!("FAIL {}\n", s.path())), "{stdout}");
    // Line 5 is never reached.
    assert!(!stdout.contains("   5  "), "{stdout}");
}

#[test]
fn quiet_prints_nothing_on_stdout() {
    let s = TempScript::new("q.mms", "expect invariants violations == 1\n");
    let out = mmlab(&["run", "--quiet", s.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(text(&out.stderr), format!("{}:1: expect invariants violations == 1: got 0\n", s.path()));
}

#[test]
fn passing_script_exits_0_and_output_is_deterministic() {
    // needs the model (spawn, mmap, faults, fork, /proc views)
    let s = TempScript::new(
        "ok.mms",
        "p = spawn\na = mmap p 0 16p rw private,anonymous\ntouch p a 10p write\nc = fork p\n\
         expect smaps p a Pss == 20 kB\nmunmap p 0x1001 4096 => EINVAL\n",
    );
    let args = ["run", "--proc", "smaps_rollup", "--proc", "maps", "--proc", "meminfo", s.path()];
    let one = mmlab(&args);
    assert_eq!(one.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", text(&one.stdout), text(&one.stderr));
    assert!(one.stderr.is_empty());
    let two = mmlab(&args);
    assert_eq!(one.stdout, two.stdout);
    let stdout = text(&one.stdout);
    assert!(stdout.contains("   5  expect smaps p a Pss == 20 kB => 20 kB\n"), "{stdout}");
    assert!(stdout.contains("      --- /proc/2/smaps_rollup\n"), "{stdout}");
    assert!(stdout.ends_with(&format!("PASS {} (5 operations, 1 expectations)\n", s.path())), "{stdout}");
}

#[test]
fn several_files_worst_status_wins() {
    let good = TempScript::new("good.mms", "expect invariants violations == 0\n");
    let bad = TempScript::new("bad.mms", "expect invariants violations != 0\n");
    let broken = TempScript::new("broken.mms", "expect invariants violations =! 0\n");
    let out = mmlab(&["run", good.path(), bad.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with("\n1 passed, 1 failed, 0 errors\n"), "{}", text(&out.stdout));
    let out = mmlab(&["run", broken.path(), bad.path(), good.path()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("{}:1:", bad.path())), "{stderr}");
    assert!(stderr.contains(&format!("{}:1:30: bad comparison '=!'", broken.path())), "{stderr}");
}

#[test]
fn parse_error_exits_2_with_position_and_caret() {
    let s = TempScript::new("bad.mms", "p = spawn\na = mmap p 0 16p rw private,anonymous\nmadvise p a 4p dontneeed\n");
    for cmd in ["run", "check"] {
        let out = mmlab(&[cmd, s.path()]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let stderr = text(&out.stderr);
        let want = format!(
            "{}:3:16: unknown advice 'dontneeed' (did you mean 'dontneed'?)\n    3 | madvise p a 4p dontneeed\n      |                ^\n",
            s.path()
        );
        assert_eq!(stderr, want, "{cmd}");
    }
}

#[test]
fn check_accepts_a_good_script() {
    let s = TempScript::new("good.mms", "p = spawn\nmunmap p 0x1001 4096 => EINVAL\n");
    let out = mmlab(&["check", s.path()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn fmt_prints_canonical_form() {
    let s = TempScript::new(
        "f.mms",
        "# keep me\nmachine  thp=always nodes=2\n\np   =  spawn # trailing\nmmap p 0X0 16p rw anonymous,private fd=-1 off=0\n",
    );
    let out = mmlab(&["fmt", s.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "# keep me\nmachine nodes=2 thp=always\n\np = spawn  # trailing\nmmap p 0x0 16p rw private,anonymous\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(mmlab(&[]).status.code(), Some(2));
    assert_eq!(mmlab(&["run"]).status.code(), Some(2));
    assert_eq!(mmlab(&["run", "--proc", "nope", "x.mms"]).status.code(), Some(2));
    assert_eq!(mmlab(&["frobnicate"]).status.code(), Some(2));
    let out = mmlab(&["run", "/nonexistent/x.mms"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("/nonexistent/x.mms: cannot read"), "{}", text(&out.stderr));
}

#[test]
fn help_describes_commands() {
    let out = mmlab(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for word in ["run", "fmt", "check", "Exit status"] {
        assert!(help.contains(word), "{help}");
    }
    let out = mmlab(&["run", "--help"]);
    let help = text(&out.stdout);
    for word in ["--proc <VIEW>", "smaps_rollup", "node_meminfo", "--no-invariants", "--quiet", "FILE:LINE"] {
        assert!(help.contains(word), "{help}");
    }
}

#[test]
fn fmt_and_run_mlock_and_move_pages() {
    let s = TempScript::new(
        "m.mms",
        "p = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 1p write\nmlockall p future,current\n\
         setrlimit_memlock p 0xffffffffffffffff\ncap_ipc_lock p on\n\
         move_pages p [a,a+1p] move nodes=0,0 => [0,0]\nmove_pages p 0x1000 => [-EFAULT]\nn = reclaim 0 0 => 0\n",
    );
    let out = mmlab(&["fmt", s.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "p = spawn\na = mmap p 0 4p rw private,anonymous\ntouch p a 1p write\nmlockall p current,future\n\
         setrlimit_memlock p 0xffffffffffffffff\ncap_ipc_lock p on\n\
         move_pages p a,a+1p nodes=0,0 move => [0,0]\nmove_pages p 0x1000 => [-EFAULT]\nn = reclaim 0 0 => 0\n"
    );
    // needs the model (mlockall, move_pages, reclaim)
    let out = mmlab(&["run", s.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    assert!(stdout.contains("   5  setrlimit_memlock p 0xffffffffffffffff => ok\n"), "{stdout}");
    assert!(stdout.contains("   8  move_pages p 0x1000 => [-14]\n"), "{stdout}");
    assert!(stdout.contains("   9  n = reclaim 0 0 => 0\n"), "{stdout}");
}

/// `mmlab repro` turns the committed lockonfault_skip_mapped crash input into a script that
/// `mmlab run` fails at its last line with the mlock_count invariant.
#[test]
fn repro_writes_a_script_that_fails_the_same_way() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/quirks/lockonfault_skip_mapped");
    let artifact = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let out = mmlab(&["repro", "--quirks", "lockonfault_skip_mapped", artifact.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("quirks=lockonfault_skip_mapped"), "{script}");
    assert!(script.lines().last().unwrap().contains("onfault"), "{script}");
    let s = TempScript::new("repro.mms", &script);
    let run = mmlab(&["run", "--quiet", s.path()]);
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    let last = script.lines().count();
    assert!(err.contains(&format!("repro.mms:{last}: invariant violated")) && err.contains("mlock_count"), "{err}");
    // Without the quirk the same input does not fail.
    let clean = mmlab(&["repro", "--quirks", "", artifact.to_str().unwrap()]);
    assert_eq!(clean.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&clean.stderr).contains("does not fail"));
}
