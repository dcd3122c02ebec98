/* The floor of bench/run-verify.sh: a program that does nothing but read
 * the input files through one small buffer (256 kB read() calls: the
 * fastest way found on the project's VM, where mapping a file's pages costs
 * ~1.5 us per page on first touch) and sum one float per 64-byte cache
 * line. No evaluation can take less time on the same machine; the ratio of
 * numpy's time to this one bounds the whole-process speed-up any program
 * could show.
 *
 *   gcc -O2 -o touch_input bench/touch_input.c && ./touch_input FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static float buf[65536];

int main(int argc, char **argv) {
	float sum = 0;
	for (int a = 1; a < argc; a++) {
		int fd = open(argv[a], O_RDONLY);
		if (fd < 0) {
			perror(argv[a]);
			return 1;
		}
		ssize_t k;
		while ((k = read(fd, buf, sizeof buf)) > 0)
			for (ssize_t i = 0; i < k / 4; i += 16)
				sum += buf[i];
		if (k < 0) {
			perror(argv[a]);
			return 1;
		}
		close(fd);
	}
	printf("%g\n", sum);
	return 0;
}
