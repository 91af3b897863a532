"""Warm-read throughput of a cluster started by scripts/cluster.sh: HAProxy in front of N instances vs one instance
direct, each next to its own bare-endpoint floor (/health/live) measured in the same run, and HAProxy in front of one
instance (the others put in maintenance through HAProxy's admin socket) to tell the proxy hop's cost apart from the
instances sharing the machine's cores. See bench/cluster-run.sh.

usage: python3 bench/cluster_throughput.py CLUSTER_JSON [--reps 3] [--seconds 15] [--connections 32] [--records 10000]
Prints a Markdown table (min and median of the repetitions) and the machine's core count and load. Exit 1 on an HTTP
error (a non-2xx answer under load is an error here, never a timing)."""
import argparse, csv, io, json, os, re, socket, statistics, subprocess, sys, time, urllib.request
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402


def call(base, method, path, key, body=None, ctype="application/json"):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"X-Api-Key": key, **({"Content-Type": ctype} if body is not None else {})})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def load_tenant(base, admin, records):
    t = call(base, "POST", "/v1/tenants", admin,
             json.dumps({"name": f"cluster-bench-{time.time():.0f}", "industry": "software", "currency": "USD"}).encode())
    key = t["apiKey"]
    spec = gen.scaled("warm", records, seed="cluster-warm")
    ids = []
    for resource in gen.RESOURCES:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(gen.CSV_HEADERS[resource])
        rows = list(gen.rows(spec, resource))
        for r in rows:
            w.writerow(gen.csv_row(resource, r, ids))
        res = call(base, "POST", f"/v1/{resource}/import", key, buf.getvalue().encode(), "text/csv")
        if res.get("created") != len(rows):
            sys.exit(f"import {resource}: sent {len(rows)} rows, the API answered {res}")
        if resource == "clients":
            by_ext, cursor = {}, None
            while True:
                page = call(base, "GET", "/v1/clients?limit=200" + (f"&cursor={cursor}" if cursor else ""), key)
                by_ext.update({c["externalId"]: c["id"] for c in page["items"]})
                cursor = page.get("nextCursor")
                if not cursor:
                    break
            ids = [by_ext[f"wc{i}"] for i in range(spec.counts["clients"])]
    return key


def wrk(url, path, key, seconds, connections):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", url + path]
    if key:
        cmd += ["-H", f"X-Api-Key: {key}"]
    load0 = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not rps or bad:
        sys.exit(f"wrk {url}{path}: {'no rate' if not rps else bad.group(1) + ' HTTP errors'}: {out[-400:]}")
    return float(rps.group(1)), load0


