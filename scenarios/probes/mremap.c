/* mremap: checks scenarios 26-mremap-grow-shrink, 27-mremap-move, 28-mremap-dontunmap and
 * 29-mremap-errnos. Uses the raw syscall (glibc 2.36's mremap wrapper breaks MREMAP_DONTUNMAP,
 * kernel-oracle.md §2.9). Run as root: gcc -O1 -o /tmp/mremap mremap.c && /tmp/mremap */
#include "probe.h"

static char *mr(void *old, size_t ol, size_t nl, long flags, void *to)
{
	long r = syscall(SYS_mremap, old, ol, nl, flags, to);
	return r < 0 ? MAP_FAILED : (char *)r;
}
#define MR(label, expr) do { char *_v = (expr); printf("%-40s %s\n", label, _v == MAP_FAILED ? strerrorname_np(errno) : "ok"); } while (0)

int main(void)
{
	catch_signals();
	pid_t me = getpid();

	printf("== 26 grow in place, shrink\n");
	char *r = mmap(NULL, 34 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = mmap(r + PG, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	munmap(r + 9 * PG, 24 * PG);
	touch_write(a, 8);
	try_write(a, 0x41);
	int n0 = maps_count(me);
	long vs = status_kb(me, "VmSize"), ra = status_kb(me, "RssAnon");
	char *n = mr(a, 8 * PG, 16 * PG, 0, NULL);
	printf("%-40s %s\n", "grow 8p->16p in place: same address", n == a ? "yes" : "no");
	show_vma("a", me, a);
	P("VmSize delta", status_kb(me, "VmSize") - vs);
	P("maps delta", maps_count(me) - n0);
	show_read("read a+12p", a + 12 * PG);
	show_vma("a after read", me, a);
	MR("grow 16p->33p, no room", mr(a, 16 * PG, 33 * PG, 0, NULL));
	n = mr(a, 16 * PG, 32 * PG, 0, NULL);
	printf("%-40s %s\n", "grow 16p->32p (exact fit)", n == a ? "in place" : "??");
	n = mr(a, 32 * PG, 4 * PG, 0, NULL);
	printf("%-40s %s\n", "shrink 32p->4p", n == a ? "same address" : "??");
	show_vma("a", me, a);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra);
	P("VmSize delta", status_kb(me, "VmSize") - vs);
	show_read("read a+5p", a + 5 * PG);
	show_read("read a", a);
	munmap(r, 34 * PG);

	printf("== 27 move (MAYMOVE, FIXED)\n");
	r = mmap(NULL, 18 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = mmap(r + PG, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	touch_write(a, 8);
	try_write(a, 0x41);
	try_write(a + 7 * PG, 0x47);
	n0 = maps_count(me);
	ra = status_kb(me, "RssAnon");
	n = mr(a, 8 * PG, 16 * PG, MREMAP_MAYMOVE, NULL);
	printf("%-40s %s\n", "grow 8p->16p maymove: moved", n != a ? "yes" : "no");
	show_vma("n", me, n);
	show_read("read n", n);
	show_read("read n+7p", n + 7 * PG);
	show_read("read old a", a);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra);
	P("maps delta", maps_count(me) - n0);
	show_page("n page 0", me, n);
	char *t = mr(n, 16 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + PG);
	printf("%-40s %s\n", "fixed move to r+1p", t == r + PG ? "ok" : strerrorname_np(errno));
	show_vma("t", me, t);
	show_read("read t", t);
	show_read("read t+7p", t + 7 * PG);
	show_read("read t+8p", t + 8 * PG);
	show_read("read old n", n);
	P("maps delta", maps_count(me) - n0);
	P("t VMA start == r+1p", smaps_kb(me, r + PG, "Size"));
	P("RssAnon delta", status_kb(me, "RssAnon") - ra);
	munmap(r, 18 * PG);

	printf("== 28 MREMAP_DONTUNMAP\n");
	a = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 8);
	try_write(a, 0x41);
	n0 = maps_count(me);
	ra = status_kb(me, "RssAnon");
	vs = status_kb(me, "VmSize");
	n = mr(a, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	printf("%-40s %s\n", "dontunmap", n == MAP_FAILED ? strerrorname_np(errno) : "ok");
	show_vma("old a", me, a);
	show_vma("new n", me, n);
	P("maps delta", maps_count(me) - n0);
	P("VmSize delta", status_kb(me, "VmSize") - vs);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra);
	show_page("old a page 0", me, a);
	show_page("new n page 0", me, n);
	show_read("read a", a);
	show_read("read n", n);
	show_write("write a 0x61", a, 0x61);
	show_read("read n", n);
	show_vma("old a", me, a);
	MR("dontunmap with new_len != old_len", mr(n, 8 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL));
	char *sa = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	touch_write(sa, 4);
	try_write(sa, 0x53);
	char *sn = mr(sa, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	printf("%-40s %s\n", "dontunmap shared anon", sn == MAP_FAILED ? strerrorname_np(errno) : "ok");
	show_vma("old sa", me, sa);
	show_vma("new sn", me, sn);
	show_read("read sa", sa);
	show_read("read sn", sn);
	show_write("write sa+1p 0x54", sa + PG, 0x54);
	show_read("read sn+1p", sn + PG);

	printf("== 29 mremap errnos\n");
	a = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 8);
	char *far = iso_map(16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(far - PG, 18 * PG); /* a known hole */
	MR("FIXED without MAYMOVE", mr(a, 8 * PG, 8 * PG, MREMAP_FIXED, far));
	MR("DONTUNMAP without MAYMOVE", mr(a, 8 * PG, 8 * PG, MREMAP_DONTUNMAP, NULL));
	MR("unmapped old range", mr(far, PG, 2 * PG, MREMAP_MAYMOVE, NULL));
	MR("grow without room, no MAYMOVE", mr(a, 8 * PG, 16 * PG, 0, NULL));
	MR("unaligned old address", mr(a + 1, PG, PG, MREMAP_MAYMOVE, NULL));
	MR("new_len 0", mr(a, 8 * PG, 0, MREMAP_MAYMOVE, NULL));
	MR("old_len 0 on private", mr(a, 0, 8 * PG, MREMAP_MAYMOVE, NULL));
	MR("unknown flag 0x8", mr(a, 8 * PG, 8 * PG, MREMAP_MAYMOVE | 0x8, NULL));
	MR("old range crosses VMA end", mr(a, 9 * PG, 9 * PG, MREMAP_MAYMOVE, NULL));
	MR("old range spans into next VMA (grow)", mr(a, 9 * PG, 12 * PG, MREMAP_MAYMOVE, NULL));
	MR("FIXED overlapping", mr(a, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a + 4 * PG));
	MR("FIXED unaligned target", mr(a, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, far + 1));
	MR("same size, no flags", mr(a, 8 * PG, 8 * PG, 0, NULL));
	MR("same size maymove on a hole", mr(far, 2 * PG, 2 * PG, MREMAP_MAYMOVE, NULL));
	MR("same size no flags on a hole", mr(far, 2 * PG, 2 * PG, 0, NULL));
	MR("shrink on a hole", mr(far, 4 * PG, 2 * PG, 0, NULL));
	MR("shrink crossing into a hole (a+6p, 4p->1p)", mr(a + 6 * PG, 4 * PG, PG, 0, NULL));
	show_vma("a", me, a);

	show_vma("a", me, a);
	return 0;
}
