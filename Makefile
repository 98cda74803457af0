# dataset-generator: build with `make`, test with `make test`.
# Plain GNU make; dependencies through pkg-config. Everything goes to build/.
#
#   make              the library (static and shared) and build/dataset-generator
#   make test         unit, CLI and interop tests, under ASan and UBSan
#   make demo         installs missing packages, builds, writes the default dataset
#   make bench        the W1 benchmark beside DuckDB and Polars (bench/README.md)
#   make install      PREFIX=/usr/local: program, library, header, pkg-config file

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS     = libzstd liblz4 libbrotlienc libbrotlidec libdeflate snappy libcurl libcrypto sqlite3 libpq jansson zlib
VERSION  = $(shell sed -n 's/^#define DSG_VERSION_STRING "\(.*\)"/\1/p' include/dsg/dsg.h)
BUILD_ID = $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wformat=2 -Wno-format-nonliteral
CSTD     = -std=c11 -D_GNU_SOURCE -ffp-contract=off
OPT     ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -fPIC -pthread -Iinclude -Ilib $(PKG_CFLAGS) \
             $(BUILD_ID_DEF) $(EXTRA_CFLAGS)
LIBS       = $(PKG_LIBS) -lm -pthread

LIB_SRC  = $(sort $(wildcard lib/*/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
PROG_SRC = $(wildcard programs/*.c)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPERS = $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

.PHONY: FORCE fuzz-bins all test test-deps unit-bins demo bench install clean check-deps
all: check-deps $(BUILD)/dataset-generator $(BUILD)/libdsg.a $(BUILD)/libdsg.so $(BUILD)/dsg.pc

check-deps:
	@pkg-config --exists $(PKGS) || { echo "missing development packages; run: sudo bash scripts/install-deps.sh" >&2; exit 1; }

# Only common.c carries the build identifier; it is recompiled every time
# so that created_by names the commit actually built.
$(BUILD)/obj/lib/common/common.o: BUILD_ID_DEF = -DDSG_BUILD_ID='"$(BUILD_ID)"'
$(BUILD)/obj/lib/common/common.o: FORCE
FORCE:

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libdsg.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shared library: versioned file, SONAME libdsg.so.MAJOR, and only the
# dsg_* symbols exported (lib/libdsg.map); libdsg.so links to it.
SO_MAJOR = $(word 1,$(subst ., ,$(VERSION)))
$(BUILD)/libdsg.so.$(VERSION): $(LIB_OBJ) lib/libdsg.map
	$(CC) -shared -Wl,-soname,libdsg.so.$(SO_MAJOR) -Wl,--version-script=lib/libdsg.map -o $@ $(LIB_OBJ) \
	  $(LIBS) $(EXTRA_LDFLAGS)

$(BUILD)/libdsg.so: $(BUILD)/libdsg.so.$(VERSION)
	ln -sf libdsg.so.$(VERSION) $(BUILD)/libdsg.so.$(SO_MAJOR)
	ln -sf libdsg.so.$(VERSION) $@

$(BUILD)/dataset-generator: $(PROG_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdsg.a
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_HELPERS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libdsg.a
	@mkdir -p $(dir $@)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LIBS)

# Written on every make, so that it always names the PREFIX of this make
# (make install PREFIX=/opt/x after a plain make).
$(BUILD)/dsg.pc: Makefile FORCE
	@mkdir -p $(BUILD)
	@printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: dsg\nDescription: dataset-generator library: synthetic datasets as Parquet\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -ldsg\nLibs.private: -lm -pthread\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(VERSION)' '$(PKGS)' > $@

unit-bins: $(UNIT_BIN)

# libFuzzer targets (clang): the library built whole into each, under ASan
# and UBSan. tests/run.sh runs each for DSG_FUZZ_SECONDS.
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(wildcard lib/*/*.h) include/dsg/dsg.h
	@mkdir -p $(dir $@)
	clang $(CSTD) $(FUZZ_FLAGS) -Iinclude -Ilib $(PKG_CFLAGS) $< $(LIB_SRC) -o $@ $(LIBS)
fuzz-bins: $(FUZZ_BIN)

# The test suite always runs on a sanitized build of everything.
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Test-only dependencies: Debian packages and the npm readers (npm install
# from the pinned lock file: npm 11 refuses npm ci on locks that lack other
# platforms' optional packages).
test-deps:
	bash scripts/install-deps.sh --test
	bash scripts/install-test-env.sh
	@if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules ]; then \
	  echo "installing the test-only npm readers (tests/interop)"; \
	  npm install --prefix tests/interop --no-save --no-audit --no-fund --loglevel=error && touch tests/interop/node_modules; fi

test: test-deps
	$(MAKE) --no-print-directory BUILD=build/san OPT='-O1 -g' EXTRA_CFLAGS='$(SAN_FLAGS)' \
	  EXTRA_LDFLAGS='$(SAN_FLAGS)' build/san/dataset-generator unit-bins
	$(MAKE) --no-print-directory all fuzz-bins
	DSG_BIN=$(CURDIR)/build/san/dataset-generator DSG_TEST_BIN_DIR=$(CURDIR)/build/san/tests \
	  DSG_FUZZ_BIN_DIR=$(CURDIR)/build/fuzz bash tests/run.sh

demo: 
	bash scripts/install-deps.sh
	$(MAKE) --no-print-directory all
	./$(BUILD)/dataset-generator generate ecommerce --output ./ecommerce-data --overwrite

$(BUILD)/bench/writer_throughput: $(BUILD)/obj/bench/writer_throughput.o $(BUILD)/libdsg.a
	@mkdir -p $(dir $@)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LIBS)

bench: all $(BUILD)/bench/writer_throughput
	$(BUILD)/bench/writer_throughput alltypes 1000000 snappy
	bash bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/dsg \
	  $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/dataset-generator $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libdsg.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libdsg.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libdsg.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libdsg.so.$(SO_MAJOR)
	ln -sf libdsg.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libdsg.so
	install -m 644 include/dsg/dsg.h $(DESTDIR)$(PREFIX)/include/dsg/
	install -m 644 $(BUILD)/dsg.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 docs/dataset-generator.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
