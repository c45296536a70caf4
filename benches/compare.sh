#!/usr/bin/env bash
# Side-by-side benchmark behind README's "Performance" section (issue 7). Run
# by hand, not in CI: on one machine, in one run, with the same generated
# data, it measures backtrail against DuckDB and polars and against the
# physical limits (cat, zcat, gunzip + serde parse), then prints a table and
# writes it as JSON.
#
#   benches/compare.sh                       # everything, full size
#   BENCH_STAGES=ingest,queries benches/compare.sh
#   # a quick check that everything works (about 1.5 min on 2 cores, plus the build):
#   BENCH_EVENTS=20000 BENCH_SMALL=5000 BENCH_BIG=40000 BENCH_DRIFT_EVENTS=40000 \
#     BENCH_RUNS=1 BENCH_WORK=target/bench-small benches/compare.sh
#
# How long a full-size run takes, measured on the 2-core development
# machine (2026-11-29): about 8 minutes once the data exists (backtrail's 1M
# ingest 3 x ~20 s, DuckDB ~60 s, polars ~20 s, two 5M ingests ~105 s each,
# the analyses ~30 s), plus about 6 minutes the first time to generate 1M +
# 2 x 5M events, plus the release build (10 to 20 min from scratch). It needs
# about 4 GB of disk under BENCH_WORK and, for polars at 1M events, 2.5 GB
# of RAM.
#
# Where results go:
#   - the table on stdout, progress on stderr;
#   - the results as JSON in BENCH_OUT: benches/results.json by default (that
#     file is committed: a full run on the reference machine updates it), but
#     $BENCH_WORK/results.json whenever BENCH_WORK is set, so a small or
#     experimental run does not overwrite the committed figures;
#   - data, lakes, raw measurements (measurements.jsonl) and the outputs of
#     the analyses (incident.json, drift.json) in BENCH_WORK (target/bench by
#     default; target/ is git-ignored). Generated data is reused by later
#     runs with the same sizes and seed (delete BENCH_WORK after changing the
#     generator); lakes only when the same backtrail binary built them.
#
# Sizes and knobs (environment):
#   BENCH_EVENTS=1000000   the ingest comparison and the query lake
#   BENCH_SMALL=100000     smallest point of the memory series
#   BENCH_BIG=5000000      largest point of the memory series; holds a planted
#                          agent-env-rebuild (its own ~6k events come on top)
#                          for `backtrail incident`
#   BENCH_DRIFT_EVENTS=$BENCH_BIG  events over 35 days (a week + a 4-week baseline) for drift
#   BENCH_RUNS=3           runs per measurement (the median is reported)
#   BENCH_BIG_RUNS=1       runs for the BIG and DRIFT ingests and the analyses
#   BENCH_ENGINE_RUNS=$BENCH_RUNS  runs for DuckDB and polars ingest (slow on many small files)
#   BENCH_THREADS=$(nproc) threads of the parse floor and of the polars script
#   BENCH_STAGES=ingest,memory,queries,analyses
#   BENCH_WORK=target/bench   data, lakes and raw measurements
#   BENCH_OUT              see "Where results go"
#   BENCH_SEED=7
#   BENCH_ACCOUNTS=2 BENCH_REGIONS=2  shape of the generated trail; 2 x 2 gives
#                          about 8,000 delivery files per million events, near
#                          the 5,134 files of issue 7's reference data set
#                          (synth's defaults, 8 x 4, give 60,000: many small
#                          files, which flatters backtrail against DuckDB)
#   BENCH_BUILD=1          0: skip `cargo build --release` (use the binaries in target/release)
#
# Python engines: target/bench-venv, with the pins of benches/requirements.txt.
# Every measurement runs with a warm page cache (the data was just written
# or read). Wall time and peak RSS come from /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

EVENTS=${BENCH_EVENTS:-1000000}
SMALL=${BENCH_SMALL:-100000}
BIG=${BENCH_BIG:-5000000}
DRIFT_EVENTS=${BENCH_DRIFT_EVENTS:-$BIG}
RUNS=${BENCH_RUNS:-3}
BIG_RUNS=${BENCH_BIG_RUNS:-1}
ENGINE_RUNS=${BENCH_ENGINE_RUNS:-$RUNS}
THREADS=${BENCH_THREADS:-$(nproc)}
STAGES=${BENCH_STAGES:-ingest,memory,queries,analyses}
if [ -n "${BENCH_WORK:-}" ]; then
  WORK=$BENCH_WORK
  OUT=${BENCH_OUT:-$WORK/results.json}
