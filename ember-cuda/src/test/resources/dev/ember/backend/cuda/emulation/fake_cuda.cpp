// A stand-in libcuda.so.1 for tests: "device" memory is host memory, and modules are the host libraries
// that the stand-in NVRTC (fake_nvrtc.cpp) compiled from Ember's CUDA source; their "PTX" names the library
// and each kernel's parameter types, which cuLaunchKernel needs to call the kernels through libffi.
// Grid-stride kernels run on one thread; kernels whose threads cooperate (barriers, shared memory) run
// with every thread of a block as a user-level context (ucontext) on the launching thread, switched at each
// __syncthreads, one block after another: thousands of CUDA threads cost no OS threads. Launches are serialized.
#include <ffi.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <ucontext.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

struct FakeFunction {
    std::string name;
    void* fn = nullptr;
    void (*block)(unsigned, unsigned, unsigned, unsigned, void (*)()) = nullptr;
    void (*thread)(unsigned, unsigned, unsigned, unsigned) = nullptr;
    std::vector<ffi_type*> types;
    ffi_cif cif;
};
struct FakeModule { std::map<std::string, FakeFunction*> functions; };

static std::mutex launch_lock;

static ffi_type* struct_of_ints(int count) {
    auto* t = new ffi_type;
    auto** elems = new ffi_type*[count + 1];
    for (int i = 0; i < count; i++) elems[i] = &ffi_type_sint32;
    elems[count] = nullptr;
    t->size = 0; t->alignment = 0; t->type = FFI_TYPE_STRUCT; t->elements = elems;
    return t;
}

// The CUDA threads of cooperative launches as user-level contexts, made once and kept: each is entered once
// (swapcontext) and from then on switched with _setjmp/_longjmp, which, unlike swapcontext, make no system call.
struct JumpBuffer { jmp_buf b; };
static ucontext_t scheduler_context;
static jmp_buf scheduler;
static std::vector<ucontext_t> contexts;
static std::vector<std::vector<char>> stacks;
static std::vector<JumpBuffer> resume;
static std::vector<char> started, finished;
static std::vector<unsigned> block_of;
static unsigned current, blocks;
struct Call { FakeFunction* f; void** params; size_t n; };
static Call call;

// __syncthreads, the end of a block, the end of a launch: back to the scheduler, which resumes the next thread.
static void yield_to_scheduler() {
    if (!_setjmp(resume[current].b)) _longjmp(scheduler, 1);
}

// CUDA thread `current` (fixed for the context's life): through every block of each launch in turn.
static void run_thread() {
    unsigned t = current;
    for (;;) {
        for (unsigned b = 0; b < blocks; b++) {
            std::vector<void*> args(call.params, call.params + call.n);
            ffi_call(&call.f->cif, FFI_FN(call.f->fn), nullptr, args.data());
            block_of[t] = b + 1;
            if (b + 1 < blocks) yield_to_scheduler(); // no thread starts a block before all finished the last one
        }
        finished[t] = 1;
        yield_to_scheduler(); // parked until a later launch resumes it
    }
}

