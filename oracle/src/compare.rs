//! The comparator: every field both sides have, each difference a [`Divergence`].
//!
//! Field keys are stable names that known-divergence entries match: `result`, `address`,
//! `status.VmLck`, `smaps_rollup.Pss_Anon`, `maps.vma`, `maps.perms`, `smaps.Rss`,
//! `smaps.VmFlags`, `pagemap.present`, `kpagecount`, `kpageflags.MLOCKED` (`zero_page.kpageflags.*` for the shared zero page),
//! `process`.

use std::collections::BTreeSet;

use mmlab_model::views::KpageFlags;
use mmlab_model::{OpResult, Outcome};

use crate::snapshot::{PageSnap, ProcSnap, ROLLUP_FIELDS, STATUS_FIELDS, Snapshot, VmaSnap};

/// One difference between the model and the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The field key (see the module doc).
    pub field: String,
    /// Where: process and VMA or page, in script terms.
    pub at: String,
    pub model: String,
    pub kernel: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.at.is_empty() { String::new() } else { format!(" [{}]", self.at) };
        write!(f, "{}{at}: model {}, kernel {}", self.field, self.model, self.kernel)
    }
}

fn div(field: impl Into<String>, at: impl Into<String>, model: impl ToString, kernel: impl ToString) -> Divergence {
    Divergence { field: field.into(), at: at.into(), model: model.to_string(), kernel: kernel.to_string() }
}

/// kpageflags bits compared for present pages.
pub const COMPARED_KPF: &[(&str, KpageFlags)] = &[
    ("REFERENCED", KpageFlags::REFERENCED),
    ("UPTODATE", KpageFlags::UPTODATE),
    ("DIRTY", KpageFlags::DIRTY),
    ("LRU", KpageFlags::LRU),
    ("ACTIVE", KpageFlags::ACTIVE),
    ("MMAP", KpageFlags::MMAP),
    ("ANON", KpageFlags::ANON),
    ("SWAPCACHE", KpageFlags::SWAPCACHE),
    ("SWAPBACKED", KpageFlags::SWAPBACKED),
    ("UNEVICTABLE", KpageFlags::UNEVICTABLE),
    ("ZERO_PAGE", KpageFlags::ZERO_PAGE),
    ("MLOCKED", KpageFlags::MLOCKED),
    ("MAPPEDTODISK", KpageFlags::MAPPEDTODISK),
];

/// An operation's result as the report shows it.
pub fn result_text(r: &OpResult) -> String {
    match r {
        Ok(Outcome::Done) => "ok".into(),
        Ok(Outcome::Pid(p)) => format!("pid {p}"),
        Ok(Outcome::Addr(a)) => format!("{a:#x}"),
        Ok(Outcome::Fd(f)) => format!("fd {f}"),
        Ok(Outcome::Value(v)) => format!("{v:#x}"),
        Ok(Outcome::Signal(s)) => s.name().into(),
        Ok(Outcome::Statuses(v)) => format!("{v:?}").replace(' ', ""),
        Ok(Outcome::Count(n)) => n.to_string(),
        Ok(Outcome::Task(t)) => format!("task {t}"),
        Ok(Outcome::Step(s)) => format!("{s:?}"),
        Err(e) => e.name().into(),
    }
}

/// Compares two results. Pids and addresses are relocated, so only their kind is compared here.
pub fn compare_result(model: &OpResult, kernel: &OpResult) -> Option<Divergence> {
    let same = match (model, kernel) {
        (Ok(Outcome::Pid(_)), Ok(Outcome::Pid(_))) | (Ok(Outcome::Addr(_)), Ok(Outcome::Addr(_))) => true,
        (a, b) => a == b,
    };
    (!same).then(|| div("result", "", result_text(model), result_text(kernel)))
}

/// Names a model address for the report (`a+0x3000`).
pub type Describe<'a> = &'a dyn Fn(u64) -> String;

