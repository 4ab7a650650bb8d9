#!/usr/bin/env bash
# Benchmarks/stream-rss.sh: STREAM throughput and peak memory of `progfig age`, next to the `age`
# binary in the same run.
#
# For each case (encrypt, decrypt) and each tool, it runs the command RUNS times on a SIZE_MIB
# file of random bytes. It prints the median wall-clock seconds, the throughput in GB/s
# (10^9 bytes per second), and the peak RSS in MiB (the largest of the runs, from GNU time's
# "Maximum resident set size"). Then it prints progfig/age ratios. Output goes to stdout, never
# to a file on disk, so the disk does not limit the figures: encrypt and decrypt write to stdout,
# which is redirected to /dev/null.
#
# Usage:
#   Benchmarks/stream-rss.sh
#
# Environment (all optional):
#   PROGFIG    progfig binary (default: .build-release/release/progfig, built first with
#              `swift build -c release --scratch-path .build-release --product progfig` unless BUILD=0)
#   BUILD      1 (default) builds the release binary when PROGFIG is the default path; 0 skips it
#   AGE        age binary for the comparison (default: `age` on PATH; set AGE= to skip it)
#   SIZE_MIB   plaintext size in MiB (default 1024, that is 1 GiB)
#   RUNS       timed runs per case and tool (default 5); WARMUP untimed runs before them (default 1)
#   WORKDIR    where the plaintext, ciphertext and key go (default: a new directory under $TMPDIR
#              or /tmp, removed at exit). It needs about 2 x SIZE_MIB of free space.
#   VERIFY     1 (default) checks once that each tool's decryption restores the plaintext (SHA-256)
#
# The CLI it drives follows age's: `progfig age [-e|-d] [-r R]... [-i FILE]... [-a] [-o OUT] [INPUT]`,
# and `progfig keygen -o FILE`.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEFAULT_PROGFIG="$ROOT/.build-release/release/progfig"
PROGFIG=${PROGFIG:-$DEFAULT_PROGFIG}
BUILD=${BUILD:-1}
AGE=${AGE-$(command -v age || true)}
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
VERIFY=${VERIFY:-1}
GNU_TIME=/usr/bin/time

die() { echo "stream-rss: $*" >&2; exit 1; }

case "$SIZE_MIB" in ''|*[!0-9]*) die "SIZE_MIB must be a positive integer, not '$SIZE_MIB'";; esac
case "$RUNS" in ''|*[!0-9]*|0) die "RUNS must be a positive integer, not '$RUNS'";; esac
case "$WARMUP" in ''|*[!0-9]*) die "WARMUP must be a non-negative integer, not '$WARMUP'";; esac
[ "$SIZE_MIB" -gt 0 ] || die "SIZE_MIB must be positive"
SIZE_BYTES=$((SIZE_MIB * 1024 * 1024))

# --- tools -------------------------------------------------------------------------------------

# GNU time (for peak RSS). The `time` package provides /usr/bin/time on Debian and Ubuntu.
if ! "$GNU_TIME" -v true >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "stream-rss: installing GNU time (apt-get install -y time)" >&2
        apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; } \
            || die "could not install the 'time' package"
    fi
    "$GNU_TIME" -v true >/dev/null 2>&1 || die "GNU time is needed at $GNU_TIME (install the 'time' package)"
fi

if [ "$PROGFIG" = "$DEFAULT_PROGFIG" ] && [ "$BUILD" = 1 ]; then
    echo "stream-rss: building progfig (release) ..." >&2
    (cd "$ROOT" && swift build -c release --scratch-path .build-release --product progfig >&2) \
        || die "swift build -c release failed"
fi
[ -x "$PROGFIG" ] || die "progfig binary not found or not executable: $PROGFIG (set PROGFIG, or BUILD=1)"

if [ -n "$AGE" ] && ! [ -x "$AGE" ]; then
    echo "stream-rss: AGE=$AGE is not executable; running without the age comparison" >&2
    AGE=
fi
[ -n "$AGE" ] || echo "stream-rss: age binary not found; progfig figures only (no ratios)" >&2

# --- work directory ------------------------------------------------------------------------------

if [ -z "${WORKDIR:-}" ]; then
    WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/stream-rss.XXXXXX")
    trap 'rm -rf "$WORKDIR"' EXIT
else
    mkdir -p "$WORKDIR"
fi
need_kib=$((SIZE_MIB * 2 * 1024 + 65536))
free_kib=$(df -Pk "$WORKDIR" | awk 'NR == 2 { print $4 }')
if [ -n "$free_kib" ] && [ "$free_kib" -lt "$need_kib" ]; then
    die "$WORKDIR has $((free_kib / 1024)) MiB free; about $((need_kib / 1024)) MiB are needed (set WORKDIR or SIZE_MIB)"
fi

PLAIN="$WORKDIR/plain.bin"
KEY="$WORKDIR/key.txt"
CIPHER="$WORKDIR/cipher.age"
TIMES="$WORKDIR/time.txt"

echo "stream-rss: writing $SIZE_MIB MiB of random plaintext to $PLAIN" >&2
head -c "$SIZE_BYTES" /dev/urandom > "$PLAIN"
[ "$(wc -c < "$PLAIN")" -eq "$SIZE_BYTES" ] || die "could not write the plaintext"

