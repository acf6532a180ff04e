// Elementwise kernels over strided operands (zero strides broadcast): unary and binary maps, where and
// fill. The maps call the op functions generated from the op table (unary_op_<compute>, binary_op_<compute>),
// whose switches trap an op they have no case for.

// @instantiate each-type
// ${T}: computes in ${C}.

KERNEL void unary_${SFX}(int op, Shape sh, Strides xs, Strides os, GLOBAL const ${T}* x, GLOBAL ${T}* out,
                         ${UPARAMS}, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        ${C} v = load_${SFX}(x, offset_of(sh, xs, i));
        store_${SFX}_${CS}(out, offset_of(sh, os, i), unary_op_${CS}(op, v, ${UARGS}, err));
    }
}

KERNEL void binary_${SFX}(int op, Shape sh, Strides xs, Strides ys, Strides os, GLOBAL const ${T}* x,
                          GLOBAL const ${T}* y, GLOBAL ${T}* out, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        ${C} a = load_${SFX}(x, offset_of(sh, xs, i));
        ${C} b = load_${SFX}(y, offset_of(sh, ys, i));
        store_${SFX}_${CS}(out, offset_of(sh, os, i), binary_op_${CS}(op, a, b, err));
    }
}

KERNEL void where_${SFX}(Shape sh, Strides cs, Strides xs, Strides ys, Strides os, GLOBAL const u8* c,
                         GLOBAL const ${T}* x, GLOBAL const ${T}* y, GLOBAL ${T}* out) {
    FOR_EACH(i, sh.n) {
        out[offset_of(sh, os, i)] = c[offset_of(sh, cs, i)] ? x[offset_of(sh, xs, i)] : y[offset_of(sh, ys, i)];
    }
}

// value: converted by the host with Java's casts.
KERNEL void fill_${SFX}(Shape sh, Strides os, GLOBAL ${T}* out, ${T} value) {
    FOR_EACH(i, sh.n) out[offset_of(sh, os, i)] = value;
}

// @instantiate each-type-but-bool
// The ops that write BOOL (NOT, ISNAN, comparisons, logic) of a non-BOOL input.
KERNEL void unary_${SFX}_b8(int op, Shape sh, Strides xs, Strides os, GLOBAL const ${T}* x, GLOBAL u8* out,
                            ${UPARAMS}, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        ${C} v = load_${SFX}(x, offset_of(sh, xs, i));
        store_b8_${CS}(out, offset_of(sh, os, i), unary_op_${CS}(op, v, ${UARGS}, err));
    }
}

KERNEL void binary_${SFX}_b8(int op, Shape sh, Strides xs, Strides ys, Strides os, GLOBAL const ${T}* x,
                             GLOBAL const ${T}* y, GLOBAL u8* out, GLOBAL int* err) {
    FOR_EACH(i, sh.n) {
        ${C} a = load_${SFX}(x, offset_of(sh, xs, i));
        ${C} b = load_${SFX}(y, offset_of(sh, ys, i));
        store_b8_${CS}(out, offset_of(sh, os, i), binary_op_${CS}(op, a, b, err));
    }
}

// @instantiate once
// Contiguous float32 with 16-byte aligned offsets: four elements per thread through vec4_f32.
KERNEL void unary_f32_vec4(int op, idx_t n, GLOBAL const float* x, idx_t xo, GLOBAL float* out, idx_t oo,
                           float a, float b, GLOBAL int* err) {
    GLOBAL const vec4_f32* x4 = (GLOBAL const vec4_f32*) (x + xo);
    GLOBAL vec4_f32* o4 = (GLOBAL vec4_f32*) (out + oo);
    idx_t n4 = n / 4;
    FOR_EACH(i, n4) {
        vec4_f32 v = x4[i];
        v.x = unary_op_f32(op, v.x, a, b, err);
        v.y = unary_op_f32(op, v.y, a, b, err);
        v.z = unary_op_f32(op, v.z, a, b, err);
        v.w = unary_op_f32(op, v.w, a, b, err);
        o4[i] = v;
    }
    FOR_EACH(j, n - n4 * 4) {
        idx_t i = n4 * 4 + j;
        out[oo + i] = unary_op_f32(op, x[xo + i], a, b, err);
    }
}

// The same for binary maps; y may also be one element broadcast (ystep 0).
KERNEL void binary_f32_vec4(int op, idx_t n, GLOBAL const float* x, idx_t xo, GLOBAL const float* y, idx_t yo,
                            int ystep, GLOBAL float* out, idx_t oo, GLOBAL int* err) {
    GLOBAL const vec4_f32* x4 = (GLOBAL const vec4_f32*) (x + xo);
    GLOBAL vec4_f32* o4 = (GLOBAL vec4_f32*) (out + oo);
    idx_t n4 = n / 4;
    if (ystep == 0) {
        float s = y[yo];
        FOR_EACH(i, n4) {
            vec4_f32 v = x4[i];
            v.x = binary_op_f32(op, v.x, s, err);
            v.y = binary_op_f32(op, v.y, s, err);
            v.z = binary_op_f32(op, v.z, s, err);
            v.w = binary_op_f32(op, v.w, s, err);
            o4[i] = v;
        }
    } else {
        GLOBAL const vec4_f32* y4 = (GLOBAL const vec4_f32*) (y + yo);
        FOR_EACH(i, n4) {
            vec4_f32 v = x4[i], w = y4[i];
            v.x = binary_op_f32(op, v.x, w.x, err);
            v.y = binary_op_f32(op, v.y, w.y, err);
            v.z = binary_op_f32(op, v.z, w.z, err);
            v.w = binary_op_f32(op, v.w, w.w, err);
            o4[i] = v;
        }
    }
    FOR_EACH(j, n - n4 * 4) {
        idx_t i = n4 * 4 + j;
        out[oo + i] = binary_op_f32(op, x[xo + i], y[yo + i * ystep], err);
    }
}
