package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.testing.ChildJvm;
import dev.ember.testing.DeviceMemoryPrograms;
import dev.ember.testing.TestPrograms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The whole CUDA backend without a GPU: a stand-in {@code libcuda.so.1} (host memory as device
 * memory; kernels are Ember's CUDA sources compiled for the host and called through libffi with
 * the parameter types read from the PTX the backend loads) is put on the loader path of a child
 * JVM, which then starts the real JCuda driver binding and {@link CudaBackend} and runs the GPU
 * suites {@link CudaConformanceTest} and {@link CudaTensorProgramsTest}. This checks JCuda usage,
 * launch parameters, memory handling and the kernels' logic; speed, device math libraries and
 * real parallel races remain for a GPU run.
 */
class EmulatedCudaTest {
    static final String FAKE_DRIVER = """
// A stand-in libcuda.so.1 for tests: "device" memory is host memory and kernels are Ember's CUDA
// sources compiled for the host (EMBER_FAKE_CUDA_KERNELS: colon-separated .so paths). cuLaunchKernel
// calls them through libffi with the argument types read from the PTX the backend loads.
#include <ffi.h>
#include <dlfcn.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

struct FakeFunction {
    std::string name;
    void* fn = nullptr;
    void (*block)(unsigned, unsigned, unsigned, unsigned) = nullptr;
    void (*thread)(unsigned, unsigned, unsigned, unsigned) = nullptr;
    std::vector<ffi_type*> types;
    ffi_cif cif;
};
struct FakeModule { std::map<std::string, FakeFunction*> functions; };

static std::vector<void*> kernel_libs() {
    static std::vector<void*> libs;
    if (libs.empty()) {
        const char* env = getenv("EMBER_FAKE_CUDA_KERNELS");
        std::string all = env ? env : "";
        size_t start = 0;
        while (start < all.size()) {
            size_t end = all.find(':', start);
            if (end == std::string::npos) end = all.size();
            void* h = dlopen(all.substr(start, end - start).c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!h) fprintf(stderr, "fake cuda: %s\\n", dlerror());
            else libs.push_back(h);
            start = end + 1;
        }
    }
    return libs;
}

static ffi_type* struct_of_ints(int count) {
    auto* t = new ffi_type;
    auto** elems = new ffi_type*[count + 1];
    for (int i = 0; i < count; i++) elems[i] = &ffi_type_sint32;
    elems[count] = nullptr;
    t->size = 0; t->alignment = 0; t->type = FFI_TYPE_STRUCT; t->elements = elems;
    return t;
}

extern "C" {
CUresult cuInit(unsigned) { return 0; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int* c) { *c = 1; return 0; }
CUresult cuDeviceGet(int* d, int i) { *d = i; return i == 0 ? 0 : 101; }
CUresult cuDeviceGetName(char* name, int len, int) { snprintf(name, len, "Ember host emulation"); return 0; }
CUresult cuDeviceGetAttribute(int* v, int attrib, int) {
    *v = attrib == 75 ? 9 : attrib == 76 ? 0 : attrib == 16 ? 2 : 0; // compute capability 9.0, 2 multiprocessors
    return 0;
}
CUresult cuDeviceTotalMem_v2(size_t* b, int) { *b = 1ull << 30; return 0; }
CUresult cuDevicePrimaryCtxRetain(void** c, int) { *c = (void*) 0x1; return 0; }
CUresult cuCtxSetCurrent(void*) { return 0; }
CUresult cuStreamCreate(void** s, unsigned) { *s = (void*) 0x2; return 0; }
CUresult cuStreamSynchronize(void*) { return 0; }
CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
    void* m = aligned_alloc(256, (n + 255) / 256 * 256);
    if (!m) return 2; // CUDA_ERROR_OUT_OF_MEMORY
    memset(m, 0xA5, (n + 255) / 256 * 256); // garbage, as fresh device memory may hold
    *p = (CUdeviceptr) m;
    return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) { free((void*) p); return 0; }
CUresult cuMemsetD8Async(CUdeviceptr p, unsigned char v, size_t n, void*) { memset((void*) p, v, n); return 0; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void* s, size_t n) { memcpy((void*) d, s, n); return 0; }
CUresult cuMemcpyDtoH_v2(void* d, CUdeviceptr s, size_t n) { memcpy(d, (void*) s, n); return 0; }
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, void*) { memmove((void*) d, (void*) s, n); return 0; }
CUresult cuEventCreate(void** e, unsigned) { *e = new double(0); return 0; }
CUresult cuEventRecord(void* e, void*) {
    *(double*) e = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return 0;
}
CUresult cuEventSynchronize(void*) { return 0; }
CUresult cuEventElapsedTime(float* ms, void* a, void* b) { *ms = (float) (*(double*) b - *(double*) a); return 0; }
CUresult cuEventDestroy_v2(void* e) { delete (double*) e; return 0; }
CUresult cuGetErrorName(CUresult, const char** s) { *s = "CUDA_ERROR_FAKE"; return 0; }
CUresult cuGetErrorString(CUresult, const char** s) { *s = "fake driver error"; return 0; }

// Reads each .entry's parameter list from the PTX and binds it to the host-compiled kernel.
CUresult cuModuleLoadData(void** module, const void* image) {
    auto* m = new FakeModule;
    std::string ptx((const char*) image);
    size_t pos = 0;
    while ((pos = ptx.find(".entry ", pos)) != std::string::npos) {
        size_t open = ptx.find('(', pos), close = ptx.find(')', open);
        auto* f = new FakeFunction;
        f->name = ptx.substr(pos + 7, open - pos - 7);
        std::string params = ptx.substr(open + 1, close - open - 1);
        size_t p = 0;
        while ((p = params.find(".param", p)) != std::string::npos) {
            size_t eol = params.find('\\n', p);
            std::string line = params.substr(p, eol == std::string::npos ? std::string::npos : eol - p);
            if (line.find(".b8") != std::string::npos) {
                size_t lb = line.find('['), rb = line.find(']');
                f->types.push_back(struct_of_ints(atoi(line.substr(lb + 1, rb - lb - 1).c_str()) / 4));
            } else if (line.find(".u32") != std::string::npos || line.find(".s32") != std::string::npos) f->types.push_back(&ffi_type_sint32);
            else if (line.find(".u64") != std::string::npos || line.find(".b64") != std::string::npos) f->types.push_back(&ffi_type_uint64);
            else if (line.find(".f32") != std::string::npos) f->types.push_back(&ffi_type_float);
            else if (line.find(".f64") != std::string::npos) f->types.push_back(&ffi_type_double);
            else if (line.find(".u8") != std::string::npos) f->types.push_back(&ffi_type_uint8);
            else { fprintf(stderr, "fake cuda: unknown param %s\\n", line.c_str()); return 218; }
            p += 6;
        }
        for (void* lib : kernel_libs()) {
            void* fn = dlsym(lib, f->name.c_str());
            if (fn) {
                f->fn = fn;
                f->block = (void (*)(unsigned, unsigned, unsigned, unsigned)) dlsym(lib, "ember_block");
                f->thread = (void (*)(unsigned, unsigned, unsigned, unsigned)) dlsym(lib, "ember_thread");
                break;
            }
        }
        if (f->fn && ffi_prep_cif(&f->cif, FFI_DEFAULT_ABI, f->types.size(), &ffi_type_void, f->types.data()) == FFI_OK)
            m->functions[f->name] = f;
        pos = close;
    }
    *module = m;
    return 0;
}
CUresult cuModuleGetFunction(void** f, void* module, const char* name) {
    auto& fs = ((FakeModule*) module)->functions;
    auto it = fs.find(name);
    if (it == fs.end()) return 500; // CUDA_ERROR_NOT_FOUND
    *f = it->second;
    return 0;
}
// Grid-stride kernels run on one thread; kernels that cooperate (shuffles, barriers) get every thread of each block.
CUresult cuLaunchKernel(void* fp, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned, unsigned, unsigned,
                        void*, void** params, void**) {
    auto* f = (FakeFunction*) fp;
    bool cooperative = f->name.rfind("reduce", 0) == 0 || f->name.rfind("argreduce", 0) == 0 || f->name.rfind("gemm", 0) == 0;
    // libffi may replace entries of the value array (large structs), so every call gets its own copy.
    size_t n = f->types.size();
    if (!cooperative) {
        f->block(1, 1, 1, 1);
        f->thread(0, 0, 0, 0);
        std::vector<void*> args(params, params + n);
        ffi_call(&f->cif, FFI_FN(f->fn), nullptr, args.data());
        return 0;
    }
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++) {
                f->block(gx, gy, gz, bx);
                std::vector<std::thread> threads;
                for (unsigned t = 0; t < bx; t++)
                    threads.emplace_back([=] {
                        f->thread(t, x, y, z);
                        std::vector<void*> args(params, params + n);
                        ffi_call(&f->cif, FFI_FN(f->fn), nullptr, args.data());
                    });
                for (auto& th : threads) th.join();
            }
    return 0;
}
}
""";

