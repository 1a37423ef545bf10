//! Reading both sides into a [`Snapshot`].
//!
//! Kernel side: /proc/PID/smaps (split into the servant's own VMAs and the script's),
//! /proc/PID/status (restricted to the script VMAs by subtracting what the own VMAs account for),
//! /proc/PID/pagemap, /proc/kpagecount and /proc/kpageflags. Page contents are not read between
//! steps: /proc/PID/mem and process_vm_readv go through GUP with FOLL_TOUCH, which marks the
//! pages accessed (PG_referenced, activation) and would change what the next step sees. Values
//! are compared where the script reads them (`read`, `pread`). Model side: the model's smaps text
//! parsed by the same parser, its smaps_rollup and status views, its pagemap and kpage.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;

use mmlab_model::Machine;
use mmlab_model::proc as procfs;
use mmlab_model::views::{KpageFlags, PagemapEntry};

use crate::reloc::Reloc;
use crate::snapshot::{PageSnap, ProcSnap, ROLLUP_FIELDS, STATUS_FIELDS, SUMMED_FIELDS, VmaSnap};

const PAGE: u64 = 4096;
const PSS_SHIFT: u32 = 12;

/// One parsed smaps entry, in the coordinates of its side.
#[derive(Clone, Debug, Default)]
pub struct RawVma {
    pub start: u64,
    pub end: u64,
    pub perms: String,
    pub offset: u64,
    pub name: String,
    pub fields: BTreeMap<String, u64>,
    pub vm_flags: Vec<String>,
}

impl RawVma {
    fn field(&self, name: &str) -> u64 {
        self.fields.get(name).copied().unwrap_or(0)
    }
    fn has(&self, flag: &str) -> bool {
        self.vm_flags.iter().any(|f| f == flag)
    }
}

/// Parses smaps text (the kernel's, or the model's rendering of it).
pub fn parse_smaps(text: &str) -> Result<Vec<RawVma>, String> {
    let mut out: Vec<RawVma> = Vec::new();
    for line in text.lines() {
        if let Some(v) = parse_header(line) {
            out.push(v);
            continue;
        }
        let cur = out.last_mut().ok_or_else(|| format!("smaps line before any header: {line}"))?;
        let (key, rest) = line.split_once(':').ok_or_else(|| format!("bad smaps line: {line}"))?;
        if key == "VmFlags" {
            cur.vm_flags = rest.split_whitespace().map(str::to_string).collect();
        } else if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
            cur.fields.insert(key.to_string(), n);
        }
    }
    Ok(out)
}

/// `start-end perms offset dev inode [name]`.
fn parse_header(line: &str) -> Option<RawVma> {
    let mut it = line.splitn(6, ' ');
    let range = it.next()?;
    let (s, e) = range.split_once('-')?;
    let start = u64::from_str_radix(s, 16).ok()?;
    let end = u64::from_str_radix(e, 16).ok()?;
    let perms = it.next()?.to_string();
    let offset = u64::from_str_radix(it.next()?, 16).ok()?;
    let _dev = it.next()?;
    let _inode = it.next()?;
    let name = it.next().unwrap_or("").trim_start().to_string();
    Some(RawVma { start, end, perms, offset, name, ..RawVma::default() })
}

/// Parses the `Key: N kB` lines of /proc/PID/status.
fn parse_status(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            let v = v.trim();
            let n = v.strip_suffix(" kB")?.trim().parse().ok()?;
            Some((k.to_string(), n))
        })
        .collect()
}

/// The global /proc files read per page.
pub struct KpageFiles {
    count: File,
    flags: File,
}

impl KpageFiles {
    pub fn open() -> Result<KpageFiles, String> {
        let o = |p: &str| File::open(p).map_err(|e| format!("{p}: {e}"));
        Ok(KpageFiles { count: o("/proc/kpagecount")?, flags: o("/proc/kpageflags")? })
    }
}

