//! Seeded random scripts over the kernel-observable operations: one NUMA node, no swap, no
//! reclaim, no THP advice. The generator keeps just enough state (live processes, mapping and fd
//! names, each process's RLIMIT_MEMLOCK) to write plausible statements; whether an operation
//! succeeds is for the two sides to say.

/// SplitMix64: small, seedable, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A process the generator knows about.
#[derive(Clone, Debug)]
struct Proc {
    name: String,
    /// RLIMIT_MEMLOCK in bytes (only ever lowered: the kernel refuses to raise it).
    memlock: u64,
    /// mlockall(MCL_CURRENT) ran: the servant's own VMAs are locked on the kernel side.
    locked_all: bool,
}

/// A mapping or fd name and the process family it belongs to.
#[derive(Clone, Debug)]
struct Named {
    name: String,
    proc: String,
    pages: u64,
}

struct Gen {
    rng: Rng,
    lines: Vec<String>,
    procs: Vec<Proc>,
    maps: Vec<Named>,
    fds: Vec<Named>,
    next: u32,
}

const PROTS: &[&str] = &["rw", "rw", "rw", "r", "none", "rwx"];
const ADVICE: &[&str] = &[
    "dontneed",
    "free",
    "remove",
    "willneed",
    "cold",
    "populate_read",
    "populate_write",
    "dontfork",
    "dofork",
    "wipeonfork",
    "keeponfork",
    "dontneed_locked",
    "normal",
    "random",
    "sequential",
    "pageout",
];

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn proc(&mut self) -> Proc {
        let i = self.rng.below(self.procs.len() as u64) as usize;
        self.procs[i].clone()
    }

    /// A mapping of `p`'s family, preferring its own.
    fn map_of(&mut self, p: &str) -> Option<Named> {
        let own: Vec<Named> = self.maps.iter().filter(|m| m.proc == p).cloned().collect();
        if own.is_empty() || self.rng.chance(10) {
            return (!self.maps.is_empty()).then(|| self.rng.pick(&self.maps).clone());
        }
        Some(self.rng.pick(&own).clone())
    }

    fn fd_of(&mut self, p: &str) -> Option<Named> {
        let own: Vec<Named> = self.fds.iter().filter(|f| f.proc == p).cloned().collect();
        (!own.is_empty()).then(|| self.rng.pick(&own).clone())
    }

    /// `m+Xp Yp` inside (or just around) a mapping.
    fn range_in(&mut self, m: &Named) -> String {
        let off = self.rng.below(m.pages + 1).min(m.pages.saturating_sub(1));
        let past = u64::from(self.rng.chance(10));
        let len = self.rng.range(1, (m.pages - off).max(1) + past);
        format!("{}+{off}p {len}p", m.name)
    }

    fn page_in(&mut self, m: &Named) -> String {
        let past = u64::from(self.rng.chance(10));
        let off = self.rng.below(m.pages + past);
        format!("{}+{off}p", m.name)
    }

    fn push(&mut self, s: String) {
        self.lines.push(s);
    }

    fn step(&mut self) {
        let p = self.proc();
        let roll = self.rng.below(100);
        match roll {
            0..=11 => self.mmap(&p.name),
            12..=15 => self.memfd(&p.name),
            16..=17 => self.open(&p.name),
            18..=29 => self.access(&p.name),
            30..=37 => self.madvise(&p.name),
            38..=41 => self.munmap_mprotect(&p.name),
            42..=44 => self.mremap(&p.name),
            45..=52 => self.file_op(&p.name),
            53..=62 => self.mlock(&p),
            63..=66 => self.fork_exit(&p.name),
            67..=68 => self.limits(&p),
            69..=70 => self.move_pages(&p.name),
            _ => self.access(&p.name),
        }
    }

    fn mmap(&mut self, p: &str) {
        let name = self.fresh("m");
        let pages = self.rng.range(1, 16);
        let prot = *self.rng.pick(PROTS);
        let mut line = if self.rng.chance(35) && self.fds.iter().any(|f| f.proc == p) {
            let fd = self.fd_of(p).expect("an fd");
            let share = if self.rng.chance(60) { "shared" } else { "private" };
            let off = if self.rng.chance(20) { format!(" off={}p", self.rng.below(4)) } else { String::new() };
            format!("{name} = mmap {p} 0 {pages}p {prot} {share} fd={}{off}", fd.name)
        } else {
            let share = if self.rng.chance(15) { "shared" } else { "private" };
            let extra = *self.rng.pick(&["", "", "", "", ",populate", ",locked", ",noreserve"]);
            format!("{name} = mmap {p} 0 {pages}p {prot} {share},anonymous{extra}")
        };
        if self.rng.chance(30) {
            // A guard reservation, then the mapping fixed inside it (no merging with neighbours).
            let r = self.fresh("r");
            self.push(format!("{r} = mmap {p} 0 {}p none private,anonymous", pages + 2));
            line =
                line.replacen(&format!("{p} 0 "), &format!("{p} {r}+1p "), 1).replacen(" private", " private,fixed", 1);
            line = line.replacen(" shared", " shared,fixed", 1);
        }
        self.push(line);
        self.maps.push(Named { name, proc: p.to_string(), pages });
    }

    fn memfd(&mut self, p: &str) {
        let name = self.fresh("fd");
        self.push(format!("{name} = memfd_create {p} mfd{}", self.next));
        let pages = self.rng.range(1, 16);
        self.push(format!("ftruncate {p} {name} {pages}p"));
        self.fds.push(Named { name, proc: p.to_string(), pages });
    }

    fn open(&mut self, p: &str) {
        let name = self.fresh("fd");
        let path = format!("/data/f{}", self.rng.below(3));
        self.push(format!("{name} = open {p} {path} rdwr,creat"));
        let pages = self.rng.range(1, 8);
        self.push(format!("ftruncate {p} {name} {pages}p"));
        self.fds.push(Named { name, proc: p.to_string(), pages });
    }

    fn access(&mut self, p: &str) {
        let Some(m) = self.map_of(p) else { return self.mmap(p) };
        let v = self.rng.range(1, 0xffff);
        let line = match self.rng.below(4) {
            0 => format!("read {p} {}", self.page_in(&m)),
            1 => format!("write {p} {} {v:#x}", self.page_in(&m)),
            2 => format!("touch {p} {} read", self.range_in(&m)),
            _ => format!("touch {p} {} write", self.range_in(&m)),
        };
        self.push(line);
    }

    fn madvise(&mut self, p: &str) {
        let Some(m) = self.map_of(p) else { return };
        let adv = *self.rng.pick(ADVICE);
        let r = self.range_in(&m);
        self.push(format!("madvise {p} {r} {adv}"));
    }

    fn munmap_mprotect(&mut self, p: &str) {
        let Some(m) = self.map_of(p) else { return };
        let r = self.range_in(&m);
        if self.rng.chance(40) {
            self.push(format!("munmap {p} {r}"));
        } else {
            let prot = *self.rng.pick(PROTS);
            self.push(format!("mprotect {p} {r} {prot}"));
        }
    }

    fn mremap(&mut self, p: &str) {
        let Some(m) = self.map_of(p) else { return };
        let name = self.fresh("n");
        let new = self.rng.range(1, 20);
        let flags = *self.rng.pick(&["", " maymove", " maymove", " maymove,dontunmap"]);
        let old = if flags.contains("dontunmap") { new } else { m.pages };
        self.push(format!("{name} = mremap {p} {} {old}p {new}p{flags}", m.name));
        self.maps.push(Named { name, proc: p.to_string(), pages: new });
    }

    fn file_op(&mut self, p: &str) {
        let Some(f) = self.fd_of(p) else { return self.memfd(p) };
        let off = self.rng.below(f.pages + 1);
        let len = self.rng.range(1, 4);
        let v = self.rng.range(1, 0xffff);
        let line = match self.rng.below(7) {
            0 => format!("pwrite {p} {} {off}p {v:#x}", f.name),
            1 => format!("pread {p} {} {off}p", f.name),
            2 => format!("ftruncate {p} {} {}p", f.name, self.rng.below(16)),
            3 => format!("fallocate {p} {} punch_hole,keep_size {off}p {len}p", f.name),
            4 => format!("fallocate {p} {} 0 {off}p {len}p", f.name),
            5 => format!("close {p} {}", f.name),
            _ => format!("pwrite {p} {} {off}p {v:#x}", f.name),
        };
        self.push(line);
    }

    fn mlock(&mut self, p: &Proc) {
        let name = &p.name;
        let Some(m) = self.map_of(name) else { return };
        let r = self.range_in(&m);
        let line = match self.rng.below(8) {
            0 | 1 => format!("mlock {name} {r}"),
            2 => format!("mlock2 {name} {r} onfault"),
            3 | 4 => format!("munlock {name} {r}"),
            // The servant's own VMAs (about 1.1 MiB) count toward total_vm and, once locked,
            // locked_vm: MCL_CURRENT only at the default 8 MiB limit, and no lowering after it.
            5 if p.memlock >= 8 << 20 => {
                self.set_proc(name, |q| q.locked_all = true);
                format!("mlockall {name} {}", self.rng.pick(&["current", "current,future", "current,onfault"]))
            }
            5 => format!("mlockall {name} future"),
            6 => format!("munlockall {name}"),
            _ => format!("cap_ipc_lock {name} {}", if self.rng.chance(50) { "on" } else { "off" }),
        };
        self.push(line);
    }

    fn fork_exit(&mut self, p: &str) {
        if self.rng.chance(60) && self.procs.len() < 4 {
            let c = self.fresh("c");
            self.push(format!("{c} = fork {p}"));
            let memlock = self.procs.iter().find(|x| x.name == p).map_or(8 << 20, |x| x.memlock);
            self.procs.push(Proc { name: c.clone(), memlock, locked_all: false });
            // The child shares the parent's addresses and fds.
            let maps: Vec<Named> = self.maps.iter().filter(|m| m.proc == p).cloned().collect();
            let fds: Vec<Named> = self.fds.iter().filter(|f| f.proc == p).cloned().collect();
            self.maps.extend(maps.into_iter().map(|m| Named { proc: c.clone(), ..m }));
            self.fds.extend(fds.into_iter().map(|f| Named { proc: c.clone(), ..f }));
        } else if self.procs.len() > 1 {
            self.push(format!("exit {p}"));
            self.procs.retain(|x| x.name != p);
            self.maps.retain(|m| m.proc != p);
            self.fds.retain(|f| f.proc != p);
        }
    }

    fn limits(&mut self, p: &Proc) {
        let lower: Vec<u64> = [0u64, 16 << 10, 64 << 10, 1 << 20].into_iter().filter(|&l| l <= p.memlock).collect();
        if lower.is_empty() || p.locked_all || self.rng.chance(30) {
            return self.mlock(p);
        }
        let l = *self.rng.pick(&lower);
        self.push(format!("setrlimit_memlock {} {l}", p.name));
        self.set_proc(&p.name, |q| q.memlock = l);
    }

    fn set_proc(&mut self, name: &str, f: impl Fn(&mut Proc)) {
        for q in self.procs.iter_mut().filter(|q| q.name == name) {
            f(q);
        }
    }

    fn move_pages(&mut self, p: &str) {
        let Some(m) = self.map_of(p) else { return };
        let n = self.rng.range(1, 4);
        let addrs: Vec<String> = (0..n).map(|_| self.page_in(&m)).collect();
        let nodes = if self.rng.chance(50) {
            format!(" nodes={} move", vec!["0"; n as usize].join(","))
        } else {
            String::new()
        };
        self.push(format!("move_pages {p} {}{nodes}", addrs.join(",")));
    }
}

/// One random script of about `ops` operations, as `.mms` text.
pub fn script(seed: u64, ops: usize) -> String {
    let mut g =
        Gen { rng: Rng::new(seed), lines: Vec::new(), procs: Vec::new(), maps: Vec::new(), fds: Vec::new(), next: 0 };
    g.push(format!("# random script, seed {seed}"));
    g.push("p = spawn".into());
    g.procs.push(Proc { name: "p".into(), memlock: 8 << 20, locked_all: false });
    while g.lines.len() < ops + 2 {
        g.step();
    }
    let mut s = g.lines.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_deterministic_and_parse() {
        for seed in 0..200 {
            let a = script(seed, 30);
            assert_eq!(a, script(seed, 30));
            let parsed = mmlab_model::script::parse(&a).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{a}"));
            assert!(parsed.steps().count() >= 30, "seed {seed}");
        }
        assert_ne!(script(1, 30), script(2, 30));
    }

    #[test]
    fn scripts_avoid_what_the_kernel_cannot_run() {
        for seed in 0..200 {
            let s = script(seed, 40);
            for bad in ["reclaim", "hugepage", "collapse", "machine", "nodes=1"] {
                assert!(!s.contains(bad), "seed {seed} uses {bad}");
            }
        }
    }
}
