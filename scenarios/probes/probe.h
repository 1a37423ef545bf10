/* Shared helpers for the live-kernel probes in scenarios/probes/.
 *
 * Every probe prints "label value" lines that the .mms scripts copy into their expect lines.
 * Conventions (see ../../../shared/research/kernel-oracle.md §3):
 *  - stdout is unbuffered (no stdio page lands in the rollup);
 *  - every mapping is placed MAP_FIXED inside a PROT_NONE reservation (iso_map), so it never
 *    merges with libc's VMAs;
 *  - a page "value" is a 64-bit number repeated over the whole page; reading returns the first word;
 *  - forked children are servants: they block on a pipe and run READ/WRITE/TOUCH commands for the
 *    parent, which reads /proc/<pid>/... of both processes while the child waits.
 * Build: gcc -O1 -o /tmp/x scenarios/probes/X.c && /tmp/x   (as root, for PFNs and kpageflags)
 * Regular files are created under /tmp/pr (ext4 on this VM) and removed again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/falloc.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define UNUSED __attribute__((unused))
#define P(label, v) printf("%-40s %ld\n", label, (long)(v))
#define ERR(label, rc) printf("%-40s %s\n", label, (rc) == -1 ? strerrorname_np(errno) : "ok")

/* A PROT_NONE reservation of npages + 2 guard pages; returns the first usable page. */
UNUSED static char *iso_map(size_t npages, int prot, int flags, int fd, off_t off)
{
	char *r = mmap(NULL, (npages + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) { perror("reserve"); exit(1); }
	char *a = mmap(r + PG, npages * PG, prot, flags | MAP_FIXED, fd, off);
	if (a == MAP_FAILED) { perror("iso_map"); exit(1); }
	return a;
}

/* Field of the smaps entry containing addr, in kB (or -1). */
UNUSED static long smaps_kb(pid_t pid, void *addr, const char *field)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "r");
	if (!f) return -1;
	int in = 0;
	long v = -1;
	size_t fl = strlen(field);
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= s && (uintptr_t)addr < e;
			continue;
		}
		if (in && !strncmp(line, field, fl) && line[fl] == ':') { v = atol(line + fl + 1); break; }
	}
	fclose(f);
	return v;
}

/* 1 if the VmFlags line of the VMA containing addr has the two-letter flag. */
UNUSED static int vmflag(pid_t pid, void *addr, const char *flag)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "r");
	int in = 0, r = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= s && (uintptr_t)addr < e;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			char pat[8];
			snprintf(pat, sizeof pat, " %s", flag);
			char *p = line + 8;
			while ((p = strstr(p, pat))) { if (p[3] == ' ' || p[3] == '\n') { r = 1; break; } p++; }
			break;
		}
	}
	fclose(f);
	return r;
}

/* A "Name: value" line of /proc/PID/<file> (status, smaps_rollup) or /proc/meminfo. */
UNUSED static long field_of(const char *path, const char *field)
{
	char line[512];
	FILE *f = fopen(path, "r");
	long v = -1;
	size_t fl = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, field, fl) && line[fl] == ':') { v = atol(line + fl + 1); break; }
	if (f) fclose(f);
	return v;
}
UNUSED static long status_kb(pid_t pid, const char *field)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	return field_of(path, field);
}
UNUSED static long rollup_kb(pid_t pid, const char *field)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	return field_of(path, field);
}

UNUSED static int maps_count(pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	int n = 0;
	while (fgets(line, sizeof line, f)) n++;
	fclose(f);
	return n;
}

UNUSED static uint64_t pagemap(pid_t pid, void *addr)
{
	char path[64];
	uint64_t e = 0;
	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	int fd = open(path, O_RDONLY);
	pread(fd, &e, 8, (uintptr_t)addr / PG * 8);
	close(fd);
	return e;
}
#define PM_PRESENT(e) ((int)((e) >> 63 & 1))
#define PM_SWAP(e) ((int)((e) >> 62 & 1))
#define PM_FILE(e) ((int)((e) >> 61 & 1))
#define PM_EXCL(e) ((int)((e) >> 56 & 1))
#define PM_PFN(e) ((e) & ((1ULL << 55) - 1))

UNUSED static uint64_t kpage(const char *file, uint64_t pfn)
{
	uint64_t v = ~0ULL;
	int fd = open(file, O_RDONLY);
	pread(fd, &v, 8, pfn * 8);
	close(fd);
	return v;
}
#define KPAGECOUNT(pfn) ((long)kpage("/proc/kpagecount", pfn))
#define KPF(pfn, bit) ((int)(kpage("/proc/kpageflags", pfn) >> (bit) & 1))
enum { KPF_DIRTY = 4, KPF_ANON = 12, KPF_SWAPBACKED = 14, KPF_ZERO_PAGE = 24, KPF_MMAP = 11 };

