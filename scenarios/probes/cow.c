/* tools/testing/selftests/mm/cow.c cases for base pages: checks scenarios 07-cow-basic-after-fork
 * ("Basic COW after fork()" and "... with mprotect() optimization"), 08-cow-three-way (the reverse
 * direction: a child writes, the others keep the old content; Pss with mapcount 3) and
 * 09-cow-non-anon (cow.c non-anon "Basic COW": shared zero page, memfd, regular file).
 * Run as root: gcc -O1 -o /tmp/cow cow.c && /tmp/cow */
#include "probe.h"

int main(void)
{
	catch_signals();
	pid_t me = getpid();

	printf("== 07 basic COW after fork\n");
	char *a = iso_map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	try_write(a, 0x41);
	try_write(a + PG, 0x42);
	struct servant c = servant_fork();
	show_write("p write page 0 0xff", a, 0xff);
	servant_read("c read page 0", &c, a);
	P("maps before mprotect", maps_count(me));
	ERR("mprotect page 1 r", mprotect(a + PG, PG, PROT_READ));
	P("maps after r", maps_count(me));
	ERR("mprotect page 1 rw", mprotect(a + PG, PG, PROT_READ | PROT_WRITE));
	P("maps after rw", maps_count(me));
	show_write("p write page 1 0xff", a + PG, 0xff);
	servant_read("c read page 1", &c, a + PG);
	show_read("p read page 1", a + PG);
	show_page("p page 0", me, a);
	show_page("c page 0", c.pid, a);
	show_page("c page 1", c.pid, a + PG);
	show_vma("p", me, a);
	show_vma("c", c.pid, a);
	servant_exit(&c);
	munmap(a - PG, 6 * PG);

	printf("== 08 three-way sharing, a child writes\n");
	a = iso_map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch_write(a, 10);
	try_write(a, 0x41);
	struct servant c1 = servant_fork();
	struct servant c2 = servant_fork();
	show_vma("p after 2 forks", me, a);
	show_vma("c2 after 2 forks", c2.pid, a);
	show_page("p page 0", me, a);
	servant_write("c1 write page 0 0xff", &c1, a, 0xff);
	show_vma("p", me, a);
	show_vma("c1", c1.pid, a);
	show_vma("c2", c2.pid, a);
	show_read("p read page 0", a);
	servant_read("c2 read page 0", &c2, a);
	servant_read("c1 read page 0", &c1, a);
	show_page("p page 0", me, a);
	show_page("c1 page 0", c1.pid, a);
	servant_exit(&c2);
	show_vma("p after c2 exit", me, a);
	show_vma("c1 after c2 exit", c1.pid, a);
	servant_exit(&c1);
	show_vma("p after c1 exit", me, a);
	munmap(a - PG, 18 * PG);

	printf("== 09 non-anon Basic COW: zero page\n");
	char *mem = iso_map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *smem = iso_map(1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show_read("read mem", mem);
	show_read("read smem", smem);
	show_vma("mem", me, mem);
	show_write("write mem 0xff", mem, 0xff);
	show_read("read smem", smem);
	show_vma("mem", me, mem);
	show_vma("smem", me, smem);
	show_write("write smem (PROT_READ)", smem, 0xff);
	munmap(mem - PG, 3 * PG);
	munmap(smem - PG, 3 * PG);

	printf("== 09 non-anon Basic COW: memfd\n");
	long sh0 = field_of("/proc/meminfo", "Shmem"), rs0 = status_kb(me, "RssShmem"), ra0 = status_kb(me, "RssAnon");
	int fd = memfd_create("cow", 0);
	ERR("fallocate 0 0 1p", fallocate(fd, 0, 0, PG));
	P("Shmem delta after fallocate (noisy, global)", field_of("/proc/meminfo", "Shmem") - sh0);
	mem = iso_map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	smem = iso_map(1, PROT_READ, MAP_SHARED, fd, 0);
	show_read("read mem", mem);
	show_read("read smem", smem);
	show_vma("mem", me, mem);
	show_vma("smem", me, smem);
	P("RssShmem delta", status_kb(me, "RssShmem") - rs0);
	show_page("mem page", me, mem);
	show_write("write mem 0xff", mem, 0xff);
	show_read("read smem", smem);
	show_read("read mem", mem);
	show_vma("mem", me, mem);
	show_vma("smem", me, smem);
	show_page("mem page", me, mem);
	P("RssShmem delta", status_kb(me, "RssShmem") - rs0);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra0);
	munmap(mem - PG, 3 * PG);
	munmap(smem - PG, 3 * PG);
	close(fd);

	printf("== 09 non-anon Basic COW: regular file\n");
	long rf0 = status_kb(me, "RssFile");
	fd = open("/tmp/pr/cow09.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ERR("ftruncate 1p", ftruncate(fd, PG));
	mem = iso_map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	smem = iso_map(1, PROT_READ, MAP_SHARED, fd, 0);
	show_read("read mem", mem);
	show_read("read smem", smem);
	show_vma("mem", me, mem);
	P("RssFile delta", status_kb(me, "RssFile") - rf0);
	show_write("write mem 0xff", mem, 0xff);
	show_read("read smem", smem);
	show_vma("mem", me, mem);
	show_vma("smem", me, smem);
	P("RssFile delta", status_kb(me, "RssFile") - rf0);
	P("RssAnon delta", status_kb(me, "RssAnon") - ra0);
	uint64_t v = 0;
	pread(fd, &v, 8, 0);
	P("pread 0", v);
	close(fd);
	unlink("/tmp/pr/cow09.dat");
	return 0;
}
