// Strided copy with dtype conversion; instantiated once per (source, destination) dtype pair.
// Bindings: S, D (element types), SSFX, DSFX (suffixes), CVT(v) (S -> D with Java's cast rules:
// float -> integer saturates with NaN -> 0, anything -> BOOL is v != 0).

__kernel void K2(copy)(int8 shape, __global const S* src, int8 ss, int so, __global D* dst, int8 ds, int dof) {
    int8 c = coords(get_global_id(0), shape);
    S v = src[so + dot8(c, ss)];
    dst[dof + dot8(c, ds)] = CVT(v);
}