    @Test
    void gpuSuitesPassOnAnEmulatedDevice() throws Exception {
        Path cxx = Path.of("/usr/bin/c++"), sources = KernelSources.dir();
        assumeTrue(Files.isExecutable(cxx), "no C++ compiler to build the emulated device");
        assumeTrue(Files.exists(Path.of("/usr/include/ffi.h")) || Files.exists(Path.of("/usr/include/x86_64-linux-gnu/ffi.h")),
                "libffi headers (libffi-dev) are needed to build the emulated driver");
        assumeTrue(Files.isDirectory(sources), "kernel sources not found (run from the repository root)");
        Path dir = Files.createTempDirectory("ember-emulated-cuda");
        try {
            Files.writeString(dir.resolve("fake_cuda.cpp"), FAKE_DRIVER);
            Files.writeString(dir.resolve("shim.h"), HostShim.THREADED);
            compile(List.of(cxx.toString(), "-std=c++17", "-O1", "-shared", "-fPIC", "-o", dir.resolve("libcuda.so.1").toString(),
                    dir.resolve("fake_cuda.cpp").toString(), "-lffi", "-ldl", "-pthread"));
            List<String> kernels = new ArrayList<>();
            for (String m : PtxResources.MODULES) {
                Path lib = dir.resolve("libkernels_" + m + ".so");
                compile(List.of(cxx.toString(), "-std=c++20", "-pthread", "-O1", "-shared", "-fPIC", "-x", "c++",
                        "-include", dir.resolve("shim.h").toString(), sources.resolve(m + ".cu").toString(), "-o", lib.toString()));
                kernels.add(lib.toString());
            }
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            var pb = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-Xmx1g", "-cp", classPath(),
                    TestPrograms.class.getName(), CudaConformanceTest.class.getName(), CudaTensorProgramsTest.class.getName(),
                    CudaKernelErrorThreadsTest.class.getName())
                    .redirectErrorStream(true);
            pb.environment().put("LD_LIBRARY_PATH", dir.toString());
            pb.environment().put("EMBER_FAKE_CUDA_KERNELS", String.join(":", kernels));
            pb.environment().remove("EMBER_CUDA_GEMM");
            pb.environment().remove("EMBER_DISABLE_CUDA");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the emulated run did not finish");
            assertEquals(0, p.exitValue(), "GPU suites on the emulated device:\n" + out);
            assertTrue(out.contains("GEMM: Ember's tiled GEMM kernel"), "the start-up line names the GEMM path:\n" + out);
            assertTrue(Pattern.compile("passed (\\d+) of \\1\\n").matcher(out).find(), out);
            // A second child under a device memory limit: dropped tensors are reclaimed, live ones fail with statistics.
            var env = new java.util.HashMap<String, String>();
            env.put("LD_LIBRARY_PATH", dir.toString());
            env.put("EMBER_FAKE_CUDA_KERNELS", String.join(":", kernels));
            env.put("EMBER_CUDA_GEMM", null);
            env.put("EMBER_DISABLE_CUDA", null);
            ChildJvm.Result limited = ChildJvm.run(List.of("-Dember.cuda.memoryLimit=64m", "-Dember.test.device=cuda",
                    "-Dember.test.memoryLimitBytes=" + (64L << 20)), env, 5,
                    TestPrograms.class.getName(), DeviceMemoryPrograms.class.getName());
            assertEquals(0, limited.exitCode(), "memory limit on the emulated device:\n" + limited.output());
            assertTrue(limited.output().contains("passed 2 of 2"), limited.output());
        } finally {
            try (var files = Files.list(dir)) { for (Path f : files.toList()) Files.delete(f); }
            Files.delete(dir);
        }
    }

    /**
     * The child's class path: this JVM's, plus where the classes it needs were loaded from (a launcher
     * such as JUnit's console loads tests through its own class loader, outside {@code java.class.path}).
     */
    private static String classPath() throws Exception {
        var parts = new java.util.LinkedHashSet<String>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        for (Class<?> c : List.of(TestPrograms.class, CudaBackend.class, jcuda.driver.JCudaDriver.class, Test.class,
                org.opentest4j.AssertionFailedError.class)) {
            var source = c.getProtectionDomain().getCodeSource();
            if (source != null) parts.add(Path.of(source.getLocation().toURI()).toString());
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    private static void compile(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + log);
    }
}