/* Print the pagemap bits (and kpagecount) of one page of pid. */
UNUSED static void show_page(const char *label, pid_t pid, void *addr)
{
	uint64_t e = pagemap(pid, addr);
	printf("%-40s present=%d swap=%d file=%d excl=%d", label, PM_PRESENT(e), PM_SWAP(e), PM_FILE(e), PM_EXCL(e));
	if (PM_PRESENT(e)) {
		uint64_t pfn = PM_PFN(e);
		printf(" pfn=%#lx kpagecount=%ld ANON=%d ZERO_PAGE=%d", (unsigned long)pfn, KPAGECOUNT(pfn),
		       KPF(pfn, KPF_ANON), KPF(pfn, KPF_ZERO_PAGE));
	}
	printf("\n");
}

/* Accesses that report a signal instead of dying. Return 0, SIGSEGV or SIGBUS. */
static sigjmp_buf jb;
static int last_code; /* si_code of the last signal: SEGV_MAPERR 1, SEGV_ACCERR 2, BUS_ADRERR 2 */
UNUSED static void on_sig(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	last_code = si->si_code;
	siglongjmp(jb, s);
}
UNUSED static void catch_signals(void)
{
	/* Grow the stack and the heap once, so later deltas of RssAnon/Pss_Anon only see the probe's
	 * own mappings. */
	volatile char stack[256 * 1024];
	for (size_t i = 0; i < sizeof stack; i += PG) stack[i] = 1;
	free(malloc(64 * 1024));
	mkdir("/tmp/pr", 0755);
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa = {.sa_sigaction = on_sig, .sa_flags = SA_SIGINFO};
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}
UNUSED static int try_read(void *addr, uint64_t *val)
{
	int s = sigsetjmp(jb, 1);
	if (s) return s;
	*val = *(volatile uint64_t *)addr;
	return 0;
}
UNUSED static int try_write(void *addr, uint64_t val)
{
	int s = sigsetjmp(jb, 1);
	if (s) return s;
	uint64_t *p = addr;
	for (size_t i = 0; i < PG / 8; i++) ((volatile uint64_t *)p)[i] = val;
	return 0;
}
UNUSED static const char *sig_name(int s)
{
	if (s == SIGSEGV) return last_code == SEGV_ACCERR ? "SIGSEGV(ACCERR)" : "SIGSEGV(MAPERR)";
	return s == SIGBUS ? "SIGBUS" : "ok";
}
UNUSED static void show_read(const char *label, void *addr)
{
	uint64_t v = 0;
	int s = try_read(addr, &v);
	if (s) printf("%-40s %s\n", label, sig_name(s));
	else printf("%-40s %#lx\n", label, (unsigned long)v);
}
UNUSED static void show_write(const char *label, void *addr, uint64_t val)
{
	printf("%-40s %s\n", label, sig_name(try_write(addr, val)));
}
/* touch ... write: a write fault that keeps the page's content (a locked "or 0" is a store, so the
 * first fault is a write fault, not a read fault followed by a write fault). */
UNUSED static void touch_write(char *a, size_t npages)
{
	for (size_t i = 0; i < npages; i++) __atomic_fetch_or((uint64_t *)(a + i * PG), 0, __ATOMIC_RELAXED);
}
UNUSED static void touch_read(char *a, size_t npages)
{
	for (size_t i = 0; i < npages; i++) (void)*(volatile char *)(a + i * PG);
}

/* A forked servant: runs commands from the controlling probe until CMD_EXIT. CMD_FORK makes the
 * servant fork a servant of its own (a grandchild of the probe), served on the spare pipes. */
