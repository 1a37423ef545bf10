// Byte-exact tests of the /proc text renderers in `mmlab_model::proc`.
//
// Every expected string below is output of the live reference kernel (Linux 6.18.44, x86_64),
// copied byte for byte, unless a comment says otherwise. The fixtures come from one run of a
// small C probe (`probe2`) that mapped one VMA per interesting vm_flags combination (anonymous,
// shared anonymous, MAP_NORESERVE, MAP_GROWSDOWN, mlock, mlock2(MLOCK_ONFAULT),
// MADV_SEQUENTIAL/RANDOM/DONTFORK/WIPEONFORK/DONTDUMP/HUGEPAGE/NOHUGEPAGE/MERGEABLE,
// MADV_GUARD_INSTALL, MAP_DROPPABLE, mseal, PROT_NONE, rwx, userfaultfd MISSING|WP and MINOR,
// memfd shared and private at an offset, a deleted regular file), touched one 2 MiB THP, forked
// two children so that its anonymous pages had mapcount 3, and then copied
// /proc/PID/{maps,smaps,smaps_rollup,status}, /proc/meminfo, /proc/vmstat and
// /sys/devices/system/node/node0/meminfo.

use mmlab_model::proc::*;
use mmlab_model::{
    Kpage, KpageFlags, MapsEntry, MemSizeStats, Meminfo, PSS_SHIFT, PagemapEntry, Prot, SmapsEntry, SmapsRollup,
    Status, Vmstat,
};

const KB: u64 = 1024;

/// A whole number of kB in the fixed-point Pss unit (bytes << PSS_SHIFT).
fn pss(kb: u64) -> u64 {
    (kb * KB) << PSS_SHIFT
}

fn prot(perms: &str) -> Prot {
    let b = perms.as_bytes();
    let mut p = Prot::empty();
    if b[0] == b'r' {
        p |= Prot::READ;
    }
    if b[1] == b'w' {
        p |= Prot::WRITE;
    }
    if b[2] == b'x' {
        p |= Prot::EXEC;
    }
    p
}

