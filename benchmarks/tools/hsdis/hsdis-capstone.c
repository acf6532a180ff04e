/*
 * A minimal hsdis plugin over Capstone, so HotSpot's -XX:+PrintAssembly works on JDK 25
 * (Debian's libhsdis0-fcml lacks decode_instructions_virtual). Build with build.sh; put
 * hsdis-amd64.so on LD_LIBRARY_PATH (or into $JAVA_HOME/lib/server). x86-64 only.
 */
#include <stdint.h>
#include <string.h>
#include <capstone/capstone.h>

typedef void *(*event_callback_t)(void *stream, const char *event, void *arg);
typedef int (*printf_callback_t)(void *stream, const char *format, ...);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_callback_t event_callback, void *event_stream,
                                  printf_callback_t printf_callback, void *printf_stream,
                                  const char *options, int newline) {
    (void) end_va;
    csh cs;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) return NULL;
    /* HotSpot passes "intel" through -XX:PrintAssemblyOptions; Capstone's default is Intel already. */
    if (options != NULL && strstr(options, "att") != NULL) cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_option(cs, CS_OPT_SKIPDATA, CS_OPT_ON);
    cs_insn *insn;
    size_t count = cs_disasm(cs, buffer, length, start_va, 0, &insn);
    for (size_t j = 0; j < count; j++) {
        void *at = (void *) (uintptr_t) insn[j].address;
        if (event_callback) event_callback(event_stream, "insn", at);
        printf_callback(printf_stream, "%s\t%s", insn[j].mnemonic, insn[j].op_str);
        if (event_callback) event_callback(event_stream, "/insn", (void *) (uintptr_t) (insn[j].address + insn[j].size));
        if (newline) printf_callback(printf_stream, "\n");
    }
    if (count > 0) cs_free(insn, count);
    cs_close(&cs);
    return (void *) (start_va + length);
}
