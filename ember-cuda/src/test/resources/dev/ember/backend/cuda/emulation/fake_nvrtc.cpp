// A stand-in libnvrtc.so.13 for the emulated CUDA device: it "compiles" the CUDA source it is given (the
// very source Ember renders for a GPU) for the host with the system C++ compiler, host_shim.h standing in
// for CUDA's built-ins, into a shared library; its "PTX" names that library and lists each kernel's
// parameters in PTX notation (found by template deduction on the compiled kernels), which the fake driver
// reads as it would read real PTX. EMBER_FAKE_NVRTC_DIR: where libraries go; EMBER_FAKE_NVRTC_SHIM: the shim.
#include <dlfcn.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

typedef int nvrtcResult;
struct Program { std::string source, name, log, ptx; };

static std::vector<std::string> kernel_names(const std::string& src) {
    std::vector<std::string> names;
    const std::string marker = "extern \"C\" __global__ void ";
    for (size_t pos = src.find(marker); pos != std::string::npos; pos = src.find(marker, pos + 1)) {
        size_t start = pos + marker.size();
        if (src.compare(start, 18, "__launch_bounds__(") == 0) start = src.find(')', start) + 2;
        size_t open = src.find('(', start);
        names.push_back(src.substr(start, open - start));
    }
    return names;
}

static std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

extern "C" {
const char* nvrtcGetErrorString(nvrtcResult r) {
    return r == 0 ? "NVRTC_SUCCESS" : r == 6 ? "NVRTC_ERROR_COMPILATION" : "NVRTC_ERROR_INVALID_INPUT";
}
nvrtcResult nvrtcVersion(int* major, int* minor) { *major = 13; *minor = 0; return 0; }
nvrtcResult nvrtcGetNumSupportedArchs(int* n) { *n = 5; return 0; }
nvrtcResult nvrtcGetSupportedArchs(int* archs) {
    int v[] = {75, 80, 86, 89, 90};
    memcpy(archs, v, sizeof v);
    return 0;
}
nvrtcResult nvrtcCreateProgram(void** prog, const char* src, const char* name, int, const char* const*, const char* const*) {
    auto* p = new Program;
    p->source = src;
    p->name = name ? name : "program.cu";
    *prog = p;
    return 0;
}
nvrtcResult nvrtcDestroyProgram(void** prog) { delete (Program*) *prog; *prog = nullptr; return 0; }
nvrtcResult nvrtcGetProgramLogSize(void* prog, size_t* n) { *n = ((Program*) prog)->log.size() + 1; return 0; }
nvrtcResult nvrtcGetProgramLog(void* prog, char* out) {
    auto& l = ((Program*) prog)->log;
    memcpy(out, l.c_str(), l.size() + 1);
    return 0;
}
nvrtcResult nvrtcGetPTXSize(void* prog, size_t* n) { *n = ((Program*) prog)->ptx.size() + 1; return 0; }
nvrtcResult nvrtcGetPTX(void* prog, char* out) {
    auto& s = ((Program*) prog)->ptx;
    memcpy(out, s.c_str(), s.size() + 1);
    return 0;
}

nvrtcResult nvrtcCompileProgram(void* prog, int nopts, const char* const* opts) {
    auto* p = (Program*) prog;
    const char* dir = getenv("EMBER_FAKE_NVRTC_DIR");
    const char* shim = getenv("EMBER_FAKE_NVRTC_SHIM");
    if (!dir || !shim) { p->log = "fake nvrtc: EMBER_FAKE_NVRTC_DIR and EMBER_FAKE_NVRTC_SHIM must be set"; return 6; }
    std::string options;
    for (int i = 0; i < nopts; i++) options += std::string(opts[i]) + " ";
    char hash[32];
    snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>{}(p->source + options));
    std::string base = std::string(dir) + "/prog-" + hash;
    std::ofstream(base + ".cu") << p->source;
    std::ofstream reg(base + "-host.cpp");
    reg << "#include \"" << shim << "\"\n#include \"" << base << ".cu\"\n"
        << "#include <string>\n#include <type_traits>\n"
        << "template <typename T> static void ember_param(std::string& s, int& i) {\n"
        << "    std::string n = \"p\" + std::to_string(i++);\n"
        << "    if constexpr (std::is_pointer_v<T>) s += \"    .param .u64 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_same_v<T, float>) s += \"    .param .f32 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_same_v<T, double>) s += \"    .param .f64 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_integral_v<T> && sizeof(T) == 1) s += \"    .param .u8 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_integral_v<T> && sizeof(T) == 2) s += \"    .param .u16 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_integral_v<T> && sizeof(T) == 4) s += \"    .param .u32 \" + n + \",\\n\";\n"
        << "    else if constexpr (std::is_integral_v<T> && sizeof(T) == 8) s += \"    .param .u64 \" + n + \",\\n\";\n"
        << "    else s += \"    .param .align \" + std::to_string(alignof(T)) + \" .b8 \" + n + \"[\" + std::to_string(sizeof(T)) + \"],\\n\";\n"
        << "}\n"
        << "template <typename... A> static std::string ember_entry(const char* name, void (*)(A...)) {\n"
        << "    std::string s = std::string(\".visible .entry \") + name + \"(\\n\";\n"
        << "    int i = 0;\n    (ember_param<A>(s, i), ...);\n    return s + \")\\n\";\n}\n"
        << "extern \"C\" const char* ember_signatures() {\n    static std::string s = std::string()";
    for (const std::string& k : kernel_names(p->source)) reg << "\n        + ember_entry(\"" << k << "\", &" << k << ")";
    reg << ";\n    return s.c_str();\n}\n";
    reg.close();
    std::string lib = base + ".so";
    if (access(lib.c_str(), R_OK) != 0) {
        std::string tmp = base + "." + std::to_string(getpid()) + ".tmp.so";
        std::string cmd = "c++ -std=c++20 -O1 -shared -fPIC -pthread -ffp-contract=off -w -o '" + tmp + "' '" + base
                + "-host.cpp' > '" + base + ".log' 2>&1";
        if (system(cmd.c_str()) != 0) {
            p->log = "fake nvrtc: the host compiler failed on " + p->name + ":\n" + read_file(base + ".log");
            return 6;
        }
        rename(tmp.c_str(), lib.c_str());
    }
    void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) { p->log = std::string("fake nvrtc: ") + dlerror(); return 6; }
    auto signatures = (const char* (*)()) dlsym(h, "ember_signatures");
    if (!signatures) { p->log = "fake nvrtc: no ember_signatures in " + lib; return 6; }
    p->ptx = "// ember host module " + lib + "\n// options: " + options + "\n" + signatures();
    return 0;
}
}