/// Reads one live maps line back into a MapsEntry (the inverse of the renderer, used to feed
/// whole live files through it).
fn parse_maps_line(line: &str) -> MapsEntry {
    let mut f = line.splitn(6, ' ');
    let (range, perms, off, dev, ino) =
        (f.next().unwrap(), f.next().unwrap(), f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
    let name = f.next().unwrap_or("").trim_start_matches(' ').replace("\\012", "\n");
    let (start, end) = range.split_once('-').unwrap();
    let (major, minor) = dev.split_once(':').unwrap();
    MapsEntry {
        start: u64::from_str_radix(start, 16).unwrap(),
        end: u64::from_str_radix(end, 16).unwrap(),
        prot: prot(perms),
        shared: perms.as_bytes()[3] == b's',
        offset: u64::from_str_radix(off, 16).unwrap(),
        dev_major: u32::from_str_radix(major, 16).unwrap(),
        dev_minor: u32::from_str_radix(minor, 16).unwrap(),
        inode: ino.parse().unwrap(),
        name,
    }
}

/// Stores one live `Label: value` line into a MemSizeStats (bytes; Pss-style in fixed point).
fn set_mss(m: &mut MemSizeStats, key: &str, v: u64) -> bool {
    match key {
        "Rss" => m.resident = v * KB,
        "Pss" => m.pss = pss(v),
        "Pss_Dirty" => m.pss_dirty = pss(v),
        "Pss_Anon" => m.pss_anon = pss(v),
        "Pss_File" => m.pss_file = pss(v),
        "Pss_Shmem" => m.pss_shmem = pss(v),
        "Shared_Clean" => m.shared_clean = v * KB,
        "Shared_Dirty" => m.shared_dirty = v * KB,
        "Private_Clean" => m.private_clean = v * KB,
        "Private_Dirty" => m.private_dirty = v * KB,
        "Referenced" => m.referenced = v * KB,
        "Anonymous" => m.anonymous = v * KB,
        "KSM" => m.ksm = v * KB,
        "LazyFree" => m.lazyfree = v * KB,
        "AnonHugePages" => m.anonymous_thp = v * KB,
        "ShmemPmdMapped" => m.shmem_thp = v * KB,
        "FilePmdMapped" => m.file_thp = v * KB,
        "Shared_Hugetlb" => m.shared_hugetlb = v * KB,
        "Private_Hugetlb" => m.private_hugetlb = v * KB,
        "Swap" => m.swap = v * KB,
        "SwapPss" => m.swap_pss = pss(v),
        "Locked" => m.pss_locked = pss(v),
        _ => return false,
    }
    true
}

fn key_value(line: &str) -> (&str, u64) {
    let mut t = line.split_whitespace();
    let key = t.next().unwrap().strip_suffix(':').unwrap();
    (key, t.next().unwrap().parse().unwrap())
}

/// Reads live smaps text back into SmapsEntry values.
fn parse_smaps(text: &str) -> Vec<SmapsEntry> {
    let mut out: Vec<SmapsEntry> = Vec::new();
    for line in text.lines() {
        if let Some(flags) = line.strip_prefix("VmFlags:") {
            out.last_mut().unwrap().vm_flags = flags.split_whitespace().map(String::from).collect();
        } else if line.split(' ').next().unwrap().ends_with(':') {
            let e = out.last_mut().unwrap();
            let (key, v) = key_value(line);
            match key {
                "Size" => e.size = v * KB,
                "KernelPageSize" | "MMUPageSize" => assert_eq!(v, 4),
                "THPeligible" => e.thp_eligible = v == 1,
                _ => assert!(set_mss(&mut e.mss, key, v), "{key}"),
            }
        } else {
            out.push(SmapsEntry {
                map: parse_maps_line(line),
                size: 0,
                mss: MemSizeStats::default(),
                thp_eligible: false,
                vm_flags: Vec::new(),
            });
        }
    }
    out
}

fn anon(start: u64, end: u64, perms: &str) -> MapsEntry {
    MapsEntry {
        start,
        end,
        prot: prot(perms),
        shared: perms.ends_with('s'),
        offset: 0,
        dev_major: 0,
        dev_minor: 0,
        inode: 0,
        name: String::new(),
    }
}

// -------------------------------------------------------------------------------------------
// maps
// -------------------------------------------------------------------------------------------

/// Live /proc/PID/maps of the probe.
const LIVE_MAPS: &str = r#"55585da47000-55585da48000 r--p 00000000 fe:00 10011060                   /tmp/proc_probe/probe2
55585da48000-55585da49000 r-xp 00001000 fe:00 10011060                   /tmp/proc_probe/probe2
55585da49000-55585da4a000 r--p 00002000 fe:00 10011060                   /tmp/proc_probe/probe2
55585da4a000-55585da4b000 r--p 00002000 fe:00 10011060                   /tmp/proc_probe/probe2
55585da4b000-55585da4c000 rw-p 00003000 fe:00 10011060                   /tmp/proc_probe/probe2
55588582f000-555885850000 rw-p 00000000 00:00 0                          [heap]
7f9cf6a00000-7f9cf6e00000 rw-p 00000000 00:00 0 
7f9cf6e99000-7f9cf6e9c000 rw-p 00000000 00:00 0 
7f9cf6e9c000-7f9cf6e9e000 r--s 00000000 fe:00 10011055                   /tmp/proc_probe/datafile (deleted)
7f9cf6e9e000-7f9cf6ea0000 r--p 00001000 00:01 1054                       /memfd:probe (deleted)
7f9cf6ea0000-7f9cf6ea3000 rw-s 00000000 00:01 1054                       /memfd:probe (deleted)
7f9cf6ea3000-7f9cf6ea4000 rw-s 00000000 00:01 1053                       /dev/zero (deleted)
7f9cf6ea4000-7f9cf6ea5000 rw-p 00000000 00:00 0 
7f9cf6ea5000-7f9cf6ea6000 rwxp 00000000 00:00 0 
7f9cf6ea6000-7f9cf6ea7000 ---p 00000000 00:00 0 
7f9cf6ea7000-7f9cf6ea8000 r--p 00000000 00:00 0 
7f9cf6ea8000-7f9cf6ea9000 rw-p 00000000 00:00 0 
7f9cf6ea9000-7f9cf6eaa000 rw-p 00000000 00:00 0 
7f9cf6eaa000-7f9cf6eab000 rw-p 00000000 00:00 0 
7f9cf6eab000-7f9cf6eac000 rw-p 00000000 00:00 0 
7f9cf6eac000-7f9cf6ead000 rw-p 00000000 00:00 0 
7f9cf6ead000-7f9cf6eae000 rw-p 00000000 00:00 0 
7f9cf6eae000-7f9cf6eaf000 r--p 00000000 00:00 0 
7f9cf6eaf000-7f9cf6eb0000 r--p 00000000 00:00 0 
7f9cf6eb0000-7f9cf6eb2000 rw-p 00000000 00:00 0 
7f9cf6eb2000-7f9cf6eb4000 rw-p 00000000 00:00 0 
7f9cf6eb4000-7f9cf6eb7000 rw-p 00000000 00:00 0 
7f9cf6eb7000-7f9cf6edd000 r--p 00000000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f9cf6edd000-7f9cf7033000 r-xp 00026000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f9cf7033000-7f9cf7086000 r--p 0017c000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f9cf7086000-7f9cf708a000 r--p 001cf000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f9cf708a000-7f9cf708c000 rw-p 001d3000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
7f9cf708c000-7f9cf7099000 rw-p 00000000 00:00 0 
7f9cf7099000-7f9cf709b000 rw-p 00000000 00:00 0 
7f9cf709b000-7f9cf709c000 rw-p 00000000 00:00 0 
7f9cf709c000-7f9cf709e000 rw-s 00000000 00:01 1052                       /dev/zero (deleted)
7f9cf709e000-7f9cf70a4000 rw-p 00000000 00:00 0 
7f9cf70a4000-7f9cf70a8000 r--p 00000000 00:00 0                          [vvar]
7f9cf70a8000-7f9cf70aa000 r--p 00000000 00:00 0                          [vvar_vclock]
7f9cf70aa000-7f9cf70ac000 r-xp 00000000 00:00 0                          [vdso]
7f9cf70ac000-7f9cf70ad000 r--p 00000000 fe:00 325843                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7f9cf70ad000-7f9cf70d3000 r-xp 00001000 fe:00 325843                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7f9cf70d3000-7f9cf70dd000 r--p 00027000 fe:00 325843                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7f9cf70dd000-7f9cf70df000 r--p 00031000 fe:00 325843                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7f9cf70df000-7f9cf70e1000 rw-p 00033000 fe:00 325843                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffdbf6e7000-7ffdbf708000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
"#;

#[test]
fn proc_maps_live_file_round_trips() {
    let entries: Vec<MapsEntry> = LIVE_MAPS.lines().map(parse_maps_line).collect();
    assert_eq!(entries.len(), 47);
    assert_eq!(render_maps(&entries), LIVE_MAPS);
}

#[test]
fn proc_maps_hand_built_lines() {
    // Lines 1, 7 (anonymous: header's trailing space kept, no padding), 10 and 47 of LIVE_MAPS.
    let probe = MapsEntry {
        start: 0x55585da47000,
        end: 0x55585da48000,
        prot: Prot::READ,
        shared: false,
        offset: 0,
        dev_major: 0xfe,
        dev_minor: 0,
        inode: 10011060,
        name: "/tmp/proc_probe/probe2".into(),
    };
    let thp = anon(0x7f9cf6a00000, 0x7f9cf6e00000, "rw-p");
    let memfd = MapsEntry {
        start: 0x7f9cf6e9e000,
        end: 0x7f9cf6ea0000,
        prot: Prot::READ,
        shared: false,
        offset: 0x1000,
        dev_major: 0,
        dev_minor: 1,
        inode: 1054,
        name: "/memfd:probe (deleted)".into(),
    };
    let vsyscall = MapsEntry {
        start: 0xffffffffff600000,
        end: 0xffffffffff601000,
        prot: Prot::EXEC,
        name: "[vsyscall]".into(),
        ..anon(0, 0, "---p")
    };
    assert_eq!(
        render_maps(&[probe, thp, memfd, vsyscall]),
        concat!(
            "55585da47000-55585da48000 r--p 00000000 fe:00 10011060                   /tmp/proc_probe/probe2\n",
            "7f9cf6a00000-7f9cf6e00000 rw-p 00000000 00:00 0 \n",
            "7f9cf6e9e000-7f9cf6ea0000 r--p 00001000 00:01 1054                       /memfd:probe (deleted)\n",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n",
        )
    );
    assert_eq!(render_maps(&[]), "");
}

#[test]
fn proc_maps_newline_in_path_is_octal_escaped() {
    // Live: a file "/tmp/proc_probe/we ird<LF>na\me<TAB>" mapped MAP_SHARED, then unlinked, and a
    // memfd named "mf name<LF>x" (Python mmap). Only the newline is escaped, as \012.
    let file = MapsEntry {
        start: 0x7fe2a8e01000,
        end: 0x7fe2a8e02000,
        prot: Prot::READ | Prot::WRITE,
        shared: true,
        offset: 0,
        dev_major: 0xfe,
        dev_minor: 0,
        inode: 10010823,
        name: "/tmp/proc_probe/we ird\nna\\me\t (deleted)".into(),
    };
    let memfd = MapsEntry {
        start: 0x7fe2a8e00000,
        end: 0x7fe2a8e01000,
        dev_major: 0,
        dev_minor: 1,
        inode: 1051,
        name: "/memfd:mf name\nx (deleted)".into(),
        ..file.clone()
    };
    assert_eq!(
        render_maps(&[file, memfd]),
        concat!(
            "7fe2a8e01000-7fe2a8e02000 rw-s 00000000 fe:00 10010823                   /tmp/proc_probe/we ird\\012na\\me\t (deleted)\n",
            "7fe2a8e00000-7fe2a8e01000 rw-s 00000000 00:01 1051                       /memfd:mf name\\012x (deleted)\n",
        )
    );
}

#[test]
fn proc_maps_header_wider_than_the_pad_column() {
    // Not live: no real mapping has a header this wide. Per seq_pad, a header already past
    // column 72 gets no padding but still the one separating space; short addresses keep
    // their %08lx minimum width.
    let wide = MapsEntry {
        start: 0x7f0000000000,
        end: 0x7f0000001000,
        prot: Prot::READ,
        shared: true,
        offset: 0x1234_5678_9abc_d000,
        dev_major: 0x103,
        dev_minor: 0x1a,
        inode: 18446744073709551615,
        name: "/x".into(),
    };
    let low = MapsEntry { name: "/y".into(), ..anon(0x1000, 0x2000, "r--p") };
    assert_eq!(
        render_maps(&[wide, low]),
        concat!(
            "7f0000000000-7f0000001000 r--s 123456789abcd000 103:1a 18446744073709551615  /x\n",
            "00001000-00002000 r--p 00000000 00:00 0                                  /y\n",
        )
    );
}

// -------------------------------------------------------------------------------------------
// smaps
// -------------------------------------------------------------------------------------------

/// 30 of the 47 live /proc/PID/smaps entries of the probe (every distinct VmFlags set, header
/// shape and counter pattern), unchanged.
const LIVE_SMAPS: &str = r#"55585da47000-55585da48000 r--p 00000000 fe:00 10011060                   /tmp/proc_probe/probe2
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   1 kB
Pss_Dirty:             1 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me 
55588582f000-555885850000 rw-p 00000000 00:00 0                          [heap]
Size:                132 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   8 kB
Pss:                   2 kB
Pss_Dirty:             2 kB
Shared_Clean:          0 kB
Shared_Dirty:          8 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            8 kB
Anonymous:             8 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me ac 
7f9cf6a00000-7f9cf6e00000 rw-p 00000000 00:00 0 
Size:               4096 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                2048 kB
Pss:                 682 kB
Pss_Dirty:           682 kB
Shared_Clean:          0 kB
Shared_Dirty:       2048 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:         2048 kB
Anonymous:          2048 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:      2048 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           1
VmFlags: rd wr mr mw me ac hg 
7f9cf6e99000-7f9cf6e9c000 rw-p 00000000 00:00 0 
Size:                 12 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   1 kB
Pss_Dirty:             1 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             4 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me gu ac 
7f9cf6e9c000-7f9cf6e9e000 r--s 00000000 fe:00 10011055                   /tmp/proc_probe/datafile (deleted)
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd sh mr mw me ms 
7f9cf6e9e000-7f9cf6ea0000 r--p 00001000 00:01 1054                       /memfd:probe (deleted)
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me 
7f9cf6ea0000-7f9cf6ea3000 rw-s 00000000 00:01 1054                       /memfd:probe (deleted)
Size:                 12 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   8 kB
Pss:                   8 kB
Pss_Dirty:             8 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         8 kB
Referenced:            8 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr sh mr mw me ms 
7f9cf6ea3000-7f9cf6ea4000 rw-s 00000000 00:01 1053                       /dev/zero (deleted)
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr sh mr mw me ms ui 
7f9cf6ea4000-7f9cf6ea5000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me um uw ac 
7f9cf6ea5000-7f9cf6ea6000 rwxp 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr ex mr mw me ac 
7f9cf6ea6000-7f9cf6ea7000 ---p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: mr mw me 
7f9cf6ea7000-7f9cf6ea8000 r--p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me sl 
7f9cf6ea8000-7f9cf6ea9000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me nr wf dd dp 
7f9cf6ea9000-7f9cf6eaa000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me ac mg 
7f9cf6eaa000-7f9cf6eab000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me ac nh 
7f9cf6eab000-7f9cf6eac000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me ac dd 
7f9cf6eac000-7f9cf6ead000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me ac wf 
7f9cf6ead000-7f9cf6eae000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me dc ac 
7f9cf6eae000-7f9cf6eaf000 r--p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me rr 
7f9cf6eaf000-7f9cf6eb0000 r--p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me sr 
7f9cf6eb0000-7f9cf6eb2000 rw-p 00000000 00:00 0 
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   1 kB
Pss_Dirty:             1 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             4 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                1 kB
THPeligible:           0
VmFlags: rd wr mr mw me lo lf ac 
7f9cf6eb2000-7f9cf6eb4000 rw-p 00000000 00:00 0 
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   8 kB
Pss:                   2 kB
Pss_Dirty:             2 kB
Shared_Clean:          0 kB
Shared_Dirty:          8 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            8 kB
Anonymous:             8 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                2 kB
THPeligible:           0
VmFlags: rd wr mr mw me lo ac 
7f9cf6edd000-7f9cf7033000 r-xp 00026000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
Size:               1368 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                1036 kB
Pss:                 157 kB
Pss_Dirty:             0 kB
Shared_Clean:       1028 kB
Shared_Dirty:          0 kB
Private_Clean:         8 kB
Private_Dirty:         0 kB
Referenced:         1036 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd ex mr mw me 
7f9cf7099000-7f9cf709b000 rw-p 00000000 00:00 0 
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me gd ac 
7f9cf709b000-7f9cf709c000 rw-p 00000000 00:00 0 
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me nr 
7f9cf709c000-7f9cf709e000 rw-s 00000000 00:01 1052                       /dev/zero (deleted)
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   4 kB
Pss_Dirty:             4 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         4 kB
Referenced:            4 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr sh mr mw me ms 
7f9cf70a4000-7f9cf70a8000 r--p 00000000 00:00 0                          [vvar]
Size:                 16 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr pf io de dd 
7f9cf70aa000-7f9cf70ac000 r-xp 00000000 00:00 0                          [vdso]
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          4 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd ex mr mw me de 
7ffdbf6e7000-7ffdbf708000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                  12 kB
Pss:                   9 kB
Pss_Dirty:             9 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         8 kB
Referenced:           12 kB
Anonymous:            12 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd wr mr mw me gd ac 
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   0 kB
Pss:                   0 kB
Pss_Dirty:             0 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            0 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: ex 
"#;

#[test]
fn proc_smaps_live_file_round_trips() {
    let entries = parse_smaps(LIVE_SMAPS);
    assert_eq!(entries.len(), 30);
    assert_eq!(render_smaps(&entries), LIVE_SMAPS);
}

#[test]
fn proc_smaps_field_lookup_matches_every_live_line() {
    let entries = parse_smaps(LIVE_SMAPS);
    let mut i = 0;
    let mut checked = 0;
    for line in LIVE_SMAPS.lines() {
        if line.starts_with("VmFlags:") {
            i += 1;
        } else if line.split(' ').next().unwrap().ends_with(':') {
            let (key, v) = key_value(line);
            assert_eq!(smaps_field(&entries[i], key), Some(v), "{key} of entry {i}");
            checked += 1;
        }
    }
    assert_eq!(checked, 30 * 23);
    assert_eq!(smaps_field(&entries[0], "Rss:"), Some(4));
    assert_eq!(smaps_field(&entries[0], "VmFlags"), None);
    assert_eq!(smaps_field(&entries[0], "Pss_Anon"), None);
    assert_eq!(smaps_field(&entries[0], "ProtectionKey"), None);
}

#[test]
fn proc_smaps_hand_built_entries() {
    // Entries 1 (first page of the freshly written probe binary: dirty page cache, mapped by 3
    // processes), 7 (the MADV_HUGEPAGE region: one PMD-mapped THP shared by 3 processes), 25
    // (mlock2 MLOCK_ONFAULT, one page faulted, shared by 3) and 29 (libc text) of the live
    // smaps. The Pss values are exact fixed-point sums, not whole kB, to check the truncation.
    let third_page = (4096u64 << PSS_SHIFT) / 3; // 1365.33 bytes
    let probe = SmapsEntry {
        map: MapsEntry {
            start: 0x55585da47000,
            end: 0x55585da48000,
            prot: Prot::READ,
            shared: false,
            offset: 0,
            dev_major: 0xfe,
            dev_minor: 0,
            inode: 10011060,
            name: "/tmp/proc_probe/probe2".into(),
        },
        size: 4096,
        mss: MemSizeStats {
            resident: 4096,
            pss: third_page,
            pss_dirty: third_page,
            pss_file: third_page,
            shared_dirty: 4096,
            referenced: 4096,
            ..MemSizeStats::default()
        },
        thp_eligible: false,
        vm_flags: vmflags_mnemonics(VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC),
    };
    let thp_third = (2u64 << 20 << PSS_SHIFT) / 3;
    let thp = SmapsEntry {
        map: anon(0x7f9cf6a00000, 0x7f9cf6e00000, "rw-p"),
        size: 4 << 20,
        mss: MemSizeStats {
            resident: 2 << 20,
            pss: thp_third,
            pss_dirty: thp_third,
            pss_anon: thp_third,
            shared_dirty: 2 << 20,
            referenced: 2 << 20,
            anonymous: 2 << 20,
            anonymous_thp: 2 << 20,
            ..MemSizeStats::default()
        },
        thp_eligible: true,
        vm_flags: vmflags_mnemonics(
            VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT | VM_HUGEPAGE,
        ),
    };
    let lockonfault = SmapsEntry {
        map: anon(0x7f9cf6eb0000, 0x7f9cf6eb2000, "rw-p"),
        size: 8192,
        mss: MemSizeStats {
            resident: 4096,
            pss: third_page,
            pss_dirty: third_page,
            pss_anon: third_page,
            pss_locked: third_page,
            shared_dirty: 4096,
            referenced: 4096,
            anonymous: 4096,
            ..MemSizeStats::default()
        },
        thp_eligible: false,
        vm_flags: vmflags_mnemonics(
            VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_LOCKED | VM_LOCKONFAULT | VM_ACCOUNT,
        ),
    };
    let libc_pss = ((157 * 1024 + 700) << PSS_SHIFT) + 4095;
    let libc = SmapsEntry {
        map: MapsEntry {
            start: 0x7f9cf6edd000,
            end: 0x7f9cf7033000,
            prot: Prot::READ | Prot::EXEC,
            shared: false,
            offset: 0x26000,
            dev_major: 0xfe,
            dev_minor: 0,
            inode: 326279,
            name: "/usr/lib/x86_64-linux-gnu/libc.so.6".into(),
        },
        size: 1368 * KB,
        mss: MemSizeStats {
            resident: 1036 * KB,
            pss: libc_pss,
            pss_file: libc_pss,
            shared_clean: 1028 * KB,
            private_clean: 8 * KB,
            referenced: 1036 * KB,
            ..MemSizeStats::default()
        },
        thp_eligible: false,
        vm_flags: vmflags_mnemonics(VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC),
    };
    let expected = r#"55585da47000-55585da48000 r--p 00000000 fe:00 10011060                   /tmp/proc_probe/probe2
Size:                  4 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   1 kB
Pss_Dirty:             1 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd mr mw me 
7f9cf6a00000-7f9cf6e00000 rw-p 00000000 00:00 0 
Size:               4096 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                2048 kB
Pss:                 682 kB
Pss_Dirty:           682 kB
Shared_Clean:          0 kB
Shared_Dirty:       2048 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:         2048 kB
Anonymous:          2048 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:      2048 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           1
VmFlags: rd wr mr mw me ac hg 
7f9cf6eb0000-7f9cf6eb2000 rw-p 00000000 00:00 0 
Size:                  8 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                   4 kB
Pss:                   1 kB
Pss_Dirty:             1 kB
Shared_Clean:          0 kB
Shared_Dirty:          4 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
Referenced:            4 kB
Anonymous:             4 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                1 kB
THPeligible:           0
VmFlags: rd wr mr mw me lo lf ac 
7f9cf6edd000-7f9cf7033000 r-xp 00026000 fe:00 326279                     /usr/lib/x86_64-linux-gnu/libc.so.6
Size:               1368 kB
KernelPageSize:        4 kB
MMUPageSize:           4 kB
Rss:                1036 kB
Pss:                 157 kB
Pss_Dirty:             0 kB
Shared_Clean:       1028 kB
Shared_Dirty:          0 kB
Private_Clean:         8 kB
Private_Dirty:         0 kB
Referenced:         1036 kB
Anonymous:             0 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
THPeligible:           0
VmFlags: rd ex mr mw me 
"#;
    assert_eq!(render_smaps(&[probe.clone(), thp.clone(), lockonfault.clone(), libc]), expected);
    assert_eq!(smaps_field(&thp, "Pss"), Some(682));
    assert_eq!(smaps_field(&thp, "AnonHugePages"), Some(2048));
    assert_eq!(smaps_field(&thp, "THPeligible"), Some(1));
    assert_eq!(smaps_field(&lockonfault, "Locked"), Some(1));
    assert_eq!(smaps_field(&probe, "Size"), Some(4));
    assert_eq!(render_smaps(&[]), "");
}

#[test]
fn proc_smaps_large_numbers_and_hugetlb() {
    // Not live (the reference VM has no hugetlb pages reserved): the format rules of
    // __show_smap and show_smap. Numbers wider than the field push the " kB" right; the 17-byte
    // Private_Hugetlb label takes a 7-wide number so its column matches; KernelPageSize and
    // MMUPageSize show the hugetlb page size for an `ht` VMA.
    let e = SmapsEntry {
        map: anon(0x7f0000000000, 0x7f0400000000, "rw-s"),
        size: 16 << 30,
        mss: MemSizeStats {
            private_hugetlb: 123_456_789 * KB,
            shared_hugetlb: 99_999_999 * KB,
            ..MemSizeStats::default()
        },
        thp_eligible: false,
        vm_flags: vmflags_mnemonics(
            VM_READ
                | VM_WRITE
                | VM_SHARED
                | VM_MAYREAD
                | VM_MAYWRITE
                | VM_MAYEXEC
                | VM_MAYSHARE
                | VM_DONTEXPAND
                | VM_HUGETLB,
        ),
    };
    let text = render_smaps(std::slice::from_ref(&e));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "Size:           16777216 kB");
    assert_eq!(lines[2], "KernelPageSize:     2048 kB");
    assert_eq!(lines[3], "MMUPageSize:        2048 kB");
    assert_eq!(lines[18], "Shared_Hugetlb: 99999999 kB");
    assert_eq!(lines[19], "Private_Hugetlb: 123456789 kB");
    assert_eq!(lines[24], "VmFlags: rd wr sh mr mw me ms de ht ");
    assert_eq!(smaps_field(&e, "KernelPageSize"), Some(2048));
    assert_eq!(smaps_field(&e, "Private_Hugetlb"), Some(123_456_789));
}

