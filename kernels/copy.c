// Strided copy with dtype conversion by Java's casts (saturating float to integer, NaN to 0, BOOL is v != 0;
// integer to float through double where the device has it, as the CPU backend converts).

// @instantiate each-pair
KERNEL void copy_${SSFX}_${DSFX}(Shape sh, Strides ss, Strides ds, GLOBAL const ${S}* src, GLOBAL ${D}* dst) {
    FOR_EACH(i, sh.n) {
        ${S} v = src[offset_of(sh, ss, i)];
        dst[offset_of(sh, ds, i)] = ${CONVERT};
    }
}
