# Every interleaving of three swap-in faults and an mprotect writer on one VMA, for
# `mmlab explore` (the policy here is `wait`; tests/task.rs explores `retry` too). Two faults
# meet on one swapped page, one reads another, and the writer makes a third page read-only.
# Whatever the order of their steps and of the two read completions, every task finishes, no
# lock is left held, both pages come back with their values, the mprotect has split the VMA
# and the read-only page refuses a write: the expectations below hold in every schedule.
# Run as a script, run_until_idle takes the default order (lowest task first).
# Linux code: see 110 and 111.
machine swap=64M swapin_policy=wait
p = spawn
a = mmap p 0 8p rw private,anonymous
write p a 0x11
write p a+1p 0x22
madvise p a 8p pageout
expect status p VmSwap == 8 kB
f1 = task fault p a read
f2 = task fault p a write
f3 = task fault p a+1p read
w = task mprotect p a+4p 1p r
run_until_idle
expect task f1 done == 1
expect task f2 done == 1
expect task f3 done == 1
expect task w done == 1
expect task w errno == 0
expect tasks completed == 4
expect status p VmSwap == 0 kB
expect vmstat pswpin == 2
expect maps p count == 3
expect value p a value == 0x11
expect value p a+1p value == 0x22
write p a+4p 0x33 => SIGSEGV(ACCERR)
expect invariants violations == 0
exit p
expect meminfo SwapFree == 65532 kB
