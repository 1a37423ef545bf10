//! `mmlab`: runs `.mms` scenario scripts on the embedded mmlab model, and (`mmlab oracle`) on the
//! live Linux kernel to compare the two.
//!
//! Exit status: 0 when every script passes, 1 when an operation result, an expectation or an
//! invariant fails, 2 on a usage error, an unreadable file or a parse error.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mmlab_model::script::{self, ParseError, ProcView, RunOptions};

mod oracle_cmd;

const AFTER_HELP: &str = "\
Exit status: 0 when every script passes, 1 when a result, an expectation or an invariant fails,
2 on a usage error, an unreadable file or a parse error.

The .mms format is described in docs/mms-format.md. A small example:

    p = spawn
    a = mmap p 0 16p rw private,anonymous
    touch p a 10p write
    expect smaps p a Rss == 40 kB
    munmap p a+1 4096 => EINVAL";

#[derive(Parser, Debug)]
#[command(
    name = "mmlab",
    version,
    about = "Run .mms memory-manager scenarios on the embedded mmlab model",
    long_about = "Run .mms memory-manager scenarios on the embedded mmlab model: a pure, deterministic \
                  model of the Linux memory manager. Every script starts on a fresh machine; output \
                  depends on nothing but the script, so two runs print the same bytes.",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scripts: apply every operation, check every result, expectation and invariant
    ///
    /// Prints one line per step: the line number, the statement, and what it returned
    /// (`ok`, an errno, a signal, a pid, an address, an fd, a value, a count, a move_pages
    /// status list like `[0,-2,-14]`) or, for `expect` lines,
    /// the measured value. Stops a script at its first failure and reports it on stderr as
    /// FILE:LINE: MESSAGE. Runs every file even when one fails.
    Run {
        /// Also print this view after every operation (repeatable; views print in the order given)
        #[arg(long = "proc", value_name = "VIEW")]
        proc_views: Vec<ViewArg>,
        /// Do not check the model's invariants after every operation
        #[arg(long)]
        no_invariants: bool,
        /// Print nothing on stdout; failures still go to stderr
        #[arg(short, long)]
        quiet: bool,
        /// Scripts to run
        #[arg(value_name = "FILE.mms", required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a script in canonical form (comments, blank lines and number styles are kept)
    Fmt {
        /// Script to format
        #[arg(value_name = "FILE.mms")]
        file: PathBuf,
    },
    /// Turn a crash input of the `ops` fuzz target into a minimal .mms script
    ///
    /// Decodes the input exactly as the target does, delta-minimizes the operation list while
    /// the same kind of failure persists, and prints a script that fails the same way under
    /// `mmlab run` (every operation carries the result it returned; the last one breaks an
    /// invariant or panics the model). Exit status 0 when a reproducer was written, 1 when the
    /// input does not fail, 2 on an unreadable file.
    Repro {
        /// Quirks to enable, comma-separated (default: $MMLAB_FUZZ_QUIRKS, as the fuzzer used)
        #[arg(long, value_name = "LIST")]
        quirks: Option<String>,
        /// Write the script to FILE instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The crash input (a libFuzzer artifact)
        #[arg(value_name = "ARTIFACT")]
        artifact: PathBuf,
    },
    /// Parse scripts without running them; report the first syntax error of each
    Check {
        /// Scripts to check
        #[arg(value_name = "FILE.mms", required = true)]
        files: Vec<PathBuf>,
    },
    /// Run scripts on the model and on this live Linux kernel, and compare every field
    ///
    /// Each script process becomes a real process, each operation the real syscall; after every
    /// operation the script's VMAs (smaps, smaps_rollup, status, pagemap, kpageflags, page
    /// values) are compared with the model's. Needs root on Linux. Exit status: 0 all agree
    /// (known divergences and skips aside), 1 a divergence, 2 usage or environment error.
    Oracle(oracle_cmd::OracleArgs),
}

/// A view for `--proc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ViewArg {
    /// /proc/PID/maps of every live process
    Maps,
    /// /proc/PID/smaps of every live process
    Smaps,
    /// /proc/PID/smaps_rollup of every live process
    #[value(name = "smaps_rollup")]
    SmapsRollup,
    /// /proc/PID/status of every live process
    Status,
    /// /proc/meminfo
    Meminfo,
    /// /sys/devices/system/node/nodeN/meminfo of every node
    #[value(name = "node_meminfo")]
    NodeMeminfo,
    /// /proc/vmstat
    Vmstat,
}

impl From<ViewArg> for ProcView {
    fn from(v: ViewArg) -> ProcView {
        match v {
            ViewArg::Maps => ProcView::Maps,
            ViewArg::Smaps => ProcView::Smaps,
            ViewArg::SmapsRollup => ProcView::SmapsRollup,
            ViewArg::Status => ProcView::Status,
            ViewArg::Meminfo => ProcView::Meminfo,
            ViewArg::NodeMeminfo => ProcView::NodeMeminfo,
            ViewArg::Vmstat => ProcView::Vmstat,
        }
    }
}