/// Compares two snapshots (keyed by model pid).
pub fn compare(model: &Snapshot, kernel: &Snapshot, describe: Describe) -> Vec<Divergence> {
    let mut out = Vec::new();
    let pids: BTreeSet<u32> = model.procs.keys().chain(kernel.procs.keys()).copied().collect();
    for pid in pids {
        match (model.procs.get(&pid), kernel.procs.get(&pid)) {
            (Some(m), Some(k)) => compare_proc(pid, m, k, describe, &mut out),
            (m, k) => out.push(div("process", format!("pid {pid}"), alive(m.is_some()), alive(k.is_some()))),
        }
    }
    out
}

fn alive(b: bool) -> &'static str {
    if b { "alive" } else { "gone" }
}

fn compare_proc(pid: u32, m: &ProcSnap, k: &ProcSnap, describe: Describe, out: &mut Vec<Divergence>) {
    let at = format!("pid {pid}");
    for f in STATUS_FIELDS {
        let (a, b) = (m.status.get(*f), k.status.get(*f));
        if a != b {
            out.push(div(format!("status.{f}"), &at, kb(a), kb(b)));
        }
    }
    for f in ROLLUP_FIELDS {
        let (a, b) = (m.rollup.get(*f), k.rollup.get(*f));
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            out.push(div(format!("smaps_rollup.{f}"), &at, kb(Some(a)), kb(Some(b))));
        }
    }
    compare_vmas(pid, &m.vmas, &k.vmas, describe, out);
}

fn kb(v: Option<&u64>) -> String {
    v.map_or("-".into(), |v| format!("{v} kB"))
}

fn range_text(v: &VmaSnap, describe: Describe) -> String {
    format!("{}..{}", describe(v.start), describe(v.end))
}

fn compare_vmas(pid: u32, m: &[VmaSnap], k: &[VmaSnap], describe: Describe, out: &mut Vec<Divergence>) {
    let starts: BTreeSet<u64> = m.iter().chain(k).map(|v| v.start).collect();
    for s in starts {
        let at = format!("pid {pid} vma {}", describe(s));
        match (m.iter().find(|v| v.start == s), k.iter().find(|v| v.start == s)) {
            (Some(a), Some(b)) => compare_vma(&at, a, b, describe, out),
            (a, b) => {
                let t = |v: Option<&VmaSnap>| v.map_or("none".into(), |v| range_text(v, describe));
                out.push(div("maps.vma", at, t(a), t(b)));
            }
        }
    }
}

fn compare_vma(at: &str, m: &VmaSnap, k: &VmaSnap, describe: Describe, out: &mut Vec<Divergence>) {
    if m.end != k.end {
        out.push(div("maps.vma", at, range_text(m, describe), range_text(k, describe)));
        return;
    }
    if m.perms != k.perms {
        out.push(div("maps.perms", at, &m.perms, &k.perms));
    }
    if m.offset != k.offset {
        out.push(div("maps.offset", at, format!("{:#x}", m.offset), format!("{:#x}", k.offset)));
    }
    if m.name != k.name {
        out.push(div("maps.name", at, format!("{:?}", m.name), format!("{:?}", k.name)));
    }
    for (f, a) in &m.fields {
        if let Some(b) = k.fields.get(f)
            && a != b
        {
            out.push(div(format!("smaps.{f}"), at, a, b));
        }
    }
    if m.vm_flags != k.vm_flags {
        out.push(div("smaps.VmFlags", at, m.vm_flags.join(" "), k.vm_flags.join(" ")));
    }
    compare_pages(m, k, describe, out, at);
}

/// One per-page property: its key and how to read it.
type PageProp = (String, Box<dyn Fn(&PageSnap) -> Option<String>>);

