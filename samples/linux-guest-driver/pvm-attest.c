// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvm-attest: asks /dev/pvm (pvm_guest.ko) for evidence for a challenge and
 * prints it as hex between marker lines, for the host to take off the
 * console and check with pvm-verify --hex.
 *   pvm-attest CHALLENGE_HEX
 *   pvm-attest --extend INDEX DATA_HEX
 *   pvm-attest --seal-check
 *   pvm-attest --bad-input
 * Exits 0 with the evidence printed (or the REM extended, or the sealing
 * checks passed); 1 when the driver refuses (its errno said); 2 on a bad
 * command line. --seal-check derives keys for two contexts and the empty
 * one and prints what holds between them, never a key. --bad-input runs
 * the ioctls' table of bad arguments, each of which must get its errno,
 * prints a FAIL line per row that did not and "END ok, N rows" when every
 * row passed.
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

/* Bad arguments of REM_EXTEND and SEAL_KEY: 0 for a valid buffer, as above. */
struct bad_row2 {
	const char *what;
	unsigned long cmd;
	uint32_t index, len, flags;
	uint64_t buf;
	int want;
};

static const struct bad_row2 bad_rows2[] = {
	{"REM index 4", PVM_GUEST_IOC_REM_EXTEND, 4, 32, 0, 0, EINVAL},
	{"REM data of 0 bytes", PVM_GUEST_IOC_REM_EXTEND, 0, 0, 0, 0, EINVAL},
	{"REM data of 2049 bytes", PVM_GUEST_IOC_REM_EXTEND, 0, 2049, 0, 0, EINVAL},
	{"REM flags not 0", PVM_GUEST_IOC_REM_EXTEND, 0, 32, 1, 0, EINVAL},
	{"REM data at an unmapped address", PVM_GUEST_IOC_REM_EXTEND, 0, 32, 0, 16, EFAULT},
	{"REM data at a kernel address", PVM_GUEST_IOC_REM_EXTEND, 0, 32, 0, 0xffff800080000000ull,
	 EFAULT},
	{"sealing context of 65 bytes", PVM_GUEST_IOC_SEAL_KEY, 0, 65, 0, 0, EINVAL},
	{"sealing flags not 0", PVM_GUEST_IOC_SEAL_KEY, 0, 8, 1, 0, EINVAL},
	{"sealing context at an unmapped address", PVM_GUEST_IOC_SEAL_KEY, 0, 8, 0, 16, EFAULT},
};

static int bad_input2(int fd)
{
	static uint8_t data[PVM_GUEST_REM_DATA_MAX + 1];
	int fails = 0;
	size_t i;

	for (i = 0; i < sizeof(bad_rows2) / sizeof(bad_rows2[0]); i++) {
		const struct bad_row2 *r = &bad_rows2[i];
		uint64_t buf = r->buf ? r->buf : (uint64_t)(uintptr_t)data;
		struct pvm_guest_rem_extend e = {
			.data = buf, .index = r->index, .len = r->len, .flags = r->flags};
		struct pvm_guest_seal_key k = {
			.context = buf, .context_len = r->len, .flags = r->flags};
		int ret = ioctl(fd, r->cmd,
				r->cmd == PVM_GUEST_IOC_SEAL_KEY ? (void *)&k : (void *)&e);
		int err = ret ? errno : 0;

		if (ret != -1 || err != r->want) {
			printf("FAIL: %s: %s (want %s)\n", r->what, ret ? strerror(err) : "success",
			       strerror(r->want));
			fails++;
		}
	}
	/* The argument itself out of reach. */
	if (ioctl(fd, PVM_GUEST_IOC_SEAL_KEY, (void *)16) != -1 || errno != EFAULT) {
		printf("FAIL: SEAL_KEY argument at an unmapped address (want EFAULT)\n");
		fails++;
	}
	return fails;
}

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
	fails += bad_input2(fd);
	i += sizeof(bad_rows2) / sizeof(bad_rows2[0]) + 1;
	printf("END %s, %zu rows\n", fails ? "FAIL" : "ok", i);
	return fails ? 1 : 0;
}

