# Out of memory. A 256 kB node (64 frames) holds p's 40 written pages and their page tables. q then
# writes page after page; when no frame is left, the allocator runs direct reclaim (nothing: no file
# pages, no swap) and then the OOM killer, which picks the process with the highest badness (RSS +
# swap entries + page-table pages): p. p is gone (its pid answers ESRCH), its frames are free, and
# q's fault completes. When q alone fills memory again, q itself is the victim: its write gets
# SIGKILL.
# Linux code: mm/page_alloc.c __alloc_pages_slowpath (direct reclaim, then __alloc_pages_may_oom),
# mm/oom_kill.c out_of_memory, select_bad_process, oom_evaluate_task, oom_badness, oom_kill_process
# (vmstat oom_kill), mm/memory.c pagefault_out_of_memory.
# Derived from source: the live machine has 24 GiB and other tenants, so its OOM killer cannot be
# driven here; the model has no init or kernel threads, so every process is killable.
machine node_mem=256K
p = spawn
a = mmap p 0 40p rw private,anonymous
touch p a 40p write
expect status p RssAnon == 160 kB
expect status p VmPTE == 12 kB
q = spawn
b = mmap q 0 40p rw private,anonymous
touch q b 40p write
expect vmstat oom_kill == 1
read p a => ESRCH
expect status q RssAnon == 160 kB
expect meminfo MemFree == 92 kB
c = mmap q 0 40p rw private,anonymous
touch q c 40p write => SIGKILL
expect vmstat oom_kill == 2
read q b => ESRCH
expect meminfo MemFree == 256 kB
expect invariants violations == 0
