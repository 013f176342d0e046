// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvm-attest: asks /dev/pvm (pvm_guest.ko) for evidence for a challenge and
 * prints it as hex between marker lines, for the host to take off the
 * console and check with pvm-verify --hex.
 *   pvm-attest CHALLENGE_HEX
 *   pvm-attest --bad-input
 * Exits 0 with the evidence printed; 1 when the driver refuses (its errno
 * said); 2 on a bad command line. --bad-input runs the ioctl's table of bad
 * arguments, each of which must get its errno, prints a FAIL line per row
 * that did not and "END ok, N rows" when every row passed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pvm_guest.h"

/* Hex digits only, an even number of them, at most max bytes: the length, or -1. */
static int parse_hex(const char *hex, uint8_t *out, size_t max)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = strlen(hex), i;

	if (len % 2 || len / 2 > max)
		return -1;
	memset(out, 0, len / 2);
	for (i = 0; i < len; i++) {
		const char *d = strchr(digits, tolower((unsigned char)hex[i]));

		if (!d || !*d)
			return -1;
		out[i / 2] = (uint8_t)(out[i / 2] << 4 | (d - digits));
	}
	return (int)(len / 2);
}

/* One row of the bad-input table: what is wrong with the argument, the errno it must get. */
struct bad_row {
	const char *what;
	unsigned long cmd;
	uint32_t challenge_len, evidence_size, flags, reserved;
	uint64_t challenge, evidence; /* 0: a valid buffer */
	int want;
};

static const struct bad_row bad_rows[] = {
	{"challenge of 0 bytes", PVM_GUEST_IOC_ATTEST, 0, 4096, 0, 0, 0, 0, EINVAL},
	{"challenge of 65 bytes", PVM_GUEST_IOC_ATTEST, 65, 4096, 0, 0, 0, 0, EINVAL},
	{"challenge of 4 GiB - 1", PVM_GUEST_IOC_ATTEST, 0xffffffffu, 4096, 0, 0, 0, 0, EINVAL},
	{"evidence buffer of 0 bytes", PVM_GUEST_IOC_ATTEST, 32, 0, 0, 0, 0, 0, EINVAL},
	{"flags not 0", PVM_GUEST_IOC_ATTEST, 32, 4096, 1, 0, 0, 0, EINVAL},
	{"reserved not 0", PVM_GUEST_IOC_ATTEST, 32, 4096, 0, 1, 0, 0, EINVAL},
	{"challenge at an unmapped address", PVM_GUEST_IOC_ATTEST, 32, 4096, 0, 0, 16, 0, EFAULT},
	{"challenge at a kernel address", PVM_GUEST_IOC_ATTEST, 32, 4096, 0, 0,
	 0xffff800080000000ull, 0, EFAULT},
	{"evidence at an unmapped address", PVM_GUEST_IOC_ATTEST, 32, 4096, 0, 0, 0, 16, EFAULT},
	{"evidence at a kernel address", PVM_GUEST_IOC_ATTEST, 32, 4096, 0, 0, 0,
	 0xffff800080000000ull, EFAULT},
	{"evidence buffer of 16 bytes", PVM_GUEST_IOC_ATTEST, 32, 16, 0, 0, 0, 0, ENOSPC},
	{"unknown ioctl", _IOWR(PVM_GUEST_IOC_MAGIC, 0x7f, struct pvm_guest_attest), 32, 4096, 0, 0,
	 0, 0, ENOTTY},
	{"ATTEST with another size", _IOWR(PVM_GUEST_IOC_MAGIC, 0x01, uint64_t), 32, 4096, 0, 0, 0,
	 0, ENOTTY},
};

static int bad_input(int fd, uint8_t *ev, size_t ev_size)
{
	static uint8_t chal[PVM_GUEST_CHALLENGE_MAX];
	int fails = 0;
	size_t i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct pvm_guest_attest a = {
			.challenge = r->challenge ? r->challenge : (uint64_t)(uintptr_t)chal,
			.evidence = r->evidence ? r->evidence : (uint64_t)(uintptr_t)ev,
			.challenge_len = r->challenge_len,
			.evidence_size = r->evidence_size,
			.flags = r->flags,
			.reserved = r->reserved,
		};
		int ret = ioctl(fd, r->cmd, &a), err = ret ? errno : 0;
		/* ENOSPC must also say how much is needed: more than given, at most the limit. */
		int ok = ret == -1 && err == r->want &&
			 (r->want != ENOSPC ||
			  (a.evidence_size > r->evidence_size && a.evidence_size <= ev_size));

		/* Only the failures: every byte is an exit on a guest's console, slow when nested.
		 */
		if (!ok)
			printf("FAIL: %s: %s (want %s)\n", r->what, ret ? strerror(err) : "success",
			       strerror(r->want));
		fails += !ok;
	}
	printf("END %s, %zu rows\n", fails ? "FAIL" : "ok", i);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	static uint8_t ev[PVM_GUEST_EVIDENCE_MAX];
	uint8_t chal[PVM_GUEST_CHALLENGE_MAX];
	struct pvm_guest_attest a;
	int n, fd;
	uint32_t i;

	bool bad = argc == 2 && !strcmp(argv[1], "--bad-input");

	n = argc == 2 && !bad ? parse_hex(argv[1], chal, sizeof(chal)) : -1;
	if (n < 1 && !bad) {
		fprintf(stderr, "usage: pvm-attest CHALLENGE_HEX (1 to %d bytes) | --bad-input\n",
			PVM_GUEST_CHALLENGE_MAX);
		return 2;
	}
	fd = open("/dev/pvm", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "pvm-attest: /dev/pvm: %s\n", strerror(errno));
		return 1;
	}
	if (bad) {
		n = bad_input(fd, ev, sizeof(ev));
		close(fd);
		return n;
	}
	memset(&a, 0, sizeof(a));
	a.challenge = (uint64_t)(uintptr_t)chal;
	a.challenge_len = (uint32_t)n;
	a.evidence = (uint64_t)(uintptr_t)ev;
	a.evidence_size = sizeof(ev);
	if (ioctl(fd, PVM_GUEST_IOC_ATTEST, &a)) {
		fprintf(stderr, "pvm-attest: PVM_GUEST_IOC_ATTEST: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("pvm-attest: evidence hex begin\n");
	for (i = 0; i < a.evidence_size; i++)
		printf("%02x%s", ev[i], i % 32 == 31 || i + 1 == a.evidence_size ? "\n" : "");
	printf("pvm-attest: evidence hex end\n");
	return 0;
}