else
  WORK=target/bench
  OUT=${BENCH_OUT:-benches/results.json}
fi
SEED=${BENCH_SEED:-7}
ACCOUNTS=${BENCH_ACCOUNTS:-2}
REGIONS=${BENCH_REGIONS:-2}
PLANT_AT=${BENCH_PLANT_AT:-2026-03-05T12:00:00Z}
QUERY_FROM=${BENCH_QUERY_FROM:-2026-03-05T10:00:00Z}
QUERY_TO=${BENCH_QUERY_TO:-2026-03-05T12:00:00Z}
DRIFT_WEEK=${BENCH_DRIFT_WEEK:-2026-W10}

mkdir -p "$WORK" "$(dirname "$OUT")"
WORK=$(cd "$WORK" && pwd)
JSONL="$WORK/measurements.jsonl"
: > "$JSONL"
BT="$root/target/release/backtrail"
FLOOR="$root/target/release/examples/parse_floor"
VENV="$root/target/bench-venv"
PY="$VENV/bin/python"
ENGINES="$root/benches/engines.py"

has_stage() { [[ ",$STAGES," == *",$1,"* ]]; }
log() { printf '== %s\n' "$*" >&2; }

# --- what the run needs -------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time"
  apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$root/benches/requirements.txt" >&2
if [ "${BENCH_BUILD:-1}" != 0 ]; then
  log "building release (cargo build --release --bin backtrail --examples)"
  cargo build --release --bin backtrail --examples >&2
fi

# --- measuring ----------------------------------------------------------------
# measure STAGE NAME RUNS PREP -- CMD...: runs CMD RUNS times (PREP before
# each, untimed) under /usr/bin/time and appends one JSON line to $JSONL:
# the runs and the last run's final stdout line (parsed when it is JSON).
# OK_EXITS (default "0") lists the exit codes that count as success;
# last_ok says whether the last run had one of them.
last_ok=1
measure() {
  local stage=$1 name=$2 runs=$3 prep=$4
  shift 5
  local ok_exits=${OK_EXITS:-0}
  local i wall kb code load entries=""
  for ((i = 1; i <= runs; i++)); do
    eval "$prep"
    load=$(cut -d' ' -f1 /proc/loadavg)
    code=0
    /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || code=$?
    read -r wall kb < <(tail -n 1 "$WORK/time.txt")
    entries+="${entries:+,}{\"wall\":$wall,\"rss_kb\":$kb,\"exit\":$code,\"load_before\":$load}"
    log "$stage/$name run $i: ${wall}s, $((kb / 1024)) MiB, exit $code (load $load)"
    last_ok=1
    if [[ " $ok_exits " != *" $code "* ]]; then
      last_ok=0
      log "$stage/$name FAILED (exit $code); end of its stderr:"
      tail -n 5 "$WORK/last.err" >&2 || true
    fi
  done
  "$PY" - "$stage" "$name" "$JSONL" "[$entries]" "$WORK/last.out" "$ok_exits" <<'EOF'
import json, sys
stage, name, path, runs, out_file, ok_exits = sys.argv[1:7]
lines = [l for l in open(out_file, errors="replace").read().splitlines() if l.strip()]
out = lines[-1] if lines else ""
try:
    last = json.loads(out)
except ValueError:
    last = out[:2000]
with open(path, "a") as f:
    f.write(json.dumps({"stage": stage, "name": name, "runs": json.loads(runs),
                        "ok_exits": [int(x) for x in ok_exits.split()], "last_output": last}) + "\n")
EOF
}

