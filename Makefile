# trustlink: top-level entry points. See README.md.
#   make demo    end-to-end demo on the local cloud with an emulated chip
#   make test    install deps, build with -Werror + ASan/UBSan, run every test
#   make bench   release build, run the benchmarks
#   make fuzz    build and run the libFuzzer targets (FUZZ_SECONDS each)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 10

.PHONY: all deps build build-test test demo bench size fuzz clean

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTL_WERROR=ON >/dev/null
	cmake --build build -j$(JOBS)

build-test: deps
	CC=clang cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DTL_WERROR=ON -DTL_SANITIZE=ON >/dev/null
	cmake --build build-test -j$(JOBS)

test: build-test
	cd build-test && ctest --output-on-failure -j$(JOBS)

# The demo needs two programs: the trustlink command and the broker plugin.
demo: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTL_WERROR=ON >/dev/null
	cmake --build build -j$(JOBS) --target trustlink trustlink_plugin
	scripts/demo

bench: build
	scripts/bench

# Flash, RAM and stack of the device core for the ESP8266 and a Cortex-M3.
size: deps
	scripts/size

clean:
	rm -rf build build-test build-fuzz

# Every libFuzzer target (built in the clang test build) for FUZZ_SECONDS each.
fuzz: build-test
	@set -e; for f in build-test/fuzz/fuzz_*; do \
	  name=$${f##*/fuzz_}; \
	  scripts/run-fuzz $$PWD/$$f $$PWD/fuzz/corpus/$$name $(FUZZ_SECONDS); \
	done
