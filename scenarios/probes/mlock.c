/* mlock family: checks scenarios 34-mlock-populate-munlock, 35-mlock-onfault,
 * 36-mlock-vma-management, 37-mlockall, 38-memlock-rlimit, 39-mlock-hole-protnone, 40-mlock-fork,
 * 41-mlock-munmap-exit, 42-mlock-mremap, 43-mlock-memfd-private-cow and 44-mlock-shmem-two-mappings;
 * section "37m" checks the merge of adjacent locked reservations used in 37, and section "46c" (run
 * only when asked: /tmp/mlock 46c) compacts memory to watch the per-page mlock events of a migration
 * that 46-move-pages-two-nodes derives (this VM has one node, so move_pages cannot migrate).
 *
 * Model conventions reproduced here: the probe drops CAP_IPC_LOCK from its effective set at once
 * (a model process starts without it) and keeps RLIMIT_MEMLOCK = 8 MiB; `cap_ipc_lock p on` is
 * played by raising the capability again. Sections that change the rlimit or call mlockall run in
 * a forked child that prints its own numbers.
 *
 * Global counters (meminfo Mlocked/Unevictable/AnonPages/Shmem, vmstat nr_mlock and
 * unevictable_pgs_*, pgmigrate_success) are taken with the drain protocol of
 * ../shared/research/kernel-oracle.md §3: CPU pinned, a move_pages call with a node array (it runs
 * lru_cache_disable(), which drains every CPU's folio batches, the mlock batch included) and
 * /proc/sys/vm/stat_refresh before every read. "d:" lines print only the counters that moved since
 * the previous "d:" line. Other processes can still pollute them: run twice and compare.
 * Run as root: gcc -O1 -o /tmp/mlock mlock.c && /tmp/mlock [section] */
#include "probe.h"
#include <sched.h>
#include <sys/resource.h>
#include <linux/capability.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#define MPOL_MF_MOVE (1 << 1)

enum { KPF_LRU = 5, KPF_UNEVICTABLE = 18, KPF_MLOCKED = 33 };

static char *drain_pg;
static void refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		write(fd, "1", 1);
		close(fd);
	}
}
static void drain(void)
{
	void *pg = drain_pg;
	int node = 0, st;
	syscall(SYS_move_pages, 0, 1, &pg, &node, &st, 0);
	refresh();
}
static long vmstat(const char *name)
{
	char line[256];
	size_t l = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, name, l) && line[l] == ' ') { v = atol(line + l + 1); break; }
	fclose(f);
	return v;
}
#define NS 12
static const char *sname[NS] = {"Mlocked", "Unevictable", "AnonPages", "Shmem", "nr_mlock",
	"unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "unevictable_pgs_culled",
	"unevictable_pgs_rescued", "unevictable_pgs_stranded", "unevictable_pgs_cleared", "pgmigrate_success"};
static const char *sshort[NS] = {"Mlocked(kB)", "Unevictable(kB)", "AnonPages(kB)", "Shmem(kB)", "nr_mlock",
	"mlocked", "munlocked", "culled", "rescued", "stranded", "cleared", "pgmigrate_success"};
struct snap { long v[NS]; };
static struct snap snap(void)
{
	struct snap s;
	drain();
	for (int i = 0; i < NS; i++) s.v[i] = i < 4 ? field_of("/proc/meminfo", sname[i]) : vmstat(sname[i]);
	return s;
}
/* Prints what moved since *s and makes *s the new baseline. */
static void delta(const char *label, struct snap *s)
{
	struct snap n = snap();
	printf("d: %-36s", label);
	int any = 0;
	for (int i = 0; i < NS; i++)
		if (n.v[i] != s->v[i]) { printf(" %s%+ld", sshort[i], n.v[i] - s->v[i]); any = 1; }
	printf("%s\n", any ? "" : " (nothing)");
	*s = n;
}

static void set_ipc_lock(int on)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	if (on) d[0].effective |= 1u << CAP_IPC_LOCK;
	else d[0].effective &= ~(1u << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &h, d)) perror("capset");
}
static int set_memlock(rlim_t v)
{
	struct rlimit r = {v, v};
	return setrlimit(RLIMIT_MEMLOCK, &r);
}

static long minflt_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strrchr(buf, ')');
	long v = 0;
	/* after ")": state ppid pgrp session tty tpgid flags minflt */
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu", (unsigned long *)&v);
	return v;
}

