/* fork and COW accounting: checks scenarios 04-fork-pss-halving, 05-fork-child-cow,
 * 06-fork-parent-reuse, 10-fork-shared-anon and 11-exit-parent-keeps-child.
 * The probe itself plays "p"; forked servants play "c" (and in 11 both roles, so "p" can exit).
 * Run as root: gcc -O1 -o /tmp/fork fork.c && /tmp/fork */
#include "probe.h"

static void both(const char *what, pid_t p, pid_t c, char *a)
{
	char l[64];
	snprintf(l, sizeof l, "p %s", what);
	show_vma(l, p, a);
	snprintf(l, sizeof l, "c %s", what);
	show_vma(l, c, a);
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();

	printf("== 04 fork halves Pss\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 10);
	try_write(a, 0x41);
	long pa0 = rollup_kb(me, "Pss_Anon");
	struct servant c = servant_fork();
	both("after fork", me, c.pid, a);
	P("p Pss_Dirty", smaps_kb(me, a, "Pss_Dirty"));
	P("rollup Pss_Anon drop in p (incl. libc anon)", pa0 - rollup_kb(me, "Pss_Anon"));
	show_page("p page 0", me, a);
	show_page("c page 0", c.pid, a);
	show_page("c page 12 (untouched)", c.pid, a + 12 * PG);
	servant_read("c read page 0", &c, a);
	servant_exit(&c);
	show_vma("p after child exit", me, a);
	show_page("p page 0", me, a);
	munmap(a - PG, 18 * PG);

	printf("== 05 child COW: Pss 28 of 40\n");
	a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 10);
	try_write(a, 0x41);
	try_write(a + PG, 0x42);
	try_write(a + 4 * PG, 0x45);
	c = servant_fork();
	unsigned long before = pfn_of(me, a);
	for (int i = 0; i < 4; i++) servant_write("c write page i", &c, a + i * PG, 0x61 + i);
	both("after c writes 0-3", me, c.pid, a);
	printf("%-40s %d\n", "p page 0 keeps its pfn", pfn_of(me, a) == before);
	show_page("p page 0", me, a);
	show_page("c page 0", c.pid, a);
	show_page("c page 4 (still shared)", c.pid, a + 4 * PG);
	show_read("p read page 0", a);
	servant_read("c read page 0", &c, a);
	show_read("p read page 1", a + PG);
	servant_read("c read page 1", &c, a + PG);
	show_read("p read page 2", a + 2 * PG);
	servant_read("c read page 4", &c, a + 4 * PG);

	printf("== 06 parent writes: page 0 reused, page 4 copied\n");
	unsigned long p0 = pfn_of(me, a), p4 = pfn_of(me, a + 4 * PG);
	show_write("p write page 0 0x71", a, 0x71);
	show_write("p write page 4 0x75", a + 4 * PG, 0x75);
	printf("%-40s %d\n", "p page 0 same pfn (reused)", pfn_of(me, a) == p0);
	printf("%-40s %d\n", "p page 4 same pfn", pfn_of(me, a + 4 * PG) == p4);
	both("after p writes 0,4", me, c.pid, a);
	show_page("c page 4", c.pid, a + 4 * PG);
	servant_read("c read page 4", &c, a + 4 * PG);
	servant_read("c read page 0", &c, a);
	servant_exit(&c);
	show_vma("p after child exit", me, a);
	munmap(a - PG, 18 * PG);

	printf("== 10 fork of MAP_SHARED|MAP_ANONYMOUS\n");
	long sh0 = rollup_kb(me, "Pss_Shmem"), rs0 = status_kb(me, "RssShmem");
	char *s = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	touch_write(s, 8);
	try_write(s, 0x41);
	show_vma("p after touch 8", me, s);
	P("p rollup Pss_Shmem delta", rollup_kb(me, "Pss_Shmem") - sh0);
	P("p RssShmem delta", status_kb(me, "RssShmem") - rs0);
	show_page("p page 0", me, s);
	printf("%-40s %d\n", "kpageflags SWAPBACKED", KPF(pfn_of(me, s), KPF_SWAPBACKED));
	c = servant_fork();
	long crs = status_kb(c.pid, "RssShmem");
	show_vma("c after fork", c.pid, s);
	show_page("c page 0", c.pid, s);
	servant_write("c write page 1 0x62", &c, s + PG, 0x62);
	both("after c writes page 1", me, c.pid, s);
	P("c RssShmem after its write", status_kb(c.pid, "RssShmem"));
	P("c RssShmem right after fork", crs);
	P("c rollup Pss_Shmem", rollup_kb(c.pid, "Pss_Shmem"));
	show_page("p page 1", me, s + PG);
	show_read("p read page 1", s + PG);
	servant_write("c write page 10 (hole) 0x6a", &c, s + 10 * PG, 0x6a);
	show_read("p read page 10", s + 10 * PG);
	both("after page 10", me, c.pid, s);
	servant_exit(&c);
	show_vma("p after child exit", me, s);
	munmap(s - PG, 18 * PG);

	printf("== 11 the parent exits, the child keeps the pages\n");
	char *r = mmap(NULL, 18 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = mmap(r + PG, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct servant pp = servant_fork(); /* plays p: gets the untouched VMA */
	munmap(r, 18 * PG);                 /* the probe keeps nothing there */
	servant_touchw(&pp, a, 10);
	servant_write("p write page 0 0x41", &pp, a, 0x41);
	servant_write("p write page 9 0x49", &pp, a + 9 * PG, 0x49);
	struct servant cc = servant_child(&pp);
	servant_write("c write page 0 0x61", &cc, a, 0x61);
	both("before p exits", pp.pid, cc.pid, a);
	unsigned long c9 = pfn_of(cc.pid, a + 9 * PG);
	servant_exit(&pp);
	show_vma("c after p exit", cc.pid, a);
	show_page("c page 9", cc.pid, a + 9 * PG);
	servant_read("c read page 0", &cc, a);
	servant_read("c read page 9", &cc, a + 9 * PG);
	servant_write("c write page 9 0x79", &cc, a + 9 * PG, 0x79);
	printf("%-40s %d\n", "c page 9 same pfn (reused)", pfn_of(cc.pid, a + 9 * PG) == c9);
	show_vma("c after write", cc.pid, a);
	servant_exit(&cc);
	return 0;
}
