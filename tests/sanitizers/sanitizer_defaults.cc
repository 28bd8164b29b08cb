// Default sanitizer options, linked into every executable of the asan and tsan builds (top-level
// CMakeLists.txt), so a test fails on the first finding however it is started: ctest, `make test`, a test
// binary by hand, or the journeyd a test script starts. The sanitizers read these before the environment,
// so ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS still override any of them.
//
// The suppression files are tests/sanitizers/*.supp (JOURNEYD_SANITIZER_DIR is that folder); each entry says
// why it is there. Our own code is never suppressed.
#ifndef JOURNEYD_SANITIZER_DIR
#error "JOURNEYD_SANITIZER_DIR must name tests/sanitizers"
#endif

#define JOURNEYD_VISIBLE extern "C" __attribute__((visibility("default"), used))

#if defined(__SANITIZE_ADDRESS__)
// halt_on_error: the first error ends the process (non-zero exit), so ctest sees it.
// detect_stack_use_after_return is off: it makes every frame a heap allocation and doubles test time.
JOURNEYD_VISIBLE const char* __asan_default_options() {
  return "halt_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:"
         "detect_invalid_pointer_pairs=0:print_summary=1";
}

JOURNEYD_VISIBLE const char* __lsan_default_options() {
  return "suppressions=" JOURNEYD_SANITIZER_DIR "/lsan.supp:print_suppressions=0";
}
#endif

#if defined(JOURNEYD_UBSAN)
// Built with -fno-sanitize-recover=undefined, so a finding already aborts; halt_on_error keeps it so for
// checks that recover by default.
JOURNEYD_VISIBLE const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" JOURNEYD_SANITIZER_DIR "/ubsan.supp";
}
#endif

#if defined(__SANITIZE_THREAD__)
// halt_on_error: a data race fails the test at once (exitcode 66), with the report on stderr.
// second_deadlock_stack: lock-order reports show where both locks were taken.
JOURNEYD_VISIBLE const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=" JOURNEYD_SANITIZER_DIR
         "/tsan.supp:print_suppressions=0";
}
#endif
