#!/usr/bin/env python3
"""Run every query of queries/ on a backtrail lake with several SQL engines and
compare the results row by row.

Engines:
  duckdb   read_parquet('<lake>/events/*/*.parquet', hive_partitioning=true) as view `events`
  spark    pyspark in local mode, session time zone UTC, `<lake>/events` as temp view `events`
  third    backtrail itself (`--backtrail PATH`: `PATH query --lake LAKE FILE --param k=v
           --format csv`), or, without --backtrail, python polars' SQLContext as a stand-in
           for the polars SQL that backtrail embeds

Each query file starts with a header (see queries/README.md):

  -- name: <file stem>
  -- description: ...
  -- param: <name> <timestamp|string|int> = <default>
  -- returns: col, col, ...

Each query runs once with its header defaults (--param QUERY.NAME=VALUE
changes that run) and once more for each named case that the params file
(default tests/engines/params.json) gives it for this lake. Parameters are bound
exactly as backtrail binds them (src/query/library.rs): `:name` outside string
literals and comments is replaced; strings and timestamps become single-quoted
literals with `'` doubled, timestamps normalised to UTC as
'YYYY-MM-DD HH:MM:SS.ffffff'; ints are written bare. (The backtrail engine gets
the raw values and binds them itself.)

A query can be overridden for one engine by queries/<engine>/<name>.sql
(engine: duckdb, spark, polars); backtrail only ever runs queries/<name>.sql.

Events superseded by an UPDATED_DATA addendum are left out of `events` in every
Python engine, as docs/SCHEMA.md says backtrail's readers do (--keep-superseded
turns that off).

Values are normalised before comparison: NULL and '' are the same (CSV cannot
tell them apart); timestamps become ISO 8601 UTC with microseconds; booleans
true/false; numbers are rounded to 6 decimals with integral values written as
integers; strings that look like timestamps or numbers are normalised the same
way in every engine. Rows are compared in order: every query must end with an
ORDER BY that makes the order total.

Exit status: 0 when every query agrees on every engine, 1 otherwise, 2 on bad
usage. The last line printed is `N passed, M failed`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import fnmatch
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_QUERIES = REPO / "queries"
DEFAULT_PARAMS = Path(__file__).resolve().parent / "params.json"
OVERRIDE_ENGINES = ("duckdb", "spark", "polars")
PARAM_TYPES = ("timestamp", "string", "int")


# ---------------------------------------------------------------- queries ---


class QueryFileError(Exception):
    pass


@dataclass
class Param:
    name: str
    type: str
    default: str


@dataclass
class Query:
    name: str
    path: Path
    description: str
    params: list[Param]
    returns: list[str]
    sql: str
    overrides: dict[str, Path] = field(default_factory=dict)

    def sql_for(self, engine: str) -> str:
        p = self.overrides.get(engine)
        return p.read_text(encoding="utf-8") if p else self.sql


def parse_query(path: Path) -> Query:
    """Parse the header the same way backtrail does (library::parse), and
    check it more strictly: every field present, name equal to the stem."""
    text = path.read_text(encoding="utf-8")
    name = description = returns = None
    params: list[Param] = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("--"):
            if not s:
                continue
            break
        rest = s[2:].strip()
        if rest.startswith("name:"):
            name = rest[5:].strip()
        elif rest.startswith("description:"):
            description = rest[12:].strip()
        elif rest.startswith("returns:"):
            returns = [c.strip() for c in rest[8:].split(",") if c.strip()]
        elif rest.startswith("param:"):
            decl, eq, default = rest[6:].partition("=")
            parts = decl.split()
            if not eq or len(parts) != 2 or parts[1] not in PARAM_TYPES:
                raise QueryFileError(
                    f"{path}: bad param line {line!r}: expected `-- param: NAME TYPE = DEFAULT`"
                    f" with TYPE one of {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(parts[0], parts[1], default.strip()))
    missing = [k for k, v in (("name", name), ("description", description), ("returns", returns)) if not v]
    if missing:
        raise QueryFileError(f"{path}: header lacks {', '.join(missing)}")
    if name != path.stem:
        raise QueryFileError(f"{path}: header name {name!r} differs from the file stem {path.stem!r}")
    return Query(name, path, description, params, returns, text)


def load_queries(qdir: Path) -> list[Query]:
    out = []
    for p in sorted(qdir.glob("*.sql")):
        q = parse_query(p)
        for eng in OVERRIDE_ENGINES:
            o = qdir / eng / p.name
            if o.is_file():
                q.overrides[eng] = o
        out.append(q)
    return out


# ---------------------------------------------------------------- binding ---

_TS_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def parse_time(value: str) -> dt.datetime:
    """The forms backtrail's parse_event_time accepts, as an aware UTC datetime."""
    m = _TS_RE.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not an ISO 8601 time such as 2026-03-10T01:30:00Z")
    day, hms, frac, zone = m.groups()
    frac = (frac or ".0")[1:]
    us = int((frac + "000000")[:6])
    base = dt.datetime.fromisoformat(f"{day}T{hms}").replace(microsecond=us)
    if zone in (None, "Z", "z"):
        tz = dt.timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        hh, mm = int(zone[1:3]), int(zone[-2:])
        tz = dt.timezone(sign * dt.timedelta(hours=hh, minutes=mm))
    return base.replace(tzinfo=tz).astimezone(dt.timezone.utc)


