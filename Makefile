# kmem -- top-level entry points. Everything real lives in CMake; this file
# installs the Debian packages the build needs, configures and runs things.
#
#   make run          build, then boot the default machine: ./build/tools/kmem/kmem run
#   make test         build, then the whole test suite (ctest)
#   make asan         the test suite built with -fsanitize=address,undefined (build-asan/)
#   make tsan         the test suite built with -fsanitize=thread (build-tsan/)
#   make bench        build and run the bench_* programs
#   make bench-slab   build, then kmem's slab/kmalloc against malloc peers (bench_slab_peers)
#   make format       clang-format -i over src include tests bench tools
#   make format-check fail if anything is not clang-formatted
#   make install      cmake --install build --prefix $(PREFIX)
#   make docs         regenerate docs/cmdline.md from the options table
#   make clean        remove the build trees
#   make deps         only check for (and as root install) the Debian packages
#
# Variables: PREFIX (/usr/local), CMAKE_ARGS (extra configure arguments, first
# configure only), CTEST_JOBS (2), CTEST_ARGS, BENCH_ARGS, BENCH_SLAB_ARGS, RUN_ARGS.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.NOTPARALLEL:
.DEFAULT_GOAL := run

BUILD_DIR  ?= build
ASAN_DIR   ?= build-asan
TSAN_DIR   ?= build-tsan
PREFIX     ?= /usr/local
CMAKE      ?= cmake
CTEST      ?= ctest
CTEST_JOBS ?= 2
CTEST_ARGS ?=
CMAKE_ARGS ?=
BENCH_ARGS ?= --benchmark_min_time=0.05
BENCH_SLAB_ARGS ?=
RUN_ARGS   ?=
CLANG_FORMAT ?= $(shell command -v clang-format || command -v clang-format-14 || echo clang-format)

KMEM := ./$(BUILD_DIR)/tools/kmem/kmem

# Debian 12 packages for the build, the tests, the benchmarks and formatting.
DEB_PACKAGES := build-essential cmake ninja-build pkg-config \
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev \
  libfmt-dev librapidcheck-dev libmimalloc-dev libjemalloc-dev \
  libgoogle-perftools-dev liblzma-dev zlib1g-dev clang-format binutils

FORMAT_DIRS := src include tests bench tools

.PHONY: run test asan tsan bench bench-slab format format-check install clean deps build configure docs

# ---- Debian packages --------------------------------------------------------
# One dpkg-query call for all packages (fast when everything is installed).
# Missing ones are installed when we are root; otherwise we say exactly what
# to run and stop. Systems without dpkg are trusted to have the tools.
deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "kmem: no dpkg-query here; assuming the build dependencies are installed" >&2; \
	  exit 0; \
	fi; \
	installed=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' $(DEB_PACKAGES) 2>/dev/null \
	  | awk '$$1 == "ii" { print $$2 }' || true); \
	missing=""; \
	for p in $(DEB_PACKAGES); do \
	  grep -qx "$$p" <<<"$$installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
	  echo "kmem: installing missing packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq; \
	  apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "kmem: missing Debian packages:$$missing" >&2; \
	  echo "kmem: install them with:" >&2; \
	  echo "  sudo apt-get install$$missing" >&2; \
	  exit 1; \
	fi

# ---- the main build -----------------------------------------------------------
# Configures once (Ninja); afterwards Ninja re-runs CMake by itself whenever a
# CMakeLists.txt changes.
configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  $(CMAKE) -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_ARGS); \
	fi

build: configure
	$(CMAKE) --build $(BUILD_DIR)

run: build
	$(KMEM) run $(RUN_ARGS)

test: build
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

# ---- sanitizers -----------------------------------------------------------------
# Separate trees: ASan and TSan cannot be combined. UBSan reports fail the test.
# TSan needs a non-randomised address space on kernels with large mmap
# randomisation (vm.mmap_rnd_bits > 28), hence setarch -R.
asan: deps
	@if [ ! -f $(ASAN_DIR)/build.ninja ]; then \
	  $(CMAKE) -S . -B $(ASAN_DIR) -G Ninja -DKMEM_SANITIZE=address,undefined -DKMEM_BUILD_BENCH=OFF $(CMAKE_ARGS); \
	fi
	$(CMAKE) --build $(ASAN_DIR)
	ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(CTEST) --test-dir $(ASAN_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

tsan: deps
	@if [ ! -f $(TSAN_DIR)/build.ninja ]; then \
	  $(CMAKE) -S . -B $(TSAN_DIR) -G Ninja -DKMEM_SANITIZE=thread -DKMEM_BUILD_BENCH=OFF $(CMAKE_ARGS); \
	fi
	$(CMAKE) --build $(TSAN_DIR)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  setarch $$(uname -m) -R $(CTEST) --test-dir $(TSAN_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

# ---- benchmarks -------------------------------------------------------------------
bench: build
	@benches=$$(find $(BUILD_DIR)/bench -maxdepth 1 -type f -name 'bench_*' -perm -u+x 2>/dev/null | sort); \
	if [ -z "$$benches" ]; then echo "kmem: no bench_* programs yet (bench/*.cpp)"; exit 0; fi; \
	for b in $$benches; do \
	  echo "==> $$b"; \
	  case "$$b" in \
	    */bench_slab_peers) "$$b" --quick ;; \
	    *) "$$b" $(BENCH_ARGS) ;; \
	  esac; \
	done

# kmem's slab and kmalloc against glibc, tcmalloc, jemalloc and mimalloc
# (full mode, about 2 minutes; BENCH_SLAB_ARGS=--quick for the short one).
bench-slab: build
	./$(BUILD_DIR)/bench/bench_slab_peers $(BENCH_SLAB_ARGS)

# ---- formatting ---------------------------------------------------------------------
FORMAT_FILES = $(shell find $(FORMAT_DIRS) -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | sort)

format:
	@$(CLANG_FORMAT) -i $(FORMAT_FILES)
	@echo "kmem: formatted $(words $(FORMAT_FILES)) files"

format-check:
	@$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)
	@echo "kmem: $(words $(FORMAT_FILES)) files are clang-formatted"

# ---- generated documentation -------------------------------------------------------------
# docs/cmdline.md = the header in docs/cmdline.md.in + `kmem options --markdown`.
# The docs_cmdline_up_to_date test fails when it is stale.
docs: build
	@{ cat docs/cmdline.md.in; $(KMEM) options --markdown; } > docs/cmdline.md.tmp
	@mv docs/cmdline.md.tmp docs/cmdline.md
	@echo "kmem: wrote docs/cmdline.md"

# ---- install / clean -------------------------------------------------------------------
install: build
	$(CMAKE) --install $(BUILD_DIR) --prefix "$(PREFIX)"

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)