extern "C" {
CUresult cuInit(unsigned) { return 0; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int* c) { *c = 1; return 0; }
CUresult cuDeviceGet(int* d, int i) { *d = i; return i == 0 ? 0 : 101; }
CUresult cuDeviceGetName(char* name, int len, int) { snprintf(name, len, "Ember host emulation"); return 0; }
CUresult cuDeviceGetAttribute(int* v, int attrib, int) {
    // compute capability 9.0, 2 multiprocessors, 1024 threads per block
    *v = attrib == 75 ? 9 : attrib == 76 ? 0 : attrib == 16 ? 2 : attrib == 1 ? 1024 : 0;
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
CUresult cuGetErrorName(CUresult r, const char** s) { *s = r == 218 ? "CUDA_ERROR_INVALID_PTX" : "CUDA_ERROR_FAKE"; return 0; }
CUresult cuGetErrorString(CUresult, const char** s) { *s = "fake driver error"; return 0; }

// Opens the host library the "PTX" names, and binds each .entry's parameter list to its kernel there.
CUresult cuModuleLoadData(void** module, const void* image) {
    std::string ptx((const char*) image);
    const std::string marker = "// ember host module ";
    size_t at = ptx.find(marker);
    if (at == std::string::npos) { fprintf(stderr, "fake cuda: only modules from the fake NVRTC load here\n"); return 218; }
    size_t eol = ptx.find('\n', at);
    std::string path = ptx.substr(at + marker.size(), eol - at - marker.size());
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "fake cuda: %s\n", dlerror()); return 218; }
    auto* m = new FakeModule;
    size_t pos = 0;
    while ((pos = ptx.find(".entry ", pos)) != std::string::npos) {
        size_t open = ptx.find('(', pos), close = ptx.find(')', open);
        auto* f = new FakeFunction;
        f->name = ptx.substr(pos + 7, open - pos - 7);
        std::string params = ptx.substr(open + 1, close - open - 1);
        size_t p = 0;
        while ((p = params.find(".param", p)) != std::string::npos) {
            size_t end = params.find('\n', p);
            std::string line = params.substr(p, end == std::string::npos ? std::string::npos : end - p);
            if (line.find(".b8") != std::string::npos) {
                size_t lb = line.find('['), rb = line.find(']');
                f->types.push_back(struct_of_ints(atoi(line.substr(lb + 1, rb - lb - 1).c_str()) / 4));
            } else if (line.find(".u32") != std::string::npos || line.find(".s32") != std::string::npos) f->types.push_back(&ffi_type_sint32);
            else if (line.find(".u64") != std::string::npos || line.find(".b64") != std::string::npos) f->types.push_back(&ffi_type_uint64);
            else if (line.find(".f32") != std::string::npos) f->types.push_back(&ffi_type_float);
            else if (line.find(".f64") != std::string::npos) f->types.push_back(&ffi_type_double);
            else if (line.find(".u16") != std::string::npos) f->types.push_back(&ffi_type_uint16);
            else if (line.find(".u8") != std::string::npos) f->types.push_back(&ffi_type_uint8);
            else { fprintf(stderr, "fake cuda: unknown param %s\n", line.c_str()); return 218; }
            p += 6;
        }
        f->fn = dlsym(lib, f->name.c_str());
        f->block = (void (*)(unsigned, unsigned, unsigned, unsigned, void (*)())) dlsym(lib, "ember_block");
        f->thread = (void (*)(unsigned, unsigned, unsigned, unsigned)) dlsym(lib, "ember_thread");
        if (f->fn && f->block && f->thread
                && ffi_prep_cif(&f->cif, FFI_DEFAULT_ABI, f->types.size(), &ffi_type_void, f->types.data()) == FFI_OK)
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
CUresult cuLaunchKernel(void* fp, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned, unsigned, unsigned,
                        void*, void** params, void**) {
    std::lock_guard<std::mutex> serial(launch_lock);
    auto* f = (FakeFunction*) fp;
    bool cooperative = f->name.rfind("reduce", 0) == 0 || f->name.rfind("argreduce", 0) == 0 || f->name.rfind("gemm", 0) == 0
            || f->name.rfind("softmax", 0) == 0 || f->name.rfind("norm_forward", 0) == 0 || f->name.rfind("norm_backward", 0) == 0;
    // libffi may replace entries of the value array (large structs), so every call gets its own copy.
    size_t n = f->types.size();
    if (!cooperative) {
        f->block(1, 1, 1, 1, nullptr);
        f->thread(0, 0, 0, 0);
        std::vector<void*> args(params, params + n);
        ffi_call(&f->cif, FFI_FN(f->fn), nullptr, args.data());
        return 0;
    }
    f->block(gx, gy, gz, bx, yield_to_scheduler);
    call = {f, params, n};
    blocks = gx * gy * gz;
    for (unsigned t = contexts.size(); t < bx; t++) { // grow the pool of contexts
        contexts.emplace_back();
        stacks.emplace_back(256 * 1024);
        resume.emplace_back();
        started.push_back(0);
    }
    for (unsigned t = 0; t < bx; t++) {
        if (started[t]) continue;
        getcontext(&contexts[t]);
        contexts[t].uc_stack.ss_sp = stacks[t].data();
        contexts[t].uc_stack.ss_size = stacks[t].size();
        contexts[t].uc_link = nullptr; // a thread never returns: it jumps back to the scheduler
        makecontext(&contexts[t], run_thread, 0);
    }
    finished.assign(bx, 0);
    block_of.assign(bx, 0);
    // Each round runs every thread to its next __syncthreads or block end: a barrier per round.
    for (bool live = true; live;) {
        live = false;
        for (unsigned t = 0; t < bx; t++) {
            if (finished[t]) continue;
            current = t;
            unsigned b = block_of[t];
            f->thread(t, b % gx, (b / gx) % gy, b / (gx * gy));
            if (!_setjmp(scheduler)) {
                if (!started[t]) {
                    started[t] = 1;
                    swapcontext(&scheduler_context, &contexts[t]);
                } else {
                    _longjmp(resume[t].b, 1);
                }
            }
            live |= !finished[t];
        }
    }
    return 0;
}
}
