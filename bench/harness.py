#!/usr/bin/env python3
"""The benchmark harness: one run against one database, API figures and their floors side by side.

It starts the Release API it is given, creates tenants through the operator route, loads them through
the public CSV import (timing the raw bulk insert of the same rows into the same tables right after each
chunk), times cold KPI reads against hand-written floor SQL run in the same engine, times warm reads with
wrk against a bare endpoint of the same process, and writes a markdown report. It fails (exit 1) only on
errors: an HTTP error, a wrong row count, or the API and the floor disagreeing on a checked value.
Timings are reported, never judged. Standard library only (python3 + psql + wrk).

usage: harness.py --db sqlite|postgres --dll PATH [--quick|--full] [--out DIR] [--port N]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import decimal
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floors  # noqa: E402
import gen  # noqa: E402

ADMIN_KEY = "bench-admin-key-0123456789abcdef"
HOST = "127.0.0.1"
PG_ADMIN = os.environ.get("BENCH_PG", "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres")
# work_mem of the PostgreSQL floor's sessions (see PgDb.query).
FLOOR_WORK_MEM = os.environ.get("BENCH_PG_FLOOR_WORK_MEM", "256MB")
# Default database name per checkout, so two checkouts benchmarking on one PostgreSQL never drop each other's.
PG_DB = os.environ.get("BENCH_PG_DB") or "kpi_bench_" + hashlib.sha1(
    os.path.dirname(os.path.abspath(__file__)).encode()).hexdigest()[:8]


def free_port():
    """A port the OS reports free on loopback (BENCH_PORT overrides it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]

# Database columns of each resource after the columns every tenant-owned record has.
BASE_COLS = ["Id", "TenantId", "ExternalId", "CreatedAt", "UpdatedAt", "Version"]
COLS = {
    "clients": ["Name", "AcquiredOn", "ChurnedOn", "Industry", "Segment"],
    "contracts": ["ClientId", "SignedOn", "StartsOn", "EndsOn", "ValueMinor", "Currency", "Kind"],
    "leads": ["CreatedOn", "QualifiedOn", "OpportunityOn", "ClosedOn", "Outcome", "DealValueMinor", "Currency", "Source"],
    "surveys": ["Kind", "Score", "RespondedOn", "ClientId", "RespondentRole"],
    "costs": ["Category", "AmountMinor", "Currency", "IncurredOn"],
}


class BenchError(Exception):
    """An error the smoke must fail on (never a timing)."""


def pascal(v):
    return None if v is None else "".join(p.capitalize() for p in v.split("-"))


def uuid7() -> uuid.UUID:
    """Time-ordered like .NET's Guid.CreateVersion7, so the floor inserts into the primary key in the API's order."""
    ms = time.time_ns() // 1_000_000
    r = int.from_bytes(os.urandom(10), "big")
    v = (ms << 80) | (0x7 << 76) | (((r >> 62) & 0xFFF) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
    return uuid.UUID(int=v)


def loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def pg_conninfo(ado: str) -> dict:
    """An ADO-style connection string ('Host=..;Username=..') as psql environment variables."""
    kv = {k.strip().lower(): v.strip() for k, v in (p.split("=", 1) for p in ado.split(";") if "=" in p)}
    return {"PGHOST": kv.get("host", "127.0.0.1"), "PGPORT": kv.get("port", "5432"),
            "PGUSER": kv.get("username", kv.get("user id", "postgres")), "PGPASSWORD": kv.get("password", "")}


# ---------------------------------------------------------------------------------------------- databases

class SqliteDb:
    name = "sqlite"

    def __init__(self, workdir: str):
        self.path = os.path.join(workdir, "kpi-bench.db")

    def reset(self):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)

    def server_env(self) -> dict:
        return {"Database__Provider": "sqlite", "ConnectionStrings__Kpi": f"Data Source={self.path}"}

    def tid(self, tenant_id: str) -> str:
        return tenant_id.upper()

    def _connect(self):
        con = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def query(self, statements: list[str]):
        """Runs the statements on a fresh connection; returns (seconds, [rows per statement])."""
        con = self._connect()
        try:
            t = time.perf_counter()
            res = [con.execute(s).fetchall() for s in statements]
            return time.perf_counter() - t, res
        finally:
            con.close()

    def scalar(self, sql: str):
        return self.query([sql])[1][0][0][0]

    def client_ids(self, tenant_id: str) -> dict:
        rows = self.query([f"SELECT \"ExternalId\", \"Id\" FROM \"Clients\" WHERE \"TenantId\" = '{self.tid(tenant_id)}'"])[1][0]
        return dict(rows)

    def bulk_insert(self, table: str, cols: list[str], rows: list[tuple]) -> float:
        """The SQLite floor: one prepared INSERT executed for every row inside one transaction."""
        con = self._connect()
        try:
            sql = f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES ({", ".join("?" * len(cols))})'
            t = time.perf_counter()
            con.execute("BEGIN")
            con.executemany(sql, rows)
            con.execute("COMMIT")
            return time.perf_counter() - t
        finally:
            con.close()

    def db_value(self, v):
        if isinstance(v, uuid.UUID):
            return str(v).upper()
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v


