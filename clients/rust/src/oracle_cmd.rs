//! `mmlab oracle`: scripts on the model and on the live kernel, compared (crate mmlab-oracle).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use mmlab_oracle::{DEFAULT_WORK_ROOT, Known, Oracle, ScriptReport, Verdict};

/// Arguments of `mmlab oracle`.
#[derive(Args, Debug)]
pub struct OracleArgs {
    /// Known-divergences file (default: the one built in, oracle/known-divergences.toml)
    #[arg(long, value_name = "FILE")]
    known: Option<PathBuf>,
    /// Directory (on a disk file system) for the servant, FIFOs and the scripts' files
    #[arg(long, value_name = "DIR", default_value = DEFAULT_WORK_ROOT)]
    work_dir: PathBuf,
    /// Also print the accepted (known) divergences
    #[arg(short, long)]
    verbose: bool,
    /// Scripts to compare
    #[arg(value_name = "FILE.mms")]
    files: Vec<PathBuf>,
}

/// Totals over all scripts.
#[derive(Default)]
struct Tally {
    agree: usize,
    diverge: usize,
    skipped: usize,
    partial: usize,
    errors: usize,
    known: usize,
}

/// Runs the subcommand; returns the exit status.
pub fn run(args: &OracleArgs) -> u8 {
    if args.files.is_empty() {
        eprintln!("mmlab oracle: no scripts given");
        return 2;
    }
    let known = match load_known(args) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("mmlab oracle: {e}");
            return 2;
        }
    };
    let mut oracle = match Oracle::new(known, &args.work_dir) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mmlab oracle: cannot start: {e}");
            return 2;
        }
    };
    println!("oracle: {}", oracle.caps.describe());
    let mut tally = Tally::default();
    for path in &args.files {
        run_file(&mut oracle, path, args.verbose, &mut tally);
    }
    println!(
        "\n{} agree, {} diverge, {} skipped, {} stopped early at a skipped step, {} errors; {} known divergences accepted",
        tally.agree, tally.diverge, tally.skipped, tally.partial, tally.errors, tally.known
    );
    if tally.errors > 0 {
        2
    } else if tally.diverge > 0 {
        1
    } else {
        0
    }
}

fn load_known(args: &OracleArgs) -> Result<Known, String> {
    match &args.known {
        None => Known::parse(mmlab_oracle::known::DEFAULT_KNOWN),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Known::parse(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
    }
}

fn run_file(oracle: &mut Oracle, path: &std::path::Path, verbose: bool, tally: &mut Tally) {
    let name = path.display().to_string();
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|t| mmlab_model::script::parse(&t).map_err(|e| format!("parse error: {e}")));
    let script = match parsed {
        Ok(s) => s,
        Err(e) => {
            println!("ERROR {name}: {e}");
            tally.errors += 1;
            return;
        }
    };
    let label = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
    let report = oracle.run(&script, &label);
    print_report(&name, &report, verbose);
    let _ = std::io::stdout().flush();
    tally.known += report.known.len();
    match report.verdict {
        Verdict::Agree => tally.agree += 1,
        Verdict::Diverge => tally.diverge += 1,
        Verdict::Skipped => tally.skipped += 1,
        Verdict::Error => tally.errors += 1,
    }
    if report.verdict != Verdict::Skipped && report.skip.is_some() {
        tally.partial += 1;
    }
}

/// Prints one script's verdict, its divergences and why it stopped early.
pub fn print_report(name: &str, r: &ScriptReport, verbose: bool) {
    let word = match r.verdict {
        Verdict::Agree => "AGREE",
        Verdict::Diverge => "DIVERGE",
        Verdict::Skipped => "SKIP",
        Verdict::Error => "ERROR",
    };
    let known = if r.known.is_empty() { String::new() } else { format!(", {} known divergences", r.known.len()) };
    println!("{word} {name} ({} steps compared{known})", r.compared);
    for d in &r.divergences {
        println!("    {d}");
    }
    if verbose {
        for d in &r.known {
            println!("    known: {d} ({})", d.known.as_deref().unwrap_or(""));
        }
    }
    match &r.skip {
        Some((None, why)) => println!("    skipped: {why}"),
        Some((Some(line), why)) => println!("    stopped at line {line}, which the kernel cannot run here: {why}"),
        None => {}
    }
    if let Some(e) = &r.error {
        println!("    oracle error: {e}");
    }
}
