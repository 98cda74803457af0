#!/usr/bin/env bash
# tests/cli/test_library.sh - libdsg as a library (issue 14): make install
# PREFIX=... writes a dsg.pc for that prefix; libdsg.so has a SONAME and
# versioned names and exports only dsg_* symbols; docs/example.c compiles
# and runs against the installed library, shared and static (pkg-config
# --static).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-lib-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}
prefix="$work/prefix dir"
prefix=${prefix// /-}
if ! make -C "$root" --no-print-directory install PREFIX="$prefix" >"$work/make.log" 2>&1; then
    fail "make install PREFIX=$prefix" "$(tail -n 5 "$work/make.log")"
    exit 1
fi
pass "make install PREFIX=$prefix"
version=$(sed -n 's/^#define DSG_VERSION_STRING "\(.*\)"/\1/p' "$root/include/dsg/dsg.h")
major=${version%%.*}
lib="$prefix/lib/libdsg.so.$version"
if [ -f "$lib" ] && [ "$(readlink "$prefix/lib/libdsg.so")" = "libdsg.so.$version" ] &&
    [ "$(readlink "$prefix/lib/libdsg.so.$major")" = "libdsg.so.$version" ]; then
    pass "versioned names: libdsg.so -> libdsg.so.$major -> libdsg.so.$version"
else
    fail "versioned names" "$(ls -l "$prefix/lib")"
fi
soname=$(readelf -d "$lib" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libdsg.so.$major" ] && pass "SONAME libdsg.so.$major" || fail "SONAME" "'$soname'"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' >"$work/exports"
others=$(grep -v '^dsg_' "$work/exports" | head -n 5)
if [ -s "$work/exports" ] && [ -z "$others" ] && grep -qx dsg_run "$work/exports"; then
    pass "only dsg_* symbols exported ($(wc -l <"$work/exports") symbols)"
else
    fail "only dsg_* symbols exported" "also: $others"
fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --variable=prefix dsg)" = "$prefix" ] && pass "dsg.pc names the install prefix" ||
    fail "dsg.pc names the install prefix" "$(pkg-config --variable=prefix dsg)"
# shared
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror "$root/docs/example.c" -o "$work/example" $(pkg-config --cflags --libs dsg) \
    -Wl,-rpath,"$prefix/lib" 2>"$work/cc.log" && "$work/example" "$work/out" >"$work/run.log" 2>&1 &&
    [ "$(head -c 4 "$work/out/customers/customers.parquet")" = PAR1 ] && ldd "$work/example" | grep -q "libdsg.so.$major"; then
    pass "docs/example.c against the shared library: $(cat "$work/run.log")"
else
    fail "docs/example.c against the shared library" "$(cat "$work/cc.log" "$work/run.log" 2>/dev/null | head -n 5)"
fi
# static libdsg.a: pkg-config --static resolves every Requires.private (a
# fully static link also needs static builds of libcurl's own dependencies,
# which Debian does not ship), and libdsg.a links with the dependencies it
# names, shared
libs=$(pkg-config --static --libs dsg 2>"$work/pc.log")
reqs=$(pkg-config --print-requires-private dsg 2>>"$work/pc.log" | awk '{print $1}' | tr '\n' ' ')
if [ -n "$libs" ] && [ -n "$reqs" ] &&
    # shellcheck disable=SC2046,SC2086
    cc -std=c11 -Wall -Werror "$root/docs/example.c" -o "$work/example-static" $(pkg-config --cflags dsg) \
        "$prefix/lib/libdsg.a" $(pkg-config --libs $reqs) -lm -pthread 2>"$work/cc.log" &&
    "$work/example-static" "$work/out-static" >"$work/run.log" 2>&1 && ! ldd "$work/example-static" | grep -q libdsg &&
    diff -r "$work/out" "$work/out-static" >/dev/null; then
    pass "pkg-config --static works; docs/example.c with libdsg.a writes the same files"
else
    fail "pkg-config --static, docs/example.c with libdsg.a" "$(cat "$work/pc.log" "$work/cc.log" "$work/run.log" 2>/dev/null | head -n 5)"
fi
echo
echo "test_library: $failed failed"
[ "$failed" -eq 0 ]
