/*
 * mmlab-servant: one script process on the live kernel, for the mmlab kernel oracle.
 *
 * A minimal static program: it performs the syscalls and memory accesses that the oracle sends
 * it over a pipe (fixed-size `struct cmd`, answered by `struct rep`; the layout is mirrored in
 * oracle/src/servant.rs) and nothing else, so its own VMAs never change while it serves.
 * Its command channel lives at fds 1020/1021 and fds 0-2 stay open on /dev/null, so the
 * script's fds are numbered from 3 as in the model. SIGSEGV and SIGBUS raised by an access are
 * caught and reported with their si_code. FORK forks this process; the child opens the two
 * FIFOs named in the command as its own channel. EOF on the channel ends the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL
#define MAXLIST 64
#define CMD_IN 1020
#define REP_OUT 1021

struct cmd {
	uint64_t op;
	uint64_t a[8];
	uint64_t n;
	char s[256];
	uint64_t list[MAXLIST];
	int32_t nodes[MAXLIST];
};

struct rep {
	int64_t ret, err, sig, code;
	uint64_t val;
	int32_t status[MAXLIST];
};

enum {
	MMAP = 1, MUNMAP, MPROTECT, MREMAP, MADVISE, READ, WRITE, TOUCH, MEMFD, OPEN, PWRITE, PREAD,
	FTRUNCATE, FALLOCATE, CLOSE, MLOCK, MLOCK2, MUNLOCK, MLOCKALL, MUNLOCKALL, SETRLIMIT, CAPLOCK,
	MOVE_PAGES, FORK, EXIT, PING, MINFLT
};

static sigjmp_buf jb;
static volatile int sigcode;
static uint64_t pagebuf[PG / 8];
static struct cmd c;
static struct rep r;

static void on_signal(int s, siginfo_t *si, void *u)
{
	(void)u;
	sigcode = si->si_code;
	siglongjmp(jb, s);
}

static int full_read(void *buf, size_t len)
{
	size_t n = 0;
	while (n < len) {
		ssize_t k = read(CMD_IN, (char *)buf + n, len - n);
		if (k <= 0)
			return -1;
		n += (size_t)k;
	}
	return 0;
}

static void full_write(const void *buf, size_t len)
{
	size_t n = 0;
	while (n < len) {
		ssize_t k = write(REP_OUT, (const char *)buf + n, len - n);
		if (k <= 0)
			_exit(1);
		n += (size_t)k;
	}
}

/* Moves fd to `to` (closing the original). */
static void move_fd(int fd, int to)
{
	if (fd != to) {
		dup2(fd, to);
		close(fd);
	}
}

static long cap_ipc_lock(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[0].effective |= 1u << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

/* Loads, stores and touches: a signal ends the access and is reported. */
static void do_access(void)
{
	int s = sigsetjmp(jb, 1);
	if (s) {
		r.sig = s;
		r.code = sigcode;
		return;
	}
	volatile uint64_t *p = (volatile uint64_t *)(c.a[0] & ~(PG - 1));
	if (c.op == READ)
		r.val = p[0];
	else if (c.op == WRITE)
		for (size_t i = 0; i < PG / 8; i++)
			p[i] = c.a[1];
	else
		for (uint64_t a = c.a[0] & ~(PG - 1); a < c.a[0] + c.a[1]; a += PG) {
			if (c.a[2])
				__atomic_fetch_or((uint64_t *)a, 0, __ATOMIC_RELAXED);
			else
				(void)*(volatile char *)a;
		}
}

/* open(2) of a disk file with POSIX_FADV_RANDOM (FMODE_RANDOM): read(2) reads only the pages it asks
 * for, as the model's pread does; mmap faults still read ahead (FMODE_RANDOM does not reach them). */
static long open_file(void)
{
	int fd = open(c.s, (int)c.a[0], 0644);
	if (fd >= 0)
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	return fd;
}

static long do_fork(void)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	close(CMD_IN);
	close(REP_OUT);
	char path[300];
	strcpy(path, c.s);
	strcat(path, ".in");
	move_fd(open(path, O_RDONLY), CMD_IN);
	strcpy(path, c.s);
	strcat(path, ".out");
	move_fd(open(path, O_WRONLY), REP_OUT);
	return -2; /* the child: no reply to the FORK command */
}

