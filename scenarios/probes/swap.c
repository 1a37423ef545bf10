/* Swap on a zram device (synchronous, like the model's): pageout, refault, fork-shared entries,
 * shmem, MADV_FREE and WILLNEED on swapped pages, mlock of a swapped range.
 * Sets up zram0 as the only swap (64 MiB) and tears it down again; run as root on an idle box:
 *   gcc -O1 -o /tmp/swap scenarios/probes/swap.c && /tmp/swap
 */
#include "probe.h"
#include <sys/resource.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static long flt(pid_t pid, int maj)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof buf, f)) return -1;
	fclose(f);
	char *p = strrchr(buf, ')') + 2;
	long v[16];
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt */
	sscanf(p, "%*c %ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
	return maj ? v[8] : v[6];
}

static void pm(const char *label, pid_t pid, void *a)
{
	uint64_t e = pagemap(pid, a);
	printf("%-40s present=%d swap=%d file=%d excl=%d", label, PM_PRESENT(e), PM_SWAP(e), PM_FILE(e), PM_EXCL(e));
	if (PM_SWAP(e)) printf(" swp=%d:%#lx\n", (int)(e & 31), (unsigned long)(PM_PFN(e) >> 5));
	else if (PM_PRESENT(e)) printf(" cache=%d\n", KPF(PM_PFN(e), 13));
	else printf("\n");
}

static void sm(const char *label, void *a)
{
	printf("%-40s Rss=%ld Swap=%ld SwapPss=%ld PrivClean=%ld PrivDirty=%ld Anon=%ld\n", label,
	       smaps_kb(getpid(), a, "Rss"), smaps_kb(getpid(), a, "Swap"), smaps_kb(getpid(), a, "SwapPss"),
	       smaps_kb(getpid(), a, "Private_Clean"), smaps_kb(getpid(), a, "Private_Dirty"),
	       smaps_kb(getpid(), a, "Anonymous"));
}

#define DELTA(label, pid, maj, stmt)                                                             \
	do {                                                                                     \
		long _b = flt(pid, maj);                                                         \
		stmt;                                                                            \
		P(label, flt(pid, maj) - _b);                                                    \
	} while (0)

int main(void)
{
	catch_signals();
	if (system("swapoff -a; echo 1 > /sys/block/zram0/reset; echo 64M > /sys/block/zram0/disksize && "
		   "mkswap /dev/zram0 >/dev/null && swapon /dev/zram0"))
		return 1;
	P("SwapTotal", field_of("/proc/meminfo", "SwapTotal"));
	pid_t me = getpid();

	/* A: 16 written anon pages, paged out, then faulted back */
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++) *(uint64_t *)(a + i * PG) = 0x100 + i;
	ERR("A pageout", madvise(a, 16 * PG, MADV_PAGEOUT));
	sm("A after pageout", a);
	P("A VmSwap", status_kb(me, "VmSwap"));
	P("A RssAnon", status_kb(me, "RssAnon"));
	pm("A page0", me, a);
	pm("A page15", me, a + 15 * PG);
	uint64_t v;
	DELTA("A read0 majflt", me, 1, try_read(a, &v));
	printf("%-40s %#lx\n", "A read0 value", (unsigned long)v);
	pm("A page0 after read", me, a);
	DELTA("A write1 majflt", me, 1, try_write(a + PG, 0x999));
	pm("A page1 after write", me, a + PG);
	sm("A after 2 faults", a);
	P("A VmSwap 2", status_kb(me, "VmSwap"));
	/* B: fork with swap entries */
	struct servant s = servant_fork();
	sm("B parent after fork", a);
	P("B child VmSwap", status_kb(s.pid, "VmSwap"));
	long b0 = flt(s.pid, 1);
	servant_read("B child read2", &s, a + 2 * PG);
	P("B child read2 majflt", flt(s.pid, 1) - b0);
	pm("B child page2", s.pid, a + 2 * PG);
	DELTA("B parent read2 majflt", me, 1, try_read(a + 2 * PG, &v));
	pm("B parent page2", me, a + 2 * PG);
	sm("B parent after", a);
	P("B SwapCached kB", field_of("/proc/meminfo", "SwapCached"));
	b0 = flt(s.pid, 0);
	servant_write("B child write3", &s, a + 3 * PG, 0x333);
	P("B child write3 minflt", flt(s.pid, 0) - b0);
	pm("B child page3", s.pid, a + 3 * PG);
	DELTA("B parent read3 majflt", me, 1, try_read(a + 3 * PG, &v));
	printf("%-40s %#lx\n", "B parent read3 value", (unsigned long)v);
	pm("B parent page3", me, a + 3 * PG);
	servant_exit(&s);
	sm("B parent after child exit", a);
	/* D: MADV_FREE and WILLNEED on swapped pages */
	ERR("D free 4-7", madvise(a + 4 * PG, 4 * PG, MADV_FREE));
	P("D VmSwap", status_kb(me, "VmSwap"));
	DELTA("D read4 majflt", me, 1, try_read(a + 4 * PG, &v));
	printf("%-40s %#lx\n", "D read4 value", (unsigned long)v);
	ERR("D willneed 8-11", madvise(a + 8 * PG, 4 * PG, MADV_WILLNEED));
	usleep(100000);
	P("D VmSwap after willneed", status_kb(me, "VmSwap"));
	pm("D page8", me, a + 8 * PG);
	DELTA("D read8 majflt", me, 1, try_read(a + 8 * PG, &v));
	pm("D page8 after read", me, a + 8 * PG);
	sm("D after", a);
	/* E: mlock of a partly swapped range */
	DELTA("E mlock majflt", me, 1, mlock(a + 12 * PG, 4 * PG));
	P("E VmSwap", status_kb(me, "VmSwap"));
	P("E Locked", smaps_kb(me, a + 12 * PG, "Locked"));
	munmap(a, 16 * PG);
	P("E VmSwap after munmap", status_kb(me, "VmSwap"));

	/* C: shmem */
	int fd = memfd_create("sw", 0);
	ftruncate(fd, 8 * PG);
	char *m = iso_map(8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	for (int i = 0; i < 8; i++) *(uint64_t *)(m + i * PG) = 0x200 + i;
	ERR("C pageout", madvise(m, 8 * PG, MADV_PAGEOUT));
	sm("C after pageout", m);
	P("C RssShmem", status_kb(me, "RssShmem"));
	P("C VmSwap", status_kb(me, "VmSwap"));
	pm("C page0", me, m);
	DELTA("C read0 majflt", me, 1, try_read(m, &v));
	printf("%-40s %#lx\n", "C read0 value", (unsigned long)v);
	uint64_t pv = 0;
	P("C pread1", pread(fd, &pv, 8, PG));
	printf("%-40s %#lx\n", "C pread1 value", (unsigned long)pv);
	sm("C after read", m);
	char *q = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	sm("C private view", q);
	ERR("C punch 2-3", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * PG, 2 * PG));
	sm("C after punch", m);
	sm("C private after punch", q);
	munmap(m, 8 * PG);
	munmap(q, 8 * PG);
	close(fd);

	system("swapoff /dev/zram0; echo 1 > /sys/block/zram0/reset");
	return 0;
}
