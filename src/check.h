/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks of what cannot happen. A commit runs only after its checks passed
 * and its pages were reserved, so its steps cannot fail; if one does, the
 * core's state is already half changed and continuing would hand out pages
 * nobody owns. Every such step goes through PVM_CHECK, which stops the
 * machine (pvm_port_panic()) instead of dropping the status, as pKVM's
 * WARN_ON(__do_donate()) and Hafnium's CHECK() do. Never use it for what a
 * caller can cause: that is a status code.
 */
#ifndef PVM_CHECK_H
#define PVM_CHECK_H

#include <libpvm/port.h>

#define PVM_CHECK_STR_(x) #x
#define PVM_CHECK_STR(x)  PVM_CHECK_STR_(x)
/* The file's name, not its path: the EL2 image's measured bytes must not depend on the checkout. */
#ifdef __FILE_NAME__
#define PVM_CHECK_WHERE __FILE_NAME__ ":" PVM_CHECK_STR(__LINE__)
#else
#define PVM_CHECK_WHERE __FILE__ ":" PVM_CHECK_STR(__LINE__)
#endif

/* Stop the machine unless cond holds. */
#define PVM_CHECK(cond)                                                                            \
	do {                                                                                       \
		if (__builtin_expect(!(cond), 0))                                                  \
			pvm_port_panic(PVM_CHECK_WHERE ": " #cond);                                \
	} while (0)

/* Stop the machine unless expr, a step that cannot fail, returned PVM_OK. */
#define PVM_CHECK_OK(expr) PVM_CHECK((expr) == PVM_OK)

/*
 * The caller must hold lock (the function's contract, which its name or
 * comment states). Checked in builds without NDEBUG; free otherwise.
 */
#ifdef NDEBUG
#define pvm_assert_lock_held(lock) ((void)(lock))
#else
#define pvm_assert_lock_held(lock) PVM_CHECK(pvm_port_lock_held(lock))
#endif

#endif /* PVM_CHECK_H */
