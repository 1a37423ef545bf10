# Swap-in faults and an mprotect writer, policy `retry` (Linux before the 2023 per-VMA-lock swap
# discussion): a fault under a VMA lock that finds the swap-cache folio locked by a read in
# flight drops the VMA lock, waits for the folio and retries under mmap_lock (vma_lock_retry);
# the fault that started the read does the same. Four faults on two swapped pages start their
# reads (f1, f3) or find them started (f2, f4), and all four leave the VMA lock at once, so the
# writer, an mprotect of one page elsewhere in the same VMA, takes mmap_lock and the VMA write
# lock without waiting and is done 4 time units after it started. A fault (f5) arriving while
# the writer holds mmap_lock finds the VMA write-locked (vma_lock_abort), queues behind the
# writer (faults_blocked_behind_writer 1), then reads its own page: done 15 units after it
# started. Every fault ends under mmap_lock (vma_lock_success 0, vma_lock_retry 4).
# Time: one unit per step of any task (one modeled CPU); a swap read takes 10 units
# (SWAP_READ_UNITS), idling the CPU when nothing else can run. Compare 111 (`wait`): there the
# writer waits 7 units for the reads and f5 takes 22.
# Linux code: mm/memory.c lock_vma_under_rcu, do_swap_page; mm/filemap.c folio_lock_or_retry;
# arch/x86/mm/fault.c do_user_addr_fault (VM_FAULT_RETRY, lock_mmap); mm/mprotect.c
# mprotect_fixup -> vma_start_write; include/linux/mmap_lock.h.
machine swap=64M swapin_policy=retry
p = spawn
a = mmap p 0 16p rw private,anonymous
touch p a 16p write
madvise p a 16p pageout
f1 = task fault p a read
f2 = task fault p a read
f3 = task fault p a+1p read
f4 = task fault p a+1p read
step f1 => ran
step f1 => waits(io)
step f2 => ran
step f2 => waits(folio)
step f3 => ran
step f3 => waits(io)
step f4 => ran
step f4 => waits(folio)
w = task mprotect p a+8p 1p r
step w => ran
step w => ran
# f5 faults while the writer holds mmap_lock.
f5 = task fault p a+9p read
step f5 => waits(mmap_lock)
step w => done
run_until_idle
expect task f1 done == 1
expect task w latency == 4
expect task w waited == 0
expect task f5 latency == 15
expect tasks fault_latency_max == 21
expect tasks fault_latency_total == 89
expect tasks writer_wait_total == 0
expect tasks faults_blocked_behind_writer == 1
expect vmstat vma_lock_success == 0
expect vmstat vma_lock_abort == 1
expect vmstat vma_lock_retry == 4
expect vmstat pswpin == 3
expect status p VmSwap == 52 kB
expect smaps p a Rss == 8 kB
expect invariants violations == 0
exit p
expect meminfo SwapFree == 65532 kB
expect tasks completed == 6
