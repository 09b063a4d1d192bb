/*
 * A forwarding library: it stands in for an older CUDA library soname (libcudnn.so.8, libcublas.so.12) that a JNI
 * library was linked against, and forwards every call to the newer library (libcudnn.so.9, libcublas.so.13).
 *
 * Why: JCudnn 11.7 and JCublas 12.6 reference their symbols with version tags (cudnnCreate@libcudnn.so.8), so a
 * symlink to the new library fails with "version 'libcudnn.so.8' not found". This library has the old soname and
 * defines the old version node (see the generated .map), so glibc binds the JNI library to it.
 *
 * How: every referenced symbol is a two-instruction trampoline that jumps through bridge_table. The constructor
 * fills the table with dlsym() results from the new library. A symbol the new library no longer has points at a
 * stub that returns the old library's NOT_SUPPORTED status instead of crashing the JVM with "symbol lookup error".
 * Arguments are never touched, so one trampoline serves every signature.
 *
 * Built by build-bridges.sh with -include of the generated symbol list, which defines BRIDGE_SYMBOLS(X) as
 * X(0, name0) X(1, name1) ..., plus -DBRIDGE_TARGET="libcudnn.so.9" -DBRIDGE_NOT_SUPPORTED=9.
 * Only x86_64 Linux (the trampolines are x86_64 assembly), which is what JCuda's natives exist for here.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "the bridge trampolines are written for x86_64 Linux"
#endif
#ifndef BRIDGE_TARGET
#error "define BRIDGE_TARGET, the soname of the library to forward to"
#endif
#ifndef BRIDGE_NOT_SUPPORTED
#error "define BRIDGE_NOT_SUPPORTED, the status code returned for functions the target lacks"
#endif

#define BRIDGE_COUNT_ONE(i, name) +1
enum { BRIDGE_COUNT = 0 BRIDGE_SYMBOLS(BRIDGE_COUNT_ONE) };

__attribute__((visibility("hidden"))) void *bridge_table[BRIDGE_COUNT];

#define BRIDGE_NAME(i, name) #name,
static const char *const bridge_names[BRIDGE_COUNT] = { BRIDGE_SYMBOLS(BRIDGE_NAME) };

static char bridge_error[512];
static int bridge_bound;

/* Every cuDNN and cuBLAS function the JNI libraries call returns a status code in a register, so an int serves. */
static int bridge_not_supported(void) {
    return BRIDGE_NOT_SUPPORTED;
}

__attribute__((constructor)) static void bridge_init(void) {
    for (int i = 0; i < BRIDGE_COUNT; i++) {
        bridge_table[i] = (void *) bridge_not_supported;
    }
    /* Finds the target if the process already loaded it (by soname), else through the usual search path. */
    void *target = dlopen(BRIDGE_TARGET, RTLD_NOW | RTLD_GLOBAL);
    if (target == NULL) {
        const char *why = dlerror();
        snprintf(bridge_error, sizeof bridge_error, "cannot open %s: %s", BRIDGE_TARGET, why ? why : "unknown error");
        return;
    }
    for (int i = 0; i < BRIDGE_COUNT; i++) {
        void *f = dlsym(target, bridge_names[i]);
        if (f != NULL) {
            bridge_table[i] = f;
            bridge_bound++;
        }
    }
}

/* Diagnostics for native debugging: why the target could not be opened, and how many symbols were bound. */
const char *inception_bridge_error(void) {
    return bridge_error;
}

int inception_bridge_bound(void) {
    return bridge_bound;
}

#define BRIDGE_TRAMPOLINE(i, name)                                   \
    __asm__(".text\n"                                                \
            ".globl " #name "\n"                                     \
            ".type " #name ", @function\n"                           \
            #name ":\n"                                              \
            "\tjmp *bridge_table+" #i "*8(%rip)\n"                   \
            ".size " #name ", .-" #name "\n");
BRIDGE_SYMBOLS(BRIDGE_TRAMPOLINE)
