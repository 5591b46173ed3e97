/* SPDX-License-Identifier: MIT */
/*
 * Proof unit for include/lib/checked.h: its helpers are static inline, so this file only gives
 * Frama-C a translation unit that contains them; the contracts live in the header.
 */
#include <lib/checked.h>
