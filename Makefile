# The two commands: `make run` and `make test`. Both install missing Debian packages first.
PRESET ?= release
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)

.PHONY: all deps build run test bench asan asan-ci tsan soak fuzz format clean

all: build

deps:
	@./tools/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake --preset $(PRESET) >/dev/null

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@./tools/run-demo.sh $(BUILD)

# `make test` (CI). On the release preset the suite is split so each test binary is compiled once
# (tests/CMakeLists.txt): the golden, e2e and deploy tests on the Release binaries, then the unit and
# integration tests and the fuzz corpus replays under ASan+UBSan (asan-ci). Other presets build and
# run everything. Sanitizer options and suppressions are compiled in (tests/sanitizers/); ASAN_OPTIONS,
# UBSAN_OPTIONS, TSAN_OPTIONS override them.
CTEST_ARGS ?=
ifeq ($(PRESET),release)
test: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target system_tests
	cd $(BUILD) && ctest -L 'golden|e2e|deploy' --output-on-failure -j $(JOBS) --timeout 600 $(CTEST_ARGS)
	$(MAKE) --no-print-directory asan-ci
else
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 $(CTEST_ARGS)
endif

bench: build
	$(BUILD)/tools/bench/journeyd-bench

# Sanitizers (docs/reliability.md, "Sanitizers"). asan and tsan: everything, in build/asan and build/tsan.
# asan-ci: only the unit, integration and fuzz replay tests, -O1 -g1, in build/asan-ci.
asan:
	$(MAKE) test PRESET=asan

asan-ci: deps
	test -f build/asan-ci/build.ninja || cmake --preset asan-ci >/dev/null
	cmake --build --preset asan-ci -j $(JOBS)
	cd build/asan-ci && ctest -L 'unit|integration|fuzz' --output-on-failure -j $(JOBS) --timeout 900

tsan:
	$(MAKE) test PRESET=tsan

# Crash loop, long variant: journeyd SIGKILLed SOAK_KILLS times at random points under ~4 min of
# traffic; prints kills, lost (must be 0) and duplicated actions (tests/e2e/crash_loop.sh).
SOAK_KILLS ?= 50
soak: build
	KILLS=$(SOAK_KILLS) E2E_CUSTOMERS=20000 ARRIVAL=12ms PARTITIONS=12 DRAIN_SECONDS=300 \
	  bash tests/e2e/crash_loop.sh $(BUILD)/src/app/journeyd $(BUILD)/src/cli/journeyctl \
	  $(BUILD)/tools/loadgen/journeyd-loadgen .

# libFuzzer targets (clang, build/fuzz), FUZZ_SECONDS each; see tools/fuzz.sh and docs/reliability.md.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tools/fuzz.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'tools/*.cc' 'tools/*.h')

clean:
	rm -rf build