// -------------------------------------------------------------------------------------------
// smaps_rollup
// -------------------------------------------------------------------------------------------

/// Live /proc/PID/smaps_rollup of the probe.
const LIVE_ROLLUP: &str = r#"55585da47000-7ffdbf708000 ---p 00000000 00:00 0                          [rollup]
Rss:                3716 kB
Pss:                 994 kB
Pss_Dirty:           767 kB
Pss_Anon:            749 kB
Pss_File:            233 kB
Pss_Shmem:            12 kB
Shared_Clean:       1488 kB
Shared_Dirty:       2148 kB
Private_Clean:        28 kB
Private_Dirty:        52 kB
Referenced:         3716 kB
Anonymous:          2176 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:      2048 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                3 kB
"#;

fn live_rollup() -> SmapsRollup {
    // Values of LIVE_ROLLUP; start is the first VMA's start, end the last VMA's end (the stack:
    // the gate VMA [vsyscall] is not part of the rollup).
    SmapsRollup {
        start: 0x55585da47000,
        end: 0x7ffdbf708000,
        mss: MemSizeStats {
            resident: 3716 * KB,
            pss: pss(994) + (1000 << PSS_SHIFT) + 4095,
            pss_dirty: pss(767),
            pss_anon: pss(749) + (1000 << PSS_SHIFT) + 4095,
            pss_file: pss(233),
            pss_shmem: pss(12),
            shared_clean: 1488 * KB,
            shared_dirty: 2148 * KB,
            private_clean: 28 * KB,
            private_dirty: 52 * KB,
            referenced: 3716 * KB,
            anonymous: 2176 * KB,
            ksm: 0,
            lazyfree: 0,
            anonymous_thp: 2048 * KB,
            shmem_thp: 0,
            file_thp: 0,
            shared_hugetlb: 0,
            private_hugetlb: 0,
            swap: 0,
            swap_pss: pss(0),
            pss_locked: pss(3) + (1000 << PSS_SHIFT) + 4095,
        },
    }
}

