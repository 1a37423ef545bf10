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
    /// Instead of files: run this many seeded random scripts of the kernel-observable operations
    #[arg(long, value_name = "N")]
    random: Option<u64>,
    /// Seed of the first random script (script i uses seed + i)
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Operations per random script
    #[arg(long, value_name = "K", default_value_t = 30)]
    ops: usize,
    /// With --random: exit 0 when at least this percentage of the scripts agree (default 100)
    #[arg(long, value_name = "PERCENT", default_value_t = 100.0)]
    min_agreement: f64,
    /// Where minimized divergent random scripts are saved
    #[arg(long, value_name = "DIR", default_value = "oracle-divergences")]
    save: PathBuf,
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
    if args.files.is_empty() == args.random.is_none() {
        eprintln!("mmlab oracle: give either scripts or --random N");
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
    if let Some(n) = args.random {
        return random_mode(&mut oracle, args, n);
    }
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

/// `--random N`: runs N seeded scripts, minimizes and saves each divergent one.
fn random_mode(oracle: &mut Oracle, args: &OracleArgs, n: u64) -> u8 {
    let mut tally = Tally::default();
    let mut saved = Vec::new();
    for i in 0..n {
        let seed = args.seed.wrapping_add(i);
        let text = mmlab_oracle::random::script(seed, args.ops);
        let label = format!("random-{seed}.mms");
        let report = match mmlab_model::script::parse(&text) {
            Ok(s) => oracle.run(&s, &label),
            Err(e) => {
                println!("ERROR {label}: the generator wrote an unparsable script: {e}");
                tally.errors += 1;
                continue;
            }
        };
        tally.known += report.known.len();
        match report.verdict {
            Verdict::Agree => tally.agree += 1,
            Verdict::Skipped => tally.skipped += 1,
            Verdict::Error => {
                print_report(&label, &report, args.verbose);
                tally.errors += 1;
            }
            Verdict::Diverge => {
                tally.diverge += 1;
                print_report(&label, &report, args.verbose);
                match save_minimized(oracle, args, &label, &text, &report) {
                    Ok(p) => {
                        println!("    minimized: {}", p.display());
                        saved.push(p);
                    }
                    Err(e) => println!("    cannot save the minimized script: {e}"),
                }
            }
        }
        if report.verdict != Verdict::Skipped && report.skip.is_some() {
            tally.partial += 1;
        }
        let _ = std::io::stdout().flush();
    }
    let ran = tally.agree + tally.diverge;
    let rate = if ran == 0 { 100.0 } else { 100.0 * tally.agree as f64 / ran as f64 };
    println!(
        "\nrandom: {n} scripts from seed {}: {} agree, {} diverge, {} skipped, {} stopped early, {} errors; \
         agreement {rate:.1}%; {} known divergences accepted",
        args.seed, tally.agree, tally.diverge, tally.skipped, tally.partial, tally.errors, tally.known
    );
    if tally.errors > 0 {
        2
    } else if rate < args.min_agreement {
        1
    } else {
        0
    }
}

/// Shrinks a divergent script while its first divergence's field persists, and saves it.
fn save_minimized(
    oracle: &mut Oracle,
    args: &OracleArgs,
    label: &str,
    text: &str,
    report: &ScriptReport,
) -> Result<PathBuf, String> {
    let first = report.divergences.first().ok_or("no divergence")?;
    let field = first.divergence.field.clone();
    let mut fails = |t: &str| {
        let Ok(s) = mmlab_model::script::parse(t) else { return false };
        let r = oracle.run(&s, label);
        r.verdict == Verdict::Diverge && r.divergences.iter().any(|d| d.divergence.field == field)
    };
    let min = mmlab_oracle::minimize::minimize(text, &mut fails);
    let s = mmlab_model::script::parse(&min).map_err(|e| e.to_string())?;
    let r = oracle.run(&s, label);
    let mut out = format!("# {label} minimized: diverges on {field}\n");
    for d in &r.divergences {
        out.push_str(&format!("# {d}\n"));
    }
    out.push_str(&min);
    std::fs::create_dir_all(&args.save).map_err(|e| format!("{}: {e}", args.save.display()))?;
    let path = args.save.join(label.replace(".mms", "-min.mms"));
    std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