# gen DIR EVENTS DAYS [SCENARIO]: scale-mode data, reused when the flags match.
# The flags and synth's JSON summary live next to DIR (DIR.flags,
# DIR.summary.json), not in it: any other file in DIR would be ingested as an
# unrecognised file and make `backtrail ingest` exit 3. Appends a dataset
# fact (records written, files, gzip bytes) to $JSONL.
gen() {
  local dir=$1 events=$2 days=$3 scenario=${4:-}
  local flags=(--events "$events" --days "$days" --seed "$SEED" --accounts "$ACCOUNTS" --regions "$REGIONS")
  if [ -n "$scenario" ]; then
    flags+=(--scenario "$scenario" --plant-at "$PLANT_AT")
  fi
  if [ -f "$dir.flags" ] && [ -s "$dir.summary.json" ] && [ "$(cat "$dir.flags")" == "${flags[*]}" ]; then
    log "reusing $dir (${flags[*]})"
  else
    # A lake built from the old data would be stale.
    rm -rf "$dir" "$dir.flags" "$dir.summary.json" "$WORK/lake-${dir##*/data-}" "$WORK/lake-${dir##*/data-}.built-by"
    log "generating $dir (${flags[*]})"
    measure generate "$(basename "$dir")" 1 ":" -- "$BT" synth "${flags[@]}" --out "$dir" --json
    if [ "$last_ok" != 1 ]; then
      log "backtrail synth failed; stopping"
      exit 1
    fi
    tail -n 1 "$WORK/last.out" >"$dir.summary.json"
    echo "${flags[*]}" >"$dir.flags"
  fi
  local bytes
  bytes=$(find "$dir" -name '*.json.gz' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  "$PY" - "$dir" "$bytes" "$JSONL" <<'EOF'
import json, os, sys
d, gz, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(d + ".summary.json"))
with open(path, "a") as f:
    f.write(json.dumps({"stage": "dataset", "name": os.path.basename(d), "events": s["events"],
                        "files": s["files"], "bytes_compressed": gz}) + "\n")
EOF
}

# The `backtrail ingest` every stage measures: "${INGEST[@]}" DIR --lake LAKE
# "${INGEST_FLAGS[@]}", always into a fresh lake (callers remove LAKE first).
INGEST=("$BT" ingest)
INGEST_FLAGS=(-q --json)

# A lake is reused by a later stage or run only when this very binary built
# it (LAKE.built-by holds the binary's mtime and size).
bt_id=$(stat -c '%Y-%s' "$BT")
mark_lake() { if [ "$last_ok" == 1 ]; then echo "$bt_id" >"$1.built-by"; else rm -f "$1.built-by"; fi; }
lake_fresh() { [ -d "$1/events" ] && [ "$(cat "$1.built-by" 2>/dev/null)" == "$bt_id" ]; }

size_label() { "$PY" -c "n=$1; print(f'{n//1000000}m' if n % 1000000 == 0 else f'{n//1000}k' if n % 1000 == 0 else str(n))"; }

D_EVENTS="$WORK/data-$(size_label "$EVENTS")"
D_SMALL="$WORK/data-$(size_label "$SMALL")"
D_BIG="$WORK/data-$(size_label "$BIG")-planted"
D_DRIFT="$WORK/data-$(size_label "$DRIFT_EVENTS")-35d"
L_EVENTS="$WORK/lake-$(size_label "$EVENTS")"
L_SMALL="$WORK/lake-$(size_label "$SMALL")"
L_BIG="$WORK/lake-$(size_label "$BIG")-planted"
L_DRIFT="$WORK/lake-$(size_label "$DRIFT_EVENTS")-35d"

# --- a. ingest ----------------------------------------------------------------
if has_stage ingest || has_stage memory || has_stage queries; then
  gen "$D_EVENTS" "$EVENTS" 7
fi
if has_stage ingest; then
  log "a. ingest of $EVENTS events"
  # Warm the page cache (the data may come from an earlier run).
  find "$D_EVENTS" -name '*.json.gz' -print0 | xargs -0 cat >/dev/null
  echo "{\"stage\":\"dataset-of\",\"name\":\"ingest\",\"dataset\":\"$(basename "$D_EVENTS")\"}" >>"$JSONL"
  measure ingest cat "$RUNS" ":" -- sh -c "find '$D_EVENTS' -name '*.json.gz' -print0 | xargs -0 cat > /dev/null"
  measure ingest zcat "$RUNS" ":" -- sh -c "find '$D_EVENTS' -name '*.json.gz' -print0 | xargs -0 zcat > /dev/null"
  measure ingest parse_floor "$RUNS" ":" -- "$FLOOR" "$D_EVENTS" --threads "$THREADS"
  measure ingest backtrail "$RUNS" "rm -rf '$L_EVENTS'" -- "${INGEST[@]}" "$D_EVENTS" --lake "$L_EVENTS" "${INGEST_FLAGS[@]}"
  mark_lake "$L_EVENTS"
  measure ingest duckdb "$ENGINE_RUNS" "rm -f '$WORK/duckdb.parquet'" -- "$PY" "$ENGINES" duckdb-ingest "$D_EVENTS" "$WORK/duckdb.parquet"
  measure ingest polars "$ENGINE_RUNS" "rm -f '$WORK/polars.parquet'" -- "$PY" "$ENGINES" polars-ingest "$D_EVENTS" "$WORK/polars.parquet" --threads "$THREADS"
