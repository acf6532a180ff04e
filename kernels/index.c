// gather and scatter-add along one dim. Indices are INT64; an out-of-range index is recorded in the error
// slot (raised by the host at its next read) and the element is skipped.

// @instantiate each-type
// out[c] = x[c with c[dim] = index[c]]; xs has 0 at dim, whose stride is step.
KERNEL void gather_${SFX}(Shape sh, Strides xs, Strides is, Strides os, idx_t size, idx_t step, int dim,
                          GLOBAL const ${T}* x, GLOBAL const i64* index, GLOBAL ${T}* out, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        i64 k = index[offset_of(sh, is, i)];
        if (k < 0 || k >= size) { report(err, KE_GATHER_INDEX, k, dim, (i64) size); continue; }
        out[offset_of(sh, os, i)] = x[offset_of(sh, xs, i) + (idx_t) k * step];
    }
}

// One thread per destination element the index can reach (sh: the index's shape with dst's extent at dim,
// not merged): it adds, in order, every src element whose index points at it, in the compute type, and
// stores once (a 16-bit sum rounds once, as the CPU's). No atomics, so the sums are deterministic and in the
// CPU's order. ds: dst's strides; is, ss: index and src strides with 0 at dim, whose
// strides are istep and sstep; inner: elements of sh after dim; jn: the index's extent at dim.
KERNEL void scatter_add_${SFX}(Shape sh, Strides ds, Strides is, Strides ss, idx_t inner, idx_t size, idx_t jn,
                               idx_t istep, idx_t sstep, int dim, GLOBAL ${T}* dst, GLOBAL const i64* index,
                               GLOBAL const ${T}* src, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        idx_t p = (i / inner) % size;
        idx_t ib = offset_of(sh, is, i), sb = offset_of(sh, ss, i), d = offset_of(sh, ds, i);
        ${C} acc = load_${SFX}(dst, d);
        for (idx_t j = 0; j < jn; j++) {
            i64 k = index[ib + j * istep];
            if (k == p) acc = add_${CS}(acc, load_${SFX}(src, sb + j * sstep));
            else if ((k < 0 || k >= size) && p == 0) report(err, KE_SCATTER_INDEX, k, dim, (i64) size);
        }
        store_${SFX}_${CS}(dst, d, acc);
    }
}

// @instantiate each-atomic
// One thread per index element, adding atomically: for long index extents, where the loop above would cost
// extent x extent. The order of the additions (so float rounding) varies between runs.
KERNEL void scatter_add_atomic_${SFX}(Shape sh, Strides ds, Strides is, Strides ss, idx_t size, idx_t step, int dim,
                                      GLOBAL ${T}* dst, GLOBAL const i64* index, GLOBAL const ${T}* src,
                                      GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        i64 k = index[offset_of(sh, is, i)];
        if (k < 0 || k >= size) { report(err, KE_SCATTER_INDEX, k, dim, (i64) size); continue; }
        ATOMIC_ADD_${SFX}(dst + offset_of(sh, ds, i) + (idx_t) k * step, src[offset_of(sh, ss, i)]);
    }
}