#[test]
fn proc_smaps_rollup_live() {
    let r = live_rollup();
    assert_eq!(render_smaps_rollup(&r), LIVE_ROLLUP);
    for line in LIVE_ROLLUP.lines().skip(1) {
        let (key, v) = key_value(line);
        assert_eq!(smaps_rollup_field(&r, key), Some(v), "{key}");
    }
    assert_eq!(smaps_rollup_field(&r, "Size"), None);
    assert_eq!(smaps_rollup_field(&r, "THPeligible"), None);
}

#[test]
fn proc_smaps_rollup_empty_mm() {
    // Not live: show_smaps_rollup with no VMA prints start = end = 0.
    let text = render_smaps_rollup(&SmapsRollup::default());
    assert!(text.starts_with(
        "00000000-00000000 ---p 00000000 00:00 0                                  [rollup]\nRss:                   0 kB\n"
    ));
    assert_eq!(text.lines().count(), 23);
}

// -------------------------------------------------------------------------------------------
// status
// -------------------------------------------------------------------------------------------

#[test]
fn proc_status_live() {
    // The probe's live /proc/PID/status with the lines this model does not keep (Umask, State,
    // Tgid, Ngid, TracerPid, Uid .. Kthread, and everything after HugetlbPages) removed.
    let s = Status {
        name: "probe2".into(),
        pid: 5743,
        ppid: 5742,
        vm_peak: 6752,
        vm_size: 6716,
        vm_lck: 16,
        vm_pin: 0,
        vm_hwm: 3716,
        vm_rss: 3716,
        rss_anon: 2176,
        rss_file: 1528,
        rss_shmem: 12,
        vm_data: 4400,
        vm_stk: 140,
        vm_exe: 4,
        vm_lib: 1528,
        vm_pte: 48,
        vm_swap: 0,
        hugetlb_pages: 0,
    };
    let expected = concat!(
        "Name:\tprobe2\n",
        "Pid:\t5743\n",
        "PPid:\t5742\n",
        "VmPeak:\t    6752 kB\n",
        "VmSize:\t    6716 kB\n",
        "VmLck:\t      16 kB\n",
        "VmPin:\t       0 kB\n",
        "VmHWM:\t    3716 kB\n",
        "VmRSS:\t    3716 kB\n",
        "RssAnon:\t    2176 kB\n",
        "RssFile:\t    1528 kB\n",
        "RssShmem:\t      12 kB\n",
        "VmData:\t    4400 kB\n",
        "VmStk:\t     140 kB\n",
        "VmExe:\t       4 kB\n",
        "VmLib:\t    1528 kB\n",
        "VmPTE:\t      48 kB\n",
        "VmSwap:\t       0 kB\n",
        "HugetlbPages:\t       0 kB\n",
    );
    assert_eq!(render_status(&s), expected);
    assert_eq!(status_field(&s, "Pid"), Some(5743));
    assert_eq!(status_field(&s, "PPid:"), Some(5742));
    assert_eq!(status_field(&s, "VmLck"), Some(16));
    assert_eq!(status_field(&s, "RssShmem"), Some(12));
    assert_eq!(status_field(&s, "HugetlbPages"), Some(0));
    assert_eq!(status_field(&s, "Name"), None);
    assert_eq!(status_field(&s, "Threads"), None);
}