/// The worst outcome so far: 0 pass, 1 failure, 2 error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Pass = 0,
    Fail = 1,
    Error = 2,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Run { proc_views, no_invariants, quiet, files } => {
            let opts = RunOptions {
                check_invariants: !no_invariants,
                proc_views: proc_views.into_iter().map(ProcView::from).collect(),
                catch_panics: true,
            };
            run_files(&files, &opts, quiet)
        }
        Command::Fmt { file } => fmt_file(&file),
        Command::Repro { quirks, output, artifact } => repro(&artifact, quirks, output.as_deref()),
        Command::Check { files } => files.iter().map(|f| check_file(f)).max().unwrap_or(Status::Pass),
        Command::Oracle(args) => return ExitCode::from(oracle_cmd::run(&args)),
    };
    ExitCode::from(status as u8)
}

/// Reads a script; on failure reports it and returns `None`.
fn read(path: &Path) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("{}: cannot read: {e}", path.display());
            None
        }
    }
}

/// `FILE:LINE:COL: MESSAGE`, then the line and a caret under the column.
fn report_parse_error(path: &Path, text: &str, e: &ParseError) {
    let mut msg = format!("{}:{}:{}: {}\n", path.display(), e.line, e.column, e.message);
    if let Some(src) = text.lines().nth(e.line.saturating_sub(1)) {
        let gutter = format!("{:>5} | ", e.line);
        let pad: String =
            src.chars().take(e.column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        msg.push_str(&format!("{gutter}{src}\n{:>5} | {pad}^\n", ""));
    }
    eprint!("{msg}");
}

fn parse_file(path: &Path) -> Result<(String, script::Script), Status> {
    let text = read(path).ok_or(Status::Error)?;
    match script::parse(&text) {
        Ok(s) => Ok((text, s)),
        Err(e) => {
            report_parse_error(path, &text, &e);
            Err(Status::Error)
        }
    }
}

fn check_file(path: &Path) -> Status {
    match parse_file(path) {
        Ok(_) => Status::Pass,
        Err(s) => s,
    }
}

fn fmt_file(path: &Path) -> Status {
    match parse_file(path) {
        Ok((_, s)) => {
            let mut out = io::stdout().lock();
            if out.write_all(s.to_string().as_bytes()).and_then(|()| out.flush()).is_err() {
                return Status::Error;
            }
            Status::Pass
        }
        Err(s) => s,
    }
}

fn run_files(files: &[PathBuf], opts: &RunOptions, quiet: bool) -> Status {
    let mut worst = Status::Pass;
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    let mut out = io::stdout().lock();
    for (i, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        if !quiet {
            if i > 0 {
                let _ = writeln!(out);
            }
            let _ = writeln!(out, "== {name}");
        }
        let script = match parse_file(path) {
            Ok((_, s)) => s,
            Err(s) => {
                if !quiet {
                    let _ = writeln!(out, "ERROR {name}");
                }
                let _ = out.flush();
                errors += 1;
                worst = worst.max(s);
                continue;
            }
        };
        let report = script::run(&script, opts);
        if !quiet {
            let _ = out.write_all(report.text().as_bytes());
        }
        let _ = out.flush();
        match &report.failure {
            None => {
                passed += 1;
                if !quiet {
                    let _ = writeln!(out, "PASS {name} ({} operations, {} expectations)", report.ops, report.expects);
                }
            }
            Some(f) => {
                failed += 1;
                worst = worst.max(Status::Fail);
                eprintln!("{}", f.render(&name));
                if !quiet {
                    let _ = writeln!(out, "FAIL {name}");
                }
            }
        }
    }
    if !quiet && files.len() > 1 {
        let _ = writeln!(out, "\n{passed} passed, {failed} failed, {errors} errors");
    }
    let _ = out.flush();
    worst
}

/// `mmlab repro`: minimizes a crash input of the `ops` target into a script.
fn repro(artifact: &Path, quirks: Option<String>, output: Option<&Path>) -> Status {
    let data = match fs::read(artifact) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", artifact.display());
            return Status::Error;
        }
    };
    let quirks = quirks.or_else(|| std::env::var(mmlab_fuzz::QUIRKS_ENV).ok()).unwrap_or_default();
    let name = artifact.file_name().map_or_else(|| artifact.display().to_string(), |n| n.to_string_lossy().into());
    let r = match mmlab_fuzz::repro::from_ops_input(&data, &mmlab_fuzz::parse_quirks(&quirks), &name) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", artifact.display());
            return Status::Fail;
        }
    };
    let written = match output {
        Some(path) => fs::write(path, &r.script).map_err(|e| format!("{}: cannot write: {e}", path.display())),
        None => io::stdout().lock().write_all(r.script.as_bytes()).map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("{e}");
        return Status::Error;
    }
    let check = if r.verified { "fails the same way under `mmlab run`" } else { "NOT reproduced by `mmlab run`" };
    eprintln!(
        "{}: {} -> {} operations; {}; {check}",
        artifact.display(),
        r.original_ops,
        r.ops.len(),
        r.failure.summary()
    );
    Status::Pass
}
