/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * pvm_guest.h - the user interface of the libpvm guest driver (pvm_guest.ko):
 * what a program in a Linux guest of libpvm asks through /dev/pvm.
 *
 * Evidence (docs/attestation.md section 6) for a challenge of 1 to
 * PVM_GUEST_CHALLENGE_MAX bytes:
 *
 *	struct pvm_guest_attest a = {
 *		.challenge = (__u64)(uintptr_t)chal, .challenge_len = n,
 *		.evidence = (__u64)(uintptr_t)buf, .evidence_size = sizeof(buf),
 *	};
 *	ioctl(fd, PVM_GUEST_IOC_ATTEST, &a);
 *
 * On success evidence_size is the evidence's length. Errors: EINVAL for a
 * challenge length outside 1..PVM_GUEST_CHALLENGE_MAX, an evidence size of
 * 0, or flags/reserved not zero; EFAULT for a pointer the driver cannot
 * copy through; ENOSPC when the buffer is too small (evidence_size is then
 * the size needed; at most PVM_GUEST_EVIDENCE_MAX is ever needed);
 * EOPNOTSUPP when the hypervisor has no attestation; EIO when it refused
 * the call or answered beyond its own limits; ENOMEM; ENOTTY for any other
 * request (another number, or this one with another size).
 */
#ifndef PVM_GUEST_UAPI_H
#define PVM_GUEST_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** The longest challenge libpvm takes (PVM_CHALLENGE_MAX). */
#define PVM_GUEST_CHALLENGE_MAX 64
/** The largest evidence buffer the driver hands to the hypervisor. */
#define PVM_GUEST_EVIDENCE_MAX 16384

/** The argument of PVM_GUEST_IOC_ATTEST. */
struct pvm_guest_attest {
	__u64 challenge;     /* in: user address of the challenge */
	__u64 evidence;	     /* in: user address of the evidence buffer */
	__u32 challenge_len; /* in: 1..PVM_GUEST_CHALLENGE_MAX */
	__u32 evidence_size; /* in: the buffer's size; out: the evidence's length or the size needed
			      */
	__u32 flags;	     /* in: 0 */
	__u32 reserved;	     /* in: 0 */
};

/* 0xb7: not in Documentation/userspace-api/ioctl/ioctl-number.rst as of 6.12. */
/*
 * Extend runtime measurement register @index (0..PVM_GUEST_REM_COUNT-1)
 * with @len bytes (1..PVM_GUEST_REM_DATA_MAX) at user address @data:
 * REM = H(REM || data). The evidence carries every REM.
 */
#define PVM_GUEST_REM_COUNT    4
#define PVM_GUEST_REM_DATA_MAX 2048

struct pvm_guest_rem_extend {
	__u64 data;	/* in: user address of the data */
	__u32 index;	/* in: 0..PVM_GUEST_REM_COUNT-1 */
	__u32 len;	/* in: 1..PVM_GUEST_REM_DATA_MAX */
	__u32 flags;	/* in: 0 */
	__u32 reserved; /* in: 0 */
};

/*
 * A 32-byte sealing key for @context_len (0..PVM_GUEST_SEAL_CONTEXT_MAX)
 * bytes of context at user address @context: the same for every run of a VM
 * of the same authority and mode, with the same context.
 */
#define PVM_GUEST_SEAL_CONTEXT_MAX 64
#define PVM_GUEST_SEAL_KEY_LEN	   32

struct pvm_guest_seal_key {
	__u64 context;	   /* in: user address of the context (ignored if context_len is 0) */
	__u32 context_len; /* in: 0..PVM_GUEST_SEAL_CONTEXT_MAX */
	__u32 flags;	   /* in: 0 */
	__u8 key[PVM_GUEST_SEAL_KEY_LEN]; /* out */
};

#define PVM_GUEST_IOC_MAGIC	 0xb7
#define PVM_GUEST_IOC_ATTEST	 _IOWR(PVM_GUEST_IOC_MAGIC, 0x01, struct pvm_guest_attest)
#define PVM_GUEST_IOC_REM_EXTEND _IOW(PVM_GUEST_IOC_MAGIC, 0x02, struct pvm_guest_rem_extend)
#define PVM_GUEST_IOC_SEAL_KEY	 _IOWR(PVM_GUEST_IOC_MAGIC, 0x03, struct pvm_guest_seal_key)

#endif /* PVM_GUEST_UAPI_H */
