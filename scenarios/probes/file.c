/* Regular disk files (ext4 under /tmp on this VM): checks scenarios 30-file-shared-write,
 * 31-file-private-cow and 32-file-sigbus-eof.
 * Run as root: gcc -O1 -o /tmp/file file.c && /tmp/file */
#include "probe.h"

static void pw(int fd, off_t off, uint64_t v)
{
	uint64_t buf[PG / 8];
	for (size_t i = 0; i < PG / 8; i++) buf[i] = v;
	pwrite(fd, buf, PG, off);
}
static void pr(const char *label, int fd, off_t off)
{
	uint64_t v = 0;
	ssize_t n = pread(fd, &v, 8, off);
	printf("%-40s %#lx (%zd bytes)\n", label, (unsigned long)v, n);
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();

	printf("== 30 MAP_SHARED file writes\n");
	long rf0 = status_kb(me, "RssFile");
	int f = open("/tmp/pr/f30.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(f, 16 * PG);
	char *s = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	show_write("write s 0x41", s, 0x41);
	touch_write(s + PG, 3);
	show_vma("s", me, s);
	P("RssFile delta (includes libc text)", status_kb(me, "RssFile") - rf0);
	show_page("s page 0", me, s);
	printf("%-40s DIRTY=%d MMAP=%d\n", "kpageflags page 0", KPF(pfn_of(me, s), KPF_DIRTY), KPF(pfn_of(me, s), KPF_MMAP));
	pr("pread 0", f, 0);
	pw(f, PG, 0x42);
	show_read("read s+1p after pwrite", s + PG);
	struct servant c = servant_fork();
	show_vma("c s after fork", c.pid, s);
	servant_write("c write s+2p 0x62", &c, s + 2 * PG, 0x62);
	show_vma("p s", me, s);
	show_vma("c s", c.pid, s);
	show_read("p read s+2p", s + 2 * PG);
	pr("pread 2p", f, 2 * PG);
	servant_exit(&c);
	show_vma("p s after child exit", me, s);
	munmap(s - PG, 18 * PG);
	close(f);
	unlink("/tmp/pr/f30.dat");

	printf("== 31 MAP_PRIVATE file: COW to anon\n");
	long ra0 = status_kb(me, "RssAnon");
	rf0 = status_kb(me, "RssFile");
	f = open("/tmp/pr/f31.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(f, 8 * PG);
	pw(f, 0, 0x41);
	pw(f, PG, 0x42);
	char *m = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	touch_read(m, 8);
	show_vma("m after touch 8 read", me, m);
	P("RssFile delta", status_kb(me, "RssFile") - rf0);
	show_read("read m", m);
	show_write("write m 0x61", m, 0x61);
	show_vma("m", me, m);
	pr("pread 0", f, 0);
	show_page("m page 0", me, m);
	show_page("m page 1", me, m + PG);
	show_write("write m+5p 0x65", m + 5 * PG, 0x65);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra0);
	P("RssFile delta", status_kb(me, "RssFile") - rf0);
	pw(f, PG, 0x52);
	show_read("read m+1p after pwrite", m + PG);
	pw(f, 0, 0x71);
	show_read("read m after pwrite", m);
	char *m2 = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	show_write("write m2+3p 0x33 (no read first)", m2 + 3 * PG, 0x33);
	show_vma("m2", me, m2);
	pr("pread 3p", f, 3 * PG);
	munmap(m - PG, 10 * PG);
	munmap(m2 - PG, 10 * PG);
	P("RssAnon delta after munmap", status_kb(me, "RssAnon") - ra0);
	close(f);
	unlink("/tmp/pr/f31.dat");

	printf("== 32 beyond EOF\n");
	f = open("/tmp/pr/f32.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(f, 2 * PG + 100);
	s = iso_map(8, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	show_write("write s 0x41", s, 0x41);
	show_read("read s+2p (EOF page)", s + 2 * PG);
	show_read("read s+3p", s + 3 * PG);
	show_write("write s+7p", s + 7 * PG, 0x47);
	m = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	show_write("write m+4p (private)", m + 4 * PG, 0x44);
	show_vma("m", me, m);
	ERR("ftruncate 1p", ftruncate(f, PG));
	show_vma("s after shrink", me, s);
	show_read("read s+1p", s + PG);
	show_read("read s", s);
	ERR("ftruncate 8p", ftruncate(f, 8 * PG));
	show_read("read s+5p", s + 5 * PG);
	show_read("read s+1p", s + PG);
	close(f);
	unlink("/tmp/pr/f32.dat");
	return 0;
}
