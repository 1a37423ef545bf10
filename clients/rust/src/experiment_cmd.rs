//! `mmlab experiment`: measurements run on the embedded model.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use mmlab_client::experiment::{self, Params, Touch};

use crate::Status;

#[derive(Subcommand, Debug)]
pub enum ExperimentCmd {
    /// The THP reservations RFC's experiment: children forked until allocation fails
    ///
    /// A THP=always machine; children are forked one after another, each maps a chunk and
    /// writes one page (or a random number of pages) of every 2 MiB region and stays alive;
    /// khugepaged passes in between. Runs with reservations off and with each promotion
    /// threshold, and prints how many children succeeded, faults, memory used and promotions.
    ThpReservations(ThpResArgs),
}

#[derive(Args, Debug)]
pub struct ThpResArgs {
    /// Machine memory in MiB (one node)
    #[arg(long, default_value_t = 1024)]
    machine_mib: u64,
    /// Each child's mapping in MiB (a multiple of 2); the RFC used 1/16 of the machine
    #[arg(long, default_value_t = 64)]
    chunk_mib: u64,
    /// Pages written per 2 MiB region (both: one table per mode)
    #[arg(long, value_enum)]
    touch: Option<Touch>,
    /// Seed of the random page counts
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// khugepaged makes a full pass after every N children (0: never)
    #[arg(long, default_value_t = 1, value_name = "N")]
    khugepaged_every: u32,
    /// Promotion thresholds to run besides reservations off, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 64, 256, 512])]
    thresholds: Vec<u32>,
    /// Stop a run after this many children
    #[arg(long, default_value_t = 100_000)]
    max_children: u32,
    /// Also write the plot as an SVG file
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

pub fn run(cmd: &ExperimentCmd) -> Status {
    match cmd {
        ExperimentCmd::ThpReservations(a) => thp_reservations(a),
    }
}

fn thp_reservations(a: &ThpResArgs) -> Status {
    let mut configs = vec![None];
    configs.extend(a.thresholds.iter().map(|&t| Some(t)));
    let base = Params {
        machine_mib: a.machine_mib,
        chunk_mib: a.chunk_mib,
        touch: Touch::One,
        seed: a.seed,
        khugepaged_every: a.khugepaged_every,
        configs,
        max_children: a.max_children,
    };
    if let Err(e) = base.validate() {
        eprintln!("mmlab experiment thp-reservations: {e}");
        return Status::Error;
    }
    let touches = a.touch.map_or_else(|| vec![Touch::One, Touch::Random], |t| vec![t]);
    let mut results = Vec::new();
    let mut status = Status::Pass;
    for touch in touches {
        let p = Params { touch, ..base.clone() };
        let started = Instant::now();
        let rows = experiment::run(&p);
        print!("{}", experiment::render_table(&p, &rows));
        println!("({:.1} s)\n", started.elapsed().as_secs_f64());
        if rows.iter().any(|r| r.violations > 0) {
            eprintln!("model invariants broken at the end of a run: this is a model bug");
            status = Status::Fail;
        }
        results.push((touch, rows));
    }
    if let Some(path) = &a.svg
        && let Err(e) = fs::write(path, experiment::render_svg(&base, &results))
    {
        eprintln!("{}: cannot write: {e}", path.display());
        return Status::Error;
    }
    status
}
