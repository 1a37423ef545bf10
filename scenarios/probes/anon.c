/* Anonymous faults: checks scenarios 01-anon-write-fault, 02-zero-page-read, 03-zero-page-cow and
 * 33-status-teardown. Run as root: gcc -O1 -o /tmp/anon anon.c && /tmp/anon */
#include "probe.h"
#include <sys/resource.h>

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();
	long vm0 = status_kb(me, "VmSize"), rss0 = status_kb(me, "RssAnon");
	long pa0 = rollup_kb(me, "Pss_Anon");

	printf("== 01 anon write fault\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("VmSize delta (reservation 18p)", status_kb(me, "VmSize") - vm0);
	show_vma("mmap 16", me, a);
	long f = minflt();
	touch_write(a, 10);
	P("minflt for touch 10 write", minflt() - f);
	show_vma("touch 10 write", me, a);
	P("Pss", smaps_kb(me, a, "Pss"));
	P("Pss_Dirty", smaps_kb(me, a, "Pss_Dirty"));
	P("status RssAnon delta", status_kb(me, "RssAnon") - rss0);
	P("rollup Pss_Anon delta", rollup_kb(me, "Pss_Anon") - pa0);
	show_page("page 0", me, a);
	printf("%-40s %d\n", "kpageflags SWAPBACKED page 0", KPF(PM_PFN(pagemap(me, a)), KPF_SWAPBACKED));
	show_page("page 10 (untouched)", me, a + 10 * PG);
	show_write("write page 0 0x41", a, 0x41);
	show_read("read page 0", a);
	show_read("read page 1 (touched, never written)", a + PG);
	P("Rss after reads", smaps_kb(me, a, "Rss"));

	printf("== 02 zero page read\n");
	char *b = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long rssb = status_kb(me, "RssAnon");
	f = minflt();
	touch_read(b, 16);
	P("minflt for touch 16 read", minflt() - f);
	show_vma("touch 16 read", me, b);
	show_page("page 0", me, b);
	printf("%-40s %d\n", "kpageflags RESERVED(32) page 0", KPF(PM_PFN(pagemap(me, b)), 32));
	show_page("page 15", me, b + 15 * PG);
	show_read("read page 5", b + 5 * PG);
	P("status RssAnon delta", status_kb(me, "RssAnon") - rssb);

	printf("== 03 read then write: COW from the zero page\n");
	char *c = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f = minflt();
	touch_read(c, 4);
	P("minflt read 4", minflt() - f);
	f = minflt();
	show_write("write page 0 0x41", c, 0x41);
	show_write("write page 1 0x42", c + PG, 0x42);
	P("minflt write 2 (on zero-page PTEs)", minflt() - f);
	show_vma("after", me, c);
	show_page("page 0", me, c);
	show_page("page 2 (still zero page)", me, c + 2 * PG);
	show_read("read page 0", c);
	show_read("read page 1", c + PG);
	show_read("read page 2", c + 2 * PG);
	f = minflt();
	show_write("write page 5 0x43 (no read first)", c + 5 * PG, 0x43);
	P("minflt direct write", minflt() - f);
	show_vma("after", me, c);

	printf("== 33 status\n");
	long vms = status_kb(me, "VmSize"), rsa = status_kb(me, "RssAnon"), rsf = status_kb(me, "RssFile"),
	     rss = status_kb(me, "RssShmem"), vrss = status_kb(me, "VmRSS");
	char *d = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("s33", 0);
	ftruncate(fd, 8 * PG);
	char *e = iso_map(8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int ff = open("/tmp/pr/s33.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(ff, 4 * PG);
	char *g = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, ff, 0);
	touch_write(d, 6);
	touch_write(e, 3);
	touch_write(g, 2);
	P("VmSize delta", status_kb(me, "VmSize") - vms);
	P("VmRSS delta", status_kb(me, "VmRSS") - vrss);
	P("RssAnon delta", status_kb(me, "RssAnon") - rsa);
	P("RssFile delta", status_kb(me, "RssFile") - rsf);
	P("RssShmem delta", status_kb(me, "RssShmem") - rss);
	show_vma("memfd shared", me, e);
	show_vma("file shared", me, g);
	show_page("file page 0", me, g);
	long cva = status_kb(me, "VmSize"), cra = status_kb(me, "RssAnon"), crf = status_kb(me, "RssFile"),
	     crs = status_kb(me, "RssShmem");
	struct servant sv = servant_fork();
	printf("%-40s VmSize=%ld RssAnon=%ld RssFile=%ld RssShmem=%ld\n", "child minus parent",
	       status_kb(sv.pid, "VmSize") - cva, status_kb(sv.pid, "RssAnon") - cra,
	       status_kb(sv.pid, "RssFile") - crf, status_kb(sv.pid, "RssShmem") - crs);
	show_vma("child d", sv.pid, d);
	show_vma("child e", sv.pid, e);
	show_vma("child g", sv.pid, g);
	servant_exit(&sv);
	munmap(d - PG, 18 * PG);
	munmap(e - PG, 10 * PG);
	munmap(g - PG, 6 * PG);
	P("VmSize delta after munmap", status_kb(me, "VmSize") - vms);
	P("RssShmem delta after munmap", status_kb(me, "RssShmem") - rss);
	close(fd);
	close(ff);
	unlink("/tmp/pr/s33.dat");
	return 0;
}
