#!/usr/bin/env bash
# Benchmarks/secret-decrypt.sh — how fast does progfig decrypt a node's secrets, compared with the
# original progfiguration, which starts one `age -d -i KEY` process per secret?
#
# Builds a temporary site with one node holding N (default 500) secrets, each an armored age value
# encrypted to the node and the controller (with the `age` binary, stored by python3's
# json.dump(indent=2, sort_keys=True) exactly as the original writes nodes/NAME.secrets.json), then
# measures, as medians of RUNS (default 5) runs:
#   (a) one `progfig --site DIR secret decrypt -n NODE` decrypting all N secrets in-process, minus a
#       `progfig --version` start-up baseline, reported per secret;
#   (b) the original's way: N `age -d -i KEY` processes, one per secret, reported per secret;
# and prints the ratio (b)/(a). Both sides decrypt with the node's key only (the controller's key
# file is absent, so progfig falls back to node_fallback_age_path).
#
# Environment:
#   PROGFIG      progfig binary (default .build-release/release/progfig, built here with
#                `swift build -c release --scratch-path .build-release` unless NO_BUILD=1)
#   N            number of secrets (default 500)
#   RUNS         runs per measurement (default 5)
#   AGE          age binary (default: age on PATH)
#   KEEP_SITE=1  keep the temporary site and print its path
# Uses hyperfine when installed, else a `date +%s.%N` loop.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-500}
RUNS=${RUNS:-5}
AGE=${AGE:-$(command -v age || true)}
AGE_KEYGEN=${AGE_KEYGEN:-$(command -v age-keygen || true)}
DEFAULT_PROGFIG=.build-release/release/progfig
PROGFIG=${PROGFIG:-$DEFAULT_PROGFIG}

die() { echo "secret-decrypt.sh: $*" >&2; exit 1; }
[ -n "$AGE" ] && [ -x "$AGE" ] || die "the age binary is needed (apt-get install age)"
[ -n "$AGE_KEYGEN" ] && [ -x "$AGE_KEYGEN" ] || die "age-keygen is needed (apt-get install age)"
command -v python3 >/dev/null || die "python3 is needed"

if [ "$PROGFIG" = "$DEFAULT_PROGFIG" ] && [ "${NO_BUILD:-0}" != 1 ]; then
    echo "building release…" >&2
    swift build -c release --scratch-path .build-release >&2
fi
[ -x "$PROGFIG" ] || die "no progfig binary at $PROGFIG (set PROGFIG)"
PROGFIG=$(cd "$(dirname "$PROGFIG")" && pwd)/$(basename "$PROGFIG")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/progfig-bench.XXXXXX")
if [ "${KEEP_SITE:-0}" = 1 ]; then echo "site kept in $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT; fi
site=$tmp/benchsite
mkdir -p "$site/nodes" "$site/keys" "$tmp/values" "$tmp/controller"

# Keys: the node's identity lives at node_fallback_age_path; the controller's identity is kept
# outside the site, so only its public key is known to the site (as on a node).
"$AGE_KEYGEN" -o "$site/keys/node.age" 2>/dev/null
"$AGE_KEYGEN" -o "$tmp/controller/controller.age" 2>/dev/null
node_pub=$("$AGE_KEYGEN" -y "$site/keys/node.age")
controller_pub=$("$AGE_KEYGEN" -y "$tmp/controller/controller.age")

cat >"$site/inventory.conf" <<CONF
[secrets]
controller_age_path = $site/keys/controller.age
controller_age_pub = $controller_pub
node_fallback_age_path = $site/keys/node.age

[groups]
bench = node1

[node_function_map]
node1 = benchfunc

[function_role_map]
default = settz
CONF
cat >"$site/nodes/node1.conf" <<CONF
[node]
address = node1.example.com

[sitedata]
age_pubkey = $node_pub
age_key_path = $site/keys/node.age
CONF

echo "encrypting $N secrets with $AGE…" >&2
for i in $(seq 1 "$N"); do
    printf 'bench-value-%05d-%s' "$i" "$(head -c 24 /dev/urandom | base64)" |
        "$AGE" -a -r "$node_pub" -r "$controller_pub" >"$tmp/values/secret$(printf %05d "$i").age"
