/* SPDX-License-Identifier: MIT */
/*
 * Force-included (after prelude.h) in the lib/rle_bitmap.c proof unit. WP cannot prove calls
 * through a function pointer without knowing the callee, so the `calls` annotations in
 * rle_bitmap.c name these two model functions, and rle_alloc_model(r) says that r's allocator
 * is them. Their contracts are the assumption the proof makes about every real allocator:
 * alloc returns NULL or fresh storage for bytes / sizeof(struct rle_run) runs; free changes
 * nothing that the bitmap can see.
 */
#ifndef PROOFS_RLE_MODEL_H
#define PROOFS_RLE_MODEL_H

#include <lib/rle_bitmap.h>

/*@ assigns \nothing;
    ensures \result == \null ||
            (\fresh(\result, bytes) &&
             \valid((struct rle_run *)\result + (0 .. bytes / sizeof(struct rle_run) - 1)));
 */
void *rle_model_alloc(void *ctx, size_t bytes);

/*@ assigns \nothing; */
void rle_model_free(void *ctx, void *p, size_t bytes);

/*@ predicate rle_alloc_model{L}(struct rle_bitmap *r) =
      r->alloc.alloc == &rle_model_alloc && r->alloc.free == &rle_model_free;
 */

#endif
