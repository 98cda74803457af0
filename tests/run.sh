#!/usr/bin/env bash
# Runs the whole test suite: unit tests (C programs), CLI tests (shell
# scripts) and interop tests (independent readers through Node).
#   DSG_BIN           the program under test (build/san/dataset-generator)
#   DSG_TEST_BIN_DIR  directory of the unit test binaries
#   DSG_FUZZ_BIN_DIR  directory of the libFuzzer targets (each runs
#                     DSG_FUZZ_SECONDS, 20 by default)
#   DSG_TESTENV       the test-only Python venv and Spark jars
#                     (scripts/install-test-env.sh; default build/testenv)
#   DSG_TEST_ONLY     optional: unit, cli, fuzz, interop or python
#   DSG_PYTEST_ARGS   optional: extra pytest arguments (e.g. -k delta)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${DSG_BIN:?DSG_BIN must name the program under test}"
: "${DSG_TEST_BIN_DIR:?DSG_TEST_BIN_DIR must name the unit test binaries}"
export DSG_BIN
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0
failures=()

run() { # name command...
    local name=$1
    shift
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "PASS $name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "FAIL $name"
        sed 's/^/    /' "$log" | tail -n 40
    fi
    rm -f "$log"
}

only=${DSG_TEST_ONLY:-}
if [ -z "$only" ] || [ "$only" = unit ]; then
    for t in "$DSG_TEST_BIN_DIR"/test_*; do
        [ -x "$t" ] && run "unit/$(basename "$t")" "$t"
    done
fi
if [ -z "$only" ] || [ "$only" = cli ]; then
    for t in "$here"/cli/test_*.sh; do
        run "cli/$(basename "$t" .sh)" bash "$t"
    done
fi
if [ -z "$only" ] || [ "$only" = fuzz ]; then
    fuzz_dir=${DSG_FUZZ_BIN_DIR:-}
    for t in "$fuzz_dir"/fuzz_*; do
        [ -n "$fuzz_dir" ] && [ -x "$t" ] || continue
        name=$(basename "$t")
        corpus=$(mktemp -d)
        cp "$here/fuzz/corpus_${name#fuzz_}"/* "$corpus"/
        run "fuzz/$name" "$t" -max_total_time="${DSG_FUZZ_SECONDS:-20}" -timeout=5 -rss_limit_mb=1024 "$corpus"
        rm -rf "$corpus"
    done
fi
if [ -z "$only" ] || [ "$only" = interop ]; then
    for t in "$here"/interop/test_*.sh; do
        [ -f "$t" ] && run "interop/$(basename "$t" .sh)" bash "$t"
    done
fi
if [ -z "$only" ] || [ "$only" = python ]; then
    # One pytest run for every Python test: one Spark session, one
    # PostgreSQL, one loopback S3 (tests/python/conftest.py).
    testenv=${DSG_TESTENV:-$here/../build/testenv}
    export DSG_TESTENV=$testenv
    # The package under test is the checkout being tested: pip install .
    # builds the extension and the packaged CLI from these sources.
    run "python/install" "$testenv/venv/bin/pip" install --quiet --no-deps --no-build-isolation "$here/.."
    run "python/pytest" "$testenv/venv/bin/python" -m pytest "$here/python" -q -p no:cacheprovider \
        ${DSG_PYTEST_ARGS:-}
fi
echo
echo "tests: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ "$failed" -eq 0 ]
