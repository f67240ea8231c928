#ifndef CVAULTFUZZ_H
#define CVAULTFUZZ_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, FuzzerDriver.cpp), linked only into the fuzz build of
/// vault-fuzz (-sanitize=fuzzer). Declared here because SwiftPM names an executable's entry point
/// itself, so vault-fuzz keeps its own main and hands over to libFuzzer from it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
