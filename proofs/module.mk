# SPDX-License-Identifier: MIT
# Frama-C WP proofs of the pure code (docs/assurance.md, "Proofs"):
#   make proofs                      every proof unit (about N minutes on 2 cores)
#   make proofs PROOF_UNITS=bitmap   only some units (names in proofs/run.sh)
# Needs frama-c-base, why3, z3 and cvc4 (make setup); logs land in $(BUILD)/proofs/.
PROOF_UNITS ?=
PROOF_FLAGS ?=

.PHONY: proofs
proofs:
	@proofs/run.sh --out $(BUILD)/proofs $(PROOF_FLAGS) $(PROOF_UNITS)