fi

# --- b. memory ----------------------------------------------------------------
if has_stage memory; then
  log "b. peak RSS of backtrail ingest: $SMALL, $EVENTS, $BIG events"
  gen "$D_SMALL" "$SMALL" 7
  measure memory "ingest-$SMALL" "$RUNS" "rm -rf '$L_SMALL'" -- "${INGEST[@]}" "$D_SMALL" --lake "$L_SMALL" "${INGEST_FLAGS[@]}"
  if ! has_stage ingest; then
    measure memory "ingest-$EVENTS" "$RUNS" "rm -rf '$L_EVENTS'" -- "${INGEST[@]}" "$D_EVENTS" --lake "$L_EVENTS" "${INGEST_FLAGS[@]}"
    mark_lake "$L_EVENTS"
  fi
  gen "$D_BIG" "$BIG" 7 agent-env-rebuild
  measure memory "ingest-$BIG" "$BIG_RUNS" "rm -rf '$L_BIG'" -- "${INGEST[@]}" "$D_BIG" --lake "$L_BIG" "${INGEST_FLAGS[@]}"
  mark_lake "$L_BIG"
fi

# --- c. queries ---------------------------------------------------------------
if has_stage queries; then
  log "c. queries on the $EVENTS-event lake: backtrail query vs DuckDB"
  if ! lake_fresh "$L_EVENTS"; then
    rm -rf "$L_EVENTS"
    last_ok=1
    "${INGEST[@]}" "$D_EVENTS" --lake "$L_EVENTS" "${INGEST_FLAGS[@]}" >/dev/null || last_ok=0
    mark_lake "$L_EVENTS"
  fi
  qdir="$WORK/queries"
  mkdir -p "$qdir"
  cat >"$qdir/errors-by-event-name.sql" <<'EOF'
SELECT event_name, count(*) AS n
FROM events
WHERE error_code IS NOT NULL
GROUP BY event_name
ORDER BY n DESC, event_name
EOF
  cat >"$qdir/actions-per-principal.sql" <<'EOF'
SELECT principal, count(DISTINCT iam_action) AS actions
FROM (SELECT COALESCE(arn, invoked_by, principal_id) AS principal, iam_action FROM events) p
GROUP BY principal
ORDER BY actions DESC, principal
EOF
  window=(--param "from=$QUERY_FROM" --param "to=$QUERY_TO")
  measure queries "errors-by-event-name/backtrail" "$RUNS" ":" -- "$BT" query --lake "$L_EVENTS" "$qdir/errors-by-event-name.sql" --format csv
  measure queries "errors-by-event-name/duckdb" "$RUNS" ":" -- "$PY" "$ENGINES" duckdb-query "$L_EVENTS" "$qdir/errors-by-event-name.sql"
  measure queries "destructive-calls-2h/backtrail" "$RUNS" ":" -- "$BT" query --lake "$L_EVENTS" destructive-calls "${window[@]}" --format csv
  measure queries "destructive-calls-2h/duckdb" "$RUNS" ":" -- "$PY" "$ENGINES" duckdb-query "$L_EVENTS" "$root/queries/destructive-calls.sql" "${window[@]}"
  measure queries "actions-per-principal/backtrail" "$RUNS" ":" -- "$BT" query --lake "$L_EVENTS" "$qdir/actions-per-principal.sql" --format csv
  measure queries "actions-per-principal/duckdb" "$RUNS" ":" -- "$PY" "$ENGINES" duckdb-query "$L_EVENTS" "$qdir/actions-per-principal.sql"
  # Row counts, so a fast wrong answer does not pass unnoticed (compared with
  # DuckDB's in the summary).
  for q in errors-by-event-name destructive-calls-2h actions-per-principal; do
    case $q in
      destructive-calls-2h) bt_args=(destructive-calls "${window[@]}") ;;
      *) bt_args=("$qdir/$q.sql") ;;
    esac
    n=$("$BT" query --lake "$L_EVENTS" "${bt_args[@]}" --format ndjson | grep -c . || true)
    echo "{\"stage\":\"query-rows\",\"name\":\"$q\",\"backtrail_rows\":$n}" >>"$JSONL"
  done