class PostgresDb:
    name = "postgres"

    def __init__(self, workdir: str):
        self.workdir = workdir
        self.env = {**os.environ, **pg_conninfo(PG_ADMIN)}

    def _psql(self, db: str, script: str, timing: bool = False, prelude: str = ""):
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-d", db]
        out = subprocess.run(args, input=prelude + ("\\timing on\n" if timing else "") + script, env=self.env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise BenchError(f"psql failed: {out.stderr.strip()[:500]}")
        return out.stdout

    def reset(self):
        self._psql("postgres", f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE);\nCREATE DATABASE "{PG_DB}";\n')

    def drop(self):
        self._psql("postgres", f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE);\n')

    def server_env(self) -> dict:
        c = pg_conninfo(PG_ADMIN)
        return {"Database__Provider": "postgres",
                "ConnectionStrings__Kpi": f"Host={c['PGHOST']};Port={c['PGPORT']};Username={c['PGUSER']};Password={c['PGPASSWORD']};Database={PG_DB}"}

    def tid(self, tenant_id: str) -> str:
        return tenant_id.lower()

    @staticmethod
    def _times(out: str) -> tuple[float, list[str]]:
        ms, lines = 0.0, []
        for line in out.splitlines():
            m = re.match(r"^Time: ([\d.]+) ms", line)
            if m:
                ms += float(m.group(1))
            elif line:
                lines.append(line)
        return ms / 1000, lines

    def query(self, statements: list[str]):
        """Runs the statements in one psql session; the time is the sum of the server round trips psql reports."""
        # The floor's session may use more memory than the API's connections (the server default): with the default
        # 4 MB, the floor scorecard's IN-lists at 10M records are not hashed and it re-scans them per contract row (it
        # did not finish in 5 minutes). More memory only makes the floor faster, so the API's ratio only gets stricter.
        out = self._psql(PG_DB, "".join(s + ";\n\\echo ---\n" for s in statements), timing=True,
                         prelude=f"SET work_mem = '{FLOOR_WORK_MEM}';\n")
        seconds, lines = self._times(out)
        res, cur = [], []
        for line in lines:
            if line == "---":
                res.append(cur)
                cur = []
            else:
                cur.append(tuple(None if v == "" else v for v in line.split("\t")))
        return seconds, res

    def scalar(self, sql: str):
        return self.query([sql])[1][0][0][0]

    def client_ids(self, tenant_id: str) -> dict:
        return dict(self.query([f"SELECT \"ExternalId\", \"Id\" FROM \"Clients\" WHERE \"TenantId\" = '{self.tid(tenant_id)}'"])[1][0])

    def bulk_insert(self, table: str, cols: list[str], rows: list[tuple]) -> float:
        """The PostgreSQL floor: COPY of the same rows (psql \\copy, CSV), the time psql reports for it."""
        with tempfile.NamedTemporaryFile("w", newline="", suffix=".csv", dir=self.workdir, delete=False) as f:
            w = csv.writer(f, lineterminator="\n")
            for r in rows:
                w.writerow(["" if v is None else v for v in r])
            path = f.name
        try:
            cols_sql = ", ".join(chr(34) + c + chr(34) for c in cols)
            seconds, _ = self._times(self._psql(PG_DB, f"\\copy \"{table}\" ({cols_sql}) FROM '{path}' WITH (FORMAT csv)\n", timing=True))
            return seconds
        finally:
            os.remove(path)

    def db_value(self, v):
        if isinstance(v, uuid.UUID):
            return str(v)
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f+00")
        if isinstance(v, dt.date):
            return v.isoformat()
        return v


# ---------------------------------------------------------------------------------------------- the server

class Server:
    def __init__(self, dll: str, db, port: int, log_path: str):
        self.dll, self.db, self.port, self.log_path = dll, db, port, log_path
        self.proc = None

    def start(self):
        env = {**os.environ, **self.db.server_env(), "ASPNETCORE_ENVIRONMENT": "Production",
               "Auth__AdminApiKey": ADMIN_KEY, "RateLimiting__PermitsPerMinute": "100000000",
               "Logging__LogLevel__Default": "Warning", "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
               # One instance: the API-key lookup may stay in memory on PostgreSQL too (its default there without
               # Redis is off, for several instances sharing the database; README, Tenancy:KeyCacheMilliseconds).
               "Tenancy__KeyCacheMilliseconds": os.environ.get("Tenancy__KeyCacheMilliseconds", "1000")}
        self.log = open(self.log_path, "w")
        # The dll is run directly (not `dotnet run`) so that the PID is the server's own, for /proc readings.
        self.proc = subprocess.Popen(["dotnet", self.dll, "--urls", f"http://{HOST}:{self.port}"], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=os.path.dirname(self.dll))
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the API exited at start-up (code {self.proc.returncode}); see {self.log_path}")
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=2)
                c.request("GET", "/health/ready")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError("the API did not become ready in 120 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()

    def status(self, field: str) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def reset_peak(self):
        """Resets VmHWM (Linux >= 4.0) so that the peak read after a measure is that measure's own."""
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    def peak_mib(self) -> float:
        return self.status("VmHWM") / 1024

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quiesce(self, limit: float) -> bool:
        """Waits until the server uses under 5% of a core (a timed-out or abandoned request may still run)."""
        deadline = time.time() + limit
        while time.time() < deadline:
            a = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - a < 0.025:
                return True
        return False


class Api:
    def __init__(self, port: int):
        self.port = port

    def call(self, method, path, key, body=None, ctype=None, timeout=600.0, headers=None, ok=(200, 201)):
        h = {"X-Api-Key": key, **(headers or {})}
        if ctype:
            h["Content-Type"] = ctype
        c = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            t = time.perf_counter()
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            seconds = time.perf_counter() - t
        finally:
            c.close()
        if ok is not None and r.status not in ok:
            raise BenchError(f"{method} {path}: HTTP {r.status} {data[:400]!r}")
        return seconds, r.status, dict(r.getheaders()), data

    def json(self, *a, **k):
        _, _, _, data = self.call(*a, **k)
        return json.loads(data)


# ---------------------------------------------------------------------------------------------- the run

class Run:
    def __init__(self, args, db):
        self.args, self.db = args, db
        self.quick = args.mode == "quick"
        self.api = Api(args.port)
        self.measures = []       # {"name", "goal", "kind": time|rate, "samples": [{"api","floor","rss","load","note"}]}
        self.checks = []         # (what, ok, detail)
        self.notes = []
        self.errors = []
        self.tenants = {}

    # -- bookkeeping
    def measure(self, name, goal, kind):
        m = {"name": name, "goal": goal, "kind": kind, "samples": []}
        self.measures.append(m)
        return m

    def check(self, what, ok, detail=""):
        self.checks.append((what, ok, detail))
        if not ok:
            self.errors.append(f"{what}: {detail}")
        print(f"  check {'ok  ' if ok else 'FAIL'} {what} {detail}", flush=True)

    def log(self, msg):
        print(f"[{self.db.name} {time.strftime('%H:%M:%S')}] {msg}", flush=True)

    # -- tenants
    def create_tenant(self, name):
        t = self.api.json("POST", "/v1/tenants", ADMIN_KEY, json.dumps({"name": name, "industry": "software", "currency": "USD"}),
                          "application/json")
        return t["id"], t["apiKey"]

    def floor_rows(self, resource, rows, tenant_id, client_ids, now):
        """The gen rows as database rows, exactly as the API stores them (ids, cents, PascalCase enums)."""
        v = self.db.db_value
        tid = v(uuid.UUID(tenant_id))
        out = []
        for r in rows:
            base = [v(uuid7()), tid, r[0], v(now), v(now), 1]
            if resource == "clients":
                rest = [r[1], v(r[2]), v(r[3]), r[4], r[5]]
            elif resource == "contracts":
                rest = [client_ids[r[1]], v(r[2]), v(r[3]), v(r[4]), r[5], "USD", pascal(r[6])]
            elif resource == "leads":
                rest = [v(r[1]), v(r[2]), v(r[3]), v(r[4]), pascal(r[5]), r[6], "USD" if r[6] is not None else None, r[7]]
            elif resource == "surveys":
                rest = [pascal(r[1]), r[2], v(r[3]), client_ids[r[4]] if r[4] is not None else None, pascal(r[5])]
            else:
                rest = [pascal(r[1]), r[2], "USD", v(r[3])]
            out.append(tuple(base + rest))
        return out

    def load_tenant(self, spec: gen.TenantSpec, ingest_measure=None, with_floor=True):
        """Loads a tenant through POST /v1/{resource}/import in chunks of at most 200k rows; after each chunk the
        same rows go into a floor tenant of the same database by raw bulk insert. Returns the API tenant."""
        tid, key = self.create_tenant(f"bench-{spec.name}")
        ftid = self.create_tenant(f"bench-{spec.name}-floor")[0] if with_floor else None
        api_ids, floor_ids = [], []
        api_s = floor_s = 0.0
        nrows = 0
        peak = 0.0
        load0 = loadavg()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        for resource in gen.RESOURCES:
            if spec.counts[resource] == 0:
                continue
            it = gen.rows(spec, resource)
            while True:
                chunk = [r for _, r in zip(range(self.args.chunk), it)]
                if not chunk:
                    break
                buf = io.StringIO()
                w = csv.writer(buf, lineterminator="\n")
                w.writerow(gen.CSV_HEADERS[resource])
                for r in chunk:
                    w.writerow(gen.csv_row(resource, r, api_ids))
                body = buf.getvalue().encode()
                self.server.reset_peak()
                seconds, _, _, data = self.api.call("POST", f"/v1/{resource}/import", key, body, "text/csv")
                peak = max(peak, self.server.peak_mib())
                res = json.loads(data)
                if res.get("rows") != len(chunk) or res.get("created") != len(chunk):
                    raise BenchError(f"import {resource} for {spec.name}: sent {len(chunk)} rows, the API answered {res}")
                api_s += seconds
                nrows += len(chunk)
                if ftid:
                    db_rows = self.floor_rows(resource, chunk, ftid, floor_ids, now)
                    floor_s += self.db.bulk_insert(resource.capitalize(), BASE_COLS + COLS[resource], db_rows)
                    if resource == "clients":
                        floor_ids += [r[0] for r in db_rows]
            if resource == "clients":
                ids = self.db.client_ids(tid)
                api_ids = [ids[f"{spec.name[:1]}c{i}"] for i in range(spec.counts["clients"])]
        # Row counts straight from the database: what the API stored, and what the floor stored.
        for resource, n in spec.counts.items():
            table = resource.capitalize()
            got = int(self.db.scalar(f"SELECT COUNT(*) FROM \"{table}\" WHERE \"TenantId\" = '{self.db.tid(tid)}'"))
            self.check(f"{spec.name}: {resource} stored by the API", got == n, f"{got} of {n}")
            if ftid:
                fgot = int(self.db.scalar(f"SELECT COUNT(*) FROM \"{table}\" WHERE \"TenantId\" = '{self.db.tid(ftid)}'"))
                self.check(f"{spec.name}: {resource} stored by the floor", fgot == n, f"{fgot} of {n}")
        if ingest_measure is not None and ftid:
            ingest_measure["samples"].append({"api": nrows / api_s, "floor": nrows / floor_s, "rss": peak, "load": load0,
                                              "note": f"{nrows} rows, API {api_s:.1f} s, floor {floor_s:.1f} s"})
        self.log(f"loaded {spec.name}: {nrows} rows, API {nrows / api_s:,.0f} rows/s" +
                 (f", floor {nrows / floor_s:,.0f} rows/s" if ftid else ""))
        self.tenants[spec.name] = (tid, key, spec)
        return tid, key

    # -- cold reads
    def cold(self, m, tenant, path, floor_fn, compare, warm_path):
        """Warm the server on another tenant, then time this tenant's first request and the floor right after."""
        tid, key, _ = self.tenants[tenant]
        wkey = self.tenants["warm"][1]
        if m.get("timed_out"):
            # One timeout is the answer; more would only hold the machine (and CI) for nothing.
            return
        self.bounded(warm_path, wkey)
        self.server.quiesce(self.args.timeout)
        load0 = loadavg()
        self.server.reset_peak()
        sample = {"load": load0}
        answer = self.bounded(path, key)
        if answer is not None:
            seconds, status, headers, data = answer
        else:
            sample.update(api=None, note=f"{m['name']}: no answer in {self.args.timeout:.0f} s (client timeout)")
            m["timed_out"] = True
            busy = not self.server.quiesce(self.args.timeout)
            if busy:
                sample["note"] += "; the server was still busy after as long again"
            status, data = None, None
        sample["rss"] = self.server.peak_mib()
        if status is not None:
            ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
            if status in (422, 503) and "problem+json" in ctype:
                # The compute budget's designed answer: reported as unanswered, not an error.
                body = json.loads(data)
                sample.update(api=None, note=f"{m['name']}: refused by the compute budget after {seconds:.1f} s: {status} {body.get('title', '')}")
            elif status != 200:
                raise BenchError(f"GET {path}: HTTP {status} {data[:300]!r}")
            else:
                sample["api"] = seconds
        statements, reduce = floor_fn(self.db.name, tid)
        fsec, fres = self.db.query(statements)
        sample["floor"] = fsec
        if sample.get("api") is not None:
            # Decimal, not float: the API's numbers have up to 28 significant digits and are compared exactly.
            compare(json.loads(data, parse_float=decimal.Decimal), reduce(fres))
        m["samples"].append(sample)
        self.log(f"{m['name']}: API {fmt_s(sample.get('api'))} floor {fmt_s(fsec)} {sample.get('note', '')}")

    def bounded(self, path, key, headers=None):
        """A KPI read under the client timeout: the answer, or None when it did not come in time."""
        try:
            return self.api.call("GET", path, key, timeout=self.args.timeout, ok=None, headers=headers)
        except TimeoutError:
            return None

    def compare_values(self, what, api_value, floor_value, places=2):
        """Money and counts must agree exactly: values to the cent, inputs to their 10 decimals (half away from zero)."""
        if api_value is None:
            self.check(what, False, f"API null, floor {float(floor_value)}")
            return False
        api_f = Fraction(str(api_value))
        fl = floor_value if isinstance(floor_value, Fraction) else Fraction(floor_value)
        rounded = floors.round_half_away(fl, places)
        ok = floors.agrees(api_f, fl, places)
        if not ok:
            exact = decimal.Decimal(rounded.numerator) / decimal.Decimal(rounded.denominator)
            self.check(what, False, f"API {api_value} vs floor {exact:.{places}f}")
        return ok

    def compare_scorecard(self, label):
        def cmp(body, floor_values):
            inputs, revenue = {}, None
            for persp in body["perspectives"]:
                for k in persp["kpis"]:
                    for name, v in (k.get("inputs") or {}).items():
                        inputs.setdefault(name, v)
                    if k["kpi"] == "revenue":
                        revenue = k["value"]
            bad = [n for n, v in floor_values.items() if n in inputs and not self.compare_values(f"{label} {n}", inputs[n], v, 10)]
            if not self.compare_values(f"{label} revenue", revenue, floor_values["revenue"]):
                bad.append("revenue")
            missing = sorted(set(floor_values) - set(inputs))
            self.check(f"{label}: revenue to the cent and {len(floor_values) - len(missing)} inputs equal to the floor's", not bad,
                       f"(revenue {revenue}; not in the answer: {', '.join(missing) or 'none'})")
        return cmp

    def compare_revenue_series(self, label):
        def cmp(body, floor_points):
            pts = body["points"]
            if len(pts) != len(floor_points):
                self.check(label, False, f"{len(pts)} points, floor {len(floor_points)}")
                return
            bad = [i for i, (p, f) in enumerate(zip(pts, floor_points)) if not self.compare_values(f"{label} point {i}", p["value"], f)]
            self.check(f"{label}: {len(pts)} revenue points equal to the floor's to the cent", not bad,
                       f"(first {pts[0]['value']}, last {pts[-1]['value']})")
        return cmp

    def compare_retention_series(self, label):
        def cmp(body, floor_points):
            pts = body["points"]
            bad = []
            for i, (p, f) in enumerate(zip(pts, floor_points)):
                got = {k: p["inputs"].get(k) for k in f}
                if any(got[k] is None or Fraction(str(got[k])) != v for k, v in f.items()):
                    bad.append((i, got, f))
            self.check(f"{label}: S, E, N of {len(pts)} retention points equal to the floor's", not bad and len(pts) == len(floor_points),
                       str(bad[:2]) if bad else "")
        return cmp

    def verify(self, tenant):
        """Untimed correctness pass on a small tenant, so that the smoke compares the API with the floors
        even when the big tenant's reads run out of time on a slow or busy machine."""
        tid, key, _ = self.tenants[tenant]
        t = dt.date(2025, 12, 31)
        f12 = series_start(t, 12)
        cases = [(f"/v1/scorecard?from=2024-01-01&to=2024-03-31", floors.scorecard(self.db.name, tid, dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
                  self.compare_scorecard(f"{tenant} scorecard 2024-01-01")),
                 (f"/v1/kpis/revenue/series?from={f12}&to={t}&interval=month", floors.revenue_series(self.db.name, tid, f12, t),
                  self.compare_revenue_series(f"{tenant} revenue series from {f12}")),
                 (f"/v1/kpis/customer-retention-rate/series?from=2021-01-01&to={t}&interval=month",
                  floors.retention_series(self.db.name, tid, dt.date(2021, 1, 1), t),
                  self.compare_retention_series(f"{tenant} customer-retention-rate series from 2021-01-01"))]
        for path, (statements, reduce), compare in cases:
            try:
                _, status, _, data = self.api.call("GET", path, key, timeout=max(self.args.timeout, 120), ok=None)
            except TimeoutError:
                self.notes.append(f"{tenant}: {path} got no answer in {max(self.args.timeout, 120):.0f} s; not checked")
                continue
            if status != 200:
                raise BenchError(f"GET {path}: HTTP {status} {data[:300]!r}")
            compare(json.loads(data, parse_float=decimal.Decimal), reduce(self.db.query(statements)[1]))

    # -- warm reads
    def wrk(self, path, key=None, extra=None):
        cmd = ["wrk", "-t1", f"-c{self.args.connections}", f"-d{self.args.wrk_seconds}s", "--timeout", "30s", f"http://{HOST}:{self.args.port}{path}"]
        if key:
            cmd += ["-H", f"X-Api-Key: {key}"]
        for h in extra or []:
            cmd += ["-H", h]
        self.server.reset_peak()
        load0 = loadavg()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=self.args.wrk_seconds + 120).stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        total = re.search(r"(\d+) requests in", out)
        if not rps:
            raise BenchError(f"wrk printed no rate for {path}: {out[-300:]}")
        if non2xx:
            raise BenchError(f"wrk {path}: {non2xx.group(1)} responses were HTTP errors")
        return {"rate": float(rps.group(1)), "requests": int(total.group(1)) if total else 0, "rss": self.server.peak_mib(), "load": load0}

    def warm(self, tenant, period):
        tid, key, spec = self.tenants[tenant]
        path = f"/v1/scorecard?from={period[0]}&to={period[1]}"
        answer = self.bounded(path, key)
        if answer is None or answer[1] != 200:
            why = f"no answer in {self.args.timeout:.0f} s" if answer is None else f"HTTP {answer[1]} after {answer[0]:.1f} s"
            self.notes.append(f"warm {tenant}: the priming scorecard got {why}; warm runs skipped")
            self.server.quiesce(self.args.timeout)
            return
        seconds, status, headers, _ = answer
        etag = {k.lower(): v for k, v in headers.items()}.get("etag")
        m = self.measure(f"warm scorecard (same request), {label(spec)}", "≥ 0.5 (goal 0.7)", "rate")
        m_etag = self.measure(f"warm scorecard with If-None-Match → 304, {label(spec)}", "≥ 0.5", "rate") if etag else None
        if etag:
            answer = self.bounded(path, key, {"If-None-Match": etag})
            st = answer[1] if answer else None
            self.check(f"{tenant}: If-None-Match with the scorecard's ETag answers 304", st == 304, f"HTTP {st}")
        else:
            self.notes.append(f"warm {tenant}: the scorecard has no ETag header yet; the If-None-Match measure is skipped")
        for rep in range(self.args.warm_reps):
            bare = self.wrk("/health/live")
            self.server.quiesce(30)
            api = self.wrk(path, key)
            busy = not self.server.quiesce(self.args.timeout)
            m["samples"].append({"api": api["rate"], "floor": bare["rate"], "rss": max(api["rss"], bare["rss"]), "load": api["load"],
                                 "note": f"{api['requests']} requests" + ("; server still busy after the run" if busy else "")})
            self.log(f"{m['name']}: {api['rate']:.1f} req/s vs /health/live {bare['rate']:.0f} req/s")
            if m_etag:
                e = self.wrk(path, key, [f"If-None-Match: {etag}"])
                self.server.quiesce(30)
                m_etag["samples"].append({"api": e["rate"], "floor": bare["rate"], "rss": e["rss"], "load": e["load"]})
                self.log(f"{m_etag['name']}: {e['rate']:.1f} req/s")

    # -- the whole run
    def execute(self):
        a = self.args
        self.server = Server(a.dll, self.db, a.port, os.path.join(a.workdir, f"server-{self.db.name}.log"))
        self.db.reset()
        self.server.start()
        try:
            self.log(f"server pid {self.server.proc.pid} on port {a.port}; mode {a.mode}")
            self.load_tenant(gen.scaled("warm", a.warm_records), with_floor=False)
            scales = [100_000] if self.quick else [100_000, 1_000_000]
            if a.records:
                scales = [int(x) for x in a.records.split(",")]
            for n in scales:
                spec = gen.scaled(f"t{n}", n, seed=f"tenant-{n}")
                m = self.measure(f"CSV import, {label(spec)} (rows/s)", "≥ 0.5", "rate")
                reps = a.ingest_reps if n <= 100_000 else 1
                for rep in range(reps):
                    # Extra copies only time the import; reads use the first.
                    name = spec.name if rep == 0 else f"{spec.name}r{rep}"
                    self.load_tenant(gen.TenantSpec(name, spec.seed, spec.counts), m)
            patho = gen.pathological("pathological")
            self.load_tenant(patho, with_floor=False)
            self.verify("warm")

            for n in scales:
                name = f"t{n}"
                spec = self.tenants[name][2]
                m = self.measure(f"cold scorecard, one quarter, {label(spec)}", "≤ 2× (goal 1.2×)", "time")
                quarters = [("2024-01-01", "2024-03-31"), ("2024-04-01", "2024-06-30"), ("2024-07-01", "2024-09-30"),
                            ("2024-10-01", "2024-12-31"), ("2025-01-01", "2025-03-31")]
                for rep in range(a.reps):
                    f, t = (dt.date.fromisoformat(s) for s in quarters[rep % len(quarters)])
                    self.cold(m, name, f"/v1/scorecard?from={f}&to={t}",
                              lambda db, tid, f=f, t=t: floors.scorecard(db, tid, f, t), self.compare_scorecard(f"{name} scorecard {f}"),
                              f"/v1/scorecard?from=2023-01-{rep + 1:02d}&to=2023-03-31")
                for kpi, floor_fn, cmp in (("customer-retention-rate", floors.retention_series, self.compare_retention_series),
                                          ("revenue", floors.revenue_series, self.compare_revenue_series)):
                    months = a.series_months_revenue if kpi == "revenue" else a.series_months
                    m = self.measure(f"cold `{kpi}` {months}-month series, {label(spec)}", "≤ 2× (goal 1.2×)", "time")
                    for rep in range(a.series_reps):
                        # A different first day per repetition: a new request for the cache, the same number of points.
                        t = dt.date(2025, 12, 31)
                        f = series_start(t, months) + dt.timedelta(days=rep)
                        self.cold(m, name, f"/v1/kpis/{kpi}/series?from={f}&to={t}&interval=month",
                                  lambda db, tid, f=f, t=t, fn=floor_fn: fn(db, tid, f, t), cmp(f"{name} {kpi} series from {f}"),
                                  f"/v1/kpis/{kpi}/series?from=2023-01-{rep + 1:02d}&to=2023-12-31&interval=month")

            for n in scales:
                self.warm(f"t{n}", ("2024-01-01", "2024-03-31"))

            # Last: on today's engine this request can hold the server for minutes, and nothing may run after it.
            m = self.measure("cold `revenue` 60-month series, pathological tenant (1,000 clients, 20,000 contracts)",
                             "< 1 s", "time")
            t = dt.date(2025, 12, 31)
            f = series_start(t, 60)
            self.cold(m, "pathological", f"/v1/kpis/revenue/series?from={f}&to={t}&interval=month",
                      lambda db, tid: floors.revenue_series(db, tid, f, t), self.compare_revenue_series("pathological revenue series"),
                      "/v1/kpis/revenue/series?from=2023-01-01&to=2023-12-31&interval=month")
        finally:
            self.server.stop()
            if isinstance(self.db, PostgresDb) and not a.keep:
                self.db.drop()
            elif isinstance(self.db, SqliteDb) and not a.keep:
                self.db.reset()


def series_start(t: dt.date, months: int) -> dt.date:
    y, m = t.year, t.month - months + 1
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def label(spec: gen.TenantSpec) -> str:
    n = spec.records
    return f"{n // 1_000_000}M records" if n % 1_000_000 == 0 else f"{n // 1000}k records"


def fmt_s(s):
    if s is None:
        return "—"
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.1f} s"


