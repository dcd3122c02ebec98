/* The floor of bench/run-verify.sh: a program that does nothing but map
 * the input files read-only (MAP_POPULATE, as evalkit does) and read one
 * float of every 64-byte cache line, so every page is touched. No
 * evaluation can take less time than this on the same machine; the ratio
 * of numpy's time to this one bounds the whole-process speed-up any
 * program could show.
 *
 *   gcc -O2 -o touch_input bench/touch_input.c && ./touch_input FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
	float sum = 0;
	for (int a = 1; a < argc; a++) {
		int fd = open(argv[a], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			perror(argv[a]);
			return 1;
		}
		const float *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED) {
			perror(argv[a]);
			return 1;
		}
		for (size_t i = 32; i < (size_t)st.st_size / 4; i += 16)
			sum += p[i];
		close(fd);
	}
	printf("%g\n", sum);
	return 0;
}
