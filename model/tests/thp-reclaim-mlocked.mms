# Reclaim does not split a THP it finds mapped in a VM_LOCKED VMA: try_to_unmap_one mlocks the
# folio and it is culled whole (seed 1, patch 13/13 of the 2022 munlock series, "mm/munlock:
# shrink_page_list() avoid splitting VM_LOCKED THP"). The quirk leaves the mapped THP un-mlocked
# after mlock2(MLOCK_ONFAULT), so reclaim is what finds it. (A THP's mlock_count is best effort in
# Linux, so the invariant checker does not insist on PG_mlocked for it.) Run by model/tests/thp.rs. Values from the kernel source (mm/vmscan.c shrink_folio_list,
# mm/rmap.c try_to_unmap_one); the oracle cannot reproduce a quirk.
machine swap=64M thp=madvise quirks=lockonfault_skip_mapped
p = spawn
a = mmap p 0x600000000000 2M rw private,anonymous,fixed_noreplace => 0x600000000000
madvise p a 2M hugepage
write p a 0x41
mlock2 p a 2M onfault
expect kpageflags p a MLOCKED == 0
expect meminfo Mlocked == 0 kB
reclaim 0 1024 => 0
expect vmstat unevictable_pgs_culled == 512
expect vmstat thp_split_page == 0
expect vmstat thp_split_pmd == 0
expect vmstat pswpout == 0
expect meminfo Mlocked == 2048 kB
expect smaps p a AnonHugePages == 2048 kB
expect invariants violations == 0
exit p
expect meminfo Mlocked == 0 kB
expect invariants violations == 0
