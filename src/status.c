/* SPDX-License-Identifier: Apache-2.0 */
/* Names of status codes. */
#include <libpvm/types.h>

const char *pvm_strerror(int status)
{
	switch (status) {
	case PVM_OK:
		return "success";
	case PVM_E_INVAL:
		return "invalid argument";
	case PVM_E_RANGE:
		return "address out of range";
	case PVM_E_NOMEM:
		return "page pool too small";
	case PVM_E_EXISTS:
		return "already exists";
	case PVM_E_NOENT:
		return "not mapped";
	case PVM_E_STATE:
		return "wrong state";
	case PVM_E_BUSY:
		return "busy";
	case PVM_E_PERM:
		return "not permitted";
	case PVM_E_NOTSUP:
		return "not supported";
	}
	return "unknown status";
}