enum { CMD_READ, CMD_WRITE, CMD_TOUCHW, CMD_TOUCHR, CMD_MADVISE, CMD_FORK, CMD_EXIT };
struct cmd { int op; char *addr; uint64_t val; size_t n; };
struct servant { pid_t pid; int to, from; };
static int spare_in[2], spare_out[2];
__attribute__((noreturn)) UNUSED static void serve(int in, int out)
{
	struct cmd c;
	while (read(in, &c, sizeof c) == sizeof c) {
		uint64_t r[2] = {0, 0};
		if (c.op == CMD_EXIT) _exit(0);
		if (c.op == CMD_READ) r[0] = try_read(c.addr, &r[1]);
		if (c.op == CMD_WRITE) r[0] = try_write(c.addr, c.val);
		if (c.op == CMD_TOUCHW) touch_write(c.addr, c.n);
		if (c.op == CMD_TOUCHR) touch_read(c.addr, c.n);
		if (c.op == CMD_MADVISE) r[1] = madvise(c.addr, c.n, (int)c.val) ? errno : 0;
		if (c.op == CMD_FORK) {
			pid_t pid = fork();
			if (pid == 0) {
				close(in);
				close(out);
				serve(spare_in[0], spare_out[1]);
			}
			close(spare_in[0]);
			close(spare_out[1]);
			r[1] = pid;
		}
		write(out, r, sizeof r);
	}
	_exit(0);
}
UNUSED static struct servant servant_fork(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	pipe(spare_in);
	pipe(spare_out);
	pid_t pid = fork();
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		close(spare_in[1]);
		close(spare_out[0]);
		serve(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	close(spare_in[0]);
	close(spare_out[1]);
	return (struct servant){pid, a[1], b[0]};
}
UNUSED static uint64_t servant_do(struct servant *s, int op, char *addr, uint64_t val, size_t n, int *sig)
{
	struct cmd c = {op, addr, val, n};
	uint64_t r[2];
	write(s->to, &c, sizeof c);
	read(s->from, r, sizeof r);
	if (sig) *sig = (int)r[0];
	return r[1];
}
/* The servant s forks; the new process is a servant too. */
UNUSED static struct servant servant_child(struct servant *s)
{
	pid_t pid = (pid_t)servant_do(s, CMD_FORK, NULL, 0, 0, NULL);
	return (struct servant){pid, spare_in[1], spare_out[0]};
}
UNUSED static void servant_exit(struct servant *s)
{
	struct cmd c = {CMD_EXIT, NULL, 0, 0};
	char buf[16];
	write(s->to, &c, sizeof c);
	while (read(s->from, buf, sizeof buf) > 0) ; /* EOF once the servant's mm and files are gone */
	waitpid(s->pid, NULL, 0);
	close(s->to);
	close(s->from);
}
UNUSED static void servant_read(const char *label, struct servant *s, char *addr)
{
	int sig;
	uint64_t v = servant_do(s, CMD_READ, addr, 0, 0, &sig);
	if (sig) printf("%-40s %s\n", label, sig_name(sig));
	else printf("%-40s %#lx\n", label, (unsigned long)v);
}
UNUSED static void servant_write(const char *label, struct servant *s, char *addr, uint64_t val)
{
	int sig;
	servant_do(s, CMD_WRITE, addr, val, 0, &sig);
	printf("%-40s %s\n", label, sig_name(sig));
}

/* Per-VMA smaps line set most scripts check. */
UNUSED static void show_vma(const char *label, pid_t pid, void *addr)
{
	printf("%-24s Size=%ld Rss=%ld Pss=%ld Shared_Clean=%ld Shared_Dirty=%ld Private_Clean=%ld "
	       "Private_Dirty=%ld Anonymous=%ld\n",
	       label, smaps_kb(pid, addr, "Size"), smaps_kb(pid, addr, "Rss"), smaps_kb(pid, addr, "Pss"),
	       smaps_kb(pid, addr, "Shared_Clean"), smaps_kb(pid, addr, "Shared_Dirty"),
	       smaps_kb(pid, addr, "Private_Clean"), smaps_kb(pid, addr, "Private_Dirty"),
	       smaps_kb(pid, addr, "Anonymous"));
}
/* status memory lines. */
UNUSED static void show_status(const char *label, pid_t pid)
{
	printf("%-24s VmSize=%ld VmRSS=%ld RssAnon=%ld RssFile=%ld RssShmem=%ld\n", label,
	       status_kb(pid, "VmSize"), status_kb(pid, "VmRSS"), status_kb(pid, "RssAnon"),
	       status_kb(pid, "RssFile"), status_kb(pid, "RssShmem"));
}
UNUSED static void servant_touchw(struct servant *s, char *addr, size_t npages)
{
	servant_do(s, CMD_TOUCHW, addr, 0, npages, NULL);
}
UNUSED static void servant_touchr(struct servant *s, char *addr, size_t npages)
{
	servant_do(s, CMD_TOUCHR, addr, 0, npages, NULL);
}
/* Print the page's PFN (to tell a COW copy from a reused page). */
UNUSED static unsigned long pfn_of(pid_t pid, void *addr)
{
	return (unsigned long)PM_PFN(pagemap(pid, addr));
}