def literal(p: Param, value: str) -> str:
    if p.type == "int":
        try:
            return str(int(value.strip()))
        except ValueError:
            raise ValueError(f"parameter {p.name} = {value!r} is not an integer") from None
    if p.type == "timestamp":
        t = parse_time(value)
        return "'" + t.strftime("%Y-%m-%d %H:%M:%S.%f") + "'"
    return "'" + value.replace("'", "''") + "'"


def substitute(sql: str, lits: dict[str, str]) -> str:
    """Replace `:name` outside string literals and comments; `::` stays.
    A line-by-line port of backtrail's library::substitute."""
    out = []
    i = last = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c == "'":
            i += 1
            while i < n and sql[i] != "'":
                i += 1
            i += 1
        elif c == "-" and sql[i + 1 : i + 2] == "-":
            while i < n and sql[i] != "\n":
                i += 1
        elif c == ":" and sql[i + 1 : i + 2] == ":":
            i += 2
        elif c == ":" and (i == 0 or sql[i - 1] != ":"):
            start = end = i + 1
            while end < n and (sql[end].isascii() and (sql[end].isalnum() or sql[end] == "_")):
                end += 1
            lit = lits.get(sql[start:end])
            if end > start and lit is not None:
                out.append(sql[last:i])
                out.append(lit)
                last = i = end
            else:
                i += 1
        else:
            i += 1
    out.append(sql[min(last, n) :])
    return "".join(out)


def bind(q: Query, sql: str, values: dict[str, str]) -> str:
    lits = {p.name: literal(p, values.get(p.name, p.default)) for p in q.params}
    return substitute(sql, lits)