static int seal(int fd, const char *ctx, uint8_t key[PVM_GUEST_SEAL_KEY_LEN])
{
	struct pvm_guest_seal_key k = {.context = (uint64_t)(uintptr_t)ctx,
				       .context_len = (uint32_t)strlen(ctx)};

	if (ioctl(fd, PVM_GUEST_IOC_SEAL_KEY, &k)) {
		fprintf(stderr, "pvm-attest: PVM_GUEST_IOC_SEAL_KEY: %s\n", strerror(errno));
		return -1;
	}
	memcpy(key, k.key, PVM_GUEST_SEAL_KEY_LEN);
	return 0;
}

/* Keys for "a" (twice), "b" and "": what holds between them, as yes/no. */
static int seal_check(int fd)
{
	static const uint8_t zero[PVM_GUEST_SEAL_KEY_LEN];
	uint8_t a1[PVM_GUEST_SEAL_KEY_LEN], a2[PVM_GUEST_SEAL_KEY_LEN];
	uint8_t b[PVM_GUEST_SEAL_KEY_LEN], e[PVM_GUEST_SEAL_KEY_LEN];

	if (seal(fd, "a", a1) || seal(fd, "a", a2) || seal(fd, "b", b) || seal(fd, "", e))
		return 1;
	printf("pvm-attest: seal: same context, same key: %s; other context, other key: %s; "
	       "empty context, other key: %s; no key zero: %s\n",
	       memcmp(a1, a2, sizeof(a1)) ? "no" : "yes", memcmp(a1, b, sizeof(a1)) ? "yes" : "no",
	       memcmp(a1, e, sizeof(a1)) && memcmp(b, e, sizeof(b)) ? "yes" : "no",
	       memcmp(a1, zero, sizeof(zero)) && memcmp(b, zero, sizeof(zero)) &&
			       memcmp(e, zero, sizeof(zero))
		       ? "yes"
		       : "no");
	return 0;
}

static int extend(int fd, const char *index, const char *hex)
{
	static uint8_t data[PVM_GUEST_REM_DATA_MAX];
	struct pvm_guest_rem_extend r = {.data = (uint64_t)(uintptr_t)data};
	int n = parse_hex(hex, data, sizeof(data));

	if (n < 1 || strlen(index) != 1 || index[0] < '0' || index[0] > '3') {
		fprintf(stderr, "pvm-attest: --extend INDEX (0-3) DATA_HEX (1 to %d bytes)\n",
			PVM_GUEST_REM_DATA_MAX);
		return 2;
	}
	r.index = (uint32_t)(index[0] - '0');
	r.len = (uint32_t)n;
	if (ioctl(fd, PVM_GUEST_IOC_REM_EXTEND, &r)) {
		fprintf(stderr, "pvm-attest: PVM_GUEST_IOC_REM_EXTEND: %s\n", strerror(errno));
		return 1;
	}
	printf("pvm-attest: REM %u extended with %d bytes\n", r.index, n);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t ev[PVM_GUEST_EVIDENCE_MAX];
	uint8_t chal[PVM_GUEST_CHALLENGE_MAX];
	struct pvm_guest_attest a;
	int n, fd;
	uint32_t i;

	bool bad = argc == 2 && !strcmp(argv[1], "--bad-input");

	if ((argc == 4 && !strcmp(argv[1], "--extend")) ||
	    (argc == 2 && !strcmp(argv[1], "--seal-check"))) {
		fd = open("/dev/pvm", O_RDWR);
		if (fd < 0) {
			fprintf(stderr, "pvm-attest: /dev/pvm: %s\n", strerror(errno));
			return 1;
		}
		n = argc == 4 ? extend(fd, argv[2], argv[3]) : seal_check(fd);
		close(fd);
		return n;
	}

	n = argc == 2 && !bad ? parse_hex(argv[1], chal, sizeof(chal)) : -1;
	if (n < 1 && !bad) {
		fprintf(stderr,
			"usage: pvm-attest CHALLENGE_HEX (1 to %d bytes) | --extend INDEX "
			"DATA_HEX | --seal-check | --bad-input\n",
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
