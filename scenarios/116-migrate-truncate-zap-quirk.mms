# Scenario 115 with the `zap_details_skip_swap` quirk: before "mm: don't skip swap entry even if
# zap_details specified" (5abfd71d936a, Linux 5.18) zap_pte_range skipped every non-present
# entry whenever zap details were passed, migration entries included. When the truncation's
# unmap pass runs while a migration's entries are installed, the entries survive it and the
# migration restores them: a PTE maps a page beyond EOF. For p's shmem page the locked pass then
# unmaps it again (folio_mapped in truncate_cleanup_folio), so the window is transient and
# RssShmem ends right; for q's COW copy nothing unmaps it again and the private page stays
# mapped past EOF. Run as a script (run_until_idle's order) the window is missed and every
# expectation holds; `mmlab explore` finds the schedule (pte-beyond-eof, checked by
# model/tests/tasks.rs with the printed schedule failing under `mmlab run`).
# Linux code: mm/memory.c zap_pte_range at v5.17 ("if (unlikely(details)) continue;"), and as 115.
machine nodes=2 quirks=zap_details_skip_swap
p = spawn
fd = memfd_create p mig
ftruncate p fd 4p
a = mmap p 0 4p rw shared fd=fd
touch p a 4p write
q = fork p
b = mmap q 0 4p rw private fd=fd
write q b+2p 0x22
expect smaps_rollup q Anonymous == 4 kB
m1 = task migrate p a 1
m2 = task migrate q b+2p 1
m3 = task migrate p a+3p 1
t = task ftruncate p fd 1p
run_until_idle
expect task m1 errno == 0
expect task t errno == 0
expect status p RssShmem == 4 kB
expect smaps_rollup p Pss_Shmem == 4 kB
expect smaps_rollup q Rss == 0 kB
expect smaps_rollup q Anonymous == 0 kB
expect invariants violations == 0
ftruncate p fd 0
expect smaps_rollup p Pss_Shmem == 0 kB
expect smaps_rollup q Pss_Shmem == 0 kB
expect status p RssShmem == 0 kB
expect status q RssShmem == 0 kB
exit q
exit p
expect meminfo Shmem == 0 kB
expect invariants violations == 0
