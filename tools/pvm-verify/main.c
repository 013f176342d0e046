/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pvm-verify: check a protected VM's attestation evidence against a root key
 * and a challenge, and print its claims as JSON.
 *
 *   pvm-verify --root <key> --challenge <hex> [--hex] <evidence-file>
 *
 * The root key file holds the 65-byte uncompressed P-256 point, raw or as
 * hex, or a PEM public key. --hex reads the evidence as hex text (whitespace
 * ignored), as the EL2 port prints it on its console.
 *
 * Exit status: 0 verified, 1 rejected (or a file that cannot be read),
 * 2 usage error. Every failure prints one "pvm-verify: ..." line on stderr.
 */
#include <libpvm/verify.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hex text of the largest evidence with generous room for whitespace. */
#define FILE_MAX (1u << 20)

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("pvm-verify: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *f)
{
	fputs("usage: pvm-verify --root <root-key> --challenge <hex> [--hex] <evidence-file>\n"
	      "  --root FILE       the trusted root key: 65-byte raw P-256 point, its hex, or PEM\n"
	      "  --challenge HEX   the challenge sent to the VM (1 to 64 bytes)\n"
	      "  --hex             the evidence file is hex text (whitespace ignored)\n"
	      "Prints the verified claims as JSON; exit 0 verified, 1 rejected, 2 usage.\n",
	      f);
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap, const char *what)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die(1, "cannot open %s %s: %s", what, path, strerror(errno));
	n = fread(buf, 1, cap, f);
	if (ferror(f))
		die(1, "cannot read %s %s: %s", what, path, strerror(errno));
	if (n == cap && fgetc(f) != EOF)
		die(1, "%s %s is too large", what, path);
	fclose(f);
	return n;
}

static int nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode hex text, whitespace ignored. Returns the byte count, or -1. */
static long unhex(const char *s, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (isspace((unsigned char)s[i]))
			continue;
		v = nibble((unsigned char)s[i]);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static bool pem_key(const uint8_t *text, size_t len, uint8_t pub[PVM_VERIFY_PUB_SIZE])
{
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	char group[32] = "";
	size_t n = 0;
	bool ok;

	ok = pkey && EVP_PKEY_is_a(pkey, "EC") &&
	     EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL) == 1 &&
	     strcmp(group, "prime256v1") == 0 &&
	     EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub,
					     PVM_VERIFY_PUB_SIZE, &n) == 1 &&
	     n == PVM_VERIFY_PUB_SIZE;
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return ok;
}

static void load_root(const char *path, uint8_t pub[PVM_VERIFY_PUB_SIZE])
{
	static uint8_t buf[16384];
	size_t n = read_file(path, buf, sizeof(buf) - 1, "root key");

	if (n == PVM_VERIFY_PUB_SIZE && buf[0] == 0x04) {
		memcpy(pub, buf, n);
		return;
	}
	if (unhex((const char *)buf, n, pub, PVM_VERIFY_PUB_SIZE) == PVM_VERIFY_PUB_SIZE)
		return;
	buf[n] = '\0';
	if (strstr((const char *)buf, "-----BEGIN") && pem_key(buf, n, pub))
		return;
	die(1, "root key %s is not a P-256 public key (65-byte raw point, its hex, or PEM)", path);
}

/* "key": "hex" (just "hex" for an empty key: an array element). */
static void json_hex(const char *key, const uint8_t *b, size_t n, const char *end)
{
	if (key[0])
		printf("\"%s\": ", key);
	putchar('"');
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\"%s", end);
}

