/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file pvm.h
 * @brief Umbrella header: everything a user of the libpvm core includes.
 *
 * Ports additionally include libpvm/port.h, which declares the hooks they
 * must define; users of a port include that port's header (libpvm/sim.h).
 */
#ifndef LIBPVM_PVM_H
#define LIBPVM_PVM_H

#include <libpvm/types.h>
#include <libpvm/pool.h>
#include <libpvm/stage2.h>
#include <libpvm/mem.h>
#include <libpvm/vm.h>
#include <libpvm/vcpu.h>
#include <libpvm/esr.h>
#include <libpvm/arch.h>
#include <libpvm/abi.h>
#include <libpvm/host_call.h>

#endif /* LIBPVM_PVM_H */