fn read_u64(f: &File, off: u64) -> Option<u64> {
    let mut b = [0u8; 8];
    f.read_exact_at(&mut b, off).ok()?;
    Some(u64::from_le_bytes(b))
}

/// What the oracle knows about one servant besides its pid.
#[derive(Clone, Debug, Default)]
pub struct ServantInfo {
    /// The servant's own VMAs (start, end), recorded before the script touched it.
    pub own: Vec<(u64, u64)>,
    /// VmPTE (kB) that the servant's own page tables account for.
    pub base_pte: u64,
}

impl ServantInfo {
    /// Records a fresh servant's own VMAs and page tables.
    pub fn record(kpid: i32) -> Result<ServantInfo, String> {
        let vmas = read_smaps(kpid)?;
        let status = read_status(kpid)?;
        Ok(ServantInfo {
            own: vmas.iter().map(|v| (v.start, v.end)).collect(),
            base_pte: status.get("VmPTE").copied().unwrap_or(0),
        })
    }

    fn is_own(&self, v: &RawVma) -> bool {
        v.name.starts_with('[') || self.own.iter().any(|&(s, e)| v.start < e && s < v.end)
    }
}

fn read_smaps(kpid: i32) -> Result<Vec<RawVma>, String> {
    let p = format!("/proc/{kpid}/smaps");
    parse_smaps(&std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}"))?)
}

fn read_status(kpid: i32) -> Result<BTreeMap<String, u64>, String> {
    let p = format!("/proc/{kpid}/status");
    Ok(parse_status(&std::fs::read_to_string(&p).map_err(|e| format!("{p}: {e}"))?))
}

/// Reads one servant.
pub fn kernel_proc(
    kpid: i32,
    info: &ServantInfo,
    reloc: &Reloc,
    kpage: &KpageFiles,
    rename: &dyn Fn(&str) -> String,
) -> Result<ProcSnap, String> {
    let all = read_smaps(kpid)?;
    let status = read_status(kpid)?;
    // The vsyscall page is the gate area, shown by smaps but not a VMA of the mm (no total_vm).
    let all = all.into_iter().filter(|v| v.name != "[vsyscall]");
    let (own, script): (Vec<RawVma>, Vec<RawVma>) = all.partition(|v| info.is_own(v));
    let pagemap = File::open(format!("/proc/{kpid}/pagemap")).map_err(|e| format!("pagemap of {kpid}: {e}"))?;
    let mut vmas = Vec::new();
    for v in &script {
        let pages = kernel_pages(v, &pagemap, kpage)?;
        let mut snap = to_snap(v, pages, reloc);
        snap.name = rename(&v.name);
        vmas.push(snap);
    }
    vmas.sort_by_key(|v| v.start);
    let rollup = rollup_of(&vmas);
    Ok(ProcSnap { vmas, rollup, status: restrict_status(&status, &own, info.base_pte) })
}

fn to_snap(v: &RawVma, pages: Vec<PageSnap>, reloc: &Reloc) -> VmaSnap {
    VmaSnap {
        start: reloc.to_model(v.start),
        end: reloc.end_to_model(v.end),
        perms: v.perms.clone(),
        offset: v.offset,
        name: v.name.clone(),
        fields: v.fields.clone(),
        vm_flags: v.vm_flags.clone(),
        pages,
    }
}

