//! `mmlab experiment thp-reservations`: the experiment of the 2018 RFC "mm: thp: implement THP
//! reservations for anonymous memory", run on the embedded model.
//!
//! A THP=always machine; a parent forks children one after another; each child maps a chunk of
//! anonymous memory and writes either one page or a seeded random number of pages (the first
//! ones) of every 2 MiB region, then stays alive. khugepaged makes a full pass after every
//! `khugepaged_every` children (the RFC's promotions happen there). A child fails when an
//! allocation fails for good: the OOM killer runs (whoever it kills), the child gets a signal or
//! an errno. The run is repeated with reservations off and with each promotion threshold, and
//! reports the children that succeeded and Mel Gorman's metrics: faults, memory consumed and
//! promotions.

use std::fmt::Write as _;

use mmlab_model::{Access, Errno, MachineConfig, MapFlags, Op, Outcome, Prot, ThpMode};
use mmlab_oracle::random::Rng;

const PMD_SIZE: u64 = 2 << 20;
const PAGE_SIZE: u64 = 4096;
const PAGES_PER_PMD: u64 = PMD_SIZE / PAGE_SIZE;

/// How many pages a child writes in each 2 MiB region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Touch {
    /// The region's first page.
    One,
    /// The first 1..=512 pages, a seeded random count per region.
    Random,
}

impl Touch {
    pub fn name(self) -> &'static str {
        match self {
            Touch::One => "one",
            Touch::Random => "random",
        }
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Machine memory (one node), MiB.
    pub machine_mib: u64,
    /// Each child's mapping, MiB (a multiple of 2).
    pub chunk_mib: u64,
    pub touch: Touch,
    pub seed: u64,
    /// khugepaged makes a full pass after every this many children (0: never).
    pub khugepaged_every: u32,
    /// Reservations off (`None`) or a promotion threshold, one run each.
    pub configs: Vec<Option<u32>>,
    /// Stop a run after this many children even if all succeeded.
    pub max_children: u32,
}

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub threshold: Option<u32>,
    /// Children that wrote all their pages.
    pub children: u32,
    /// What stopped the run.
    pub stop: String,
    /// pgfault.
    pub faults: u64,
    /// MemTotal - MemFree after the last successful child, kB (reserved pages included).
    pub used_kb: u64,
    /// Of which unused reserved pages (nr_thp_reserved), kB.
    pub reserved_kb: u64,
    /// AnonHugePages after the last successful child, kB.
    pub anon_huge_kb: u64,
    /// res_pages_collapsed: reservations promoted in place.
    pub promotions: u64,
    /// thp_fault_alloc, thp_collapse_alloc, thp_res_alloc, thp_res_alloc_failed.
    pub thp_fault_alloc: u64,
    pub thp_collapse_alloc: u64,
    pub res_alloc: u64,
    pub res_alloc_failed: u64,
    /// Model invariants violated at the end (0 unless the model has a bug).
    pub violations: usize,
}

impl Params {
    /// The validation the CLI reports as a usage error.
    pub fn validate(&self) -> Result<(), String> {
        if self.chunk_mib == 0 || !self.chunk_mib.is_multiple_of(2) {
            return Err(format!("--chunk-mib {} must be a positive multiple of 2", self.chunk_mib));
        }
        if self.machine_mib < 16 || self.machine_mib > (mmlab_model::config::MAX_NODE_BYTES >> 20) {
            return Err(format!(
                "--machine-mib {} must be in 16..={}",
                self.machine_mib,
                mmlab_model::config::MAX_NODE_BYTES >> 20
            ));
        }
        if let Some(t) = self.configs.iter().flatten().find(|t| !(1..=512).contains(*t)) {
            return Err(format!("promotion threshold {t} must be in 1..=512"));
        }
        Ok(())
    }
}

/// Runs every configuration (in parallel threads; each run is deterministic).
pub fn run(p: &Params) -> Vec<Row> {
    std::thread::scope(|s| {
        let handles: Vec<_> = p.configs.iter().map(|&t| s.spawn(move || run_one(p, t))).collect();
        handles.into_iter().map(|h| h.join().expect("experiment thread")).collect()
    })
}