def load_cases(path: Path | None, lake: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Named parameter sets per query from the params file, for the sections
    that apply to this lake. Format:

      {"sections": [{"lake_has_date": "2026-03-10",      # optional: a partition the lake must hold
                     "lake_name": "q-lake*",             # optional: glob on the lake directory's name
                     "queries": {"<query>": {"<case>": {"<param>": "<value>", ...}}}}]}

    Each case runs in addition to the run with the header defaults."""
    if path is None or not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, dict[str, str]]] = {}
    for sec in data.get("sections", []):
        day = sec.get("lake_has_date")
        if day and not (lake / "events" / f"event_date={day}").is_dir():
            continue
        glob = sec.get("lake_name")
        if glob and not fnmatch.fnmatch(lake.name, glob):
            continue
        for qname, cases in sec.get("queries", {}).items():
            for cname, ps in cases.items():
                out.setdefault(qname, {})[cname] = {k: str(v) for k, v in ps.items()}
    return out


# ------------------------------------------------------------ normalising ---

NULL = None
_NUM_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CSV_TS_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2}| UTC)?$"
)


def norm_time(t: dt.datetime) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def norm_number(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    r = round(x, 6)
    if r == int(r) and abs(r) < 2**63:
        return str(int(r))
    return repr(r)


def norm_str(s: str):
    if s == "":
        return NULL
    m = _CSV_TS_RE.match(s)
    if m:
        day, hms, frac, zone = m.groups()
        us = int(((frac or ".0")[1:] + "000000")[:6])
        base = dt.datetime.fromisoformat(f"{day}T{hms}").replace(microsecond=us)
        if zone and zone not in ("Z", " UTC"):
            sign = -1 if zone[0] == "-" else 1
            hh, mm = int(zone[1:3]), int(zone[-2:])
            base = base.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hh, minutes=mm)))
        return norm_time(base)
    if s in ("true", "false"):
        return s
    if _NUM_RE.match(s):
        return norm_number(float(s)) if ("." in s or "e" in s.lower()) else str(int(s))
    return s


def norm(v):
    if v is None:
        return NULL
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (float, decimal.Decimal)):
        return norm_number(float(v))
    if isinstance(v, dt.datetime):
        return norm_time(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return json.dumps([norm(x) for x in v])
    if isinstance(v, dict):
        return json.dumps({str(k): norm(x) for k, x in sorted(v.items())})
    if hasattr(v, "asDict"):  # pyspark Row inside a value
        return norm(v.asDict(recursive=True))
    if isinstance(v, bytes):
        return v.hex()
    return norm_str(str(v))


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    seconds: float


# --------------------------------------------------------------- engines ---

SUPERSEDED_IDS = (
    "SELECT addendum_original_event_id FROM {t} WHERE addendum_reason = 'UPDATED_DATA'"
    " AND addendum_original_event_id IS NOT NULL AND addendum_original_event_id <> event_id"
)


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, lake: Path, keep_superseded: bool):
        import duckdb

        self.version = duckdb.__version__
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        glob = str(lake / "events" / "*" / "*.parquet").replace("'", "''")
        self.con.execute(
            f"CREATE VIEW events_all AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true)"
        )
        where = "" if keep_superseded else f" WHERE event_id NOT IN ({SUPERSEDED_IDS.format(t='events_all')})"
        self.con.execute(f"CREATE VIEW events AS SELECT * FROM events_all{where}")

    def run(self, q: Query, values: dict[str, str]) -> Result:
        sql = bind(q, q.sql_for(self.name), values)
        t0 = time.monotonic()
        cur = self.con.execute(sql)
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        return Result(cols, rows, time.monotonic() - t0)

    def close(self):
        self.con.close()


class SparkEngine:
    name = "spark"

    def __init__(self, lake: Path, keep_superseded: bool):
        os.environ["TZ"] = "UTC"
        time.tzset()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        import pyspark
        from pyspark.sql import SparkSession

        self.version = pyspark.__version__
        self._tmp = tempfile.mkdtemp(prefix="compare-engines-spark-")
        log4j = Path(self._tmp) / "log4j2.properties"
        log4j.write_text(
            "rootLogger.level = off\n"
            "rootLogger.appenderRef.stderr.ref = stderr\n"
            "appender.console.type = Console\n"
            "appender.console.name = stderr\n"
            "appender.console.target = SYSTEM_ERR\n"
            "appender.console.layout.type = PatternLayout\n"
            "appender.console.layout.pattern = %m%n\n"
        )
        java_opts = f"-Duser.timezone=UTC -Dlog4j.configurationFile=file:{log4j}"
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("backtrail-compare-engines")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", java_opts)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.local.dir", self._tmp)
            .config("spark.sql.warehouse.dir", str(Path(self._tmp) / "warehouse"))
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("OFF")
        self.spark.read.parquet(str(lake / "events")).createOrReplaceTempView("events_all")
        where = "" if keep_superseded else f" WHERE event_id NOT IN ({SUPERSEDED_IDS.format(t='events_all')})"
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM events_all{where}")

    def run(self, q: Query, values: dict[str, str]) -> Result:
        sql = bind(q, q.sql_for(self.name), values)
        t0 = time.monotonic()
        df = self.spark.sql(sql)
        cols = list(df.columns)
        rows = [tuple(r) for r in df.collect()]
        return Result(cols, rows, time.monotonic() - t0)

    def close(self):
        self.spark.stop()
        shutil.rmtree(self._tmp, ignore_errors=True)


class PolarsEngine:
    """python polars' SQLContext over a lazy hive scan: a stand-in for
    `backtrail query` (which runs the same polars SQL from Rust)."""

    name = "polars"

    def __init__(self, lake: Path, keep_superseded: bool):
        import polars as pl

        self.pl = pl
        self.version = pl.__version__
        lf = pl.scan_parquet(
            str(lake / "events" / "*" / "*.parquet"), hive_partitioning=True, try_parse_hive_dates=True
        )
        if not keep_superseded:
            sup = (
                lf.filter(
                    (pl.col("addendum_reason") == "UPDATED_DATA")
                    & pl.col("addendum_original_event_id").is_not_null()
                    & (pl.col("addendum_original_event_id") != pl.col("event_id"))
                )
                .select(pl.col("addendum_original_event_id").alias("event_id"))
                .unique()
            )
            lf = lf.join(sup, on="event_id", how="anti")
        self.ctx = pl.SQLContext(events=lf)

    def run(self, q: Query, values: dict[str, str]) -> Result:
        sql = bind(q, q.sql_for(self.name), values)
        t0 = time.monotonic()
        df = self.ctx.execute(sql).collect()
        return Result(list(df.columns), df.rows(), time.monotonic() - t0)

    def close(self):
        pass


class BacktrailEngine:
    """`backtrail query --lake LAKE FILE --param k=v ... --format csv`."""

    name = "backtrail"

    def __init__(self, lake: Path, exe: str, timeout: float):
        self.lake, self.exe, self.timeout = lake, exe, timeout
        try:
            v = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
            out = (v.stdout.strip() or v.stderr.strip() or "?").splitlines()[0]
            self.version = out.split(None, 1)[1] if out.startswith("backtrail ") else out
        except OSError as e:
            raise SystemExit(f"error: cannot run backtrail at {exe}: {e}") from e

    def run(self, q: Query, values: dict[str, str]) -> Result:
        cmd = [self.exe, "query", "--lake", str(self.lake), str(q.path)]
        for k, v in values.items():
            cmd += ["--param", f"{k}={v}"]
        cmd += ["--format", "csv"]
        t0 = time.monotonic()
        # Bytes, not text=True: universal newlines would turn a \r\n inside a
        # quoted CSV field (JSON text as the record had it) into \n.
        p = subprocess.run(cmd, capture_output=True, timeout=self.timeout)
        secs = time.monotonic() - t0
        out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")
        if p.returncode != 0:
            raise RuntimeError(f"exit {p.returncode}: {err.strip() or out.strip()}")
        reader = csv.reader(io.StringIO(out, newline=""))
        rows = list(reader)
        if not rows:
            raise RuntimeError("no CSV header in the output")
        return Result(rows[0], [tuple(r) for r in rows[1:]], secs)

    def close(self):
        pass


# ------------------------------------------------------------- comparing ---


def compare(ref: Result, other: Result, returns: list[str]) -> str | None:
    """None when equal, else a one-line description of the first difference."""
    if [c.lower() for c in other.columns] != [c.lower() for c in returns]:
        return f"columns {other.columns} differ from the header's returns {returns}"
    if len(ref.rows) != len(other.rows):
        return f"{len(other.rows)} rows, reference has {len(ref.rows)}"
    for i, (a, b) in enumerate(zip(ref.rows, other.rows)):
        na, nb = [norm(x) for x in a], [norm(x) for x in b]
        if na != nb:
            for j, (x, y) in enumerate(zip(na, nb)):
                if x != y:
                    return f"row {i + 1} column {ref.columns[j]}: {short(y)} vs reference {short(x)}"
            return f"row {i + 1}: {len(nb)} values vs {len(na)}"
    return None


def short(v, n=70) -> str:
    s = "NULL" if v is None else repr(v)
    return s if len(s) <= n else s[: n - 3] + "..."


def first_line(e: BaseException, n=160) -> str:
    lines = [l.strip() for l in str(e).strip().splitlines() if l.strip()]
    s = f"{type(e).__name__}: {lines[0] if lines else ''}"
    return s if len(s) <= n else s[: n - 3] + "..."


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lake", type=Path, help="lake directory (holds events/)")
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="query directory (default: repo queries/)")
    ap.add_argument("--backtrail", metavar="PATH", help="backtrail executable: the third engine (else python polars)")
    ap.add_argument("--engines", default="duckdb,spark,third", help="comma list of duckdb, spark, third, polars, backtrail; the first is the reference;"
                    " third is backtrail with --backtrail, else polars (default: duckdb,spark,third)")
    ap.add_argument("--params", type=Path, default=DEFAULT_PARAMS, help="parameter file (default: tests/engines/params.json)")
    ap.add_argument("--param", action="append", default=[], metavar="QUERY.NAME=VALUE",
                    help="set a parameter of the default run (repeatable)")
    ap.add_argument("--no-cases", action="store_true", help="run each query with its defaults only")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these queries (glob; repeatable)")
    ap.add_argument("--keep-superseded", action="store_true", help="do not leave out events superseded by an addendum")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print the first N rows of each result (reference engine)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per backtrail run")
    a = ap.parse_args(argv)

    lake = a.lake.resolve()
    if not (lake / "events").is_dir():
        print(f"error: {lake} has no events/ directory; is it a backtrail lake?", file=sys.stderr)
        return 2
    try:
        queries = load_queries(a.queries)
    except QueryFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.only:
        queries = [q for q in queries if any(fnmatch.fnmatch(q.name, g) for g in a.only)]
    if not queries:
        print(f"error: no queries to run in {a.queries}", file=sys.stderr)
        return 2

    cases = {} if a.no_cases else load_cases(a.params, lake)
    overrides: dict[str, dict[str, str]] = {}
    for kv in a.param:
        key, eq, v = kv.partition("=")
        qn, dot, pn = key.partition(".")
        if not eq or not dot:
            print(f"error: --param {kv!r} is not QUERY.NAME=VALUE", file=sys.stderr)
            return 2
        overrides.setdefault(qn, {})[pn] = v

    wanted = [e.strip() for e in a.engines.split(",") if e.strip()]
    engines = []
    for w in wanted:
        if w == "duckdb":
            engines.append(DuckDBEngine(lake, a.keep_superseded))
        elif w == "spark":
            engines.append(SparkEngine(lake, a.keep_superseded))
        elif w == "backtrail" or (w == "third" and a.backtrail):
            if not a.backtrail:
                print("error: the backtrail engine needs --backtrail PATH", file=sys.stderr)
                return 2
            engines.append(BacktrailEngine(lake, a.backtrail, a.timeout))
        elif w in ("third", "polars"):
            engines.append(PolarsEngine(lake, a.keep_superseded))
        else:
            print(f"error: unknown engine {w!r}", file=sys.stderr)
            return 2
    if not engines:
        print("error: no engines", file=sys.stderr)
        return 2

    print(f"lake: {lake}")
    print("engines: " + ", ".join(f"{e.name} {e.version}" for e in engines) + f" (reference: {engines[0].name})")
    header = ["query"] + [f"{e.name} rows" for e in engines] + ["result"]
    table = []
    passed = failed = 0
    runs = []
    for q in queries:
        runs.append((q, q.name, overrides.get(q.name, {})))
        for cname, values in sorted(cases.get(q.name, {}).items()):
            runs.append((q, f"{q.name} [{cname}]", values))
    for q, label, values in runs:
        unknown = set(values) - {p.name for p in q.params}
        results: list[Result | None] = []
        errors: list[str] = []
        if unknown:
            errors.append(f"unknown parameter(s) {sorted(unknown)}; the query takes {[p.name for p in q.params]}")
        for e in engines:
            try:
                results.append(e.run(q, values))
            except Exception as ex:  # an engine's failure is a result, not a crash
                results.append(None)
                errors.append(f"{e.name}: {first_line(ex)}")
        ref = results[0]
        for e, r in zip(engines[1:], results[1:]):
            if ref is not None and r is not None:
                d = compare(ref, r, q.returns)
                if d:
                    errors.append(f"{e.name}: {d}")
        if ref is not None:
            if [c.lower() for c in ref.columns] != [c.lower() for c in q.returns]:
                errors.append(f"{engines[0].name}: columns {ref.columns} differ from returns {q.returns}")
        ok = not errors
        passed += ok
        failed += not ok
        counts = ["ERR" if r is None else str(len(r.rows)) for r in results]
        table.append([label] + counts + ["ok" if ok else "FAIL"])
        for msg in errors:
            table.append(["", *([""] * len(engines)), "  " + msg])
        if a.show and ref is not None:
            for row in ref.rows[: a.show]:
                table.append(["", *([""] * len(engines)), "  | " + " | ".join(str(norm(x)) for x in row)])
    widths = [max(len(str(r[i])) for r in [header] + table) if i < len(header) - 1 else 0 for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    print(fmt(header))
    print(fmt(["-" * w if w else "------" for w in widths]))
    for r in table:
        print(fmt(r))
    for e in engines:
        e.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
