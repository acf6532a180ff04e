package dev.ember.backend.gpu;

import dev.ember.DType;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything in which the CUDA and OpenCL kernel languages differ, in one place: address spaces, thread
 * and block ids, barriers, atomics, pragmas, the 4-float vector type, the kernel qualifier, and the names
 * of float math functions. The hand-written kernel parts ({@code kernels/*.c}) use the macros each dialect
 * defines here, so one text serves both.
 *
 * @param name            for messages and file names ({@code "cuda"}, {@code "opencl"})
 * @param kernelQualifier what precedes {@code void name(...)} of an entry point
 * @param definitions     the macros and types, given the index type's C name
 * @param floatMathSuffix whether float math functions take an {@code f} suffix ({@code expf}) rather than
 *                        being overloaded
 * @param atomicAdd       the element types with an {@code ATOMIC_ADD_<suffix>} macro
 * @param fp64Pragma      what enables double precision, or empty
 */
public record Dialect(String name, String kernelQualifier, Definitions definitions, boolean floatMathSuffix,
                      Set<GpuType> atomicAdd, String fp64Pragma) {

    /** The macro text for an index type. */
    @FunctionalInterface
    public interface Definitions {
        String text(String indexType);
    }

    /** CUDA C++ as NVRTC compiles it: no headers, so nothing from the CUDA runtime's headers is used. */
    public static final Dialect CUDA = new Dialect("cuda", "extern \"C\" __global__ void", idx -> """
            typedef long long i64;
            typedef unsigned long long u64;
            typedef unsigned int u32;
            typedef unsigned char u8;
            typedef unsigned short u16;
            typedef %s idx_t;
            #define GLOBAL
            #define LOCAL_MEM __shared__
            #define INLINE __device__ __forceinline__
            #define BARRIER() __syncthreads()
            #define THREAD_ID ((idx_t) threadIdx.x)
            #define BLOCK_ID_X ((idx_t) blockIdx.x)
            #define BLOCK_ID_Y ((idx_t) blockIdx.y)
            #define BLOCK_ID_Z ((idx_t) blockIdx.z)
            #define BLOCK_DIM ((idx_t) blockDim.x)
            #define GRID_DIM ((idx_t) gridDim.x)
            #define ATOMIC_CAS_INT(p, cmp, v) atomicCAS((p), (cmp), (v))
            #define UMULHI(a, b) __umulhi((a), (b))
            #define AS_FLOAT(u) __uint_as_float(u)
            #define AS_UINT(f) __float_as_uint(f)
            #define ATOMIC_ADD_f32(p, v) atomicAdd((p), (v))
            #define ATOMIC_ADD_f64(p, v) atomicAdd((p), (v))
            #define ATOMIC_ADD_i32(p, v) atomicAdd((p), (v))
            #define ATOMIC_ADD_i64(p, v) atomicAdd((unsigned long long*) (p), (unsigned long long) (v))
            struct alignas(16) vec4_f32 { float x, y, z, w; };
            """.formatted(idx.equals("int") ? "int" : "long long"), true,
            EnumSet.of(GpuType.FLOAT32, GpuType.FLOAT64, GpuType.INT32, GpuType.INT64), "");

    /** OpenCL C 1.2: float atomics by compare-and-swap, contraction off (Java never fuses a * b + c). */
    public static final Dialect OPENCL = new Dialect("opencl", "__kernel void", idx -> """
            #pragma OPENCL FP_CONTRACT OFF
            typedef long i64;
            typedef ulong u64;
            typedef uint u32;
            typedef uchar u8;
            typedef ushort u16;
            typedef %s idx_t;
            #define GLOBAL __global
            #define LOCAL_MEM __local
            #define INLINE inline
            #define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
            #define THREAD_ID ((idx_t) get_local_id(0))
            #define BLOCK_ID_X ((idx_t) get_group_id(0))
            #define BLOCK_ID_Y ((idx_t) get_group_id(1))
            #define BLOCK_ID_Z ((idx_t) get_group_id(2))
            #define BLOCK_DIM ((idx_t) get_local_size(0))
            #define GRID_DIM ((idx_t) get_num_groups(0))
            #define ATOMIC_CAS_INT(p, cmp, v) atomic_cmpxchg((volatile __global int*) (p), (cmp), (v))
            #define UMULHI(a, b) mul_hi((a), (b))
            #define AS_FLOAT(u) as_float(u)
            #define AS_UINT(f) as_uint(f)
            inline void atomic_add_float(volatile __global float* p, float v) {
                union { uint u; float f; } old, upd;
                do {
                    old.f = *p;
                    upd.f = old.f + v;
                } while (atomic_cmpxchg((volatile __global uint*) p, old.u, upd.u) != old.u);
            }
            #define ATOMIC_ADD_f32(p, v) atomic_add_float((p), (v))
            #define ATOMIC_ADD_i32(p, v) atomic_add((volatile __global int*) (p), (v))
            typedef float4 vec4_f32;
            """.formatted(idx.equals("int") ? "int" : "long"), false,
            EnumSet.of(GpuType.FLOAT32, GpuType.INT32), "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n");

    private static final Pattern MATH = Pattern.compile(
            "\\b(exp|log|log1p|expm1|sqrt|sin|cos|tan|tanh|erf|erfc|floor|ceil|rint|pow|fmin|fmax|fabs|fmod|atan2)\\(");
    /** Ember's helpers that exist per float compute type ({@code pyrem_f32}). */
    private static final Pattern TYPED_HELPERS = Pattern.compile("\\b(pyrem)\\(");

    /**
     * Rewrites C written with double math names for computing in {@code compute}: float math gets its
     * {@code f} names where the dialect needs them, and Ember's typed helpers their suffix.
     */
    public String forCompute(String code, GpuType.Compute compute) {
        String out = code;
        if (compute == GpuType.Compute.F32 && floatMathSuffix) out = MATH.matcher(out).replaceAll("$1f(");
        if (compute.isFloat()) out = TYPED_HELPERS.matcher(out).replaceAll("$1_" + compute.suffix + "(");
        return out;
    }

    /** Whether this dialect has an atomic add for {@code dtype}'s elements. */
    public boolean hasAtomicAdd(DType dtype) { return atomicAdd.contains(GpuType.of(dtype)); }

    @Override
    public String toString() { return name; }
}
