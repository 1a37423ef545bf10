//! `mmlab experiment thp-reservations` at a scale whose figures can be worked out by hand.

use mmlab_client::experiment::{self, Params, Row, Touch};

fn params(touch: Touch) -> Params {
    Params {
        machine_mib: 32,
        chunk_mib: 4,
        touch,
        seed: 1,
        khugepaged_every: 1,
        configs: vec![None, Some(1), Some(64)],
        max_children: 100_000,
    }
}

fn row(rows: &[Row], threshold: Option<u32>) -> &Row {
    rows.iter().find(|r| r.threshold == threshold).expect("row")
}

/// 32 MiB = 8192 frames, children of two 2 MiB regions, one page written in each.
#[test]
fn one_page_per_region() {
    let rows = experiment::run(&params(Touch::One));
    for r in &rows {
        assert_eq!(r.violations, 0, "{r:?}");
        assert_eq!(r.stop, "write fault: the OOM killer killed another child");
    }
    // Off: 7 children of two THPs (with a deposited page table each), an 8th gets the 15th
    // THP and a 4 kB page, then the 495 frames left hold 123 children of 2 x (page + table) and 3 stay free.
    let off = row(&rows, None);
    assert_eq!((off.children, off.faults, off.thp_fault_alloc), (131, 262, 15));
    assert_eq!((off.used_kb, off.anon_huge_kb, off.res_alloc), (32756, 30720, 0));
    // Threshold 1 is THP as it is.
    assert_eq!(row(&rows, Some(1)), &Row { threshold: Some(1), ..off.clone() });
    // 64: the first 15 regions are reserved; the shrinker frees their unused 511 pages each,
    // which the handed pages keep from ever forming a free block again, so every later region
    // costs its page and its page table: 8192 / 4 = 2048 children, nothing promoted.
    let t64 = row(&rows, Some(64));
    assert_eq!((t64.children, t64.faults, t64.thp_fault_alloc), (2048, 4096, 0));
    assert_eq!((t64.used_kb, t64.reserved_kb, t64.anon_huge_kb), (32768, 0, 0));
    assert_eq!((t64.res_alloc, t64.res_alloc_failed, t64.promotions), (15, 4084, 0));
}

/// A random number of pages (1..=512) per region: reservations that reach the threshold are
/// promoted, so threshold 64 ends like THP always.
#[test]
fn random_pages_per_region() {
    let rows = experiment::run(&params(Touch::Random));
    let off = row(&rows, None);
    assert_eq!((off.children, off.thp_fault_alloc, off.anon_huge_kb), (8, 15, 30720));
    let t64 = row(&rows, Some(64));
    assert_eq!((t64.children, t64.promotions, t64.anon_huge_kb, t64.thp_fault_alloc), (8, 15, 30720, 0));
    assert_eq!(t64.violations, 0);
    // The same seed gives the same run.
    assert_eq!(experiment::run(&params(Touch::Random)), rows);
}

#[test]
fn max_children_stops_a_run() {
    let p = Params { max_children: 3, configs: vec![Some(64)], ..params(Touch::One) };
    let rows = experiment::run(&p);
    assert_eq!(rows[0].children, 3);
    assert_eq!(rows[0].stop, "3 children (--max-children)");
    assert_eq!(rows[0].reserved_kb, 3 * 2 * 511 * 4);
}

#[test]
fn invalid_parameters_are_refused() {
    let bad = |f: fn(&mut Params)| {
        let mut p = params(Touch::One);
        f(&mut p);
        p.validate().unwrap_err()
    };
    assert_eq!(bad(|p| p.chunk_mib = 3), "--chunk-mib 3 must be a positive multiple of 2");
    assert_eq!(bad(|p| p.chunk_mib = 0), "--chunk-mib 0 must be a positive multiple of 2");
    assert_eq!(bad(|p| p.machine_mib = 8), "--machine-mib 8 must be in 16..=1048576");
    assert_eq!(bad(|p| p.configs = vec![Some(513)]), "promotion threshold 513 must be in 1..=512");
    assert!(params(Touch::One).validate().is_ok());
}

#[test]
fn table_and_plot() {
    let p = Params { configs: vec![None, Some(64)], ..params(Touch::One) };
    let rows = experiment::run(&p);
    let table = experiment::render_table(&p, &rows);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("machine 32 MiB, THP always, chunk 4 MiB (2 regions of 2 MiB), touch one"));
    assert!(lines[2].trim_start().starts_with("off      131       262"), "{}", lines[2]);
    assert!(lines[3].trim_start().starts_with("64     2048      4096"), "{}", lines[3]);
    let svg = experiment::render_svg(&p, &[(Touch::One, rows)]);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>\n"));
    // A background and one bar per configuration.
    assert_eq!(svg.matches("<rect").count(), 3);
    assert!(svg.contains(">131</text>") && svg.contains(">2048</text>"));
}