"$PROGFIG" keygen -o "$KEY" >/dev/null 2>&1 || die "'$PROGFIG keygen -o $KEY' failed"
RECIPIENT=$(grep -m1 -o 'age1[02-9ac-hj-np-z]\{58\}' "$KEY" || true)
if [ -z "$RECIPIENT" ] && [ -n "$AGE" ] && command -v age-keygen >/dev/null 2>&1; then
    RECIPIENT=$(age-keygen -y "$KEY")
fi
[ -n "$RECIPIENT" ] || die "no '# public key: age1...' line in $KEY from progfig keygen"

# The ciphertext every decrypt run reads: made by progfig; with age present it must also be
# readable by age (checked by VERIFY), so both tools decrypt the same bytes.
"$PROGFIG" age -e -r "$RECIPIENT" -o "$CIPHER" "$PLAIN" || die "progfig could not encrypt the plaintext"

if [ "$VERIFY" = 1 ]; then
    echo "stream-rss: verifying round trips (SHA-256)" >&2
    want=$(sha256sum < "$PLAIN" | cut -d' ' -f1)
    got=$("$PROGFIG" age -d -i "$KEY" "$CIPHER" | sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || die "progfig age -d did not restore the plaintext"
    if [ -n "$AGE" ]; then
        got=$("$AGE" -d -i "$KEY" "$CIPHER" | sha256sum | cut -d' ' -f1)
        [ "$got" = "$want" ] || die "age -d could not decrypt progfig's ciphertext"
        got=$("$AGE" -e -r "$RECIPIENT" "$PLAIN" | "$PROGFIG" age -d -i "$KEY" | sha256sum | cut -d' ' -f1)
        [ "$got" = "$want" ] || die "progfig age -d could not decrypt age's ciphertext"
    fi
fi

# --- measuring -----------------------------------------------------------------------------------

# measure TOOL_LABEL CMD...: runs CMD (stdout to /dev/null) WARMUP + RUNS times and sets
# MEDIAN_S (median wall seconds) and PEAK_MIB (largest peak RSS of the timed runs).
measure() {
    local label=$1; shift
    local i secs rss_kib walls="" peak_kib=0 start end
    for ((i = 0; i < WARMUP; i++)); do
        "$@" > /dev/null || die "$label: '$*' failed"
    done
    for ((i = 0; i < RUNS; i++)); do
        start=$(date +%s%N)
        "$GNU_TIME" -v -o "$TIMES" "$@" > /dev/null || { cat "$TIMES" >&2; die "$label: '$*' failed"; }
        end=$(date +%s%N)
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
        rss_kib=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$TIMES")
        [ -n "$rss_kib" ] || die "no 'Maximum resident set size' in GNU time's output"
        walls="$walls $secs"
        if [ "$rss_kib" -gt "$peak_kib" ]; then peak_kib=$rss_kib; fi
    done
    MEDIAN_S=$(printf '%s\n' $walls | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    PEAK_MIB=$(awk -v k="$peak_kib" 'BEGIN { printf "%.1f", k / 1024 }')
}

gbps() { awk -v b="$SIZE_BYTES" -v s="$1" 'BEGIN { if (s > 0) printf "%.3f", b / s / 1e9; else print "inf" }'; }

printf '\nstream-rss: %s MiB (%s bytes), %s timed run(s) + %s warm-up per case, %s core(s)\n' \
    "$SIZE_MIB" "$SIZE_BYTES" "$RUNS" "$WARMUP" "$(nproc 2>/dev/null || echo '?')"
printf 'progfig: %s\n' "$PROGFIG"
[ -n "$AGE" ] && printf 'age:     %s (%s)\n' "$AGE" "$("$AGE" --version 2>/dev/null || echo 'version unknown')"
printf '\n%-8s %-8s %12s %9s %14s\n' "case" "tool" "median s" "GB/s" "peak RSS MiB"

run_case() {
    local name=$1 p_s p_mib a_s a_mib
    shift
    local -a progfig_cmd age_cmd
    case "$name" in
        encrypt)
            progfig_cmd=("$PROGFIG" age -e -r "$RECIPIENT" "$PLAIN")
            age_cmd=("$AGE" -e -r "$RECIPIENT" "$PLAIN") ;;
        decrypt)
            progfig_cmd=("$PROGFIG" age -d -i "$KEY" "$CIPHER")
            age_cmd=("$AGE" -d -i "$KEY" "$CIPHER") ;;
        *) die "unknown case $name" ;;
    esac
    measure "progfig $name" "${progfig_cmd[@]}"
    p_s=$MEDIAN_S p_mib=$PEAK_MIB
    printf '%-8s %-8s %12s %9s %14s\n' "$name" progfig "$p_s" "$(gbps "$p_s")" "$p_mib"
    if [ -n "$AGE" ]; then
        measure "age $name" "${age_cmd[@]}"
        a_s=$MEDIAN_S a_mib=$PEAK_MIB
        printf '%-8s %-8s %12s %9s %14s\n' "$name" age "$a_s" "$(gbps "$a_s")" "$a_mib"
        awk -v n="$name" -v ps="$p_s" -v as="$a_s" -v pm="$p_mib" -v am="$a_mib" 'BEGIN {
            printf "%-8s %-8s throughput progfig/age = %.2fx (time %.2fx), peak RSS progfig/age = %.2fx\n",
                n, "ratio", (ps > 0 ? as / ps : 0), (as > 0 ? ps / as : 0), (am > 0 ? pm / am : 0) }'
    fi
}

run_case encrypt
run_case decrypt