static void print_claims(const struct pvm_claims *c)
{
	printf("{\n  \"root\": {\"id\": \"%s\"},\n", c->root_id);
	printf("  \"hypervisor\": {\n    \"id\": \"%s\",\n    ", c->hyp_id);
	json_hex("public_key", c->hyp_pub, sizeof(c->hyp_pub), ",\n    ");
	json_hex("code_hash", c->hyp_code_hash, sizeof(c->hyp_code_hash), ",\n    ");
	json_hex("config_hash", c->hyp_config_hash, sizeof(c->hyp_config_hash), ",\n    ");
	json_hex("authority_hash", c->hyp_authority_hash, sizeof(c->hyp_authority_hash), ",\n    ");
	printf("\"mode\": %u\n  },\n", c->hyp_mode);

	printf("  \"vm\": {\n    \"id\": \"%s\",\n    ", c->vm_id);
	json_hex("public_key", c->vm_pub, sizeof(c->vm_pub), ",\n    ");
	printf("\"mode\": %u,\n    ", c->vm_mode);
	json_hex("config_descriptor", c->vm_config, sizeof(c->vm_config), ",\n    ");
	json_hex("config_hash", c->vm_config_hash, sizeof(c->vm_config_hash), ",\n    ");
	json_hex("authority_hash", c->vm_authority_hash, sizeof(c->vm_authority_hash), ",\n    ");
	printf("\"ipa_bits\": %u,\n    \"protected\": %s,\n", c->vm_ipa_bits,
	       c->vm_protected ? "true" : "false");
	printf("    \"ram_base\": %llu,\n    \"ram_size\": %llu\n  },\n",
	       (unsigned long long)c->vm_ram_base, (unsigned long long)c->vm_ram_size);

	printf("  \"token\": {\n    ");
	json_hex("challenge", c->challenge, c->challenge_len, ",\n    ");
	printf("\"profile\": \"%s\",\n    \"hash_algorithm\": \"%s\",\n    ", c->profile,
	       c->hash_alg);
	json_hex("rim", c->rim, sizeof(c->rim), ",\n    ");
	printf("\"rem\": [\n");
	for (size_t i = 0; i < PVM_VERIFY_REM_COUNT; i++) {
		printf("      ");
		json_hex("", c->rem[i], sizeof(c->rem[i]),
			 i + 1 < PVM_VERIFY_REM_COUNT ? ",\n" : "\n");
	}
	printf("    ],\n    ");
	json_hex("rpv", c->rpv, sizeof(c->rpv), "\n  }\n}\n");
}

int main(int argc, char **argv)
{
	static uint8_t file[FILE_MAX];
	static uint8_t evidence[FILE_MAX / 2];
	const char *root_path = NULL, *chal_hex = NULL, *ev_path = NULL;
	uint8_t root[PVM_VERIFY_PUB_SIZE], chal[PVM_VERIFY_CHALLENGE_MAX];
	struct pvm_claims claims;
	bool hex = false;
	long chal_len;
	size_t len;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			root_path = argv[++i];
		} else if (!strcmp(argv[i], "--challenge") && i + 1 < argc) {
			chal_hex = argv[++i];
		} else if (!strcmp(argv[i], "--hex")) {
			hex = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && !ev_path) {
			ev_path = argv[i];
		} else {
			usage(stderr);
			die(2, "bad argument '%s'", argv[i]);
		}
	}
	if (!root_path || !chal_hex || !ev_path) {
		usage(stderr);
		die(2, "--root, --challenge and an evidence file are required");
	}
	chal_len = unhex(chal_hex, strlen(chal_hex), chal, sizeof(chal));
	if (chal_len < 1)
		die(2, "--challenge must be 1 to %u bytes of hex", PVM_VERIFY_CHALLENGE_MAX);

	load_root(root_path, root);
	len = read_file(ev_path, file, sizeof(file), "evidence");
	if (hex) {
		long n = unhex((const char *)file, len, evidence, sizeof(evidence));

		if (n < 0)
			die(1, "evidence %s is not hex text", ev_path);
		len = (size_t)n;
	} else {
		memcpy(evidence, file, len < sizeof(evidence) ? len : sizeof(evidence));
		if (len > sizeof(evidence))
			len = sizeof(evidence); /* still over the limit: rejected as too big */
	}

	ret = pvm_verify_evidence(evidence, len, root, chal, (size_t)chal_len, &claims);
	if (ret == PVM_VERIFY_E_ROOT_KEY)
		die(1, "root key %s: %s", root_path, pvm_verify_strerror(ret));
	if (ret)
		die(1, "%s: %s", pvm_verify_part_name(claims.fail_part), pvm_verify_strerror(ret));
	print_claims(&claims);
	return 0;
}