static long execute(void)
{
	struct rlimit rl;
	switch (c.op) {
	case MMAP:
		return (long)mmap((void *)c.a[0], c.a[1], (int)c.a[2], (int)c.a[3], (int)c.a[4], (off_t)c.a[5]);
	case MUNMAP: return munmap((void *)c.a[0], c.a[1]);
	case MPROTECT: return mprotect((void *)c.a[0], c.a[1], (int)c.a[2]);
	case MREMAP: return syscall(SYS_mremap, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
	case MADVISE: return madvise((void *)c.a[0], c.a[1], (int)c.a[2]);
	case READ: case WRITE: case TOUCH: do_access(); return 0;
	case MEMFD: return syscall(SYS_memfd_create, c.s, (unsigned)c.a[0]);
	case OPEN: return open_file();
	case PWRITE:
		for (size_t i = 0; i < PG / 8; i++)
			pagebuf[i] = c.a[2];
		return pwrite((int)c.a[0], pagebuf, PG, (off_t)c.a[1]);
	case PREAD: r.val = 0; return pread((int)c.a[0], &r.val, 8, (off_t)c.a[1]);
	case FTRUNCATE: return ftruncate((int)c.a[0], (off_t)c.a[1]);
	case FALLOCATE: return fallocate((int)c.a[0], (int)c.a[1], (off_t)c.a[2], (off_t)c.a[3]);
	case CLOSE: return close((int)c.a[0]);
	case MLOCK: return mlock((void *)c.a[0], c.a[1]);
	case MLOCK2: return syscall(SYS_mlock2, c.a[0], c.a[1], (unsigned)c.a[2]);
	case MUNLOCK: return munlock((void *)c.a[0], c.a[1]);
	case MLOCKALL: return mlockall((int)c.a[0]);
	case MUNLOCKALL: return munlockall();
	case SETRLIMIT: rl.rlim_cur = rl.rlim_max = c.a[0]; return setrlimit(RLIMIT_MEMLOCK, &rl);
	case CAPLOCK: return cap_ipc_lock((int)c.a[0]);
	case MOVE_PAGES:
		return syscall(SYS_move_pages, 0, c.n, c.list, c.a[0] ? c.nodes : NULL, r.status, (int)c.a[1]);
	case FORK: return do_fork();
	case EXIT: _exit(0);
	case PING: return getpid();
	case MINFLT: {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		r.val = (uint64_t)ru.ru_minflt;
		return 0;
	}
	}
	errno = ENOSYS;
	return -1;
}

static void serve(void)
{
	for (;;) {
		if (full_read(&c, sizeof c))
			_exit(0);
		memset(&r, 0, sizeof r);
		errno = 0;
		long ret = execute();
		if (c.op == FORK && ret == -2)
			continue;
		r.ret = ret;
		r.err = (ret == -1 && !r.sig) ? errno : 0;
		full_write(&r, sizeof r);
	}
}

/* Grows the stack once, so that serving never extends the stack VMA. */
__attribute__((noinline)) static void warm_stack(void)
{
	volatile char stack[256 * 1024];
	for (size_t i = 0; i < sizeof stack; i += PG)
		stack[i] = 1;
}

/*
 * Moves [vvar], [vvar_vclock] and [vdso] far below the mmap area. The kernel puts them at the top
 * of it, right above the script's first mapping, where the model has nothing: an access just past
 * that mapping must fault with SEGV_MAPERR as in the model, and nothing of the servant may sit
 * next to a script mapping. The servant never calls into the vDSO.
 */
static void move_special_mappings(void)
{
	static char maps[8192];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n = 0, k;
	while (fd >= 0 && (k = read(fd, maps + n, sizeof maps - 1 - (size_t)n)) > 0)
		n += k;
	if (fd >= 0)
		close(fd);
	maps[n] = 0;
	uint64_t to = 0x100000000UL;
	for (char *line = maps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : 0) {
		char *eol = strchr(line, '\n');
		char *tag = strstr(line, "[v");
		if (!tag || (eol && tag > eol) || (strncmp(tag, "[vvar", 5) && strncmp(tag, "[vdso]", 6)))
			continue;
		char *end;
		uint64_t start = strtoull(line, &end, 16);
		uint64_t stop = strtoull(end + 1, 0, 16);
		syscall(SYS_mremap, start, stop - start, stop - start, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		to += stop - start + 0x100000;
	}
}

int main(void)
{
	move_special_mappings();
	warm_stack();
	move_fd(dup(0), CMD_IN);
	move_fd(dup(1), REP_OUT);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	if (null > 2)
		close(null);
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_NODEFER };
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGBUS, &sa, 0);
	signal(SIGCHLD, SIG_IGN);
	serve();
	return 0;
}