#[test]
fn proc_status_name_escaping() {
    // Live: prctl(PR_SET_NAME, "a<TAB>b\c<LF>d") gave "Name:\ta\tb\\c\nd" (backslash and newline
    // escaped, tab kept).
    let s = Status { name: "a\tb\\c\nd".into(), ..Status::default() };
    assert!(render_status(&s).starts_with("Name:\ta\tb\\\\c\\nd\nPid:\t0\nPPid:\t0\nVmPeak:\t       0 kB\n"));
}

// -------------------------------------------------------------------------------------------
// meminfo
// -------------------------------------------------------------------------------------------

fn live_meminfo() -> Meminfo {
    // Values of the live /proc/meminfo captured with the probe.
    Meminfo {
        mem_total: 24684092,
        mem_free: 23636996,
        mem_available: 24368636,
        buffers: 2736,
        cached: 927088,
        swap_cached: 0,
        active: 358952,
        inactive: 571276,
        active_anon: 1532,
        inactive_anon: 7748,
        active_file: 357420,
        inactive_file: 563528,
        unevictable: 13792,
        mlocked: 12816,
        swap_total: 0,
        swap_free: 0,
        dirty: 101264,
        writeback: 0,
        anon_pages: 14120,
        mapped: 10836,
        shmem: 8868,
        page_tables: 1572,
        anon_huge_pages: 2048,
        shmem_huge_pages: 0,
        shmem_pmd_mapped: 0,
        file_huge_pages: 12288,
        file_pmd_mapped: 0,
    }
}

