//! Deadlock detection over the wait-for graph of tasks in flight (the model's counterpart of
//! kernel/locking/lockdep.c `check_noncircular` and the hung-task detector, kernel/hung_task.c
//! `check_hung_task`).
//!
//! Each blocked task waits for the tasks holding what it waits on. A cycle is a deadlock; a
//! blocked task whose wait nobody can end (no holder, and no event the script may still
//! deliver) can never be woken. Both are invariant violations. The search is deterministic:
//! tasks are visited in ascending id order and the first cycle found is reported from its
//! smallest member.

use std::collections::{BTreeMap, BTreeSet};

use crate::mmap_lock::TaskId;

/// What blocked tasks wait for: `waits[t]` = the tasks holding what `t` waits on (empty when it
/// waits on an external event, such as an I/O completion, rather than on a task).
pub type WaitFor = BTreeMap<TaskId, BTreeSet<TaskId>>;

/// The first cycle of the wait-for graph, as the task ids along it starting from its smallest
/// member, or `None` if there is none.
pub fn find_cycle(waits: &WaitFor) -> Option<Vec<TaskId>> {
    let mut done = BTreeSet::new();
    for &start in waits.keys() {
        let mut path = Vec::new();
        if let Some(c) = dfs(waits, start, &mut path, &mut done) {
            let min = c.iter().enumerate().min_by_key(|&(_, t)| *t).map_or(0, |(i, _)| i);
            let mut c = c;
            c.rotate_left(min);
            return Some(c);
        }
    }
    None
}

fn dfs(waits: &WaitFor, t: TaskId, path: &mut Vec<TaskId>, done: &mut BTreeSet<TaskId>) -> Option<Vec<TaskId>> {
    if let Some(i) = path.iter().position(|&p| p == t) {
        return Some(path[i..].to_vec());
    }
    if done.contains(&t) {
        return None;
    }
    path.push(t);
    for &h in waits.get(&t).into_iter().flatten() {
        if let Some(c) = dfs(waits, h, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(t);
    None
}

/// Blocked tasks that nothing can wake: they wait on tasks that are not in flight any more (or
/// on nothing at all) and on no pending event. `pending_event` says whether a task's wait can
/// still end by an event the script delivers (an I/O completion).
pub fn never_woken(waits: &WaitFor, live: &BTreeSet<TaskId>, pending_event: impl Fn(TaskId) -> bool) -> Vec<TaskId> {
    waits
        .iter()
        .filter(|(t, holders)| !pending_event(**t) && !holders.iter().any(|h| live.contains(h)))
        .map(|(&t, _)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmap_lock::{Acquire, Mode, RwSem};

    fn graph(edges: &[(TaskId, &[TaskId])]) -> WaitFor {
        edges.iter().map(|&(t, hs)| (t, hs.iter().copied().collect())).collect()
    }

    #[test]
    fn no_cycle_in_a_chain() {
        assert_eq!(find_cycle(&graph(&[(1, &[2]), (2, &[3])])), None);
    }

    #[test]
    fn cycle_reported_from_smallest_member() {
        let g = graph(&[(5, &[3]), (3, &[4]), (4, &[5]), (1, &[3])]);
        assert_eq!(find_cycle(&g), Some(vec![3, 4, 5]));
    }

    #[test]
    fn abba_on_two_rwsems_is_a_deadlock() {
        // Task 1 holds A and wants B for write; task 2 holds B and wants A for write.
        let (mut a, mut b) = (RwSem::default(), RwSem::default());
        assert_eq!(a.down(1, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(b.down(2, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(b.down(1, Mode::Write), Ok(Acquire::Queued));
        assert_eq!(a.down(2, Mode::Write), Ok(Acquire::Queued));
        let mut g = WaitFor::new();
        g.insert(1, b.holders().into_iter().collect());
        g.insert(2, a.holders().into_iter().collect());
        assert_eq!(find_cycle(&g), Some(vec![1, 2]));
    }

    #[test]
    fn fairness_makes_a_read_recursion_deadlock() {
        // The classic rwsem hazard: task 1 read-holds, writer 2 queues, task 1 reads again
        // (modeled as a second task 3 acting for it) and queues behind the writer.
        let mut s = RwSem::default();
        assert_eq!(s.down(1, Mode::Read), Ok(Acquire::Acquired));
        assert_eq!(s.down(2, Mode::Write), Ok(Acquire::Queued));
        assert_eq!(s.down(3, Mode::Read), Ok(Acquire::Queued));
        // 1 waits for 3 to finish (it joins it), 3 waits for the writer, the writer for 1.
        let g = graph(&[(1, &[3]), (3, &[2]), (2, &[1])]);
        assert_eq!(find_cycle(&g), Some(vec![1, 3, 2]));
    }

    #[test]
    fn orphaned_waiter_is_never_woken() {
        let g = graph(&[(1, &[2]), (3, &[]), (4, &[])]);
        let live: BTreeSet<TaskId> = [1, 3, 4].into_iter().collect();
        assert_eq!(never_woken(&g, &live, |t| t == 4), vec![1, 3]);
    }
}
