// LeakSanitizer's built-in suppressions for the sanitizer builds' executables (CMake option
// NEUROCODEC_SANITIZE adds this file to neurocodec and neurocodec_tests), so they hold for a
// plain run as well as under ctest. Only third-party memory kept until exit by design belongs
// here: fontconfig, loaded by PLplot's cairo driver for the figures, caches its font set for
// the life of the process.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}

// Without this, every run that loaded fontconfig ends by printing the suppression table.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_options() {
  return "print_suppressions=0";
}
