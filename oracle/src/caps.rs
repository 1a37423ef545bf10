//! What this kernel and this process can do, detected once at start: root, swap, NUMA nodes,
//! THP mode, MADV_COLLAPSE, the RLIMIT_MEMLOCK hard limit. Scripts and steps that need something
//! missing are skipped with the reason.

use mmlab_model::script::OpExpr;
use mmlab_model::{Advice, MachineConfig, ThpMode};

/// The detected capabilities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caps {
    pub kernel: String,
    /// Effective uid 0 (needed for PFNs in pagemap and for /proc/kpageflags).
    pub root: bool,
    /// At least one active swap area.
    pub swap: bool,
    pub numa_nodes: u32,
    /// /sys/kernel/mm/transparent_hugepage/enabled, if THP is built in.
    pub thp: Option<ThpMode>,
    /// madvise(MADV_COLLAPSE) is known to this kernel.
    pub collapse: bool,
    /// The RLIMIT_MEMLOCK hard limit servants inherit (u64::MAX: unlimited).
    pub memlock_max: u64,
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The `read_ahead_kb` of the block device holding `dir` (its queue, the whole disk's queue for
/// a partition, or its backing_dev_info), if sysfs tells.
pub fn read_ahead_kb(dir: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let dev = std::fs::metadata(dir).ok()?.dev();
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    [
        format!("/sys/dev/block/{major}:{minor}/queue/read_ahead_kb"),
        format!("/sys/dev/block/{major}:{minor}/../queue/read_ahead_kb"),
        format!("/sys/class/bdi/{major}:{minor}/read_ahead_kb"),
    ]
    .iter()
    .find_map(|p| read(p)?.trim().parse().ok())
}

/// Why a script cannot be compared with the disk's readahead window `live` (None: unknown), if
/// it cannot: a script that sets `read_ahead_kb` needs the disk to have that window (the oracle
/// does not change a device setting); a script that opens disk files needs to know the window.
pub fn readahead_skip(explicit: Option<u32>, live: Option<u32>, opens_files: bool) -> Option<String> {
    match (explicit, live) {
        (Some(want), Some(have)) if want != have => Some(format!(
            "needs read_ahead_kb={want} and the oracle's disk has {have}; the oracle does not change a device \
             setting"
        )),
        (Some(want), None) => Some(format!("needs read_ahead_kb={want} and sysfs does not tell the oracle's disk's")),
        (None, None) if opens_files => {
            Some("opens disk files and sysfs does not tell the readahead window of the oracle's disk".into())
        }
        _ => None,
    }
}

/// Node count of a cpulist such as `0` or `0-1,3`.
pub fn count_list(s: &str) -> u32 {
    s.trim()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('-') {
            Some((a, b)) => b.parse::<u32>().unwrap_or(0).saturating_sub(a.parse().unwrap_or(0)) + 1,
            None => 1,
        })
        .sum()
}

/// The bracketed choice of a sysfs THP knob (`always [madvise] never`).
pub fn thp_choice(s: &str) -> Option<ThpMode> {
    let start = s.find('[')?;
    let end = s[start..].find(']')? + start;
    ThpMode::from_name(&s[start + 1..end])
}

/// MADV_COLLAPSE arrived in Linux 6.1 (a probe cannot tell it from an unknown advice: both
/// answer EINVAL on a range without a collapsible PMD).
pub fn has_collapse(release: &str) -> bool {
    let mut it = release.split(|c: char| !c.is_ascii_digit()).filter_map(|x| x.parse::<u32>().ok());
    let (major, minor) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (major, minor) >= (6, 1)
}

fn memlock_max() -> u64 {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: rl is a valid rlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut rl) } != 0 {
        return 0;
    }
    rl.rlim_max
}

/// Nodes smaller than this exist only to reach OOM and reclaim paths; the live kernel has GiBs.
const MIN_LIVE_NODE_BYTES: u64 = 64 << 20;