fn kernel_pages(v: &RawVma, pagemap: &File, kpage: &KpageFiles) -> Result<Vec<PageSnap>, String> {
    let n = ((v.end - v.start) / PAGE) as usize;
    let mut buf = vec![0u8; n * 8];
    pagemap.read_exact_at(&mut buf, v.start / PAGE * 8).map_err(|e| format!("pagemap read: {e}"))?;
    let mut pages = Vec::with_capacity(n);
    for chunk in buf.chunks_exact(8) {
        let e = PagemapEntry(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        let mut p = PageSnap {
            present: e.present(),
            swap: e.swapped(),
            file: e.file_shared(),
            exclusive: e.exclusive(),
            ..PageSnap::default()
        };
        if p.present {
            p.count = read_u64(&kpage.count, e.pfn() * 8);
            p.flags = read_u64(&kpage.flags, e.pfn() * 8);
        }
        pages.push(p);
    }
    Ok(pages)
}

/// The Pss of one present page in fixed point (`smaps_account` with the page's mapcount).
fn page_pss(p: &PageSnap) -> u64 {
    match (p.present, p.count) {
        (true, Some(c)) if c > 0 => (PAGE << PSS_SHIFT) / c,
        _ => 0,
    }
}

/// smaps_rollup over a set of VMAs: byte lines summed, Pss lines recomputed per page.
pub fn rollup_of(vmas: &[VmaSnap]) -> BTreeMap<String, u64> {
    let mut r: BTreeMap<String, u64> = BTreeMap::new();
    for f in SUMMED_FIELDS {
        r.insert(f.to_string(), vmas.iter().map(|v| v.fields.get(*f).copied().unwrap_or(0)).sum());
    }
    let (mut anon, mut file, mut shmem) = (0u64, 0u64, 0u64);
    for p in vmas.iter().flat_map(|v| &v.pages) {
        let pss = page_pss(p);
        let flags = KpageFlags::from_bits_retain(p.flags.unwrap_or(0));
        if flags.contains(KpageFlags::ANON) {
            anon += pss;
        } else if flags.contains(KpageFlags::SWAPBACKED) {
            shmem += pss;
        } else {
            file += pss;
        }
    }
    let kb = |x: u64| (x >> PSS_SHIFT) >> 10;
    r.insert("Pss".into(), kb(anon + file + shmem));
    r.insert("Pss_Anon".into(), kb(anon));
    r.insert("Pss_File".into(), kb(file));
    r.insert("Pss_Shmem".into(), kb(shmem));
    r
}

/// status lines with the servant's own VMAs taken out.
fn restrict_status(st: &BTreeMap<String, u64>, own: &[RawVma], base_pte: u64) -> BTreeMap<String, u64> {
    let g = |k: &str| st.get(k).copied().unwrap_or(0);
    let own_sum =
        |pred: &dyn Fn(&RawVma) -> bool| -> u64 { own.iter().filter(|v| pred(v)).map(|v| v.field("Size")).sum() };
    let own_anon: u64 = own.iter().map(|v| v.field("Anonymous")).sum();
    let own_file: u64 = own.iter().map(|v| v.field("Rss") - v.field("Anonymous")).sum();
    let rss_anon = g("RssAnon").saturating_sub(own_anon);
    let rss_file = g("RssFile").saturating_sub(own_file);
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: u64| {
        out.insert(k.to_string(), v);
    };
    put("VmSize", g("VmSize").saturating_sub(own_sum(&|_| true)));
    put("VmLck", g("VmLck").saturating_sub(own_sum(&|v| v.has("lo"))));
    put("RssAnon", rss_anon);
    put("RssFile", rss_file);
    put("RssShmem", g("RssShmem"));
    put("VmRSS", rss_anon + rss_file + g("RssShmem"));
    put("VmData", g("VmData").saturating_sub(own_sum(&|v| v.has("wr") && !v.has("sh") && !v.has("gd"))));
    put("VmStk", g("VmStk").saturating_sub(own_sum(&|v| v.has("gd"))));
    let exec = g("VmExe") + g("VmLib");
    put("VmExe+VmLib", exec.saturating_sub(own_sum(&|v| v.has("ex") && !v.has("wr") && !v.has("gd"))));
    put("VmPTE", g("VmPTE").saturating_sub(base_pte));
    put("VmSwap", g("VmSwap"));
    out
}

/// Reads one model process.
pub fn model_proc(m: &Machine, pid: u32) -> Result<ProcSnap, String> {
    let entries = m.smaps(pid).map_err(|e| format!("model smaps of {pid}: {e}"))?;
    let raw = parse_smaps(&procfs::render_smaps(&entries))?;
    let mut vmas = Vec::new();
    for v in &raw {
        let pages = model_pages(m, pid, v)?;
        vmas.push(to_snap(v, pages, &Reloc::default()));
    }
    let rollup = m.smaps_rollup(pid).map_err(|e| format!("model smaps_rollup of {pid}: {e}"))?;
    let status = m.status(pid).map_err(|e| format!("model status of {pid}: {e}"))?;
    let mut st: BTreeMap<String, u64> = BTreeMap::new();
    for f in STATUS_FIELDS {
        let v = match *f {
            "VmExe+VmLib" => {
                procfs::status_field(&status, "VmExe").unwrap_or(0)
                    + procfs::status_field(&status, "VmLib").unwrap_or(0)
            }
            f => procfs::status_field(&status, f).unwrap_or(0),
        };
        st.insert(f.to_string(), v);
    }
    let ru = ROLLUP_FIELDS
        .iter()
        .filter_map(|f| procfs::smaps_rollup_field(&rollup, f).map(|v| (f.to_string(), v)))
        .collect();
    Ok(ProcSnap { vmas, rollup: ru, status: st })
}

fn model_pages(m: &Machine, pid: u32, v: &RawVma) -> Result<Vec<PageSnap>, String> {
    let n = (v.end - v.start) / PAGE;
    let entries = m.pagemap(pid, v.start, n).map_err(|e| format!("model pagemap: {e}"))?;
    let mut pages = Vec::with_capacity(n as usize);
    for e in &entries {
        let mut p = PageSnap {
            present: e.present(),
            swap: e.swapped(),
            file: e.file_shared(),
            exclusive: e.exclusive(),
            ..PageSnap::default()
        };
        if p.present {
            let k = m.kpage(e.pfn());
            p.count = Some(k.count);
            p.flags = Some(k.flags.bits());
        }
        pages.push(p);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n\
Size:                 16 kB\n\
Rss:                   8 kB\n\
THPeligible:           0\n\
VmFlags: rd wr mr mw me ac \n\
7f0000004000-7f0000005000 rw-s 00001000 00:01 17                         /memfd:m (deleted)\n\
Rss:                   4 kB\n\
VmFlags: rd wr sh \n";

    #[test]
    fn parses_smaps_headers_fields_and_flags() {
        let v = parse_smaps(TEXT).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].start, v[0].end, v[0].perms.as_str()), (0x7f00_0000_0000, 0x7f00_0000_4000, "rw-p"));
        assert_eq!(v[0].fields["Size"], 16);
        assert_eq!(v[0].fields["THPeligible"], 0);
        assert_eq!(v[0].vm_flags, ["rd", "wr", "mr", "mw", "me", "ac"]);
        assert_eq!((v[1].offset, v[1].name.as_str()), (0x1000, "/memfd:m (deleted)"));
    }

    #[test]
    fn status_excludes_what_the_servants_own_vmas_account_for() {
        let st = parse_status(
            "VmSize:\t    1000 kB\nVmLck:\t       0 kB\nRssAnon:\t     300 kB\nRssFile:\t     500 kB\nRssShmem:\t       8 kB\nVmPTE:\t      48 kB\n",
        );
        let mut own = parse_smaps(TEXT).unwrap();
        own.truncate(1);
        let r = restrict_status(&st, &own, 40);
        assert_eq!(r["VmSize"], 984);
        // The own VMA's 8 kB resident have no Anonymous line: they are file pages.
        assert_eq!(r["RssAnon"], 300);
        assert_eq!(r["RssFile"], 492);
        assert_eq!(r["VmRSS"], 800);
        assert_eq!(r["VmPTE"], 8);
    }
}
