/* Transparent huge pages (THP mode "madvise" on this VM): checks scenarios 80-thp-*. Run as root:
 * gcc -O1 -o /tmp/thp scenarios/probes/thp.c && /tmp/thp */
#include "probe.h"

#define HP (2UL << 20)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static long vmstat(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, name, n) && line[n] == ' ') { v = atol(line + n + 1); break; }
	fclose(f);
	return v;
}
static const char *EV[] = {"thp_fault_alloc", "thp_fault_fallback", "thp_collapse_alloc", "thp_split_page",
			   "thp_deferred_split_page", "thp_split_pmd", "thp_zero_page_alloc", "thp_swpout_fallback",
			   "pgfault", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "thp_collapse_alloc_failed",
			   "thp_scan_exceed_none_pte", "thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte", NULL};
static long ev0[16];
static void ev_mark(void) { for (int i = 0; EV[i]; i++) ev0[i] = vmstat(EV[i]); }
static void ev_show(const char *what)
{
	for (int i = 0; EV[i]; i++) {
		long d = vmstat(EV[i]) - ev0[i];
		if (d) printf("  %-24s %-22s +%ld\n", what, EV[i], d);
	}
}
static long mem(const char *f) { return field_of("/proc/meminfo", f); }

/* A 2 MiB-aligned rw anon mapping of n huge pages, with PROT_NONE guards on both sides. */
static char *thp_map(int n, int advice)
{
	char *r = mmap(NULL, (n + 2) * HP, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = (char *)(((uintptr_t)r + HP) & ~(HP - 1));
	a = mmap(a, n * HP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (advice >= 0) madvise(a, n * HP, advice);
	return a;
}
static void vma(const char *label, pid_t pid, char *a)
{
	printf("%-28s Rss=%ld Pss=%ld Anonymous=%ld AnonHugePages=%ld Private_Dirty=%ld Shared_Dirty=%ld Referenced=%ld Locked=%ld\n",
	       label, smaps_kb(pid, a, "Rss"), smaps_kb(pid, a, "Pss"), smaps_kb(pid, a, "Anonymous"),
	       smaps_kb(pid, a, "AnonHugePages"), smaps_kb(pid, a, "Private_Dirty"), smaps_kb(pid, a, "Shared_Dirty"),
	       smaps_kb(pid, a, "Referenced"), smaps_kb(pid, a, "Locked"));
}
static void page(const char *label, pid_t pid, char *a)
{
	uint64_t e = pagemap(pid, a), pfn = PM_PFN(e);
	printf("%-28s present=%d swap=%d file=%d excl=%d pfn%%512=%lu kpagecount=%ld kpageflags=%#lx\n", label,
	       PM_PRESENT(e), PM_SWAP(e), PM_FILE(e), PM_EXCL(e), (unsigned long)(pfn % 512),
	       PM_PRESENT(e) ? KPAGECOUNT(pfn) : -1, PM_PRESENT(e) ? (unsigned long)kpage("/proc/kpageflags", pfn) : 0UL);
}
static void memline(const char *label, long ahp0, long ap0, long pt0, pid_t me)
{
	printf("%-28s meminfo AnonHugePages=+%ld AnonPages=+%ld VmPTE=+%ld rollup AnonHugePages=%ld\n", label,
	       mem("AnonHugePages") - ahp0, mem("AnonPages") - ap0, status_kb(me, "VmPTE") - pt0,
	       rollup_kb(me, "AnonHugePages"));
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();
	long ahp0 = mem("AnonHugePages"), ap0 = mem("AnonPages"), pt0 = status_kb(me, "VmPTE");

	printf("== 80 fault: no madvise, madvise, read -> huge zero, write after\n");
	char *n = thp_map(1, -1);
	ev_mark(); touch_write(n, 1); ev_show("nomadvise write");
	vma("no madvise", me, n);
	munmap(n, HP);
	char *a = thp_map(2, MADV_HUGEPAGE);
	ahp0 = mem("AnonHugePages"); ap0 = mem("AnonPages"); pt0 = status_kb(me, "VmPTE");
	ev_mark(); show_write("write a+1p 0x41", a + PG, 0x41); ev_show("thp write fault");
	vma("after write", me, a);
	memline("after write", ahp0, ap0, pt0, me);
	page("a+0", me, a); page("a+1p", me, a + PG); page("a+511p", me, a + 511 * PG);
	printf("pfn(a+511p)-pfn(a) %ld\n", (long)(PM_PFN(pagemap(me, a + 511 * PG)) - PM_PFN(pagemap(me, a))));
	show_read("read a+0", a); show_read("read a+1p", a + PG);
	ev_mark(); show_read("read a+2M", a + HP); ev_show("huge zero read");
	vma("after zero read", me, a);
	memline("after zero read", ahp0, ap0, pt0, me);
	page("a+2M", me, a + HP); page("a+2M+1p", me, a + HP + PG);
	ev_mark(); show_write("write a+2M+3p 0x42", a + HP + 3 * PG, 0x42); ev_show("write on huge zero");
	vma("after write on zero", me, a);
	memline("after write on zero", ahp0, ap0, pt0, me);
	show_read("read a+2M", a + HP); show_read("read a+2M+3p", a + HP + 3 * PG);
	page("a+2M+3p", me, a + HP + 3 * PG);
	ev_mark(); munmap(a, 2 * HP); ev_show("munmap both");
	memline("after munmap", ahp0, ap0, pt0, me);

	printf("== 81 splits\n");
	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	ev_mark(); printf("mprotect 1p rc=%d\n", mprotect(a + 8 * PG, PG, PROT_READ)); ev_show("mprotect 1p");
	vma("mprotect lo", me, a); vma("mprotect mid", me, a + 8 * PG); vma("mprotect hi", me, a + 9 * PG);
	page("a+0 after mprotect", me, a); page("a+9p after mprotect", me, a + 9 * PG);
	memline("after mprotect", ahp0, ap0, pt0, me);
	ev_mark(); munmap(a, HP); ev_show("munmap after mprotect");
	memline("after munmap", ahp0, ap0, pt0, me);

	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	long free0 = mem("MemFree");
	ev_mark(); printf("dontneed 1p rc=%d\n", madvise(a + 4 * PG, PG, MADV_DONTNEED)); ev_show("dontneed 1p");
	vma("dontneed", me, a);
	memline("after dontneed", ahp0, ap0, pt0, me);
	printf("MemFree delta after dontneed %ld\n", mem("MemFree") - free0);
	page("a+0 after dontneed", me, a); page("a+4p after dontneed", me, a + 4 * PG);
	ev_mark(); munmap(a, HP); ev_show("munmap after dontneed");

	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	ev_mark(); printf("munmap 1p rc=%d\n", munmap(a + 10 * PG, PG)); ev_show("munmap 1p");
	vma("munmap 1p lo", me, a); vma("munmap 1p hi", me, a + 11 * PG);
	memline("after munmap 1p", ahp0, ap0, pt0, me);
	page("a+0 after munmap 1p", me, a);
	ev_mark(); munmap(a, HP); ev_show("munmap rest");

	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	ev_mark(); printf("dontneed whole rc=%d\n", madvise(a, HP, MADV_DONTNEED)); ev_show("dontneed whole");
	memline("after dontneed whole", ahp0, ap0, pt0, me);
	ev_mark(); touch_write(a, 1); ev_show("refault after dontneed whole");
	vma("refault", me, a);
	munmap(a, HP);

	printf("== 82 fork and COW\n");
	a = thp_map(1, MADV_HUGEPAGE);
	show_write("write a 0x41", a, 0x41);
	ev_mark();
	int to[2], from[2];
	pipe(to); pipe(from);
	pid_t c = fork();
	if (!c) serve(to[0], from[1]);
	struct cmd cmd = {.op = CMD_READ, .addr = a};
	uint64_t r[2];
	write(to[1], &cmd, sizeof cmd); read(from[0], r, sizeof r);
	ev_show("fork");
	vma("parent after fork", me, a); vma("child after fork", c, a);
	page("parent a", me, a); page("child a", c, a);
	cmd = (struct cmd){.op = CMD_WRITE, .addr = a + 5 * PG, .val = 0x42};
	ev_mark(); write(to[1], &cmd, sizeof cmd); read(from[0], r, sizeof r); ev_show("child write");
	vma("parent after child write", me, a); vma("child after child write", c, a);
	page("parent a", me, a); page("child a", c, a); page("child a+5p", c, a + 5 * PG);
	ev_mark(); show_write("parent write a+6p 0x43", a + 6 * PG, 0x43); ev_show("parent write");
	vma("parent after parent write", me, a); vma("child after parent write", c, a);
	cmd = (struct cmd){.op = CMD_EXIT};
	write(to[1], &cmd, sizeof cmd); waitpid(c, NULL, 0);
	vma("parent after child exit", me, a);
	munmap(a, HP);

	printf("== 83 mlock\n");
	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	long ml0 = mem("Mlocked");
	ev_mark(); printf("mlock whole rc=%d\n", mlock(a, HP)); ev_show("mlock whole");
	vma("mlocked", me, a); printf("Mlocked +%ld\n", mem("Mlocked") - ml0);
	page("a mlocked", me, a);
	ev_mark(); printf("munlock whole rc=%d\n", munlock(a, HP)); ev_show("munlock whole");
	printf("Mlocked +%ld\n", mem("Mlocked") - ml0);
	ev_mark(); printf("mlock half rc=%d\n", mlock(a, HP / 2)); ev_show("mlock half");
	vma("mlocked half", me, a); printf("Mlocked +%ld\n", mem("Mlocked") - ml0);
	page("a half", me, a);
	munmap(a, HP);
	printf("Mlocked +%ld after munmap\n", mem("Mlocked") - ml0);
	a = thp_map(1, MADV_HUGEPAGE);
	mlock(a, HP);
	ev_mark(); touch_write(a, 1); ev_show("fault in locked");
	vma("locked fault", me, a); printf("Mlocked +%ld\n", mem("Mlocked") - ml0);
	munmap(a, HP);

	printf("== 84 collapse\n");
	a = thp_map(1, -1);
	touch_write(a, 512);
	ev_mark(); printf("collapse 512 rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse 512");
	vma("collapsed", me, a);
	munmap(a, HP);
	a = thp_map(1, -1);
	touch_write(a, 10);
	ev_mark(); printf("collapse 10 rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse 10");
	vma("collapsed 10", me, a);
	munmap(a, HP);
	a = thp_map(1, MADV_NOHUGEPAGE);
	touch_write(a, 10);
	ev_mark(); printf("collapse nohuge rc=%d errno=%s\n", madvise(a, HP, MADV_COLLAPSE), strerrorname_np(errno)); ev_show("collapse nohuge");
	munmap(a, HP);
	a = thp_map(1, -1);
	ev_mark(); printf("collapse empty rc=%d errno=%s\n", madvise(a, HP, MADV_COLLAPSE), strerrorname_np(errno)); ev_show("collapse empty");
	vma("collapse empty", me, a);
	munmap(a, HP);

	printf("== 89 collapse rules\n");
	a = thp_map(1, -1);
	for (unsigned long i = 0; i < HP; i += PG) (void)*(volatile char *)(a + i);
	ev_mark(); printf("collapse zero-only rc=%d errno=%s\n", madvise(a, HP, MADV_COLLAPSE), strerrorname_np(errno)); ev_show("collapse zero-only");
	a[5 * PG] = 1;
	mprotect(a, HP, PROT_READ);
	ev_mark(); printf("collapse read-only rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse read-only");
	vma("collapsed read-only", me, a);
	ev_mark(); printf("collapse again rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse again");
	munmap(a, HP);
	a = thp_map(1, MADV_HUGEPAGE);
	(void)*(volatile char *)a;
	ev_mark(); printf("collapse huge zero rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse huge zero");
	munmap(a, HP);
	a = thp_map(1, MADV_HUGEPAGE);
	touch_write(a, 1);
	mprotect(a, PG, PROT_READ);
	mprotect(a, PG, PROT_READ | PROT_WRITE);
	ev_mark(); printf("collapse pte-mapped rc=%d\n", madvise(a, HP, MADV_COLLAPSE)); ev_show("collapse pte-mapped");
	vma("collapsed pte-mapped", me, a);
	munmap(a, HP);
	a = thp_map(2, -1);
	touch_write(a + HP, 8);
	ev_mark(); printf("collapse first empty rc=%d errno=%s\n", madvise(a, 2 * HP, MADV_COLLAPSE), strerrorname_np(errno)); ev_show("collapse first empty");
	vma("first empty", me, a);
	munmap(a, 2 * HP);
	return 0;
}