def fmt_rate(r):
    return "—" if r is None else f"{r:,.0f}/s" if r >= 100 else f"{r:.1f}/s"


# ---------------------------------------------------------------------------------------------- the report

def summarize(m):
    """min and median of the API figure, the floor figure and their per-repetition ratio."""
    ss = m["samples"]
    api = [s["api"] for s in ss if s.get("api") is not None]
    fl = [s["floor"] for s in ss if s.get("floor") is not None]
    ratios = [s["api"] / s["floor"] for s in ss if s.get("api") is not None and s.get("floor")]
    f = fmt_s if m["kind"] == "time" else fmt_rate
    # "best" is the fastest time or the highest rate.
    best = min if m["kind"] == "time" else max

    def pair(xs, fmtr):
        return "—" if not xs else f"{fmtr(best(xs))} / {fmtr(statistics.median(xs))}"

    def rfmt(r):
        return f"{r:.2f}×" if m["kind"] == "time" else f"{r:.3g}"
    ratio = "—" if not ratios else f"{rfmt(best(ratios))} / {rfmt(statistics.median(ratios))}"
    unanswered = len(ss) - len(api)
    notes = sorted({s["note"] for s in ss if s.get("note") and s.get("api") is None})
    return {
        "api": pair(api, f) + (f" ({unanswered} of {len(ss)} unanswered)" if unanswered else ""),
        "floor": pair(fl, f), "ratio": ratio,
        "rss": f"{max(s['rss'] for s in ss):.0f} MiB" if ss else "—",
        "load": f"{min(s['load'] for s in ss):.2f}–{max(s['load'] for s in ss):.2f}" if ss else "—",
        "n": len(ss), "notes": notes,
    }