#[test]
fn proc_meminfo_live() {
    // The live /proc/meminfo with the lines Meminfo has no field for removed (Zswap, Zswapped,
    // KReclaimable .. Percpu, Balloon, HugePages_*, Hugepagesize, Hugetlb, DirectMap*).
    let expected = r#"MemTotal:       24684092 kB
MemFree:        23636996 kB
MemAvailable:   24368636 kB
Buffers:            2736 kB
Cached:           927088 kB
SwapCached:            0 kB
Active:           358952 kB
Inactive:         571276 kB
Active(anon):       1532 kB
Inactive(anon):     7748 kB
Active(file):     357420 kB
Inactive(file):   563528 kB
Unevictable:       13792 kB
Mlocked:           12816 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Dirty:            101264 kB
Writeback:             0 kB
AnonPages:         14120 kB
Mapped:            10836 kB
Shmem:              8868 kB
PageTables:         1572 kB
AnonHugePages:      2048 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:     12288 kB
FilePmdMapped:         0 kB
"#;
    let m = live_meminfo();
    assert_eq!(render_meminfo(&m), expected);
    for line in expected.lines() {
        let (key, v) = key_value(line);
        assert_eq!(meminfo_field(&m, key), Some(v), "{key}");
    }
    assert_eq!(meminfo_field(&m, "Slab"), None);
    assert_eq!(meminfo_field(&m, "MemUsed"), Some(m.mem_total - m.mem_free));
}

#[test]
fn proc_meminfo_wide_number() {
    // Live: "VmallocTotal:   34359738367 kB" -- an 11-digit number overflows the 8-wide field.
    let m = Meminfo { mem_total: 34359738367, ..Meminfo::default() };
    assert!(render_meminfo(&m).starts_with("MemTotal:       34359738367 kB\nMemFree:               0 kB\n"));
}

#[test]
fn proc_node_meminfo_live() {
    // The live /sys/devices/system/node/node0/meminfo captured with the probe, with the lines
    // Meminfo cannot give removed (KernelStack, SecPageTables, NFS_Unstable, Bounce,
    // WritebackTmp, KReclaimable, Slab, SReclaimable, SUnreclaim, HugePages_*). Buffers and
    // Cached (not printed per node) are the /proc/meminfo values of the same moment: the live
    // FilePages equals Cached + SwapCached + Buffers.
    let m = Meminfo {
        mem_total: 4679892,
        mem_free: 3632848,
        buffers: 2736,
        cached: 927088,
        swap_cached: 0,
        active: 358952,
        inactive: 571276,
        active_anon: 1532,
        inactive_anon: 7748,
        active_file: 357420,
        inactive_file: 563528,
        unevictable: 13792,
        mlocked: 12816,
        dirty: 101264,
        writeback: 0,
        anon_pages: 14220,
        mapped: 10836,
        shmem: 8868,
        page_tables: 1572,
        anon_huge_pages: 2048,
        shmem_huge_pages: 0,
        shmem_pmd_mapped: 0,
        file_huge_pages: 12288,
        file_pmd_mapped: 0,
        ..Meminfo::default()
    };
    let expected = r#"Node 0 MemTotal:        4679892 kB
Node 0 MemFree:         3632848 kB
Node 0 MemUsed:         1047044 kB
Node 0 SwapCached:            0 kB
Node 0 Active:           358952 kB
Node 0 Inactive:         571276 kB
Node 0 Active(anon):       1532 kB
Node 0 Inactive(anon):     7748 kB
Node 0 Active(file):     357420 kB
Node 0 Inactive(file):   563528 kB
Node 0 Unevictable:       13792 kB
Node 0 Mlocked:           12816 kB
Node 0 Dirty:            101264 kB
Node 0 Writeback:             0 kB
Node 0 FilePages:        929824 kB
Node 0 Mapped:            10836 kB
Node 0 AnonPages:         14220 kB
Node 0 Shmem:              8868 kB
Node 0 PageTables:         1572 kB
Node 0 AnonHugePages:      2048 kB
Node 0 ShmemHugePages:        0 kB
Node 0 ShmemPmdMapped:        0 kB
Node 0 FileHugePages:     12288 kB
Node 0 FilePmdMapped:         0 kB
"#;
    assert_eq!(render_node_meminfo(0, &m), expected);
    assert_eq!(meminfo_field(&m, "FilePages"), Some(929824));
    assert_eq!(meminfo_field(&m, "MemUsed"), Some(1047044));
    assert!(render_node_meminfo(3, &m).starts_with("Node 3 MemTotal:        4679892 kB\n"));
}