impl Caps {
    /// Detects everything.
    pub fn detect() -> Caps {
        let swaps = read("/proc/swaps").unwrap_or_default();
        let kernel = read("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string();
        Caps {
            collapse: has_collapse(&kernel),
            kernel,
            // SAFETY: geteuid has no preconditions.
            root: unsafe { libc::geteuid() } == 0,
            swap: swaps.lines().count() > 1,
            numa_nodes: read("/sys/devices/system/node/online").map_or(1, |s| count_list(&s).max(1)),
            thp: read("/sys/kernel/mm/transparent_hugepage/enabled").and_then(|s| thp_choice(&s)),
            memlock_max: memlock_max(),
        }
    }

    /// One line for the report header.
    pub fn describe(&self) -> String {
        format!(
            "kernel {}, root {}, swap {}, NUMA nodes {}, THP {}, MADV_COLLAPSE {}, RLIMIT_MEMLOCK max {}",
            self.kernel,
            yes(self.root),
            yes(self.swap),
            self.numa_nodes,
            self.thp.map_or("not built", |t| t.name()),
            yes(self.collapse),
            if self.memlock_max == u64::MAX { "unlimited".into() } else { self.memlock_max.to_string() },
        )
    }

    /// Why a whole script cannot run here, if it cannot.
    pub fn script_skip(&self, config: &MachineConfig) -> Option<String> {
        if !self.root {
            return Some("not root: pagemap hides PFNs and /proc/kpageflags is unreadable".into());
        }
        if config.nodes > self.numa_nodes {
            return Some(format!("needs {} NUMA nodes; this kernel has {}", config.nodes, self.numa_nodes));
        }
        if config.node_bytes < MIN_LIVE_NODE_BYTES {
            return Some(format!(
                "models a {} KiB node: memory pressure that small cannot be reproduced on this kernel",
                config.node_bytes >> 10
            ));
        }
        if config.swap_bytes > 0 {
            if self.swap {
                return Some(
                    "needs swap (machine swap=...) and this kernel has swap active already: the oracle only \
                     compares with a zram swap area of its own"
                        .into(),
                );
            }
            if let Some(why) = crate::zram::unavailable() {
                return Some(why);
            }
        }
        if let Some(t) = config.promotion_threshold {
            return Some(format!(
                "uses THP reservations (promotion_threshold={t}), the 2018 RFC that Linux never merged: this \
                 kernel has no reservations to compare with"
            ));
        }
        if !config.quirks.is_empty() {
            return Some(format!("enables historical quirks ({}) this kernel does not have", config.quirks.join(",")));
        }
        if config.thp == ThpMode::Always && self.thp != Some(ThpMode::Always) {
            return Some("needs THP enabled=always; the oracle does not change the global THP mode".into());
        }
        if config.memlock_bytes > self.memlock_max {
            return Some(format!(
                "needs RLIMIT_MEMLOCK {} above the hard limit {} (no CAP_SYS_RESOURCE)",
                config.memlock_bytes, self.memlock_max
            ));
        }
        None
    }

    /// Why one operation cannot run here, if it cannot (the comparison stops there).
    pub fn op_skip(&self, op: &OpExpr, config: &MachineConfig) -> Option<String> {
        match op {
            OpExpr::Reclaim { .. } => Some("reclaim: the live kernel cannot reclaim a node on demand".into()),
            OpExpr::TaskFault { .. }
            | OpExpr::TaskWriter(_)
            | OpExpr::TaskStep { .. }
            | OpExpr::IoComplete { .. }
            | OpExpr::RunUntilIdle => {
                Some("kernel tasks: the live kernel cannot pause a kernel path between its steps".into())
            }
            OpExpr::Khugepaged => Some(
                "khugepaged: the live kernel cannot run a khugepaged scan on demand (it scans on its own timer)".into(),
            ),
            OpExpr::Madvise { advice, .. } if *advice == Advice::HUGEPAGE || *advice == Advice::COLLAPSE => {
                let kernel = self.thp.map_or("not built", |t| t.name());
                (self.thp != Some(config.thp) || (*advice == Advice::COLLAPSE && !self.collapse)).then(|| {
                    format!(
                        "madvise {}: THP mode differs (model {}, kernel {kernel})",
                        advice_name(*advice),
                        config.thp.name()
                    )
                })
            }
            OpExpr::Madvise { advice, .. } if *advice == Advice::PAGEOUT && self.swap => {
                Some("madvise pageout: the kernel has swap and the model machine has none".into())
            }
            _ => None,
        }
    }
}

fn advice_name(a: Advice) -> &'static str {
    a.name().unwrap_or("?")
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_node_lists_and_thp_choices() {
        assert_eq!(count_list("0\n"), 1);
        assert_eq!(count_list("0-3,5"), 5);
        assert_eq!(thp_choice("always [madvise] never\n"), Some(ThpMode::Madvise));
        assert_eq!(thp_choice("[never]"), Some(ThpMode::Never));
        assert_eq!(thp_choice("never"), None);
        assert!(has_collapse("6.18.44-fc-v669"));
        assert!(!has_collapse("5.15.0-91-generic"));
    }

    #[test]
    fn scripts_needing_more_than_the_kernel_has_are_skipped() {
        let caps = Caps {
            kernel: "6.18".into(),
            root: true,
            swap: false,
            numa_nodes: 1,
            thp: Some(ThpMode::Madvise),
            collapse: true,
            memlock_max: 8 << 20,
        };
        assert_eq!(caps.script_skip(&MachineConfig::default()), None);
        let two = MachineConfig { nodes: 2, ..MachineConfig::default() };
        assert!(caps.script_skip(&two).unwrap().contains("2 NUMA nodes"));
        let big = MachineConfig { memlock_bytes: 16 << 20, ..MachineConfig::default() };
        assert!(caps.script_skip(&big).unwrap().contains("RLIMIT_MEMLOCK"));
        let res = MachineConfig { promotion_threshold: Some(64), ..MachineConfig::default() };
        assert_eq!(
            caps.script_skip(&res).unwrap(),
            "uses THP reservations (promotion_threshold=64), the 2018 RFC that Linux never merged: this kernel \
             has no reservations to compare with"
        );
        let user = Caps { root: false, ..caps };
        assert!(user.script_skip(&MachineConfig::default()).unwrap().contains("root"));
    }

    #[test]
    fn readahead_windows_must_match_the_disk() {
        assert_eq!(readahead_skip(None, Some(8192), true), None);
        assert_eq!(readahead_skip(Some(8192), Some(8192), true), None);
        assert_eq!(
            readahead_skip(Some(128), Some(8192), true).unwrap(),
            "needs read_ahead_kb=128 and the oracle's disk has 8192; the oracle does not change a device setting"
        );
        assert!(readahead_skip(None, None, true).unwrap().contains("opens disk files"));
        assert_eq!(readahead_skip(None, None, false), None);
        assert!(readahead_skip(Some(128), None, false).unwrap().contains("sysfs does not tell"));
    }

    #[test]
    fn reads_the_window_of_a_directory_on_a_block_device() {
        use std::os::unix::fs::MetadataExt;
        // The root file system's device, when it is a block device sysfs knows (not an overlay).
        let dev = std::fs::metadata("/").unwrap().dev();
        let queue = format!("/sys/dev/block/{}:{}/queue/read_ahead_kb", libc::major(dev), libc::minor(dev));
        let Ok(text) = std::fs::read_to_string(&queue) else { return };
        assert_eq!(read_ahead_kb(std::path::Path::new("/")), Some(text.trim().parse().unwrap()));
    }
}
