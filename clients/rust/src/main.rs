//! `mmlab`: runs `.mms` scenario scripts on the embedded mmlab model or against an `mmlabd`
//! server (`--server URL`), manages and inspects a server's machines, and (`mmlab oracle`) runs
//! scripts on the live Linux kernel to compare the two.
//!
//! Exit status: 0 when everything passes, 1 when an operation result, an expectation or an
//! invariant fails, 2 on a usage error, an unreadable file or a parse error, 3 when the server
//! fails (unreachable, unauthenticated, unknown machine, quota).

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmlab_model::script::{self, FailureKind, ParseError, ProcView, RunOptions, RunReport, Script};

mod experiment_cmd;
mod oracle_cmd;
mod remote_cmd;

use remote_cmd::{MachineCmd, ProcArgs, ServerArgs};

const AFTER_HELP: &str = "\
Exit status: 0 when everything passes, 1 when a result, an expectation or an invariant fails,
2 on a usage error, an unreadable file or a parse error, 3 when the server fails (unreachable,
unauthenticated, unknown machine, quota).

Against a server: `mmlab run --server http://127.0.0.1:50051 FILE.mms` (or MMLAB_SERVER), with
a token from --token or MMLAB_TOKEN. The output is the same bytes as the embedded run.

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
    about = "Run .mms memory-manager scenarios on the mmlab model, embedded or on an mmlabd server",
    long_about = "Run .mms memory-manager scenarios on the mmlab model (a pure, deterministic model of \
                  the Linux memory manager), embedded or on an mmlabd server, and inspect a server's \
                  machines. Every script starts on a fresh machine; output depends on nothing but the \
                  script, so two runs (embedded or remote) print the same bytes.",
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
    /// FILE:LINE: MESSAGE. Runs every file even when one fails. With --server, each script runs
    /// on a new machine of that server (deleted afterwards unless --keep) and prints the same.
    Run {
        #[command(flatten)]
        server: ServerArgs,
        /// With --server: keep each script's machine and print its id on stderr
        #[arg(long)]
        keep: bool,
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
    /// Turn a crash input of the `ops` or `interleave` fuzz target into a minimal .mms script
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
        /// The fuzz target the input was written for
        #[arg(long, value_enum, default_value_t = FuzzTarget::Ops)]
        target: FuzzTarget,
        /// The crash input (a libFuzzer artifact)
        #[arg(value_name = "ARTIFACT")]
        artifact: PathBuf,
    },
    /// Explore every interleaving of a script's kernel tasks and check the invariants in each
    ///
    /// The script runs up to its first `run_until_idle`; from there every order of task steps and
    /// I/O completions is tried (states already reached are not searched again), with the
    /// invariants checked after every step and the script's expectations at the end of each
    /// schedule. Prints the number of schedules and states explored and, for the first schedule
    /// that fails, the plain script (the schedule written out as `step`/`io_complete` lines) that
    /// fails the same way under `mmlab run`. Exit status 1 when a schedule fails.
    Explore {
        /// Stop after this many complete schedules
        #[arg(long, default_value_t = 100_000)]
        max_schedules: u64,
        /// Write the first failing schedule's script to this file
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Scripts to explore
        #[arg(value_name = "FILE.mms", required = true)]
        files: Vec<PathBuf>,
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
    /// Create, list, describe, clone and delete a server's machines
    #[command(subcommand)]
    Machine(MachineCmd),
    /// Print a /proc view of a server machine's process or of the machine, as Linux or as JSON
    Proc(ProcArgs),
    /// Print a server machine's journal as a .mms script that `mmlab run` replays
    Journal {
        #[command(flatten)]
        server: ServerArgs,
        /// Write the script to FILE instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The machine
        #[arg(value_name = "MACHINE")]
        machine: String,
    },
    /// Check a server machine's invariants (exit 1 and list them when any is broken)
    Invariants {
        #[command(flatten)]
        server: ServerArgs,
        /// The machine
        #[arg(value_name = "MACHINE")]
        machine: String,
    },
    /// Run a measurement on the embedded model (the THP reservations RFC's experiment)
    #[command(subcommand)]
    Experiment(experiment_cmd::ExperimentCmd),
    /// Print shell completions for mmlab
    Completions {
        /// The shell
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
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

/// The worst outcome so far: 0 pass, 1 failure, 2 error, 3 the server failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass = 0,
    Fail = 1,
    Error = 2,
    Service = 3,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Run { server, keep, proc_views, no_invariants, quiet, files } => {
            let opts = RunOptions {
                check_invariants: !no_invariants,
                proc_views: proc_views.into_iter().map(ProcView::from).collect(),
                catch_panics: true,
            };
            match server.url() {
                None => run_files(&files, quiet, |s, _| script::run(s, &opts)),
                Some(_) => remote_cmd::run_remote(&server, keep, &files, &opts, quiet),
            }
        }
        Command::Machine(cmd) => remote_cmd::machine(cmd),
        Command::Proc(args) => remote_cmd::proc(&args),
        Command::Journal { server, output, machine } => remote_cmd::journal(&server, &machine, output.as_deref()),
        Command::Invariants { server, machine } => remote_cmd::invariants(&server, &machine),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "mmlab", &mut io::stdout());
            Status::Pass
        }
        Command::Fmt { file } => fmt_file(&file),
        Command::Repro { quirks, output, target, artifact } => repro(target, &artifact, quirks, output.as_deref()),
        Command::Explore { max_schedules, output, files } => {
            files.iter().map(|f| explore_file(f, max_schedules, output.as_deref())).max().unwrap_or(Status::Pass)
        }
        Command::Check { files } => files.iter().map(|f| check_file(f)).max().unwrap_or(Status::Pass),
        Command::Oracle(args) => return ExitCode::from(oracle_cmd::run(&args)),
        Command::Experiment(cmd) => experiment_cmd::run(&cmd),
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

