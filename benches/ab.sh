#!/usr/bin/env bash
# Two builds of backtrail side by side: the same command run with each,
# interleaved (base, head, base, head, ...), so that the machine's drift
# falls on both alike. Prints each run and the medians, and writes them as
# JSON. Run by hand, like compare.sh, not in CI.
#
#   benches/ab.sh BASE_BIN HEAD_BIN RUNS OUT.json -- ARGS...
#
# ARGS are backtrail's arguments; `{out}` in them becomes a file per run,
# whose SHA-256 is recorded (equal outputs show the builds agree). E.g.:
#
#   cp target/release/backtrail /tmp/bt-head   # and a base build to /tmp/bt-base
#   benches/ab.sh /tmp/bt-base /tmp/bt-head 3 benches/results-ab.json -- \
#     incident --lake target/bench/lake-5m-planted --format json --out '{out}'
set -euo pipefail

if [ $# -lt 5 ] || [ "$5" != "--" ]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
base=$1 head=$2 runs=$3 out=$4
shift 5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for run in $(seq 1 "$runs"); do
  for build in base head; do
    bin=$base
    [ "$build" = head ] && bin=$head
    file="$work/$build-$run.out"
    args=()
    for a in "$@"; do args+=("${a//\{out\}/$file}"); done
    /usr/bin/time -f '%e %U %S %M' -o "$work/$build-$run.time" "$bin" "${args[@]}" >/dev/null 2>"$work/$build-$run.err" || {
      echo "ab: $build run $run failed:" >&2
      cat "$work/$build-$run.err" >&2
      exit 1
    }
    sha=""
    [ -f "$file" ] && sha=$(sha256sum "$file" | cut -d' ' -f1)
    echo "$build $run $(cat "$work/$build-$run.time") $sha" | tee -a "$work/runs" >&2
  done
done

python3 - "$work/runs" "$out" "$base" "$head" "$*" <<'EOF'
import json, statistics, sys, datetime, os
runs_file, out, base, head, args = sys.argv[1:6]
runs = []
for line in open(runs_file):
    parts = line.split()
    build, run, wall, user, sys_, rss = parts[:6]
    runs.append({"build": build, "run": int(run), "wall_s": float(wall),
                 "user_s": float(user), "sys_s": float(sys_), "max_rss_kb": int(rss),
                 "output_sha256": parts[6] if len(parts) > 6 else None})
med = {}
for b in ("base", "head"):
    rs = [r for r in runs if r["build"] == b]
    med[b] = {k: statistics.median(r[k] for r in rs)
              for k in ("wall_s", "user_s", "sys_s", "max_rss_kb")}
doc = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
    "machine": f"nproc {os.cpu_count()}",
    "command": "backtrail " + args,
    "builds": {"base": base, "head": head},
    "runs": runs,
    "medians": med,
    "wall_ratio_base_over_head": round(med["base"]["wall_s"] / med["head"]["wall_s"], 3),
}
json.dump(doc, open(out, "w"), indent=2)
print(f"medians: base {med['base']['wall_s']:.2f} s, {med['base']['max_rss_kb']/1024:.0f} MiB; "
      f"head {med['head']['wall_s']:.2f} s, {med['head']['max_rss_kb']/1024:.0f} MiB; "
      f"{doc['wall_ratio_base_over_head']}x")
EOF
