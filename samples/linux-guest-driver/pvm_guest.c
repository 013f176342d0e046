// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvm_guest: a Linux guest's door to libpvm's own guest calls.
 *
 * libpvm answers the vendor-hypervisor UID call with KVM's UID (so Linux's
 * pKVM guest code finds pKVM's calls) and adds its own calls above pKVM's
 * range (docs/abi.md). The UID alone cannot tell libpvm from plain KVM,
 * which has the same UID: libpvm's FEATURES call can, as KVM answers it
 * NOT_SUPPORTED. Without both the module refuses to load (-ENODEV).
 *
 * /dev/pvm gives userspace evidence for a challenge, extends runtime
 * measurement registers and derives sealing keys (pvm_guest.h). The
 * hypervisor reads and writes guest memory at guest physical addresses, so
 * the challenge and the evidence are staged in kmalloc'd buffers (the
 * linear map: physically contiguous) whose physical addresses go into the
 * call; user memory is never handed to the hypervisor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/arm-smccc.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pvm_guest.h"
#include "pvm_guest_calls.h"

/* libpvm's FEATURES bitmap, read once at load. */
static unsigned long pvm_features;

static bool pvm_has_kvm_uid(void)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_invoke(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, &res);
	return lower_32_bits(res.a0) == ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0 &&
	       lower_32_bits(res.a1) == ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_1 &&
	       lower_32_bits(res.a2) == ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_2 &&
	       lower_32_bits(res.a3) == ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_3;
}

/* The evidence call's answer as an errno; *len the length or the size needed. */
static int pvm_attest_result(const struct arm_smccc_res *res, size_t size, u32 *len)
{
	long ret = (long)res->a0;

	if (ret == SMCCC_RET_SUCCESS) {
		/* A hypervisor that claims more than the buffer held is broken. */
		if (!res->a1 || res->a1 > size)
			return -EIO;
		*len = res->a1;
		return 0;
	}
	if (ret == PVMG_RET_INVALID_PARAMETER && res->a1 > size) {
		/* Only the buffer was too small; more than libpvm's limit is not believed. */
		if (res->a1 > PVM_GUEST_EVIDENCE_MAX)
			return -EIO;
		*len = res->a1;
		return -ENOSPC;
	}
	if (ret == SMCCC_RET_NOT_SUPPORTED)
		return -EOPNOTSUPP;
	return -EIO;
}

static long pvm_ioctl_attest(void __user *uarg)
{
	struct pvm_guest_attest a;
	struct arm_smccc_res res;
	u8 *chal, *ev;
	size_t size;
	u32 len = 0;
	int err;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.reserved || !a.challenge_len ||
	    a.challenge_len > PVM_GUEST_CHALLENGE_MAX || !a.evidence_size)
		return -EINVAL;
	if (!(pvm_features & PVMG_FEATURE(PVMG_CALL_ATTEST)))
		return -EOPNOTSUPP;
	size = min_t(size_t, a.evidence_size, PVM_GUEST_EVIDENCE_MAX);

	/* Zeroed: whatever the hypervisor does not write reads as zeroes, never as old data. */
	chal = kzalloc(PVM_GUEST_CHALLENGE_MAX, GFP_KERNEL);
	ev = kzalloc(size, GFP_KERNEL);
	if (!chal || !ev) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(chal, u64_to_user_ptr(a.challenge), a.challenge_len)) {
		err = -EFAULT;
		goto out;
	}
	arm_smccc_1_1_invoke(PVMG_CALL_ATTEST, virt_to_phys(chal), a.challenge_len,
			     virt_to_phys(ev), size, &res);
	err = pvm_attest_result(&res, size, &len);
	if (!err && copy_to_user(u64_to_user_ptr(a.evidence), ev, len)) {
		err = -EFAULT;
		goto out;
	}
	if (!err || err == -ENOSPC) {
		a.evidence_size = len;
		if (copy_to_user(uarg, &a, sizeof(a)))
			err = -EFAULT;
	}
out:
	kfree(ev);
	kfree(chal);
	return err;
}