fn explore_file(path: &Path, max_schedules: u64, output: Option<&Path>) -> Status {
    let Some(text) = read(path) else { return Status::Error };
    let opts = script::ExploreOptions { max_schedules, ..Default::default() };
    let start = std::time::Instant::now();
    let r = match script::explore(&text, &opts) {
        Ok(r) => r,
        Err(e) => {
            report_parse_error(path, &text, &e);
            return Status::Error;
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let name = path.display();
    if let Some(p) = &r.prefix_failure {
        let f = p.failure.as_ref().map_or_else(String::new, |f| f.message.clone());
        eprintln!("{name}: fails before any task runs: {f}");
        return Status::Fail;
    }
    let at = r.line.map_or_else(|| "no run_until_idle: one schedule".to_string(), |l| format!("line {l}"));
    let rate = if secs > 0.0 { r.schedules as f64 / secs } else { 0.0 };
    println!(
        "{name}: {at}: {} schedules, {} states, {} pruned{} in {secs:.2} s ({rate:.0} schedules/s, {:.0} states/s)",
        r.schedules,
        r.states,
        r.pruned,
        if r.bounded { " (bounded)" } else { "" },
        if secs > 0.0 { r.states as f64 / secs } else { 0.0 }
    );
    let Some(f) = r.failure else {
        println!("{name}: no schedule fails");
        return Status::Pass;
    };
    let why = f.report.failure.as_ref().map_or_else(|| "fails".to_string(), |x| x.message.clone());
    println!("{name}: schedule {} fails: {why}", r.schedules);
    match output {
        Some(o) => {
            if let Err(e) = fs::write(o, &f.script) {
                eprintln!("{}: cannot write: {e}", o.display());
                return Status::Error;
            }
            println!("{name}: the failing script is in {}", o.display());
        }
        None => print!("{}", f.script),
    }
    Status::Fail
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

/// A progress bar over the files on stderr, only when stderr is a terminal and there are several.
fn progress(files: &[PathBuf]) -> ProgressBar {
    if files.len() < 2 || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// Runs every file with `run_one` (the embedded model, or a server), printing the reports.
pub fn run_files(files: &[PathBuf], quiet: bool, mut run_one: impl FnMut(&Script, &str) -> RunReport) -> Status {
    let mut worst = Status::Pass;
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    let bar = progress(files);
    let mut out = io::stdout().lock();
    for (i, path) in files.iter().enumerate() {
        bar.set_position(i as u64);
        bar.set_message(path.display().to_string());
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
        let report = run_one(&script, &name);
        if !quiet {
            bar.suspend(|| {
                let _ = out.write_all(report.text().as_bytes());
            });
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
                worst = worst.max(if f.kind == FailureKind::Service { Status::Service } else { Status::Fail });
                bar.suspend(|| eprintln!("{}", f.render(&name)));
                if !quiet {
                    let _ = writeln!(out, "FAIL {name}");
                }
            }
        }
    }
    bar.finish_and_clear();
    if !quiet && files.len() > 1 {
        let _ = writeln!(out, "\n{passed} passed, {failed} failed, {errors} errors");
    }
    let _ = out.flush();
    worst
}

/// The fuzz targets whose inputs `mmlab repro` decodes.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum FuzzTarget {
    Ops,
    Interleave,
}

impl From<FuzzTarget> for mmlab_fuzz::repro::Target {
    fn from(t: FuzzTarget) -> Self {
        match t {
            FuzzTarget::Ops => mmlab_fuzz::repro::Target::Ops,
            FuzzTarget::Interleave => mmlab_fuzz::repro::Target::Interleave,
        }
    }
}

/// `mmlab repro`: minimizes a crash input of the `ops` or `interleave` target into a script.
fn repro(target: FuzzTarget, artifact: &Path, quirks: Option<String>, output: Option<&Path>) -> Status {
    let data = match fs::read(artifact) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", artifact.display());
            return Status::Error;
        }
    };
    let quirks = quirks.or_else(|| std::env::var(mmlab_fuzz::QUIRKS_ENV).ok()).unwrap_or_default();
    let name = artifact.file_name().map_or_else(|| artifact.display().to_string(), |n| n.to_string_lossy().into());
    let r = match mmlab_fuzz::repro::from_input(target.into(), &data, &mmlab_fuzz::parse_quirks(&quirks), &name) {
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
