# SPDX-License-Identifier: MIT
# Project-process targets (docs/dependencies.md):
#   make deps-check   check deps/manifest against deps/debian-packages.txt, the cached source
#                     files and the Debian archive (no network; newer versions are reported)
#   make deps-fetch   the same, fetching the pinned source packages into the cache first
# DEPS_CHECK_FLAGS passes extra options, e.g. DEPS_CHECK_FLAGS='--cache /var/cache/copra'.
DEPS_CHECK_FLAGS ?=

.PHONY: deps-check deps-fetch
deps-check:
	scripts/deps-check $(DEPS_CHECK_FLAGS)

deps-fetch:
	scripts/deps-check --fetch $(DEPS_CHECK_FLAGS)