// -------------------------------------------------------------------------------------------
// vmstat
// -------------------------------------------------------------------------------------------

/// Live /proc/vmstat captured with the probe (all 192 items).
const LIVE_VMSTAT: &str = r#"nr_free_pages 908212
nr_free_pages_blocks 809472
nr_zone_inactive_anon 1950
nr_zone_active_anon 383
nr_zone_inactive_file 140882
nr_zone_active_file 89355
nr_zone_unevictable 3448
nr_zone_write_pending 25316
nr_mlock 3204
nr_zspages 0
nr_free_cma 0
numa_hit 3406932
numa_miss 0
numa_foreign 0
numa_interleave 1134
numa_local 3406932
numa_other 0
nr_inactive_anon 1962
nr_active_anon 383
nr_inactive_file 140882
nr_active_file 89355
nr_unevictable 3448
nr_slab_reclaimable 8908
nr_slab_unreclaimable 5409
nr_isolated_anon 0
nr_isolated_file 0
workingset_nodes 4901
workingset_refault_anon 0
workingset_refault_file 250959
workingset_activate_anon 0
workingset_activate_file 18627
workingset_restore_anon 0
workingset_restore_file 0
workingset_nodereclaim 0
nr_anon_pages 3555
nr_mapped 2709
nr_file_pages 232456
nr_dirty 25316
nr_writeback 0
nr_shmem 2217
nr_shmem_hugepages 0
nr_shmem_pmdmapped 0
nr_file_hugepages 6
nr_file_pmdmapped 0
nr_anon_transparent_hugepages 1
nr_vmscan_write 0
nr_vmscan_immediate_reclaim 9948
nr_dirtied 257732
nr_written 154517
nr_throttled_written 0
nr_kernel_misc_reclaimable 0
nr_foll_pin_acquired 0
nr_foll_pin_released 0
nr_kernel_stack 1464
nr_page_table_pages 418
nr_sec_page_table_pages 0
nr_iommu_pages 0
nr_swapcached 0
pgpromote_success 0
pgpromote_candidate 0
pgpromote_candidate_nrl 0
pgdemote_kswapd 0
pgdemote_direct 0
pgdemote_khugepaged 0
pgdemote_proactive 0
nr_hugetlb 0
nr_balloon_pages 0
nr_kernel_file_pages 0
nr_dirty_threshold 1221472
nr_dirty_background_threshold 609990
nr_memmap_pages 0
nr_memmap_boot_pages 98304
pgpgin 1710497
pgpgout 616244
pswpin 0
pswpout 0
pgalloc_dma 0
pgalloc_dma32 0
pgalloc_normal 3770166
pgalloc_movable 0
pgalloc_device 0
allocstall_dma 0
allocstall_dma32 0
allocstall_normal 0
allocstall_movable 0
allocstall_device 0
pgskip_dma 0
pgskip_dma32 0
pgskip_normal 0
pgskip_movable 0
pgskip_device 0
pgfree 4682016
pgactivate 239535
pgdeactivate 0
pglazyfree 0
pgfault 3428726
pgmajfault 1390
pglazyfreed 0
pgrefill 0
pgreuse 159670
pgsteal_kswapd 0
pgsteal_direct 0
pgsteal_khugepaged 0
pgsteal_proactive 0
pgscan_kswapd 0
pgscan_direct 0
pgscan_khugepaged 0
pgscan_proactive 0
pgscan_direct_throttle 0
pgscan_anon 0
pgscan_file 0
pgsteal_anon 0
pgsteal_file 0
zone_reclaim_success 0
zone_reclaim_failed 0
pginodesteal 0
slabs_scanned 295
kswapd_inodesteal 0
kswapd_low_wmark_hit_quickly 0
kswapd_high_wmark_hit_quickly 0
pageoutrun 0
pgrotated 9760
drop_pagecache 1
drop_slab 2
oom_kill 0
numa_pte_updates 0
numa_huge_pte_updates 0
numa_hint_faults 0
numa_hint_faults_local 0
numa_pages_migrated 0
pgmigrate_success 0
pgmigrate_fail 0
thp_migration_success 0
thp_migration_fail 0
thp_migration_split 0
compact_migrate_scanned 0
compact_free_scanned 0
compact_isolated 0
compact_stall 0
compact_fail 0
compact_success 0
compact_daemon_wake 0
compact_daemon_migrate_scanned 0
compact_daemon_free_scanned 0
htlb_buddy_alloc_success 0
htlb_buddy_alloc_fail 0
unevictable_pgs_culled 25945
unevictable_pgs_scanned 0
unevictable_pgs_rescued 22497
unevictable_pgs_mlocked 25965
unevictable_pgs_munlocked 22761
unevictable_pgs_cleared 0
unevictable_pgs_stranded 0
thp_fault_alloc 2
thp_fault_fallback 0
thp_fault_fallback_charge 0
thp_collapse_alloc 0
thp_collapse_alloc_failed 0
thp_file_alloc 0
thp_file_fallback 0
thp_file_fallback_charge 0
thp_file_mapped 36
thp_split_page 0
thp_split_page_failed 0
thp_deferred_split_page 0
thp_underused_split_page 0
thp_split_pmd 0
thp_scan_exceed_none_pte 0
thp_scan_exceed_swap_pte 0
thp_scan_exceed_share_pte 0
thp_split_pud 0
thp_zero_page_alloc 0
thp_zero_page_alloc_failed 0
thp_swpout 0
thp_swpout_fallback 0
balloon_inflate 0
balloon_deflate 0
balloon_migrate 0
swap_ra 0
swap_ra_hit 0
swpin_zero 0
swpout_zero 0
ksm_swpin_copy 0
cow_ksm 0
zswpin 0
zswpout 0
zswpwb 0
direct_map_level2_splits 5
direct_map_level3_splits 0
direct_map_level2_collapses 0
direct_map_level3_collapses 0
nr_unstable 0
"#;

#[test]
fn proc_vmstat_live() {
    let v = Vmstat {
        items: LIVE_VMSTAT
            .lines()
            .map(|l| {
                let (n, v) = l.split_once(' ').unwrap();
                (n.to_string(), v.parse().unwrap())
            })
            .collect(),
    };
    assert_eq!(v.items.len(), 192);
    assert_eq!(render_vmstat(&v), LIVE_VMSTAT);
    assert_eq!(render_vmstat(&Vmstat::default()), "");
}

