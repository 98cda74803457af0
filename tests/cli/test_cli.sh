#!/usr/bin/env bash
# tests/cli/test_cli.sh - the command-line program: exit codes, messages,
# what it writes and what it leaves alone, determinism, the summary.
#
#   DSG_BIN   the program under test
#
# Prints one line per check; exits non-zero if any check fails.
set -u
: "${DSG_BIN:?DSG_BIN must name the program under test}"

work=$(mktemp -d "${TMPDIR:-/tmp}/dsg-test-cli-XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
failed=0

pass() { echo "ok   $1"; }
fail() {
    echo "FAIL $1${2:+: $2}"
    failed=$((failed + 1))
}

# run ARGS...: runs the program; $rc, $work/stdout and $work/stderr hold
# what it did.
run() {
    "$DSG_BIN" "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
}

# expect_ok WHAT PATTERN ARGS...: exit 0 and stdout matching PATTERN.
expect_ok() {
    local what=$1 pattern=$2
    shift 2
    run "$@"
    if [ "$rc" -ne 0 ]; then
        fail "$what" "exit $rc: $(head -n 3 "$work/stderr")"
    elif ! grep -Eq -- "$pattern" "$work/stdout"; then
        fail "$what" "stdout does not match /$pattern/"
    else
        pass "$what"
    fi
}

# Bad input happens in a sandbox; it must stay as it was.
sb=$work/sandbox
mkdir "$sb"
snapshot() { (cd "$sb" && find . -printf '%y %p %s %m\n' | sort); }

# expect_bad WHAT ARGS...: exit 2, exactly one line on stderr naming the
# program, nothing created or changed in the sandbox.
expect_bad() {
    local what=$1
    shift
    local before
    before=$(snapshot)
    run "$@"
    local lines
    lines=$(wc -l <"$work/stderr")
    if [ "$rc" -ne 2 ]; then
        fail "$what" "exit $rc, not 2: $(head -n 3 "$work/stderr")"
    elif [ "$lines" -ne 1 ] || ! grep -q '^dataset-generator: .' "$work/stderr"; then
        fail "$what" "$lines lines on stderr: $(head -n 3 "$work/stderr")"
    elif [ "$(snapshot)" != "$before" ]; then
        fail "$what" "the output location changed"
    else
        pass "$what ($(cat "$work/stderr"))"
    fi
}

# ---- informational commands ----
expect_ok "--help" '^usage: ' --help
expect_ok "--version" '^dataset-generator [0-9]+\.[0-9]+\.[0-9]+ \(build [^ ()]+\)$' --version
expect_ok "list-datasets" '^alltypes$' list-datasets
expect_ok "list-formats" '^parquet$' list-formats
expect_ok "info alltypes" '^table alltypes' info alltypes
expect_ok "generate --help" '--output DIR' generate --help

run
if [ "$rc" -eq 2 ] && grep -q '^usage: ' "$work/stderr"; then
    pass "no command: usage on stderr, exit 2"
else
    fail "no command" "exit $rc"
fi

# ---- bad input: exit 2, one line, nothing written ----
out=$sb/out
gen=(generate alltypes --output "$out" --rows 100)
expect_bad "unknown command" frobnicate
expect_bad "generate without a dataset" generate
expect_bad "unknown dataset" generate nosuch --output "$out"
expect_bad "info of an unknown dataset" info nosuch
expect_bad "unknown format" "${gen[@]}" --format csv
expect_bad "unknown codec" "${gen[@]}" --compression lzo
expect_bad "zstd level 99" "${gen[@]}" --compression zstd --compression-level 99
expect_bad "zstd level 0" "${gen[@]}" --compression zstd --compression-level 0
expect_bad "gzip level 13" "${gen[@]}" --compression gzip --compression-level 13
expect_bad "snappy with a level" "${gen[@]}" --compression snappy --compression-level 1
expect_bad "lz4_raw with a level" "${gen[@]}" --compression lz4_raw --compression-level 1
expect_bad "default codec with a level" "${gen[@]}" --compression-level 3
expect_bad "level not a number" "${gen[@]}" --compression zstd --compression-level high
expect_bad "--file-rows-target 0" "${gen[@]}" --file-rows-target 0
expect_bad "negative --file-rows-target" "${gen[@]}" --file-rows-target -5
expect_bad "garbage --file-rows-target" "${gen[@]}" --file-rows-target 12abc
expect_bad "empty --file-rows-target" "${gen[@]}" --file-rows-target ''
expect_bad "--row-group-rows 0" "${gen[@]}" --row-group-rows 0
expect_bad "--threads 0" "${gen[@]}" --threads 0
expect_bad "garbage --threads" "${gen[@]}" --threads two
expect_bad "--rows 0" generate alltypes --output "$out" --rows 0
expect_bad "negative --rows" generate alltypes --output "$out" --rows -3
expect_bad "garbage --rows" generate alltypes --output "$out" --rows 1e3
expect_bad "garbage --seed" "${gen[@]}" --seed x
expect_bad "missing --output" generate alltypes --rows 10
expect_bad "--output without a value" generate alltypes --output
expect_bad "unknown option" "${gen[@]}" --frobnicate 1
expect_bad "stray argument" "${gen[@]}" extra
expect_bad "flag with a value" "${gen[@]}" --overwrite=yes
expect_bad "shard beyond the count" "${gen[@]}" --shard 3/2
expect_bad "shard 0" "${gen[@]}" --shard 0/2
expect_bad "garbage shard" "${gen[@]}" --shard 1/2x
expect_bad "unknown table" "${gen[@]}" --tables nosuch
touch "$sb/file"
expect_bad "output is an existing file" generate alltypes --output "$sb/file" --rows 100
mkdir "$sb/full"
echo keep >"$sb/full/keep.txt"
expect_bad "non-empty output without --overwrite" generate alltypes --output "$sb/full" --rows 100

# ---- --overwrite replaces the dataset's tables, nothing else ----
o=$work/overwrite
mkdir -p "$o/alltypes"
echo unrelated >"$o/unrelated.txt"
echo stale >"$o/alltypes/stale.parquet"
run generate alltypes --output "$o" --rows 100 --overwrite --quiet
if [ "$rc" -ne 0 ]; then
    fail "--overwrite" "exit $rc: $(head -n 3 "$work/stderr")"
elif [ "$(cat "$o/unrelated.txt" 2>/dev/null)" != unrelated ]; then
    fail "--overwrite" "an unrelated file did not survive"
elif [ -e "$o/alltypes/stale.parquet" ] || [ ! -s "$o/alltypes/alltypes.parquet" ]; then
    fail "--overwrite" "the table directory was not replaced: $(ls "$o/alltypes")"
else
    pass "--overwrite replaces alltypes/ and keeps unrelated.txt"
fi

# ---- runtime failures: exit 1, a message naming the path, no file ----
# expect_runtime_failure WHAT OUT PATH ARGS...
expect_runtime_failure() {
    local what=$1 dir=$2 path=$3
    shift 3
    run generate alltypes --output "$dir" --rows 100 --file-rows-target 10 "$@"
    local files
    files=$(find "$dir" -name '*.parquet' -o -name '.*tmp*' | head -n 3)
    if [ "$rc" -ne 1 ]; then
        fail "$what" "exit $rc, not 1: $(head -n 3 "$work/stderr")"
    elif ! grep -qF -- "$path" "$work/stderr"; then
        fail "$what" "the message does not name $path: $(head -n 3 "$work/stderr")"
    elif [ -n "$files" ]; then
        fail "$what" "files left: $files"
    else
        pass "$what ($(head -n 1 "$work/stderr"))"
    fi
}
# A shard skips the empty-directory check, so the run meets the obstacle.
o=$work/blocked
mkdir -p "$o"
touch "$o/alltypes"
expect_runtime_failure "a file where the table directory goes" "$o" "$o/alltypes" --shard 1/2
if [ "$(id -u)" -eq 0 ]; then
    echo "skip read-only table directory: running as root, permissions do not apply"
else
    o=$work/readonly
    mkdir -p "$o/alltypes"
    chmod 555 "$o/alltypes"
    expect_runtime_failure "a read-only table directory" "$o" "$o/alltypes" --shard 1/2
fi

# ---- determinism ----
# generate_into DIR ARGS...: a quiet run of 6000 rows in 3 files
generate_into() {
    local dir=$1
    shift
    run generate alltypes --output "$dir" --rows 6000 --file-rows-target 2500 --quiet "$@"
    [ "$rc" -eq 0 ] || fail "generate into $dir" "exit $rc: $(head -n 3 "$work/stderr")"
}
# same_files A B: the same relative paths with the same bytes
same_files() {
    [ "$(cd "$1" && find . -type f | sort)" = "$(cd "$2" && find . -type f | sort)" ] || return 1
    local f
    while read -r f; do
        cmp -s "$1/$f" "$2/$f" || return 1
    done < <(cd "$1" && find . -type f)
}
d=$work/det
generate_into "$d/a" --seed 7 --threads 2
generate_into "$d/b" --seed 7 --threads 2
generate_into "$d/c" --seed 8 --threads 2
generate_into "$d/t1" --seed 7 --threads 1
generate_into "$d/s" --seed 7 --shard 1/2
generate_into "$d/s" --seed 7 --shard 2/2
n=$(find "$d/a" -name '*.parquet' | wc -l)
if [ "$n" -ne 3 ]; then
    fail "determinism" "$n files instead of 3"
else
    if same_files "$d/a" "$d/b"; then pass "same seed, same bytes"; else fail "same seed, same bytes"; fi
    if same_files "$d/a" "$d/t1"; then pass "--threads 1 and 2 write the same bytes"; else fail "--threads 1 and 2 write the same bytes"; fi
    if same_files "$d/a" "$d/s"; then pass "shards 1/2 and 2/2 together write the same bytes"; else fail "shards 1/2 and 2/2 together write the same bytes"; fi
    if cmp -s "$d/a/alltypes/part-00000.parquet" "$d/c/alltypes/part-00000.parquet"; then
        fail "another seed, other bytes"
    else
        pass "another seed, other bytes"
    fi
fi

# ---- summary line and --summary-json ----
s=$work/summary
run generate alltypes --output "$s/out" --rows 6000 --file-rows-target 2500 --summary-json "$s/summary.json"
if [ "$rc" -ne 0 ]; then
    fail "summary" "exit $rc: $(head -n 3 "$work/stderr")"
elif ! tail -n 1 "$work/stderr" | grep -Eq '^dataset-generator: alltypes: 1 table, 3 files, 6,000 rows, [0-9.]+ MB in [0-9.]+ s$'; then
    fail "summary line" "$(tail -n 1 "$work/stderr")"
else
    pass "summary line ($(tail -n 1 "$work/stderr"))"
fi
# Each file listed must exist with its bytes, and its footer must hold its
# rows; every file on disk must be listed. num_rows is read from the
# footer by a minimal Thrift compact decoder.
check_json='
const fs = require("fs"), path = require("path");
const [summary, out] = process.argv.slice(1);
const s = JSON.parse(fs.readFileSync(summary, "utf8"));
function numRows(file) {
    const b = fs.readFileSync(file);
    if (b.toString("latin1", 0, 4) !== "PAR1" || b.toString("latin1", b.length - 4) !== "PAR1")
        throw new Error(file + ": no PAR1 magic");
    let p = b.length - 8 - b.readUInt32LE(b.length - 8);
    const varint = () => { let v = 0n, s = 0n, x; do { x = b[p++]; v |= BigInt(x & 0x7f) << s; s += 7n; } while (x & 0x80); return v; };
    const zigzag = () => { const v = varint(); return (v >> 1n) ^ -(v & 1n); };
    const skip = (t) => {
        if (t === 1 || t === 2) return;
        if (t === 3) { p++; return; }
        if (t >= 4 && t <= 6) { varint(); return; }
        if (t === 7) { p += 8; return; }
        if (t === 8) { const n = Number(varint()); p += n; return; }
        if (t === 9 || t === 10) {
            const h = b[p++], e = h & 15;
            let n = h >> 4;
            if (n === 15) n = Number(varint());
            for (let i = 0; i < n; i++) skip(e === 1 || e === 2 ? 3 : e); /* bools: a byte each */
            return;
        }
        if (t === 12) { let id = 0; for (;;) { const h = b[p++]; if (h === 0) return; id = h >> 4 ? id + (h >> 4) : Number(zigzag()); skip(h & 15); } }
        throw new Error("thrift type " + t);
    };
    let id = 0;
    for (;;) {
        const h = b[p++];
        if (h === 0) throw new Error(file + ": no num_rows");
        id = h >> 4 ? id + (h >> 4) : Number(zigzag());
        if (id === 3 && (h & 15) === 6) return Number(zigzag());
        skip(h & 15);
    }
}
const listed = new Set();
let rows = 0, bytes = 0;
for (const f of s.file_list) {
    const full = path.join(out, f.path);
    const size = fs.statSync(full).size;
    if (size !== f.bytes) throw new Error(f.path + ": " + f.bytes + " bytes listed, " + size + " on disk");
    const n = numRows(full);
    if (n !== f.rows) throw new Error(f.path + ": " + f.rows + " rows listed, " + n + " in the footer");
    listed.add(f.path);
    rows += f.rows;
    bytes += f.bytes;
}
const onDisk = [];
const walk = (d) => { for (const e of fs.readdirSync(path.join(out, d), { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : onDisk.push(path.join(d, e.name)); };
walk("");
for (const f of onDisk) if (!listed.has(f)) throw new Error(f + " is on disk but not listed");
if (s.dataset !== "alltypes" || s.files !== listed.size || s.files !== onDisk.length || s.rows !== rows || s.bytes !== bytes || s.tables !== 1)
    throw new Error("totals do not match the file list: " + JSON.stringify({files: s.files, rows: s.rows, bytes: s.bytes}));
console.log(listed.size + " files, " + rows + " rows, " + bytes + " bytes");
'
if ! command -v node >/dev/null; then
    fail "--summary-json" "node is not installed"
elif [ "$rc" -eq 0 ] && msg=$(node -e "$check_json" "$s/summary.json" "$s/out" 2>&1); then
    pass "--summary-json lists every file with its rows and bytes ($msg)"
else
    fail "--summary-json" "${msg:-no summary}"
fi

echo
if [ "$failed" -ne 0 ]; then
    echo "$failed check(s) failed"
    exit 1
fi
echo "all checks passed"
