/* memfd / shmem: checks scenarios 12-memfd-shared, 13-memfd-punch-hole,
 * 14-memfd-private-cow-punch-truncate, 15-fallocate-errnos and 16-madv-remove.
 * meminfo Shmem is global: the probe writes /proc/sys/vm/stat_refresh before reading it and prints
 * deltas, which are only indicative (other processes); the scripts derive Shmem from source.
 * Run as root: gcc -O1 -o /tmp/memfd memfd.c && /tmp/memfd */
#include "probe.h"

static long shmem0;
static long shmem_delta(void)
{
	int f = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	write(f, "1", 1);
	close(f);
	return field_of("/proc/meminfo", "Shmem") - shmem0;
}
static void shmem_base(void) { shmem0 = 0; shmem0 = shmem_delta(); }
static void blocks(const char *label, int fd)
{
	struct stat st;
	fstat(fd, &st);
	printf("%-40s size=%ld blocks_kB=%ld\n", label, (long)st.st_size, (long)st.st_blocks / 2);
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();
	long rs0 = status_kb(me, "RssShmem"), ps0 = rollup_kb(me, "Pss_Shmem");

	printf("== 12 memfd shared mapping\n");
	shmem_base();
	int fd = memfd_create("m12", 0);
	ftruncate(fd, 64 * PG);
	char *s = iso_map(64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show_vma("mmap", me, s);
	touch_write(s, 64);
	show_vma("touch 64 write", me, s);
	P("rollup Pss_Shmem delta", rollup_kb(me, "Pss_Shmem") - ps0);
	P("RssShmem delta", status_kb(me, "RssShmem") - rs0);
	P("VmFlags has sh", vmflag(me, s, "sh"));
	show_page("page 0", me, s);
	printf("%-40s SWAPBACKED=%d DIRTY=%d\n", "kpageflags page 0", KPF(pfn_of(me, s), KPF_SWAPBACKED), KPF(pfn_of(me, s), KPF_DIRTY));
	P("Shmem delta", shmem_delta());
	try_write(s, 0x41);
	uint64_t v = 0;
	pread(fd, &v, 8, 0);
	P("pread 0", v);
	v = 0x42;
	for (int i = 0; i < 512; i++) pwrite(fd, &v, 8, PG + 8 * i);
	show_read("read page 1 after pwrite", s + PG);
	char *s2 = iso_map(16, PROT_READ, MAP_SHARED, fd, 0);
	touch_read(s2, 16);
	show_vma("s2 after touch 16 read", me, s2);
	show_vma("s", me, s);
	P("rollup Pss_Shmem delta", rollup_kb(me, "Pss_Shmem") - ps0);
	P("RssShmem delta", status_kb(me, "RssShmem") - rs0);
	show_page("s page 0", me, s);
	close(fd);
	P("Shmem delta after close", shmem_delta());
	show_read("read s page 1 after close", s + PG);
	munmap(s - PG, 66 * PG);
	P("Shmem delta after munmap s", shmem_delta());
	munmap(s2 - PG, 18 * PG);
	P("Shmem delta after munmap s2", shmem_delta());

	printf("== 13 punch hole\n");
	shmem_base();
	fd = memfd_create("m13", 0);
	ftruncate(fd, 64 * PG);
	s = iso_map(64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s, 64);
	try_write(s + 16 * PG, 0x50);
	try_write(s + 32 * PG, 0x60);
	ERR("punch keep_size 16p 16p", fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 16 * PG, 16 * PG));
	show_vma("after punch", me, s);
	P("rollup Pss_Shmem delta", rollup_kb(me, "Pss_Shmem") - ps0);
	P("RssShmem delta", status_kb(me, "RssShmem") - rs0);
	P("Shmem delta", shmem_delta());
	blocks("fstat", fd);
	show_page("page 16", me, s + 16 * PG);
	show_read("read page 16", s + 16 * PG);
	show_vma("after read 16", me, s);
	P("Shmem delta", shmem_delta());
	show_read("read page 32", s + 32 * PG);
	ERR("punch beyond EOF 100p 4p", fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 100 * PG, 4 * PG));
	blocks("fstat", fd);
	v = 7;
	pread(fd, &v, 8, 63 * PG);
	P("pread 63p", v);
	close(fd);
	munmap(s - PG, 66 * PG);

	printf("== 14 private COW pages survive a punch, not a truncate\n");
	shmem_base();
	long ra0 = status_kb(me, "RssAnon");
	fd = memfd_create("m14", 0);
	ftruncate(fd, 64 * PG);
	s = iso_map(64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s, 64);
	try_write(s, 0x53);
	fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 16 * PG, 16 * PG);
	char *m = iso_map(64, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	for (int i = 0; i < 4; i++) try_write(m + i * PG, 0x50);
	for (int i = 16; i < 20; i++) try_write(m + i * PG, 0x51);
	show_vma("m after writes", me, m);
	show_vma("s", me, s);
	P("Shmem delta", shmem_delta());
	blocks("fstat", fd);
	show_page("m page 16", me, m + 16 * PG);
	ERR("punch 0 8p", fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 8 * PG));
	show_vma("m after punch", me, m);
	show_vma("s after punch", me, s);
	P("Shmem delta", shmem_delta());
	show_read("read m page 0", m);
	show_read("read m page 16", m + 16 * PG);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra0);
	ERR("ftruncate 0", ftruncate(fd, 0));
	show_vma("m after truncate", me, m);
	show_vma("s after truncate", me, s);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra0);
	P("Shmem delta", shmem_delta());
	show_read("read m page 0", m);
	show_read("read s page 0", s);
	show_write("write m page 0", m, 0x51);
	ERR("ftruncate 8p", ftruncate(fd, 8 * PG));
	show_read("read m page 1", m + PG);
	show_vma("m after regrow+read", me, m);
	P("Shmem delta", shmem_delta());
	close(fd);
	munmap(s - PG, 66 * PG);
	munmap(m - PG, 66 * PG);
	P("Shmem delta after close+munmap", shmem_delta());

	printf("== 15 fallocate errnos\n");
	shmem_base();
	fd = memfd_create("m15", 0);
	ERR("punch without keep_size", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PG));
	ERR("punch|keep len 0", fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 0));
	ERR("mode 0 len 0", fallocate(fd, 0, 0, 0));
	ERR("mode 0 0 4p", fallocate(fd, 0, 0, 4 * PG));
	blocks("fstat", fd);
	P("Shmem delta", shmem_delta());
	s = iso_map(8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show_vma("mapping of 8p", me, s);
	ERR("keep_size 4p 4p", fallocate(fd, FALLOC_FL_KEEP_SIZE, 4 * PG, 4 * PG));
	blocks("fstat", fd);
	P("Shmem delta", shmem_delta());
	show_read("read page 3", s + 3 * PG);
	show_read("read page 4 (beyond EOF)", s + 4 * PG);
	ERR("collapse_range", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, PG));
	ERR("zero_range", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, PG));
	ERR("insert_range", fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, PG));
	ERR("unshare_range", fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, PG));
	ERR("punch|zero_range", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE, 0, PG));
	ERR("unknown bit 0x100", fallocate(fd, 0x100, 0, PG));
	ERR("bad fd 99", fallocate(99, 0, 0, PG));
	ERR("negative offset", fallocate(fd, 0, -PG, PG));
	close(fd);
	munmap(s - PG, 10 * PG);
	P("Shmem delta after close+munmap", shmem_delta());

	printf("== 16 MADV_REMOVE\n");
	shmem_base();
	fd = memfd_create("m16", 0);
	ftruncate(fd, 64 * PG);
	s = iso_map(64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s, 64);
	try_write(s + 40 * PG, 0x28);
	ERR("remove shared 16p..32p", madvise(s + 16 * PG, 16 * PG, MADV_REMOVE));
	show_vma("s", me, s);
	P("Shmem delta", shmem_delta());
	blocks("fstat", fd);
	show_page("page 16", me, s + 16 * PG);
	show_read("read page 16", s + 16 * PG);
	show_read("read page 40", s + 40 * PG);
	P("Shmem delta", shmem_delta());
	m = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ERR("remove private memfd", madvise(m, 16 * PG, MADV_REMOVE));
	char *sr = iso_map(4, PROT_READ, MAP_SHARED, fd, 0);
	ERR("remove read-only shared memfd", madvise(sr, 4 * PG, MADV_REMOVE));
	show_vma("s after remove via sr", me, s);
	P("Shmem delta", shmem_delta());
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("remove private anon", madvise(a, 16 * PG, MADV_REMOVE));
	char *sa = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	touch_write(sa, 4);
	P("Shmem delta", shmem_delta());
	ERR("remove shared anon", madvise(sa, 16 * PG, MADV_REMOVE));
	show_vma("shared anon after remove", me, sa);
	P("Shmem delta", shmem_delta());
	close(fd);
	return 0;
}