static void show_lk(const char *label, pid_t pid, void *a)
{
	printf("%-30s Size=%ld Rss=%ld Locked=%ld Anonymous=%ld lo=%d lf=%d | VmLck=%ld VmSize=%ld RssAnon=%ld "
	       "RssShmem=%ld maps=%d\n",
	       label, smaps_kb(pid, a, "Size"), smaps_kb(pid, a, "Rss"), smaps_kb(pid, a, "Locked"),
	       smaps_kb(pid, a, "Anonymous"), vmflag(pid, a, "lo"), vmflag(pid, a, "lf"), status_kb(pid, "VmLck"),
	       status_kb(pid, "VmSize"), status_kb(pid, "RssAnon"), status_kb(pid, "RssShmem"), maps_count(pid));
}
static void show_kpf(const char *label, pid_t pid, void *a)
{
	uint64_t e = pagemap(pid, a);
	printf("%-30s present=%d excl=%d", label, PM_PRESENT(e), PM_EXCL(e));
	if (PM_PRESENT(e)) {
		uint64_t pfn = PM_PFN(e);
		printf(" kpagecount=%ld MLOCKED=%d UNEVICTABLE=%d LRU=%d ANON=%d ZERO_PAGE=%d", KPAGECOUNT(pfn),
		       KPF(pfn, KPF_MLOCKED), KPF(pfn, KPF_UNEVICTABLE), KPF(pfn, KPF_LRU), KPF(pfn, KPF_ANON),
		       KPF(pfn, KPF_ZERO_PAGE));
	}
	printf("\n");
}
static long mlock2_(void *a, size_t l, int f) { return syscall(SYS_mlock2, a, l, f); }
static char *mr(void *old, size_t ol, size_t nl, long flags, void *to)
{
	long r = syscall(SYS_mremap, old, ol, nl, flags, to);
	return r < 0 ? MAP_FAILED : (char *)r;
}
#define MAPERR(label, p) printf("%-40s %s\n", label, (p) == MAP_FAILED ? strerrorname_np(errno) : "ok")

/* A forked servant that runs job functions in its own mm. */
typedef long (*jobfn)(long, long, long, long);
struct job { jobfn fn; long a, b, c, d; };
struct srv { pid_t pid; int to, from; };
static struct srv srv_fork(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	pid_t pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		struct job j;
		while (read(a[0], &j, sizeof j) == sizeof j) {
			if (!j.fn) _exit(0);
			errno = 0;
			long r[2];
			r[0] = j.fn(j.a, j.b, j.c, j.d);
			r[1] = errno;
			write(b[1], r, sizeof r);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	return (struct srv){pid, a[1], b[0]};
}
static long srv_call(struct srv *s, jobfn fn, long a, long b, long c, long d, int *err)
{
	struct job j = {fn, a, b, c, d};
	long r[2];
	write(s->to, &j, sizeof j);
	read(s->from, r, sizeof r);
	if (err) *err = (int)r[1];
	return r[0];
}
static void srv_exit(struct srv *s)
{
	struct job j = {0};
	char buf[16];
	write(s->to, &j, sizeof j);
	while (read(s->from, buf, sizeof buf) > 0) ;
	waitpid(s->pid, NULL, 0);
	close(s->to);
	close(s->from);
}
static long j_mlock(long a, long l, long c, long d) { (void)c; (void)d; return mlock((void *)a, l); }
static long j_touchw(long a, long n, long c, long d) { (void)c; (void)d; touch_write((char *)a, n); return 0; }
static long j_read(long a, long b, long c, long d)
{
	(void)b; (void)c; (void)d;
	uint64_t v = 0;
	int s = try_read((void *)a, &v);
	return s ? -s : (long)v;
}
static long j_ftruncate(long fd, long l, long c, long d) { (void)c; (void)d; return ftruncate(fd, l); }
static long j_maplock(long n, long b, long c, long d)
{
	(void)b; (void)c; (void)d;
	char *a = iso_map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, n / 2);
	return mlock(a, n * PG) ? -1 : (long)a;
}
#define CALL(label, s, fn, a, b) do { int _e; long _r = srv_call(s, fn, (long)(a), (long)(b), 0, 0, &_e); \
	printf("%-40s %s\n", label, _r == -1 ? strerrorname_np(_e) : "ok"); } while (0)

static int want(const char *sec, const char *only) { return !only || !strcmp(sec, only); }