/// One run: reservations off (`None`) or with this promotion threshold.
pub fn run_one(p: &Params, threshold: Option<u32>) -> Row {
    let config = MachineConfig {
        node_bytes: p.machine_mib << 20,
        thp: ThpMode::Always,
        promotion_threshold: threshold,
        ..MachineConfig::default()
    };
    let mut m = mmlab_model::Machine::new(config).expect("valid experiment machine");
    let mut rng = Rng::new(p.seed);
    let Ok(Outcome::Pid(parent)) = m.apply(&Op::Spawn) else { unreachable!("spawn on an empty machine") };
    let mut children = 0;
    let mut snapshot = Snapshot::take(&m);
    let stop = loop {
        if children == p.max_children {
            break format!("{} children (--max-children)", p.max_children);
        }
        if let Err(why) = run_child(&mut m, parent, p, &mut rng) {
            break why;
        }
        children += 1;
        if p.khugepaged_every > 0 && children.is_multiple_of(p.khugepaged_every) {
            m.apply(&Op::Khugepaged).expect("khugepaged never fails");
        }
        snapshot = Snapshot::take(&m);
    };
    let v = m.vmstat();
    let ev = |name: &str| v.get(name).unwrap_or(0);
    Row {
        threshold,
        children,
        stop,
        faults: snapshot.faults,
        used_kb: snapshot.used_kb,
        reserved_kb: snapshot.reserved_kb,
        anon_huge_kb: snapshot.anon_huge_kb,
        promotions: ev("res_pages_collapsed"),
        thp_fault_alloc: ev("thp_fault_alloc"),
        thp_collapse_alloc: ev("thp_collapse_alloc"),
        res_alloc: ev("thp_res_alloc"),
        res_alloc_failed: ev("thp_res_alloc_failed"),
        violations: m.check_invariants().len(),
    }
}

/// The figures after the last successful child.
struct Snapshot {
    faults: u64,
    used_kb: u64,
    reserved_kb: u64,
    anon_huge_kb: u64,
}

impl Snapshot {
    fn take(m: &mmlab_model::Machine) -> Snapshot {
        let mi = m.meminfo();
        let v = m.vmstat();
        Snapshot {
            faults: v.get("pgfault").unwrap_or(0),
            used_kb: mi.mem_total - mi.mem_free,
            reserved_kb: v.get("nr_thp_reserved").unwrap_or(0) * (PAGE_SIZE / 1024),
            anon_huge_kb: mi.anon_huge_pages,
        }
    }
}

/// Forks a child that maps its chunk and writes its pages. Err says why it failed.
fn run_child(m: &mut mmlab_model::Machine, parent: u32, p: &Params, rng: &mut Rng) -> Result<(), String> {
    let ooms_before = m.vmstat().get("oom_kill").unwrap_or(0);
    let child = match m.apply(&Op::Fork { pid: parent }) {
        Ok(Outcome::Pid(c)) => c,
        other => return Err(format!("fork: {}", describe(other))),
    };
    let len = p.chunk_mib << 20;
    let mmap = Op::Mmap {
        pid: child,
        addr: 0,
        len,
        prot: Prot::READ | Prot::WRITE,
        flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        fd: -1,
        offset: 0,
    };
    let base = match m.apply(&mmap) {
        Ok(Outcome::Addr(a)) => a,
        other => return Err(format!("mmap: {}", describe(other))),
    };
    for region in 0..len / PMD_SIZE {
        let pages = match p.touch {
            Touch::One => 1,
            Touch::Random => rng.range(1, PAGES_PER_PMD),
        };
        let touch =
            Op::Touch { pid: child, addr: base + region * PMD_SIZE, len: pages * PAGE_SIZE, access: Access::Write };
        match m.apply(&touch) {
            Ok(Outcome::Done) => {}
            other => return Err(format!("write fault: {}", describe(other))),
        }
        if m.vmstat().get("oom_kill").unwrap_or(0) > ooms_before {
            return Err("write fault: the OOM killer killed another child".to_string());
        }
    }
    Ok(())
}