done
python3 - "$tmp/values" "$site/nodes/node1.secrets.json" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
secrets = {name[:-4]: open(os.path.join(src, name)).read() for name in os.listdir(src) if name.endswith(".age")}
with open(dst, "w") as f:
    json.dump(secrets, f, indent=2, sort_keys=True)
PY
key=$site/keys/node.age

run_progfig_decrypt() { "$PROGFIG" --site "$site" secret decrypt -n node1 >/dev/null; }
run_progfig_version() { "$PROGFIG" --version >/dev/null; }
run_age_loop() {
    local f
    for f in "$tmp"/values/*.age; do "$AGE" -d -i "$key" <"$f" >/dev/null; done
}
export -f run_progfig_decrypt run_progfig_version run_age_loop
export PROGFIG AGE site key tmp

# Sanity checks before timing: both ways decrypt every secret.
"$PROGFIG" --version >/dev/null 2>&1 || die "$PROGFIG --version failed"
if ! out=$("$PROGFIG" --site "$site" secret decrypt -n node1 2>"$tmp/progfig.err"); then
    die "\`progfig --site DIR secret decrypt -n node1\` failed (has the CLI landed?): $(head -c 500 "$tmp/progfig.err")"
fi
found=$( (grep -o 'bench-value-[0-9]*' <<<"$out" || true) | sort -u | wc -l)
[ "$found" -gt 0 ] || die "\`progfig secret decrypt -n node1\` printed none of the secret values (has the CLI landed?); output: $(head -c 200 <<<"$out")"
[ "$found" -eq "$N" ] || echo "warning: progfig's output shows $found of $N values" >&2
"$AGE" -d -i "$key" <"$tmp/values/secret00001.age" >"$tmp/check.txt" || die "age -d failed"
grep -q '^bench-value-00001-' "$tmp/check.txt" || die "age -d printed an unexpected value"

# median SECONDS… — prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure FUNCTION — prints the median wall time in seconds of RUNS calls of FUNCTION.
if command -v hyperfine >/dev/null; then
    measure() {
        local json=$tmp/hyperfine-$1.json
        hyperfine --shell=bash --warmup 1 --runs "$RUNS" --export-json "$json" "$1" >&2
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
    }
else
    measure() {
        local times=() r start end
        "$1"   # warm-up
        for r in $(seq 1 "$RUNS"); do
            start=$(date +%s.%N)
            "$1"
            end=$(date +%s.%N)
            times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", e - s }')")
        done
        median "${times[@]}"
    }
fi

echo "timing ($RUNS runs each, medians)…" >&2
t_version=$(measure run_progfig_version)
t_decrypt=$(measure run_progfig_decrypt)
t_age=$(measure run_age_loop)

awk -v n="$N" -v v="$t_version" -v d="$t_decrypt" -v a="$t_age" 'BEGIN {
    inproc = d - v; if (inproc < 0) inproc = 0
    per_progfig = inproc / n; per_age = a / n
    printf "secrets: %d (one node, armored age values, X25519)\n", n
    printf "progfig --version (start-up baseline):         %10.3f ms\n", v * 1000
    printf "(a) progfig secret decrypt -n NODE, one call:  %10.3f ms total\n", d * 1000
    printf "    per secret, in-process (total - baseline)/%d: %9.1f us\n", n, per_progfig * 1e6
    printf "    per secret, including start-up (total/%d):    %9.1f us\n", n, d / n * 1e6
    printf "(b) age -d -i KEY, one process per secret:     %10.3f ms total\n", a * 1000
    printf "    per secret:                                   %9.1f us\n", per_age * 1e6
    if (per_progfig > 0) printf "ratio (b)/(a) per secret, in-process:          %10.1fx\n", per_age / per_progfig
    else printf "ratio (b)/(a): progfig in-process time below timer resolution\n"
    printf "ratio (b)/(a) whole job (N secrets):           %10.1fx\n", a / d
}'