fn page_props() -> Vec<PageProp> {
    let b = |x: bool| Some(u8::from(x).to_string());
    let mut v: Vec<PageProp> = vec![
        ("pagemap.present".into(), Box::new(move |p: &PageSnap| b(p.present))),
        ("pagemap.swap".into(), Box::new(move |p: &PageSnap| b(p.swap))),
        ("pagemap.file".into(), Box::new(move |p: &PageSnap| b(p.file))),
        ("pagemap.exclusive".into(), Box::new(move |p: &PageSnap| b(p.exclusive))),
        ("kpagecount".into(), Box::new(|p: &PageSnap| p.count.map(|c| c.to_string()))),
    ];
    for &(name, flag) in COMPARED_KPF {
        v.push((
            format!("kpageflags.{name}"),
            Box::new(move |p: &PageSnap| p.flags.filter(|f| !is_zero_page(*f)).map(|f| bit(f, flag))),
        ));
        v.push((
            format!("zero_page.kpageflags.{name}"),
            Box::new(move |p: &PageSnap| p.flags.filter(|f| is_zero_page(*f)).map(|f| bit(f, flag))),
        ));
    }
    v
}

/// The shared zero page gets its own keys: its flags are machine-wide state.
fn is_zero_page(flags: u64) -> bool {
    flags & KpageFlags::ZERO_PAGE.bits() != 0
}

fn bit(flags: u64, flag: KpageFlags) -> String {
    u8::from(flags & flag.bits() != 0).to_string()
}

/// Per property, the first differing page and how many pages differ.
fn compare_pages(m: &VmaSnap, k: &VmaSnap, describe: Describe, out: &mut Vec<Divergence>, at: &str) {
    for (key, get) in page_props() {
        let mut first: Option<(usize, String, String)> = None;
        let mut n = 0;
        for (i, (a, b)) in m.pages.iter().zip(&k.pages).enumerate() {
            // Page-level properties of absent pages are not shown by either side.
            let (x, y) = (get(a), get(b));
            if x.is_some() && y.is_some() && x != y {
                n += 1;
                first.get_or_insert((i, x.unwrap_or_default(), y.unwrap_or_default()));
            }
        }
        if let Some((i, x, y)) = first {
            let more = if n > 1 { format!(" (+{} more pages)", n - 1) } else { String::new() };
            let page = describe(m.start + i as u64 * 4096);
            out.push(div(key, format!("{at} page {page}{more}"), x, y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmlab_model::Errno;

    fn vma(start: u64, pages: u64, rss: u64) -> VmaSnap {
        let mut v = VmaSnap { start, end: start + pages * 4096, perms: "rw-p".into(), ..VmaSnap::default() };
        v.fields.insert("Rss".into(), rss);
        v.pages = vec![PageSnap::default(); pages as usize];
        v
    }

    fn snap(v: VmaSnap) -> Snapshot {
        let mut s = Snapshot::default();
        s.procs.insert(1, ProcSnap { vmas: vec![v], ..ProcSnap::default() });
        s
    }

    #[test]
    fn reports_field_and_page_differences_with_both_values() {
        let m = snap(vma(0x1000, 2, 8));
        let mut kv = vma(0x1000, 2, 4);
        kv.pages[1].present = true;
        let d = compare(&m, &snap(kv), &|a| format!("{a:#x}"));
        let fields: Vec<&str> = d.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["smaps.Rss", "pagemap.present"]);
        assert_eq!((d[0].model.as_str(), d[0].kernel.as_str()), ("8", "4"));
        assert_eq!(d[1].at, "pid 1 vma 0x1000 page 0x2000");
    }

    #[test]
    fn a_vma_on_one_side_only_is_a_divergence() {
        let d = compare(&snap(vma(0x1000, 1, 0)), &snap(vma(0x3000, 1, 0)), &|a| format!("{a:#x}"));
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.field == "maps.vma"));
        assert_eq!(compare(&snap(vma(0x1000, 1, 0)), &snap(vma(0x1000, 1, 0)), &|a| format!("{a:#x}")), vec![]);
    }

    #[test]
    fn results_compare_errnos_and_values_but_not_relocated_addresses() {
        assert!(compare_result(&Ok(Outcome::Addr(1)), &Ok(Outcome::Addr(2))).is_none());
        assert!(compare_result(&Err(Errno::EINVAL), &Err(Errno::EINVAL)).is_none());
        let d = compare_result(&Ok(Outcome::Value(5)), &Err(Errno::ENOMEM)).unwrap();
        assert_eq!((d.model.as_str(), d.kernel.as_str()), ("0x5", "ENOMEM"));
    }
}
