/* move_pages: checks scenario 45-move-pages-status on this one-node VM (status query, moves to
 * node 0, errors). Scenario 46-move-pages-two-nodes cannot run here; the per-page mlock events of a
 * migration it uses were checked with compaction instead (mlock.c section 46c).
 * Run as root: gcc -O1 -o /tmp/numa numa.c && /tmp/numa */
#include "probe.h"

#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)

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

/* move_pages(0, n, pages, nodes or NULL, status, flags); prints rc/errno and the statuses. */
static void mp(const char *label, int n, void **pages, const int *nodes, int flags)
{
	int st[32];
	for (int i = 0; i < n; i++) st[i] = 12345;
	long rc = syscall(SYS_move_pages, 0, n, pages, nodes, st, flags);
	printf("%-40s rc=%ld%s%s [", label, rc, rc < 0 ? " " : "", rc < 0 ? strerrorname_np(errno) : "");
	for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", st[i]);
	printf("]\n");
}

int main(void)
{
	catch_signals();
	pid_t me = getpid();
	printf("== 45 move_pages status query on a one-node machine\n");
	char *a = iso_map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	try_write(a, 0x41);
	try_write(a + PG, 0x42);
	show_read("read a+2p (zero page)", a + 2 * PG);
	int fd = memfd_create("m45", 0);
	ftruncate(fd, 4 * PG);
	char *s = iso_map(4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	try_write(s, 0x53);
	char *l = iso_map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlock(l, 2 * PG);
	void *pg[] = {a, a + PG, a + 2 * PG, a + 3 * PG, a - PG, (void *)0x10000, s, s + PG, l, a + 1};
	int n = sizeof pg / sizeof pg[0];
	mp("query [a,a+1p,a+2p,a+3p,a-1p,0x10000,s,s+1p,l,a+1]", n, pg, NULL, 0);
	long m0 = vmstat("pgmigrate_success");
	int zeros[16] = {0};
	mp("move all to node 0", n, pg, zeros, MPOL_MF_MOVE);
	P("pgmigrate_success delta", vmstat("pgmigrate_success") - m0);
	int ones[16];
	for (int i = 0; i < 16; i++) ones[i] = 1;
	mp("move a to node 1", 1, pg, ones, MPOL_MF_MOVE);
	int mixed[] = {0, 1};
	mp("move a,a+1p to nodes 0,1", 2, pg, mixed, MPOL_MF_MOVE);
	int minus[] = {-1};
	mp("move a to node -1", 1, pg, minus, MPOL_MF_MOVE);
	mp("query with flags 0x8", 1, pg, NULL, 0x8);
	mp("move with flags 0x8", 1, pg, zeros, 0x8);
	mp("query count 0", 0, pg, NULL, 0);
	mp("move count 0", 0, pg, zeros, MPOL_MF_MOVE);
	mp("query with flags MOVE", 2, pg, NULL, MPOL_MF_MOVE);
	mp("move with flags 0", 2, pg, zeros, 0);
	show_page("l page 0 after moves", me, l);
	/* shared with a fork child: already on node 0 wins over EACCES */
	struct servant c = servant_fork();
	mp("shared with child: move a to node 0", 1, pg, zeros, MPOL_MF_MOVE);
	mp("shared with child: query", 1, pg, NULL, 0);
	servant_exit(&c);
	munmap(a - PG, 10 * PG);
	mp("query a after munmap", 1, pg, NULL, 0);
	return 0;
}
