/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fdt_chosen.h
 * @brief Just enough of a flattened device tree reader for the EL2 test host
 *        (the challenge placeholder in guest.dtb): one property of /chosen.
 */
#ifndef PVM_FDT_CHOSEN_H
#define PVM_FDT_CHOSEN_H

/**
 * @brief Find a property of the /chosen node.
 * @param dtb  IPA of the device tree (what the VMM passed in x0).
 * @param name The property's name.
 * @param len  Out: its length in bytes.
 * @return The property's value (inside the device tree), or 0 if the tree
 *         is not a valid FDT (version 16 or later) or has no such property.
 */
const unsigned char *fdt_chosen_prop(unsigned long dtb, const char *name, unsigned *len);

#endif /* PVM_FDT_CHOSEN_H */
