# Swap-in faults and an mprotect writer, policy `wait` (the proposal of the 2023 discussion): a
# fault under a VMA lock that finds the swap-cache folio locked waits for it holding the VMA
# lock. The same schedule as 110: four faults on two swapped pages hold the VMA's read lock
# while their reads are in flight; the mprotect writer takes mmap_lock for write, and
# vma_start_write on the VMA waits for those four readers, that is for the I/O: it waits 7 time
# units and finishes 11 after it started (4 with `retry`). Meanwhile a fault on another page
# (f5) cannot take the write-locked VMA's lock (vma_lock_abort) and queues on mmap_lock behind
# the writer, so its own read starts only after the others' reads ended: 22 units against 15.
# That is the worst case described in the thread: a slow swap device stalls faults of the whole
# mm behind one mprotect. Without retries the four faults end under their VMA locks
# (vma_lock_success 4) and the faults' total latency is 84 units against 89.
# Linux code: as 110, with folio_lock_or_retry waiting instead of releasing the VMA lock.
machine swap=64M swapin_policy=wait
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
step w => waits(vma_lock)
# f5 faults while the writer holds mmap_lock.
f5 = task fault p a+9p read
step f5 => waits(mmap_lock)
step w => waits(vma_lock)
run_until_idle
expect task f1 done == 1
expect task w latency == 11
expect task w waited == 7
expect task f5 latency == 22
expect tasks fault_latency_max == 22
expect tasks fault_latency_total == 84
expect tasks writer_wait_total == 7
expect tasks faults_blocked_behind_writer == 1
expect vmstat vma_lock_success == 4
expect vmstat vma_lock_abort == 1
expect vmstat vma_lock_retry == 0
expect vmstat pswpin == 3
expect status p VmSwap == 52 kB
expect smaps p a Rss == 8 kB
expect invariants violations == 0
exit p
expect meminfo SwapFree == 65532 kB
expect tasks completed == 6