/* A libpvm call's status (x0) as an errno. */
static int pvm_call_errno(const struct arm_smccc_res *res)
{
	switch ((long)res->a0) {
	case SMCCC_RET_SUCCESS:
		return 0;
	case SMCCC_RET_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case PVMG_RET_INVALID_PARAMETER:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static long pvm_ioctl_rem_extend(void __user *uarg)
{
	struct pvm_guest_rem_extend r;
	struct arm_smccc_res res;
	u8 *data;
	int err;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.reserved || r.index >= PVMG_REM_COUNT || !r.len ||
	    r.len > PVMG_REM_DATA_MAX)
		return -EINVAL;
	if (!(pvm_features & PVMG_FEATURE(PVMG_CALL_REM_EXTEND)))
		return -EOPNOTSUPP;
	data = kmalloc(r.len, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	if (copy_from_user(data, u64_to_user_ptr(r.data), r.len)) {
		err = -EFAULT;
		goto out;
	}
	arm_smccc_1_1_invoke(PVMG_CALL_REM_EXTEND, r.index, virt_to_phys(data), r.len, &res);
	err = pvm_call_errno(&res);
out:
	kfree(data);
	return err;
}

static long pvm_ioctl_seal_key(void __user *uarg)
{
	struct pvm_guest_seal_key k;
	struct arm_smccc_res res;
	u8 *ctx, *key;
	int err;

	if (copy_from_user(&k, uarg, sizeof(k)))
		return -EFAULT;
	if (k.flags || k.context_len > PVMG_SEAL_CONTEXT_MAX)
		return -EINVAL;
	if (!(pvm_features & PVMG_FEATURE(PVMG_CALL_SEAL_KEY)))
		return -EOPNOTSUPP;
	/* One allocation: the context, then the key (never logged, wiped on the way out). */
	ctx = kzalloc(PVMG_SEAL_CONTEXT_MAX + PVMG_SEAL_KEY_LEN, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	key = ctx + PVMG_SEAL_CONTEXT_MAX;
	if (k.context_len && copy_from_user(ctx, u64_to_user_ptr(k.context), k.context_len)) {
		err = -EFAULT;
		goto out;
	}
	arm_smccc_1_1_invoke(PVMG_CALL_SEAL_KEY, virt_to_phys(key), virt_to_phys(ctx),
			     k.context_len, &res);
	err = pvm_call_errno(&res);
	if (!err) {
		memcpy(k.key, key, sizeof(k.key));
		if (copy_to_user(uarg, &k, sizeof(k)))
			err = -EFAULT;
		memzero_explicit(k.key, sizeof(k.key));
	}
out:
	kfree_sensitive(ctx);
	return err;
}

static long pvm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case PVM_GUEST_IOC_ATTEST:
		return pvm_ioctl_attest((void __user *)arg);
	case PVM_GUEST_IOC_REM_EXTEND:
		return pvm_ioctl_rem_extend((void __user *)arg);
	case PVM_GUEST_IOC_SEAL_KEY:
		return pvm_ioctl_seal_key((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pvm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = pvm_ioctl,
	/* The argument has the same layout for 32-bit callers: fixed-width fields only. */
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pvm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pvm",
	.fops = &pvm_fops,
	.mode = 0600,
};

static int __init pvm_guest_init(void)
{
	struct arm_smccc_res res;
	int err;

	if (!pvm_has_kvm_uid()) {
		pr_info("no libpvm: the vendor hypervisor UID is not libpvm's (KVM's)\n");
		return -ENODEV;
	}
	arm_smccc_1_1_invoke(PVMG_CALL_FEATURES, &res);
	if ((long)res.a0 < 0 || !(res.a0 & PVMG_FEATURE(PVMG_CALL_FEATURES))) {
		pr_info("no libpvm: KVM's UID, but no libpvm FEATURES call (plain KVM?)\n");
		return -ENODEV;
	}
	pvm_features = res.a0;
	err = misc_register(&pvm_misc);
	if (err)
		return err;
	pr_info("libpvm found, guest calls 0x%lx, /dev/%s\n", pvm_features, pvm_misc.name);
	return 0;
}

static void __exit pvm_guest_exit(void)
{
	misc_deregister(&pvm_misc);
}

module_init(pvm_guest_init);
module_exit(pvm_guest_exit);

MODULE_DESCRIPTION("libpvm guest calls for userspace: evidence, REM extension, sealing keys");
MODULE_LICENSE("GPL");