def report(run: Run, started: str, seconds: float) -> str:
    a = run.args
    lines = [f"# Benchmark: {run.db.name}, {a.mode} mode, {started}", "",
             f"- API: `{a.dll}` (Release), worktree at commit `{a.commit}`; {os.cpu_count()} cores; "
             f"{'SQLite file' if run.db.name == 'sqlite' else 'PostgreSQL ' + pg_version(run.db)}",
             f"- run took {seconds:.0f} s; client timeout per KPI request {a.timeout:.0f} s; wrk -t1 -c{a.connections} -d{a.wrk_seconds}s",
             "- figures are min / median over the repetitions (n); a time ratio is API ÷ floor (lower is better), a rate ratio "
             "is API ÷ floor (higher is better); peak RSS is the API process's VmHWM during the measure; load is the 1-minute "
             "load average when the measure started", "",
             "| measure | API (best / median) | floor (best / median) | ratio (best / median) | goal | peak RSS | load | n |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for m in run.measures:
        if not m["samples"]:
            continue
        s = summarize(m)
        lines.append(f"| {m['name']} | {s['api']} | {s['floor']} | {s['ratio']} | {m['goal']} | {s['rss']} | {s['load']} | {s['n']} |")
    lines += ["", "Floors: CSV import → raw bulk insert of the same rows into the same tables in the same run "
              "(SQLite: one prepared INSERT in one transaction; PostgreSQL: `COPY` via psql `\\copy`); cold reads → the "
              "hand-written SQL in `bench/floors.py` for the same aggregates (period and previous period), run in the "
              "engine right after the API's answer; warm → `GET /health/live` of the same process with the same wrk settings.", ""]
    notes = [n for m in run.measures for n in summarize(m)["notes"] if m["samples"]] + run.notes
    if notes:
        lines += ["Notes:", ""] + [f"- {n}" for n in dict.fromkeys(notes)] + [""]
    passed = sum(1 for c in run.checks if c[1])
    lines += [f"Checks: {passed} of {len(run.checks)} agree" + (" (errors below)" if run.errors else "."), ""]
    lines += [f"- {'ok' if ok else '**FAIL**'}: {w} {d}".rstrip() for w, ok, d in run.checks]
    if run.errors:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in run.errors]
    return "\n".join(lines) + "\n"