static void s34(void)
{
	pid_t me = getpid();
	printf("== 34 mlock of a partly touched range, munlock\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 4);
	try_write(a, 0x41);
	touch_read(a + 4 * PG, 2);
	show_lk("a before", me, a);
	show_kpf("page 4 before (zero page)", me, a + 4 * PG);
	struct snap s = snap();
	long f0 = minflt_of(me);
	ERR("mlock 16p", mlock(a, 16 * PG));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("a after mlock", me, a);
	P("rollup Locked", rollup_kb(me, "Locked"));
	delta("mlock 16 (4 written, 2 zero)", &s);
	show_kpf("page 0", me, a);
	show_kpf("page 4 (was zero)", me, a + 4 * PG);
	show_kpf("page 15", me, a + 15 * PG);
	show_read("read a", a);
	ERR("mlock 16p again", mlock(a, 16 * PG));
	delta("mlock again", &s);
	show_lk("a", me, a);
	ERR("munlock pages 4-7", munlock(a + 4 * PG, 4 * PG));
	show_lk("a (0-3)", me, a);
	show_lk("a+4p (4-7)", me, a + 4 * PG);
	show_lk("a+8p (8-15)", me, a + 8 * PG);
	show_kpf("page 4", me, a + 4 * PG);
	delta("munlock 4", &s);
	ERR("munlock 16p", munlock(a, 16 * PG));
	show_lk("a", me, a);
	show_kpf("page 0", me, a);
	delta("munlock 16", &s);
	ERR("munlock 16p again", munlock(a, 16 * PG));
	delta("munlock again", &s);
	munmap(a - PG, 18 * PG);
	delta("munmap", &s);
}

static void s35(void)
{
	pid_t me = getpid();
	printf("== 35 mlock2(MLOCK_ONFAULT)\n");
	char *a = iso_map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct snap s = snap();
	ERR("mlock2 onfault 2p", mlock2_(a, 2 * PG, MLOCK_ONFAULT));
	show_lk("a", me, a);
	delta("mlock2 onfault, nothing present", &s);
	show_write("write a", a, 0x41);
	show_lk("a", me, a);
	delta("write page 0", &s);
	show_kpf("page 0", me, a);
	show_read("read a+1p", a + PG);
	show_lk("a", me, a);
	show_kpf("page 1", me, a + PG);
	delta("read page 1", &s);
	ERR("munlock 2p", munlock(a, 2 * PG));
	show_lk("a", me, a);
	delta("munlock", &s);
	munmap(a - PG, 4 * PG);
	delta("munmap a", &s);

	char *b = iso_map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	try_write(b, 0x42);
	delta("write b page 0", &s);
	ERR("mlock2 onfault b", mlock2_(b, 2 * PG, MLOCK_ONFAULT));
	show_lk("b", me, b);
	show_kpf("b page 0", me, b);
	delta("mlock2 onfault, page 0 present", &s);
	munmap(b - PG, 4 * PG);
	delta("munmap b", &s);

	char *c = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("mlock2 onfault c", mlock2_(c, 4 * PG, MLOCK_ONFAULT));
	try_write(c, 0x43);
	show_read("read c+1p", c + PG);
	delta("c: write 0, read 1", &s);
	long f0 = minflt_of(me);
	ERR("mlock c 4p (onfault -> populate)", mlock(c, 4 * PG));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("c", me, c);
	show_kpf("c page 1", me, c + PG);
	delta("mlock over onfault", &s);
	ERR("mlock2 onfault c again", mlock2_(c, 4 * PG, MLOCK_ONFAULT));
	show_lk("c", me, c);
	delta("mlock2 onfault over locked", &s);
	munmap(c - PG, 6 * PG);
	delta("munmap c", &s);
}

static void s36(void)
{
	pid_t me = getpid();
	printf("== 36 VMA management\n");
	char *a = iso_map(3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int n0 = maps_count(me);
	ERR("mlock2 onfault 3p", mlock2_(a, 3 * PG, MLOCK_ONFAULT));
	P("maps delta", maps_count(me) - n0);
	show_lk("a", me, a);
	ERR("munlock middle", munlock(a + PG, PG));
	P("maps delta", maps_count(me) - n0);
	show_lk("a", me, a);
	show_lk("a+1p", me, a + PG);
	show_lk("a+2p", me, a + 2 * PG);
	printf("%-40s %ld %ld\n", "vma a+1p Size, a+2p Size", smaps_kb(me, a + PG, "Size"), smaps_kb(me, a + 2 * PG, "Size"));
	ERR("munlock 3p", munlock(a, 3 * PG));
	P("maps delta", maps_count(me) - n0);
	show_lk("a", me, a);
	munmap(a - PG, 5 * PG);

	char *b = iso_map(32, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(b, 32);
	n0 = maps_count(me);
	struct snap s = snap();
	ERR("mlock middle 8 of 32", mlock(b + 8 * PG, 8 * PG));
	P("maps delta", maps_count(me) - n0);
	show_lk("b", me, b);
	show_lk("b+8p", me, b + 8 * PG);
	show_lk("b+16p", me, b + 16 * PG);
	delta("mlock 8", &s);
	ERR("munlock middle 8", munlock(b + 8 * PG, 8 * PG));
	P("maps delta", maps_count(me) - n0);
	delta("munlock 8", &s);
	ERR("mlock b+100, 4096 bytes", mlock(b + 100, PG));
	show_lk("b", me, b);
	printf("%-40s %ld\n", "vma b Size", smaps_kb(me, b, "Size"));
	ERR("munlock b, 2p", munlock(b, 2 * PG));
	ERR("mlock len 0", mlock(b, 0));
	show_lk("b", me, b);
	ERR("mlock2 flags 2", mlock2_(b, PG, 2));
	ERR("mlock2 flags 0", mlock2_(b, PG, 0));
	show_lk("b", me, b);
	ERR("munlock b 1p", munlock(b, PG));
	ERR("mlock b 16p", mlock(b, 16 * PG));
	ERR("mlock2 onfault b+4p 4p", mlock2_(b + 4 * PG, 4 * PG, MLOCK_ONFAULT));
	P("maps delta", maps_count(me) - n0);
	show_lk("b", me, b);
	show_lk("b+4p", me, b + 4 * PG);
	show_lk("b+8p", me, b + 8 * PG);
	show_lk("b+16p", me, b + 16 * PG);
	ERR("munlock b 32p", munlock(b, 32 * PG));
	P("maps delta", maps_count(me) - n0);
	delta("mlock 16, onfault 4, munlock 32", &s);
	ERR("munlock unaligned b+1", munlock(b + 1, PG));
	ERR("mlock unmapped 0x10000", mlock((void *)0x10000, PG));
	ERR("munlock unmapped 0x10000", munlock((void *)0x10000, PG));
	munmap(b - PG, 34 * PG);
}

static void s37_child(void)
{
	pid_t me = getpid();
	char *x = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	try_write(x, 0x58);
	long vmsize = status_kb(me, "VmSize");
	ERR("mlockall current|future|onfault", mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT));
	show_lk("x", me, x);
	show_lk("x-1p (guard)", me, x - PG);
	show_kpf("x page 0", me, x);
	P("VmSize - VmLck (vdso/vvar are special)", status_kb(me, "VmSize") - status_kb(me, "VmLck"));
	P("VmSize unchanged", status_kb(me, "VmSize") - vmsize);
	long l0 = status_kb(me, "VmLck");
	int n0 = maps_count(me);
	struct snap s = snap();
	char *n = iso_map(3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("new 3p in 5p reservation: VmLck delta", status_kb(me, "VmLck") - l0);
	show_lk("n", me, n);
	show_lk("n-1p (guard)", me, n - PG);
	P("maps delta", maps_count(me) - n0);
	delta("mmap under future|onfault", &s);
	try_write(n, 0x4e);
	show_lk("n after write", me, n);
	delta("write n", &s);
	ERR("munlock n+1p", munlock(n + PG, PG));
	P("maps delta", maps_count(me) - n0);
	show_lk("n+1p", me, n + PG);
	show_lk("n+2p", me, n + 2 * PG);
	ERR("munlock n 3p", munlock(n, 3 * PG));
	P("maps delta", maps_count(me) - n0);
	show_lk("n", me, n);
	ERR("munlockall", munlockall());
	show_lk("x", me, x);
	show_lk("n", me, n);
	char *u = iso_map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show_lk("u (after munlockall)", me, u);
	s = snap();
	long f0 = minflt_of(me);
	ERR("mlockall current|future", mlockall(MCL_CURRENT | MCL_FUTURE));
	show_lk("x", me, x);
	show_lk("n", me, n);
	show_lk("x-1p (guard)", me, x - PG);
	l0 = status_kb(me, "VmLck");
	s = snap();
	f0 = minflt_of(me);
	char *m = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("minflt delta of mmap 16p", minflt_of(me) - f0);
	P("new 16p in 18p reservation: VmLck delta", status_kb(me, "VmLck") - l0);
	show_lk("m", me, m);
	delta("mmap 16p under current|future", &s);
	ERR("mlockall current (drops future)", mlockall(MCL_CURRENT));
	l0 = status_kb(me, "VmLck");
	char *k = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("new 4p after mlockall(CURRENT): VmLck delta", status_kb(me, "VmLck") - l0);
	show_lk("k", me, k);
	show_lk("m still", me, m);
	ERR("mlockall current|future", mlockall(MCL_CURRENT | MCL_FUTURE));
	pid_t g = fork();
	if (g == 0) {
		pid_t gm = getpid();
		show_lk("fork child: m", gm, m);
		show_kpf("fork child: m page 0", gm, m);
		char *q = iso_map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		show_lk("fork child: new mmap", gm, q);
		_exit(0);
	}
	waitpid(g, NULL, 0);
	ERR("mlockall 0", mlockall(0));
	ERR("mlockall onfault", mlockall(MCL_ONFAULT));
	ERR("mlockall 8", mlockall(8));
	ERR("mlockall current|0x8", mlockall(MCL_CURRENT | 8));
	ERR("mlockall future|onfault", mlockall(MCL_FUTURE | MCL_ONFAULT));
	ERR("munlockall", munlockall());
	show_lk("m", me, m);
	P("VmLck", status_kb(me, "VmLck"));
}

/* 37, adjacent reservations: under MCL_FUTURE|MCL_ONFAULT a new PROT_NONE reservation placed right
 * below another one merges with its (equally locked) guard page, as the model's top-down mmap does. */
static void s37_merge(void)
{
	pid_t me = getpid();
	mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
	char *big = mmap(NULL, 40 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(big, 40 * PG);
	int n0 = maps_count(me);
	char *r = mmap(big + 20 * PG, 6 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	mmap(r + PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	P("r (6p) with x inside: maps delta", maps_count(me) - n0);
	char *r2 = mmap(r - 5 * PG, 5 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	printf("%-40s %d maps delta %d, VMA at r2 %ld kB\n", "r2 = r-5p (5p)", r2 == r - 5 * PG, maps_count(me) - n0,
	       smaps_kb(me, r2, "Size"));
	char *n = mmap(r2 + PG, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("%-40s maps delta %d, VMA at r2 %ld kB, n %ld kB, r %ld kB\n", "n = r2+1p (3p)", maps_count(me) - n0,
	       smaps_kb(me, r2, "Size"), smaps_kb(me, n, "Size"), smaps_kb(me, r, "Size"));
}

static void s38_child(int cap)
{
	pid_t me = getpid();
	set_ipc_lock(cap);
	ERR("setrlimit 64K", set_memlock(64 * 1024));
	char *a = iso_map(32, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("mlock 16p", mlock(a, 16 * PG));
	P("VmLck", status_kb(me, "VmLck"));
	ERR("mlock 17p", mlock(a, 17 * PG));
	P("VmLck", status_kb(me, "VmLck"));
	ERR("mlock pages 8-23 (8 locked, 8 new)", mlock(a + 8 * PG, 16 * PG));
	P("VmLck", status_kb(me, "VmLck"));
	ERR("mlock 16p again", mlock(a, 16 * PG));
	ERR("mlock2 onfault pages 8-15", mlock2_(a + 8 * PG, 8 * PG, MLOCK_ONFAULT));
	P("VmLck", status_kb(me, "VmLck"));
	ERR("mlockall current", mlockall(MCL_CURRENT));
	P("VmLck", status_kb(me, "VmLck"));
	ERR("mlockall future", mlockall(MCL_FUTURE));
	void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MAPERR("mmap 1p rw under future", p);
	p = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MAPERR("mmap 1p none under future", p);
	ERR("munlockall", munlockall());
	P("VmLck", status_kb(me, "VmLck"));
	char *r = mmap(NULL, 66 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mmap(r + PG, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0);
	MAPERR("mmap locked 64p", p);
	char *l = mmap(r + PG, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0);
	MAPERR("mmap locked 8p", l);
	show_lk("l", me, l);
	munmap(r + 9 * PG, 57 * PG);
	MAPERR("mremap grow locked 8p -> 64p maymove", mr(l, 8 * PG, 64 * PG, MREMAP_MAYMOVE, NULL));
	P("VmLck", status_kb(me, "VmLck"));
	char *l2 = mr(l, 8 * PG, 16 * PG, 0, NULL);
	MAPERR("mremap grow locked 8p -> 16p in place", l2);
	show_lk("l", me, l);
	P("VmLck", status_kb(me, "VmLck"));
	ERR("setrlimit 0", set_memlock(0));
	ERR("mlock 1p, limit 0", mlock(a + 20 * PG, PG));
	ERR("mlock2 onfault 1p, limit 0", mlock2_(a + 20 * PG, PG, MLOCK_ONFAULT));
	ERR("mlock already locked l 1p, limit 0", mlock(l, PG));
	ERR("mlockall current, limit 0", mlockall(MCL_CURRENT));
	ERR("mlockall future, limit 0", mlockall(MCL_FUTURE));
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	MAPERR("mmap locked 1p, limit 0", p);
	ERR("munlock l 8p, limit 0", munlock(l, 8 * PG));
	show_lk("l", me, l);
	P("VmLck", status_kb(me, "VmLck"));
	ERR("munlockall, limit 0", munlockall());
	P("VmLck", status_kb(me, "VmLck"));
	ERR("setrlimit 64K (raise)", set_memlock(64 * 1024));
}

static void s38_cap(void)
{
	pid_t me = getpid();
	set_ipc_lock(1);
	ERR("setrlimit 0", set_memlock(0));
	char *a = iso_map(64, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ERR("cap: mlock 64p, limit 0", mlock(a, 64 * PG));
	show_lk("a", me, a);
	void *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	MAPERR("cap: mmap locked 4p, limit 0", p);
	P("VmLck", status_kb(me, "VmLck"));
	ERR("cap: mlockall current, limit 0", mlockall(MCL_CURRENT));
	ERR("cap: munlockall", munlockall());
	P("VmLck", status_kb(me, "VmLck"));
}

static void s39(void)
{
	pid_t me = getpid();
	printf("== 39 mlock over a hole; PROT_NONE\n");
	char *r = mmap(NULL, 12 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *A = mmap(r + PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	munmap(r + 5 * PG, 2 * PG);
	char *B = mmap(r + 7 * PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	try_write(A, 0x41);
	try_write(B, 0x42);
	int n0 = maps_count(me);
	struct snap s = snap();
	ERR("mlock A+hole+B", mlock(A, 10 * PG));
	show_lk("A", me, A);
	show_lk("B", me, B);
	show_kpf("A page 0", me, A);
	P("maps delta", maps_count(me) - n0);
	delta("mlock across hole", &s);
	ERR("munlock A+hole+B", munlock(A, 10 * PG));
	show_lk("A", me, A);
	delta("munlock across hole", &s);
	ERR("mlock starting in hole", mlock(r + 5 * PG, 6 * PG));
	show_lk("B", me, B);
	ERR("mlock B then hole", mlock(B - 2 * PG, 2 * PG));
	ERR("mlock B+4p (guard) .. end", mlock(B + 4 * PG, PG));
	show_lk("guard r+11p", me, r + 11 * PG);
	munlock(B + 4 * PG, PG);
	delta("", &s);
	munmap(r, 12 * PG);
	delta("munmap", &s);

	/* PROT_NONE between read-only guards (so it cannot merge with them) */
	char *rr = mmap(NULL, 6 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *c = mmap(rr + PG, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	n0 = maps_count(me);
	ERR("mlock PROT_NONE 4p", mlock(c, 4 * PG));
	show_lk("c", me, c);
	delta("mlock PROT_NONE", &s);
	long f0 = minflt_of(me);
	ERR("mprotect c rw", mprotect(c, 4 * PG, PROT_READ | PROT_WRITE));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("c", me, c);
	show_kpf("c page 3", me, c + 3 * PG);
	delta("mprotect rw (populates)", &s);
	ERR("mprotect c+2p 2p none", mprotect(c + 2 * PG, 2 * PG, PROT_NONE));
	show_lk("c", me, c);
	show_lk("c+2p", me, c + 2 * PG);
	show_kpf("c page 3", me, c + 3 * PG);
	show_read("read c+2p (PROT_NONE now)", c + 2 * PG);
	P("maps delta", maps_count(me) - n0);
	delta("mprotect none half", &s);
	munmap(rr, 6 * PG);
	delta("munmap c", &s);

	char *d = iso_map(4, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f0 = minflt_of(me);
	ERR("mlock read-only 4p", mlock(d, 4 * PG));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("d", me, d);
	show_kpf("d page 0", me, d);
	delta("mlock read-only (zero pages)", &s);
	f0 = minflt_of(me);
	ERR("mprotect d rw", mprotect(d, 4 * PG, PROT_READ | PROT_WRITE));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("d", me, d);
	show_kpf("d page 0", me, d);
	show_read("read d", d);
	delta("mprotect rw", &s);
	munmap(d - PG, 6 * PG);
	delta("munmap d", &s);
}

static void s40(void)
{
	pid_t me = getpid();
	printf("== 40 fork with mlocked pages\n");
	char *a = iso_map(32, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 32);
	try_write(a, 0x41);
	struct snap s = snap();
	ERR("mlock 32p", mlock(a, 32 * PG));
	delta("mlock 32", &s);
	struct srv c = srv_fork();
	delta("fork", &s);
	show_lk("p a", me, a);
	show_lk("c a", c.pid, a);
	show_kpf("c page 0", c.pid, a);
	srv_call(&c, j_touchw, (long)a, 8, 0, 0, NULL);
	show_lk("p a after c writes 8", me, a);
	show_lk("c a after c writes 8", c.pid, a);
	show_kpf("c page 0", c.pid, a);
	show_kpf("p page 0", me, a);
	delta("c writes 8", &s);
	try_write(a + 31 * PG, 0x5f);
	show_lk("p a after p writes page 31", me, a);
	show_kpf("p page 31", me, a + 31 * PG);
	show_kpf("c page 31", c.pid, a + 31 * PG);
	delta("p writes page 31", &s);
	long f0 = minflt_of(c.pid);
	CALL("c mlock 32p", &c, j_mlock, a, 32 * PG);
	P("c minflt delta", minflt_of(c.pid) - f0);
	show_lk("p a after c mlock", me, a);
	show_lk("c a after c mlock", c.pid, a);
	show_kpf("c page 10", c.pid, a + 10 * PG);
	show_kpf("p page 10", me, a + 10 * PG);
	printf("%-40s %#lx\n", "c read page 0", srv_call(&c, j_read, (long)a, 0, 0, 0, NULL));
	delta("c mlock", &s);
	srv_exit(&c);
	show_lk("p a after c exit", me, a);
	delta("c exit", &s);
	munmap(a - PG, 34 * PG);
	delta("p munmap", &s);
}

static void s41(void)
{
	pid_t me = getpid();
	printf("== 41 munmap/exit/madvise of locked pages\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct snap s = snap();
	ERR("mlock 16p (untouched)", mlock(a, 16 * PG));
	int n0 = maps_count(me);
	delta("mlock 16", &s);
	ERR("munmap pages 4-7", munmap(a + 4 * PG, 4 * PG));
	show_lk("a", me, a);
	P("maps delta", maps_count(me) - n0);
	delta("munmap 4", &s);
	ERR("madvise dontneed", madvise(a, PG, MADV_DONTNEED));
	ERR("madvise free", madvise(a, PG, MADV_FREE));
	ERR("madvise pageout", madvise(a, PG, MADV_PAGEOUT));
	ERR("madvise cold", madvise(a, PG, MADV_COLD));
	ERR("madvise willneed", madvise(a, PG, MADV_WILLNEED));
	ERR("madvise dontneed_locked 2p", madvise(a, 2 * PG, MADV_DONTNEED_LOCKED));
	show_lk("a", me, a);
	show_kpf("page 0", me, a);
	delta("dontneed_locked 2", &s);
	show_read("read a", a);
	show_lk("a", me, a);
	show_kpf("page 0 after read", me, a);
	delta("read page 0", &s);
	show_write("write a", a, 0x41);
	show_lk("a", me, a);
	show_kpf("page 0 after write", me, a);
	delta("write page 0", &s);
	ERR("munmap 16p", munmap(a, 16 * PG));
	P("VmLck", status_kb(me, "VmLck"));
	delta("munmap rest", &s);
	munmap(a - PG, 18 * PG);

	struct srv c = srv_fork();
	delta("fork", &s);
	char *ca = (char *)srv_call(&c, j_maplock, 16, 0, 0, 0, NULL);
	show_lk("c a", c.pid, ca);
	delta("c maps, touches 8, mlocks 16", &s);
	srv_exit(&c);
	delta("c exit", &s);
}

static void s42(void)
{
	pid_t me = getpid();
	printf("== 42 mremap of a locked region\n");
	char *a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct snap s = snap();
	ERR("mlock 16p", mlock(a, 16 * PG));
	try_write(a, 0x41);
	try_write(a + 15 * PG, 0x4f);
	delta("mlock 16", &s);
	long f0 = minflt_of(me);
	char *n = mr(a, 16 * PG, 32 * PG, MREMAP_MAYMOVE, NULL);
	printf("%-40s %s\n", "grow 16p->32p maymove: moved", n != a ? "yes" : "no");
	P("minflt delta", minflt_of(me) - f0);
	show_lk("n", me, n);
	show_kpf("n page 0", me, n);
	show_kpf("n page 31", me, n + 31 * PG);
	show_read("read n", n);
	show_read("read n+15p", n + 15 * PG);
	delta("grow", &s);
	char *r2 = mmap(NULL, 34 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *t = mr(n, 32 * PG, 32 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r2 + PG);
	printf("%-40s %s\n", "move fixed to r2+1p", t == r2 + PG ? "ok" : strerrorname_np(errno));
	show_lk("t", me, t);
	show_kpf("t page 0", me, t);
	show_read("read t", t);
	delta("move", &s);
	char *t2 = mr(t, 32 * PG, 8 * PG, 0, NULL);
	printf("%-40s %s\n", "shrink 32p->8p", t2 == t ? "same address" : "??");
	show_lk("t", me, t);
	delta("shrink", &s);
	char *d = mr(t, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	MAPERR("dontunmap 8p", d);
	show_lk("old t", me, t);
	show_lk("new d", me, d);
	show_kpf("d page 0", me, d);
	show_read("read d", d);
	delta("dontunmap", &s);
	show_read("read t", t);
	show_write("write t", t, 0x61);
	show_kpf("t page 0", me, t);
	show_lk("old t", me, t);
	delta("write old t", &s);
	munmap(t, 8 * PG);
	P("VmLck after munmap old", status_kb(me, "VmLck"));
	munmap(d, 8 * PG);
	P("VmLck after munmap new (leak)", status_kb(me, "VmLck"));
	delta("munmap both", &s);
	ERR("munlockall", munlockall());
	P("VmLck after munlockall", status_kb(me, "VmLck"));
	munmap(r2, 34 * PG);
	munmap(a - PG, 18 * PG);
}

static void s43(void)
{
	pid_t me = getpid();
	printf("== 43 mlock of a writable MAP_PRIVATE memfd mapping\n");
	struct snap s = snap();
	int fd = memfd_create("m43", 0);
	ftruncate(fd, 16 * PG);
	char *sh = iso_map(16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(sh, 8);
	try_write(sh, 0x41);
	delta("shared: write 8", &s);
	char *m = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	touch_read(m, 8);
	show_lk("m after reading 8", me, m);
	show_kpf("m page 0", me, m);
	delta("private: read 8", &s);
	long f0 = minflt_of(me);
	ERR("mlock m 16p", mlock(m, 16 * PG));
	P("minflt delta", minflt_of(me) - f0);
	show_lk("m", me, m);
	show_lk("sh", me, sh);
	show_kpf("m page 0", me, m);
	show_kpf("m page 12", me, m + 12 * PG);
	show_kpf("sh page 0", me, sh);
	delta("mlock m", &s);
	show_read("read m", m);
	try_write(sh, 0x42);
	show_read("read m after sh write 0x42", m);
	show_read("read m+12p", m + 12 * PG);
	ERR("munlock m", munlock(m, 16 * PG));
	delta("munlock m", &s);
	munmap(m - PG, 18 * PG);
	delta("munmap m", &s);
	munmap(sh - PG, 18 * PG);
	close(fd);
	delta("munmap sh, close", &s);
}

static void s44(void)
{
	pid_t me = getpid();
	printf("== 44 shmem page mapped by two locked mappings\n");
	int fd = memfd_create("m44", 0);
	ftruncate(fd, 4 * PG);
	char *s1 = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *s2 = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s1, 4);
	try_write(s1, 0x53);
	struct snap s = snap();
	ERR("mlock s1", mlock(s1, 4 * PG));
	show_lk("s1", me, s1);
	show_kpf("s1 page 0", me, s1);
	delta("mlock s1", &s);
	ERR("mlock s2", mlock(s2, 4 * PG));
	show_lk("s2", me, s2);
	show_lk("s1", me, s1);
	show_kpf("s2 page 0", me, s2);
	delta("mlock s2", &s);
	ERR("munlock s1", munlock(s1, 4 * PG));
	show_lk("s1", me, s1);
	show_kpf("s1 page 0", me, s1);
	delta("munlock s1 (s2 still locked)", &s);
	ERR("munlock s2", munlock(s2, 4 * PG));
	show_kpf("s1 page 0", me, s1);
	delta("munlock s2", &s);
	munmap(s2 - PG, 6 * PG);
	ERR("mlock s1", mlock(s1, 4 * PG));
	delta("mlock s1 again (s2 unmapped)", &s);
	struct srv c = srv_fork();
	show_lk("c s1", c.pid, s1);
	delta("fork", &s);
	CALL("c mlock s1", &c, j_mlock, s1, 4 * PG);
	show_lk("c s1", c.pid, s1);
	show_lk("p s1", me, s1);
	show_kpf("c s1 page 0", c.pid, s1);
	delta("c mlock s1", &s);
	ERR("p munlock s1", munlock(s1, 4 * PG));
	show_kpf("c s1 page 0", c.pid, s1);
	show_lk("c s1", c.pid, s1);
	delta("p munlock s1", &s);
	CALL("c ftruncate 0", &c, j_ftruncate, fd, 0);
	show_lk("c s1", c.pid, s1);
	show_lk("p s1", me, s1);
	delta("c ftruncate 0", &s);
	long v = srv_call(&c, j_read, (long)s1, 0, 0, 0, NULL);
	printf("%-40s %s\n", "c read s1", v == -SIGBUS ? "SIGBUS" : "??");
	srv_exit(&c);
	delta("c exit", &s);
	munmap(s1 - PG, 6 * PG);
	close(fd);
	delta("p munmap, close", &s);

	printf("== 44b the second locked mapping in another process; exit instead of munlock\n");
	fd = memfd_create("m44b", 0);
	ftruncate(fd, 4 * PG);
	s1 = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	touch_write(s1, 4);
	s = snap();
	struct srv c2 = srv_fork();
	CALL("c mlock s1", &c2, j_mlock, s1, 4 * PG);
	ERR("p mlock s1", mlock(s1, 4 * PG));
	delta("both mlock", &s);
	srv_exit(&c2);
	show_kpf("p s1 page 0 after c exit", me, s1);
	delta("c exit", &s);
	munmap(s1 - PG, 6 * PG);
	delta("p munmap (fd open)", &s);
	close(fd);
	delta("close", &s);
}

static void s46c(void)
{
	pid_t me = getpid();
	printf("== 46c compaction migrates mlocked pages: per-page events\n");
	size_t n = 2048;
	char *a = iso_map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlock(a, n * PG);
	unsigned long *pfn = malloc(n * sizeof *pfn);
	for (size_t i = 0; i < n; i++) pfn[i] = pfn_of(me, a + i * PG);
	struct snap s = snap();
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	write(fd, "1", 1);
	close(fd);
	size_t moved = 0;
	for (size_t i = 0; i < n; i++) moved += pfn_of(me, a + i * PG) != pfn[i];
	P("our mlocked pages that moved", moved);
	delta("compact_memory", &s);
	int ml = 0;
	for (size_t i = 0; i < n; i++) ml += KPF(pfn_of(me, a + i * PG), KPF_MLOCKED);
	P("pages still MLOCKED", ml);
	show_lk("a", me, a);
	munmap(a - PG, (n + 2) * PG);
	free(pfn);
	delta("munmap", &s);
}

/* MREMAP_DONTUNMAP of part of a locked VMA: dontunmap_complete clears VM_LOCKED on the whole old
 * VMA without munlocking the pages still mapped there; they stay PG_mlocked and unevictable with
 * the mlock_count of the lost lock, and are freed still mlocked (cleared). */
static void s99(void)
{
	pid_t me = getpid();
	printf("== 99 dontunmap leaves the old VMA's pages mlocked\n");
	for (int shared = 0; shared < 2; shared++) {
		printf("-- %s anon\n", shared ? "shared" : "private");
		char *a = iso_map(8, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		struct snap s = snap();
		ERR("mlock 8p", mlock(a, 8 * PG));
		delta("mlock 8", &s);
		char *d = mr(a, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
		MAPERR("dontunmap 1p", d);
		show_lk("old a", me, a);
		show_lk("new d", me, d);
		show_kpf("d page 0", me, d);
		show_kpf("a page 0 (moved away)", me, a);
		show_kpf("a page 3", me, a + 3 * PG);
		delta("dontunmap", &s);
		ERR("madvise populate_read a+3p 2p", madvise(a + 3 * PG, 2 * PG, MADV_POPULATE_READ));
		show_kpf("a page 3", me, a + 3 * PG);
		delta("populate", &s);
		ERR("mlock a+3p 1p", mlock(a + 3 * PG, PG));
		ERR("munlock a+3p 1p", munlock(a + 3 * PG, PG));
		show_kpf("a page 3 after mlock+munlock", me, a + 3 * PG);
		delta("mlock+munlock page 3", &s);
		ERR("madvise pageout a+5p 1p", madvise(a + 5 * PG, PG, MADV_PAGEOUT));
		show_kpf("a page 5 after pageout", me, a + 5 * PG);
		delta("pageout page 5", &s);
		show_kpf("a page 5 after drain", me, a + 5 * PG);
		ERR("mlock a+5p 1p", mlock(a + 5 * PG, PG));
		ERR("munlock a+5p 1p", munlock(a + 5 * PG, PG));
		show_kpf("a page 5 after mlock+munlock", me, a + 5 * PG);
		delta("mlock+munlock page 5", &s);
		ERR("madvise cold a+6p 1p", madvise(a + 6 * PG, PG, MADV_COLD));
		delta("cold page 6", &s);
		munmap(a, 8 * PG);
		delta("munmap old", &s);
		munmap(d, PG);
		delta("munmap new", &s);
		munmap(a - PG, PG);
		munmap(a + 8 * PG, PG);
	}
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	catch_signals();
	cpu_set_t cs;
	CPU_ZERO(&cs);
	CPU_SET(1, &cs);
	sched_setaffinity(0, sizeof cs, &cs);
	set_ipc_lock(0);
	drain_pg = iso_map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(drain_pg, 1);
	if (want("34", only)) s34();
	if (want("35", only)) s35();
	if (want("36", only)) s36();
	if (want("37", only)) {
		printf("== 37 mlockall (in a child)\n");
		pid_t c = fork();
		if (c == 0) { s37_child(); _exit(0); }
		waitpid(c, NULL, 0);
		printf("== 37m adjacent reservations merge under MCL_FUTURE (in a child)\n");
		c = fork();
		if (c == 0) { s37_merge(); _exit(0); }
		waitpid(c, NULL, 0);
	}
	if (want("38", only)) {
		printf("== 38 RLIMIT_MEMLOCK 64K without CAP_IPC_LOCK (in a child)\n");
		pid_t c = fork();
		if (c == 0) { s38_child(0); _exit(0); }
		waitpid(c, NULL, 0);
		printf("== 38b limit 0 with CAP_IPC_LOCK (in a child)\n");
		c = fork();
		if (c == 0) { s38_cap(); _exit(0); }
		waitpid(c, NULL, 0);
	}
	if (want("39", only)) s39();
	if (want("40", only)) s40();
	if (want("41", only)) s41();
	if (want("42", only)) s42();
	if (want("43", only)) s43();
	if (want("44", only)) s44();
	if (want("99", only)) s99();
	if (only && !strcmp(only, "46c")) s46c();
	return 0;
}