def haproxy(sock_path, command):
    """One command on HAProxy's admin socket (scripts/cluster.sh starts it with `stats socket DIR/run/haproxy.sock level admin`)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.sendall(command.encode() + b"\n")
        out = b""
        while chunk := s.recv(4096):
            out += chunk
    return out.decode()


def only_first_instance(sock_path, n, on):
    """Puts every instance but the first in maintenance (on) or back (off): HAProxy -> 1 instance, the proxy's own cost."""
    for i in range(2, n + 1):
        haproxy(sock_path, f"set server instances/api-{i} state {'maint' if on else 'ready'}")
    time.sleep(1.5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cluster_json")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--records", type=int, default=10_000)
    a = ap.parse_args()
    c = json.load(open(a.cluster_json))
    lb, direct, n = c["url"], c["instances"][0]["url"], len(c["instances"])
    key = load_tenant(lb, c["adminKey"], a.records)
    path = "/v1/scorecard?from=2024-01-01&to=2024-03-31"
    for inst in c["instances"]:  # every instance's cache primed, so every measure is warm
        call(inst["url"], "GET", path, key)
    call(lb, "GET", path, key)
    sock = os.path.join(os.path.dirname(os.path.abspath(a.cluster_json)), "run", "haproxy.sock")
    samples = {k: [] for k in ("lb_bare", "lb_api", "one_bare", "one_api", "lb1_bare", "lb1_api")}
    loads = []
    for rep in range(a.reps):
        for name, url, p, k in (("one_bare", direct, "/health/live", None), ("one_api", direct, path, key),
                                ("lb_bare", lb, "/health/live", None), ("lb_api", lb, path, key)):
            rate, load0 = wrk(url, p, k, a.seconds, a.connections)
            samples[name].append(rate)
            loads.append(load0)
            print(f"rep {rep + 1} {name}: {rate:,.0f} req/s (load {load0:.1f})", file=sys.stderr, flush=True)
        # The same proxy in front of one instance: what the hop itself costs, apart from the instances sharing the cores.
        only_first_instance(sock, n, True)
        try:
            for name, p, k in (("lb1_bare", "/health/live", None), ("lb1_api", path, key)):
                rate, load0 = wrk(lb, p, k, a.seconds, a.connections)
                samples[name].append(rate)
                loads.append(load0)
                print(f"rep {rep + 1} {name}: {rate:,.0f} req/s (load {load0:.1f})", file=sys.stderr, flush=True)
        finally:
            only_first_instance(sock, n, False)

    def mm(xs):
        return f"{min(xs):,.0f} / {statistics.median(xs):,.0f}"

    ratio = lambda a_, b_: [x / y for x, y in zip(a_, b_)]  # noqa: E731
    cores = os.cpu_count()
    print(f"Cores: {cores} (nproc); {n} instances behind HAProxy plus PostgreSQL primary + replica and Redis, all on this "
          f"machine; wrk -t2 -c{a.connections} -d{a.seconds}s, {a.reps} repetitions; 1-minute load {min(loads):.1f}-{max(loads):.1f}; "
          f"tenant of {a.records:,} records; warm scorecard `{path}`.\n")
    print("| measure | min / median req/s | ÷ its `/health/live` (min / median) |")
    print("|---|---|---|")
    print(f"| one instance direct, `/health/live` | {mm(samples['one_bare'])} | 1 |")
    print(f"| one instance direct, warm scorecard | {mm(samples['one_api'])} | {min(ratio(samples['one_api'], samples['one_bare'])):.2f} / {statistics.median(ratio(samples['one_api'], samples['one_bare'])):.2f} |")
    print(f"| HAProxy → {n} instances, `/health/live` | {mm(samples['lb_bare'])} | 1 |")
    print(f"| HAProxy → {n} instances, warm scorecard | {mm(samples['lb_api'])} | "
          f"{min(ratio(samples['lb_api'], samples['lb_bare'])):.2f} / {statistics.median(ratio(samples['lb_api'], samples['lb_bare'])):.2f} |")
    print(f"| HAProxy → 1 instance (the others in maintenance), `/health/live` | {mm(samples['lb1_bare'])} | 1 |")
    print(f"| HAProxy → 1 instance, warm scorecard | {mm(samples['lb1_api'])} | "
          f"{min(ratio(samples['lb1_api'], samples['lb1_bare'])):.2f} / {statistics.median(ratio(samples['lb1_api'], samples['lb1_bare'])):.2f} |")
    agg = ratio(samples["lb_api"], samples["one_api"])
    hop = ratio(samples["lb1_api"], samples["one_api"])
    spread = ratio(samples["lb_api"], samples["lb1_api"])
    print(f"\nThe proxy hop alone (HAProxy → 1 instance ÷ one instance direct, warm scorecard): {min(hop):.2f} / {statistics.median(hop):.2f}; "
          f"spreading over {n} instances behind the same proxy (HAProxy → {n} ÷ HAProxy → 1): {min(spread):.2f} / {statistics.median(spread):.2f}.")
    print(f"\nAggregate warm scorecard, HAProxy with {n} instances ÷ one instance direct: "
          f"{min(agg):.2f} / {statistics.median(agg):.2f} (min / median, same repetition paired) on {cores} cores.")


if __name__ == "__main__":
    main()