// -------------------------------------------------------------------------------------------
// pagemap, kpageflags (binary in Linux: the text form is this crate's own)
// -------------------------------------------------------------------------------------------

#[test]
fn proc_pagemap_from_live_entries() {
    // Raw 64-bit entries read from the live /proc/self/pagemap of a probe that mapped 3
    // private anonymous pages and wrote the 1st and 3rd, wrote a shared anonymous page, and
    // read a private anonymous page (the zero page); the text is this crate's format.
    let anon = [PagemapEntry(0x810000000013278e), PagemapEntry(0), PagemapEntry(0x8100000000132a08)];
    assert_eq!(
        render_pagemap(0x7fca7483c000, &anon),
        concat!(
            "7fca7483c000 present=1 swap=0 file=0 excl=1 pfn=0x13278e\n",
            "7fca7483d000 present=0 swap=0 file=0 excl=0 pfn=0x0\n",
            "7fca7483e000 present=1 swap=0 file=0 excl=1 pfn=0x132a08\n",
        )
    );
    assert_eq!(
        render_pagemap(0x7fca7483b000, &[PagemapEntry(0xa10000000013298b)]),
        "7fca7483b000 present=1 swap=0 file=1 excl=1 pfn=0x13298b\n"
    );
    assert_eq!(
        render_pagemap(0x7fca7483a000, &[PagemapEntry(0x8000000000003b34)]),
        "7fca7483a000 present=1 swap=0 file=0 excl=0 pfn=0x3b34\n"
    );
    // Not live (the VM has no swap): type 1, offset 0x2a; a low address keeps 12 digits.
    let swp = PagemapEntry(PagemapEntry::SWAP | PagemapEntry::EXCLUSIVE | (0x2a << 5) | 1);
    assert_eq!(render_pagemap(0x1000, &[swp]), "000000001000 present=0 swap=1 file=0 excl=1 swp=1:0x2a\n");
    assert_eq!(render_pagemap(0x1000, &[]), "");
}

#[test]
fn proc_kpage_from_live_entries() {
    // /proc/kpagecount and /proc/kpageflags of the pfns above, read live.
    let anon = Kpage { pfn: 0x13278e, count: 1, flags: KpageFlags::from_bits_retain(0x0000_0004_0000_5808) };
    let shmem = Kpage { pfn: 0x13298b, count: 1, flags: KpageFlags::from_bits_retain(0x4818) };
    let zero = Kpage { pfn: 0x3b34, count: 0, flags: KpageFlags::from_bits_retain(0x0000_0001_0100_0000) };
    assert_eq!(render_kpage(&anon), "pfn=0x13278e count=1 flags=UPTODATE,MMAP,ANON,SWAPBACKED,MAPPEDTODISK");
    assert_eq!(render_kpage(&shmem), "pfn=0x13298b count=1 flags=UPTODATE,DIRTY,MMAP,SWAPBACKED");
    assert_eq!(render_kpage(&zero), "pfn=0x3b34 count=0 flags=ZERO_PAGE,RESERVED");
    // Not live: no flags; a bit kernel-page-flags.h does not name.
    let free = Kpage { pfn: 0x10, count: 0, flags: KpageFlags::empty() };
    assert_eq!(render_kpage(&free), "pfn=0x10 count=0 flags=");
    let odd = Kpage { pfn: 1, count: 2, flags: KpageFlags::LOCKED | KpageFlags::from_bits_retain(1 << 45) };
    assert_eq!(render_kpage(&odd), "pfn=0x1 count=2 flags=LOCKED,BIT45");
}

#[test]
fn proc_kpageflag_names() {
    assert_eq!(kpageflag_by_name("LOCKED"), Some(KpageFlags::LOCKED));
    assert_eq!(kpageflag_by_name("ZERO_PAGE"), Some(KpageFlags::ZERO_PAGE));
    assert_eq!(kpageflag_by_name("KPF_MLOCKED"), Some(KpageFlags::MLOCKED));
    assert_eq!(kpageflag_by_name("mappedtodisk"), Some(KpageFlags::MAPPEDTODISK));
    assert_eq!(kpageflag_by_name("ARCH_2"), Some(KpageFlags::ARCH_2));
    assert_eq!(kpageflag_by_name("NOT_A_FLAG"), None);
    // Every name render_kpage prints resolves back to its bit.
    for (name, flag) in KpageFlags::all().iter_names() {
        assert_eq!(kpageflag_by_name(name), Some(flag));
        let text = render_kpage(&Kpage { pfn: 0, count: 0, flags: flag });
        assert_eq!(text, format!("pfn=0x0 count=0 flags={name}"));
    }
}

// -------------------------------------------------------------------------------------------
// VmFlags
// -------------------------------------------------------------------------------------------

#[test]
fn proc_vmflags_mnemonics_live_order() {
    // VmFlags lines of the live smaps: each raw vm_flags word (built from the VM_* constants)
    // gives the live line's mnemonics in the live order.
    let base = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    let cases: &[(u64, &str)] = &[
        (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_SEALED, "rd mr mw me sl"),
        (base | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP | VM_DROPPABLE, "rd wr mr mw me nr wf dd dp"),
        (base | VM_MAYBE_GUARD | VM_ACCOUNT, "rd wr mr mw me gu ac"),
        (base | VM_UFFD_MISSING | VM_UFFD_WP | VM_ACCOUNT, "rd wr mr mw me um uw ac"),
        (base | VM_SHARED | VM_MAYSHARE | VM_UFFD_MINOR, "rd wr sh mr mw me ms ui"),
        (base | VM_LOCKED | VM_LOCKONFAULT | VM_ACCOUNT, "rd wr mr mw me lo lf ac"),
        (base | VM_DONTCOPY | VM_ACCOUNT, "rd wr mr mw me dc ac"),
        (base | VM_GROWSDOWN | VM_ACCOUNT, "rd wr mr mw me gd ac"),
        (base | VM_ACCOUNT | VM_MERGEABLE, "rd wr mr mw me ac mg"),
        (base | VM_ACCOUNT | VM_NOHUGEPAGE, "rd wr mr mw me ac nh"),
        (base | VM_ACCOUNT | VM_HUGEPAGE, "rd wr mr mw me ac hg"),
        (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_SEQ_READ, "rd mr mw me sr"),
        (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_RAND_READ, "rd mr mw me rr"),
        (VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP, "rd mr pf io de dd"),
        (VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_DONTEXPAND, "rd ex mr mw me de"),
        (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, "mr mw me"),
        (VM_EXEC, "ex"),
        (0, ""),
    ];
    for &(raw, live) in cases {
        assert_eq!(vmflags_mnemonics(raw).join(" "), live, "{raw:#x}");
    }
}
