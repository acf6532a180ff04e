// gather and scatter-add along one dim; instantiated per dtype. Bindings: T, SFX, ADD_INTO(a, b).
// Out-of-range indices are recorded in err (the host raises them at its next read).

// out[c] = x[c with c[dim] = index[c]]; xs has 0 at dim, whose stride is xdim.
__kernel void K(gather)(int8 shape, __global const T* x, int8 xs, int xo, int xdim, int size, int dim,
                        __global const long* index, int8 is, int io, __global T* out, int8 os, int oo,
                        __global int* err) {
    int8 c = coords(get_global_id(0), shape);
    long k = index[io + dot8(c, is)];
    if (k < 0 || k >= size) { report_error(err, ERR_GATHER, k, dim, size); return; }
    out[oo + dot8(c, os)] = x[xo + dot8(c, xs) + (int) k * xdim];
}

// One work-item per destination element (the index's extent, with dst's size along dim): it adds,
// in order, every src element whose index points at it. Deterministic (no atomics), and the same
// summation order as the CPU. onehot marks dim; jn is the index's extent along dim.
__kernel void K(scatter_add)(int8 shape, int8 onehot, __global T* dst, int8 ds, int dof, int size, int dim,
                             __global const long* index, int8 is, int io, int idim, int jn,
                             __global const T* src, int8 ss, int so, int sdim, __global int* err) {
    int8 c = coords(get_global_id(0), shape);
    int p = dot8(c, onehot);
    int8 c0 = c - p * onehot;
    int ib = io + dot8(c0, is), sb = so + dot8(c0, ss), d = dof + dot8(c, ds);
    T acc = dst[d];
    for (int j = 0; j < jn; j++) {
        long k = index[ib + j * idim];
        if (k == p) acc = ADD_INTO(acc, src[sb + j * sdim]);
        else if ((k < 0 || k >= size) && p == 0) report_error(err, ERR_SCATTER, k, dim, size);
    }
    dst[d] = acc;
}

#if ATOMIC_KIND
#if ATOMIC_KIND == 1
// float atomic add through a compare-and-swap loop on the bits (OpenCL 1.2 has no float atomics).
inline void K(atomic_add_into)(volatile __global T* p, T v) {
    union { uint u; float f; } old, upd;
    do {
        old.f = *p;
        upd.f = old.f + v;
    } while (atomic_cmpxchg((volatile __global uint*) p, old.u, upd.u) != old.u);
}
#else
inline void K(atomic_add_into)(volatile __global T* p, T v) { atomic_add(p, v); }
#endif

// One work-item per index element, adding atomically: for long index extents along dim, where the
// per-destination loop would cost extent x extent. The order of additions (so float rounding) varies.
__kernel void K(scatter_add_atomic)(int8 shape, __global T* dst, int8 ds, int dof, int ddim, int size, int dim,
                                    __global const long* index, int8 is, int io,
                                    __global const T* src, int8 ss, int so, __global int* err) {
    int8 c = coords(get_global_id(0), shape);
    long k = index[io + dot8(c, is)];
    if (k < 0 || k >= size) { report_error(err, ERR_SCATTER, k, dim, size); return; }
    K(atomic_add_into)(dst + dof + dot8(c, ds) + (int) k * ddim, src[so + dot8(c, ss)]);
}
#endif
