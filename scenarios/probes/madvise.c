/* madvise: checks scenarios 17-madv-dontneed, 18-madv-free, 19-madv-populate, 20-madv-dontfork and
 * 21-madv-wipeonfork. Run as root: gcc -O1 -o /tmp/madvise madvise.c && /tmp/madvise */
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

	printf("== 17 MADV_DONTNEED\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 16);
	try_write(a, 0x41);
	try_write(a + 8 * PG, 0x48);
	ERR("dontneed 8p", madvise(a, 8 * PG, MADV_DONTNEED));
	show_vma("a", me, a);
	show_page("page 0", me, a);
	show_read("read page 0", a);
	show_vma("a after read", me, a);
	show_read("read page 8", a + 8 * PG);
	ERR("dontneed unaligned", madvise(a + 1, PG, MADV_DONTNEED));
	ERR("dontneed len 0", madvise(a, 0, MADV_DONTNEED));
	munmap(a + 15 * PG, PG);
	ERR("dontneed over a hole at the end", madvise(a + 8 * PG, 8 * PG, MADV_DONTNEED));
	show_vma("a after", me, a);
	show_read("read page 8", a + 8 * PG);
	int fd = memfd_create("m17", 0);
	ftruncate(fd, 16 * PG);
	char *s = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s, 16);
	try_write(s, 0x53);
	ERR("dontneed shmem 8p", madvise(s, 8 * PG, MADV_DONTNEED));
	show_vma("s", me, s);
	struct stat st;
	fstat(fd, &st);
	P("st_blocks kB", st.st_blocks / 2);
	show_read("read s page 0", s);
	show_vma("s after read (fault-around)", me, s);
	close(fd);

	printf("== 18 MADV_FREE\n");
	char *f = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(f, 16);
	try_write(f, 0x46);
	ERR("free 16p", madvise(f, 16 * PG, MADV_FREE));
	show_vma("f", me, f);
	show_page("page 0", me, f);
	printf("%-40s %d\n", "kpageflags SWAPBACKED (batch, may lag)", KPF(pfn_of(me, f), KPF_SWAPBACKED));
	show_read("read page 0", f);
	try_write(f + PG, 0x47);
	show_vma("f after write page 1", me, f);
	fd = memfd_create("m18", 0);
	ftruncate(fd, 4 * PG);
	s = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ERR("free shared memfd", madvise(s, 4 * PG, MADV_FREE));
	char *m = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ERR("free private memfd", madvise(m, 4 * PG, MADV_FREE));
	char *sa = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ERR("free shared anon", madvise(sa, 4 * PG, MADV_FREE));
	ERR("free unaligned", madvise(f + 8, PG, MADV_FREE));
	ERR("free unknown advice 99", madvise(f, PG, 99));
	close(fd);

	printf("== 19 MADV_POPULATE_(READ|WRITE)\n");
	char *b = iso_map(64, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long fl = minflt();
	ERR("populate_read 64p", madvise(b, 64 * PG, MADV_POPULATE_READ));
	P("minflt", minflt() - fl);
	show_vma("b", me, b);
	show_page("page 0", me, b);
	fl = minflt();
	ERR("populate_write 64p", madvise(b, 64 * PG, MADV_POPULATE_WRITE));
	P("minflt", minflt() - fl);
	show_vma("b", me, b);
	fl = minflt();
	ERR("populate_write again", madvise(b, 64 * PG, MADV_POPULATE_WRITE));
	P("minflt", minflt() - fl);
	char *ro = iso_map(16, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("populate_write on PROT_READ", madvise(ro, 16 * PG, MADV_POPULATE_WRITE));
	ERR("populate_read on PROT_READ", madvise(ro, 16 * PG, MADV_POPULATE_READ));
	show_vma("ro", me, ro);
	char *pn = iso_map(4, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("populate_read on PROT_NONE", madvise(pn, 4 * PG, MADV_POPULATE_READ));
	ERR("populate_write on PROT_NONE", madvise(pn, 4 * PG, MADV_POPULATE_WRITE));
	char *h = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(h + 4 * PG, 4 * PG);
	fl = minflt();
	ERR("populate_write over a hole", madvise(h, 8 * PG, MADV_POPULATE_WRITE));
	P("minflt", minflt() - fl);
	show_vma("h", me, h);
	fd = memfd_create("m19", 0);
	ftruncate(fd, 16 * PG);
	s = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ERR("populate_read shared memfd", madvise(s, 8 * PG, MADV_POPULATE_READ));
	show_vma("s", me, s);
	ERR("populate_write shared memfd", madvise(s + 8 * PG, 8 * PG, MADV_POPULATE_WRITE));
	show_vma("s", me, s);
	fstat(fd, &st);
	P("st_blocks kB", st.st_blocks / 2);
	close(fd);

	printf("== 20 MADV_DONTFORK\n");
	char *d = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *e = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(d, 4);
	try_write(d, 0x44);
	touch_write(e, 16);
	try_write(e, 0x45);
	try_write(e + 4 * PG, 0x49);
	int n0 = maps_count(me);
	ERR("dontfork d", madvise(d, 16 * PG, MADV_DONTFORK));
	P("maps delta", maps_count(me) - n0);
	ERR("dontfork e+4p 4p", madvise(e + 4 * PG, 4 * PG, MADV_DONTFORK));
	P("maps delta", maps_count(me) - n0);
	P("VmFlags dc d", vmflag(me, d, "dc"));
	P("VmFlags dc e", vmflag(me, e, "dc"));
	P("VmFlags dc e+4p", vmflag(me, e + 4 * PG, "dc"));
	long vs = status_kb(me, "VmSize");
	struct servant c = servant_fork();
	P("child VmSize - parent VmSize", status_kb(c.pid, "VmSize") - vs);
	P("child maps - parent maps", maps_count(c.pid) - maps_count(me));
	servant_read("c read d", &c, d);
	servant_read("c read e", &c, e);
	servant_read("c read e+4p", &c, e + 4 * PG);
	servant_read("c read e+8p", &c, e + 8 * PG);
	show_vma("p e", me, e);
	show_vma("c e", c.pid, e);
	P("c RssAnon - (p RssAnon)", status_kb(c.pid, "RssAnon") - status_kb(me, "RssAnon"));
	servant_exit(&c);
	ERR("dofork e+4p 4p", madvise(e + 4 * PG, 4 * PG, MADV_DOFORK));
	P("maps delta", maps_count(me) - n0);
	c = servant_fork();
	servant_read("c read e+4p", &c, e + 4 * PG);
	show_vma("c e", c.pid, e);
	servant_exit(&c);

	printf("== 21 MADV_WIPEONFORK\n");
	char *w = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(w, 8);
	try_write(w, 0x41);
	ERR("wipeonfork", madvise(w, 16 * PG, MADV_WIPEONFORK));
	P("VmFlags wf", vmflag(me, w, "wf"));
	c = servant_fork();
	show_vma("c w", c.pid, w);
	P("c VmFlags wf", vmflag(c.pid, w, "wf"));
	servant_read("c read w", &c, w);
	show_vma("c w after read", c.pid, w);
	show_read("p read w", w);
	show_vma("p w", me, w);
	servant_write("c write w 0x61", &c, w, 0x61);
	show_vma("c w after write", c.pid, w);
	show_read("p read w", w);
	servant_exit(&c);
	sa = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ERR("wipeonfork shared anon", madvise(sa, 4 * PG, MADV_WIPEONFORK));
	fd = memfd_create("m21", 0);
	ftruncate(fd, 4 * PG);
	m = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ERR("wipeonfork private memfd", madvise(m, 4 * PG, MADV_WIPEONFORK));
	ERR("keeponfork", madvise(w, 16 * PG, MADV_KEEPONFORK));
	P("VmFlags wf", vmflag(me, w, "wf"));
	c = servant_fork();
	servant_read("c read w", &c, w);
	show_vma("c w", c.pid, w);
	servant_exit(&c);
	close(fd);
	return 0;
}