fi

# --- d. analyses --------------------------------------------------------------
if has_stage analyses; then
  log "d. analyses: incident in $BIG events, drift over 35 days of $DRIFT_EVENTS events"
  gen "$D_BIG" "$BIG" 7 agent-env-rebuild
  if ! lake_fresh "$L_BIG"; then
    measure memory "ingest-$BIG" 1 "rm -rf '$L_BIG'" -- "${INGEST[@]}" "$D_BIG" --lake "$L_BIG" "${INGEST_FLAGS[@]}"
    mark_lake "$L_BIG"
  fi
  echo "{\"stage\":\"dataset-of\",\"name\":\"incident\",\"dataset\":\"$(basename "$D_BIG")\"}" >>"$JSONL"
  rm -f "$WORK/incident.json"
  measure analyses incident "$BIG_RUNS" ":" -- "$BT" incident --lake "$L_BIG" --format json --out "$WORK/incident.json"
  # Did it find what synth planted? (window detected from the error rate,
  # no hints given.)
  "$PY" - "$WORK/incident.json" "$D_BIG.summary.json" "$JSONL" <<'EOF'
import json, os, sys
inc_path, truth_path, out = sys.argv[1:4]
truth = json.load(open(truth_path))
want = {k["event_id"] for k in truth["key_events"] if k["label"] == "root_cause"}
inc = json.load(open(inc_path)) if os.path.exists(inc_path) else {}
got = [r["event_id"] for r in inc.get("root_causes", [])]
rec = {"stage": "incident-check", "name": "root_cause",
       "expected": sorted(want), "found": got,
       "found_names": [r.get("event_name") for r in inc.get("root_causes", [])],
       "window": inc.get("window"),
       "events_in_analysis": inc.get("coverage", {}).get("events_in_analysis"),
       "match": bool(want) and want <= set(got)}
with open(out, "a") as f:
    f.write(json.dumps(rec) + "\n")
EOF
  gen "$D_DRIFT" "$DRIFT_EVENTS" 35
  if ! lake_fresh "$L_DRIFT"; then
    measure analyses "ingest-35d" 1 "rm -rf '$L_DRIFT'" -- "${INGEST[@]}" "$D_DRIFT" --lake "$L_DRIFT" "${INGEST_FLAGS[@]}"
    mark_lake "$L_DRIFT"
  fi
  echo "{\"stage\":\"dataset-of\",\"name\":\"drift\",\"dataset\":\"$(basename "$D_DRIFT")\"}" >>"$JSONL"
  # Exit 3 means "a new high finding": the review worked.
  rm -f "$WORK/drift.json"
  OK_EXITS="0 3" measure analyses drift "$BIG_RUNS" ":" -- "$BT" drift --lake "$L_DRIFT" --week "$DRIFT_WEEK" --baseline 4w --format json --out "$WORK/drift.json"
  "$PY" - "$WORK/drift.json" "$JSONL" <<'EOF'
import json, os, sys
path, out = sys.argv[1:3]
d = json.load(open(path)) if os.path.exists(path) else {}
rec = {"stage": "drift-check", "name": "drift", "period": d.get("period"),
       "findings": len(d.get("findings", [])), "counts": d.get("counts")}
with open(out, "a") as f:
    f.write(json.dumps(rec) + "\n")
EOF
fi

# --- report -------------------------------------------------------------------
"$PY" "$ENGINES" summarize "$JSONL" "$OUT" \
  --meta "events=$EVENTS" "small=$SMALL" "big=$BIG" "drift_events=$DRIFT_EVENTS" "runs=$RUNS" \
  "engine_runs=$ENGINE_RUNS" "big_runs=$BIG_RUNS" "threads=$THREADS" "stages=$STAGES" "seed=$SEED" \
  "plant_at=$PLANT_AT" "drift_week=$DRIFT_WEEK" "query_window=$QUERY_FROM/$QUERY_TO" \
  "work=$WORK" "command=${BENCH_COMMAND:-$(env | grep -E '^BENCH_' | sort | tr '\n' ' ')benches/compare.sh}" \
  "backtrail=$("$BT" --version)" "rustc=$(rustc --version)"