def git_head():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        return "?"


def pg_version(db):
    try:
        return db._psql("postgres", "SHOW server_version;\n").split()[0]
    except BenchError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--dll", required=True)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="mode", action="store_const", const="quick")
    g.add_argument("--full", dest="mode", action="store_const", const="full")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT") or free_port()))
    ap.add_argument("--records", help="comma list of tenant sizes to measure (default 100000 quick; 100000,1000000 full)")
    ap.add_argument("--warm-records", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--chunk", type=int, default=200_000)
    a = ap.parse_args()
    a.mode = a.mode or "quick"
    quick = a.mode == "quick"
    # Quick mode is CI's smoke: bounded whatever the engine's speed: every KPI request gives up after 30 s and a
    # measure that timed out once is not repeated. The revenue series is 60 months in both modes (BENCH_REVENUE_MONTHS).
    a.reps = 3 if quick else 5
    a.series_reps = 2 if quick else 3
    a.ingest_reps = 1 if quick else 3
    a.warm_reps = 2 if quick else 3
    a.timeout = float(os.environ.get("BENCH_TIMEOUT", "30" if quick else "300"))
    a.series_months = 60
    a.series_months_revenue = int(os.environ.get("BENCH_REVENUE_MONTHS", "60"))
    a.wrk_seconds = 3 if quick else 10
    a.connections = 8
    os.makedirs(a.out, exist_ok=True)
    a.commit = git_head()
    a.workdir = tempfile.mkdtemp(prefix=f"kpi-bench-{a.db}-")
    db = SqliteDb(a.workdir) if a.db == "sqlite" else PostgresDb(a.workdir)
    run = Run(a, db)
    # A CI timeout or kill sends SIGTERM: exit through the finally blocks so the API is stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.time()
    try:
        run.execute()
    except BenchError as e:
        run.errors.append(str(e))
        print(f"ERROR: {e}", flush=True)
    except Exception as e:  # noqa: BLE001 - a crash of the harness is an error of the run, reported like the others
        import traceback
        traceback.print_exc()
        run.errors.append(f"harness crashed: {type(e).__name__}: {e}")
    text = report(run, started, time.time() - t0)
    path = os.path.join(a.out, f"{dt.date.today().isoformat()}-{a.db}{'-quick' if quick else ''}.md")
    with open(path, "w") as f:
        f.write(text)
    print(text)
    print(f"report: {path}")
    if run.errors:
        log = os.path.join(a.workdir, f"server-{a.db}.log")
        if os.path.exists(log):
            print("last lines of the server log:")
            print("".join(open(log).readlines()[-30:]))
    elif a.keep:
        print(f"kept: {db.server_env()} (work directory {a.workdir})")
    else:
        shutil.rmtree(a.workdir, ignore_errors=True)
    sys.exit(1 if run.errors else 0)


if __name__ == "__main__":
    main()
