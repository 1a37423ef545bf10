//! Direct reclaim and the OOM killer (mm/page_alloc.c `__alloc_pages_direct_reclaim`;
//! mm/oom_kill.c `out_of_memory`, `select_bad_process`, `oom_badness`, `oom_kill_process`).
//!
//! Every process is killable (the model has no init, kernel threads or oom_score_adj), and its
//! badness is its RSS plus its swap entries plus its page-table pages. Of equal scores the one
//! found last in task order (the newest pid) wins, as `oom_evaluate_task` replaces the chosen task
//! on ties. The victim exits at once: the OOM reaper's work is done within the operation.

use crate::machine::Machine;
use crate::mm_types::{Mm, RssKind};
use crate::ops::Pid;
use crate::vmstat::Event;

/// `SWAP_CLUSTER_MAX`: pages direct reclaim asks for.
const SWAP_CLUSTER_MAX: u64 = 32;

impl Machine {
    /// `oom_badness` without oom_score_adj: RSS, swap entries and page-table pages.
    fn oom_badness(&self, mm: &Mm) -> u64 {
        mm.rss_pages() + mm.rss[RssKind::SwapEnts as usize].max(0) as u64 + self.page_table_pages(mm)
    }

    /// `try_to_free_pages` from the allocator: reclaims from every node in turn until something
    /// was freed. Returns the pages freed.
    pub(crate) fn direct_reclaim(&mut self) -> u64 {
        (0..self.config.nodes).map(|nid| self.shrink_node(nid, SWAP_CLUSTER_MAX)).find(|&n| n > 0).unwrap_or(0)
    }

    /// `out_of_memory`: kills the process with the highest badness. Returns the victim, or None
    /// when no process holds any memory (Linux would panic).
    pub(crate) fn out_of_memory(&mut self) -> Option<Pid> {
        // max_by_key keeps the last of equal maxima: the newest task, as oom_evaluate_task does.
        let (victim, points) =
            self.procs.iter().map(|(&pid, p)| (pid, self.oom_badness(&p.mm))).max_by_key(|&(_, pts)| pts)?;
        if points == 0 {
            return None;
        }
        self.k.stats.count(Event::OomKill, 1);
        self.sys_exit(victim).ok()?;
        Some(victim)
    }
}
