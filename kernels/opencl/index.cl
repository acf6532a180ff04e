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