fn describe(r: Result<Outcome, Errno>) -> String {
    match r {
        Ok(Outcome::Signal(s)) => format!("{s:?}"),
        Ok(o) => format!("{o:?}"),
        Err(e) => e.to_string(),
    }
}

fn threshold_label(t: Option<u32>) -> String {
    t.map_or_else(|| "off".to_string(), |t| t.to_string())
}

fn mib(kb: u64) -> String {
    format!("{:.1}", kb as f64 / 1024.0)
}

/// The results as a plain-text table.
pub fn render_table(p: &Params, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "machine {} MiB, THP always, chunk {} MiB ({} regions of 2 MiB), touch {}, seed {}, khugepaged {}",
        p.machine_mib,
        p.chunk_mib,
        p.chunk_mib / 2,
        p.touch.name(),
        p.seed,
        match p.khugepaged_every {
            0 => "never".to_string(),
            1 => "after every child".to_string(),
            n => format!("after every {n} children"),
        }
    );
    let _ = writeln!(
        out,
        "{:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9}  stopped by",
        "threshold",
        "children",
        "faults",
        "used MiB",
        "resv MiB",
        "THP MiB",
        "promotions",
        "thp_fault",
        "collapse",
        "res_alloc",
        "res_fail"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9}  {}",
            threshold_label(r.threshold),
            r.children,
            r.faults,
            mib(r.used_kb),
            mib(r.reserved_kb),
            mib(r.anon_huge_kb),
            r.promotions,
            r.thp_fault_alloc,
            r.thp_collapse_alloc,
            r.res_alloc,
            r.res_alloc_failed,
            r.stop
        );
    }
    out
}

/// The children that succeeded per configuration, one bar group per touch mode, as an SVG.
pub fn render_svg(p: &Params, results: &[(Touch, Vec<Row>)]) -> String {
    let (w, h, left, top, bottom) = (720.0, 360.0, 70.0, 50.0, 60.0);
    let plot_h = h - top - bottom;
    let max = results.iter().flat_map(|(_, rows)| rows.iter().map(|r| r.children)).max().unwrap_or(1).max(1);
    let scale_max = nice_ceiling(max as f64);
    let groups = results.len().max(1) as f64;
    let group_w = (w - left - 20.0) / groups;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="20" text-anchor="middle" font-size="14">Children forked before allocation fails ({} MiB machine, {} MiB chunks, THP always)</text>"#,
        w / 2.0,
        p.machine_mib,
        p.chunk_mib
    );
    for i in 0..=4 {
        let v = scale_max * i as f64 / 4.0;
        let y = top + plot_h - plot_h * i as f64 / 4.0;
        let _ = writeln!(s, r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/>"##, w - 20.0);
        let _ = writeln!(s, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 6.0, y + 4.0, v as u64);
    }
    let colors = ["#888888", "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b"];
    for (g, (touch, rows)) in results.iter().enumerate() {
        let x0 = left + g as f64 * group_w;
        let bar_w = (group_w - 40.0) / rows.len().max(1) as f64;
        for (i, r) in rows.iter().enumerate() {
            let bh = plot_h * r.children as f64 / scale_max;
            let x = x0 + 20.0 + i as f64 * bar_w;
            let y = top + plot_h - bh;
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{}"/>"#,
                bar_w - 4.0,
                colors[i % colors.len()]
            );
            let cx = x + (bar_w - 4.0) / 2.0;
            let _ = writeln!(s, r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#, y - 4.0, r.children);
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                top + plot_h + 16.0,
                threshold_label(r.threshold)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13">touch {} page(s) per 2 MiB region</text>"#,
            x0 + group_w / 2.0,
            top + plot_h + 38.0,
            touch.name()
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">children</text>"#,
        top + plot_h / 2.0,
        top + plot_h / 2.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">bars: reservations off, then promotion_threshold</text>"##,
        w / 2.0,
        h - 6.0
    );
    s.push_str("</svg>\n");
    s
}

/// 1, 2 or 5 times a power of ten, at least `v`.
fn nice_ceiling(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|&c| c >= v).unwrap_or(10.0 * p)
}
