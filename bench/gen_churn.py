"""A tenant whose churn is driven by hidden relationship factors, for the churn model's back-test.

Python 3 standard library only. Every draw comes from one SplitMix64 stream seeded with SEED, and every
number is either an integer or a double built by exact operations (no exp/log), so that the C# copy in
tests/B2BKpiApi.Tests/ChurnRisk/ChurnDataGenerator.cs makes the very same rows: the test
ChurnGeneratorParityTests runs this script with --digest and compares the SHA-256 of the canonical rows.
Change one, change the other (and the digest in that test).

What drives churn (hidden from the model, which sees only the records):
- each contract term (182 or 365 days) the economic buyer is a detractor with p 0.25;
- each other DMU role is a detractor with p 0.2 and goes silent after the term's first 90 days with p 0.15;
- a renewal shrinks the contract (60-85 % of the yearly value) with p 0.25, else grows it (100-120 %);
  a contract's value is the yearly value times its term / 365;
- at a term's end the client leaves with p = 0.02 + 0.45 (detractor economic buyer)
  + 0.2 x min(silent roles, 2) + 0.3 (this term's contract shrank) + 0.10 (another role is a detractor);
  otherwise a renewal is signed between 30 days before and 10 days after the end (a late renewal is
  back-dated) and starts the day after it.
- noise: 10 % of scores are uniform 0-10, the role `other` answers at random.

Usage:
  python3 bench/gen_churn.py --digest            # the SHA-256 the parity test compares
  python3 bench/gen_churn.py --out DIR           # clients.csv, contracts.csv, surveys.csv (clients named by externalId)
  KPI_API_KEY=<tenant key> python3 bench/gen_churn.py --load http://localhost:5080
                                                 # import the tenant into a running API (CSV import: clients, then
                                                 # contracts and surveys with the ids the API gave the clients)
  python3 bench/gen_churn.py --clients 400 --seed 20261204 --summary
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

SEED = 20261204
CLIENTS = 400
START = dt.date(2021, 1, 1)
END = dt.date(2025, 12, 31)
MASK = (1 << 64) - 1
ROLES = ("economic-buyer", "technical-buyer", "user", "gatekeeper")
ROLE_PRESENCE = (85, 70, 90, 40)  # percent
TERMS = (182, 182, 365, 365)


class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """A double in [0, 1) with 53 random bits (exact in every language)."""
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

    def below(self, n: int) -> int:
        return self.next() % n


def generate(clients: int = CLIENTS, seed: int = SEED):
    """Returns (clients, contracts, surveys) as lists of tuples with dates as datetime.date and money in cents."""
    r = SplitMix64(seed)
    out_clients, out_contracts, out_surveys = [], [], []
    survey_no = 0
    for i in range(clients):
        cid = f"c{i:04d}"
        acquired = START + dt.timedelta(days=r.below(3 * 365))
        present = [r.below(100) < ROLE_PRESENCE[k] for k in range(len(ROLES))]
        has_other = r.below(100) < 30
        annual = (5_000 + r.below(95_001)) * 100
        start, signed, kind, shrank = acquired, acquired, "new", False
        churned = None
        term_no = 0
        while start <= END:
            term = TERMS[r.below(len(TERMS))]
            end = start + dt.timedelta(days=term - 1)
            out_contracts.append((f"{cid}-k{term_no}", cid, signed, start, end, annual * term // 365, kind))
            eb_detractor = r.uniform() < 0.25
            detractor = [eb_detractor] + [r.uniform() < 0.2 for _ in range(len(ROLES) - 1)]
            silent = [False] + [r.uniform() < 0.15 for _ in range(len(ROLES) - 1)]
            for k, role in enumerate(ROLES):
                if not present[k]:
                    continue
                day = start + dt.timedelta(days=45 + r.below(30))
                while day <= end and day <= END:
                    if silent[k] and (day - start).days > 90:
                        break
                    if r.uniform() < 0.1:
                        score = r.below(11)
                    elif detractor[k]:
                        score = r.below(7)
                    else:
                        score = 7 + r.below(4)
                    out_surveys.append((f"s{survey_no:06d}", "nps", score, day, cid, role))
                    survey_no += 1
                    if r.uniform() < 0.5:
                        csat = 1 + r.below(3) if detractor[k] else 3 + r.below(3)
                        out_surveys.append((f"s{survey_no:06d}", "csat", csat, day, cid, role))
                        survey_no += 1
                    day = day + dt.timedelta(days=80 + r.below(20))
            if has_other and r.uniform() < 0.5:
                day = start + dt.timedelta(days=r.below(term))
                if day <= END:
                    out_surveys.append((f"s{survey_no:06d}", "nps", r.below(11), day, cid, "other"))
                    survey_no += 1
            if end >= END:
                break
            silent_count = min(2, sum(1 for k in range(len(ROLES)) if present[k] and silent[k]))
            other_detractor = any(present[k] and detractor[k] for k in range(1, len(ROLES)))
            p = 0.02
            if present[0] and eb_detractor:
                p = p + 0.45
            p = p + 0.2 * silent_count
            if shrank:
                p = p + 0.3
            if other_detractor:
                p = p + 0.10
            if r.uniform() < p:
                churned = end + dt.timedelta(days=1)
                break
            shrank = r.uniform() < 0.25
            factor = 60 + r.below(26) if shrank else 100 + r.below(21)
            annual = annual * factor // 100
            signed = end + dt.timedelta(days=r.below(41) - 30)
            start, kind = end + dt.timedelta(days=1), "renewal"
            term_no += 1
        out_clients.append((cid, f"Client {i:04d}", acquired, churned))
    return out_clients, out_contracts, out_surveys


def canonical_lines(data):
    clients, contracts, surveys = data
    for c in clients:
        yield f"client|{c[0]}|{c[1]}|{c[2].isoformat()}|{c[3].isoformat() if c[3] else ''}"
    for k in contracts:
        yield f"contract|{k[0]}|{k[1]}|{k[2].isoformat()}|{k[3].isoformat()}|{k[4].isoformat()}|{k[5]}|{k[6]}"
    for s in surveys:
        yield f"survey|{s[0]}|{s[1]}|{s[2]}|{s[3].isoformat()}|{s[4]}|{s[5]}"


def digest(data) -> str:
    h = hashlib.sha256()
    for line in canonical_lines(data):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


CSV_HEADERS = {
    "clients": ["externalId", "name", "acquiredOn", "churnedOn", "industry", "segment"],
    "contracts": ["externalId", "clientId", "signedOn", "startsOn", "endsOn", "value", "currency", "kind"],
    "surveys": ["externalId", "kind", "score", "respondedOn", "clientId", "respondentRole"],
}


def csv_rows(data, client_id=lambda external_id: external_id, currency: str = "USD") -> dict:
    """The rows of POST /v1/{clients,contracts,surveys}/import. client_id maps a client's externalId to the value of
    the clientId column: the id the API gave that client when importing, or the externalId itself for files on disk."""
    clients, contracts, surveys = data
    return {
        "clients": [[c[0], c[1], c[2].isoformat(), c[3].isoformat() if c[3] else "", "software", "mid-market"]
                    for c in clients],
        "contracts": [[k[0], client_id(k[1]), k[2].isoformat(), k[3].isoformat(), k[4].isoformat(),
                       f"{k[5] // 100}.{k[5] % 100:02d}", currency, k[6]] for k in contracts],
        "surveys": [[s[0], s[1], s[2], s[3].isoformat(), client_id(s[4]), s[5]] for s in surveys],
    }


def write_csv(data, out: str, currency: str = "USD") -> None:
    """clients.csv, contracts.csv and surveys.csv in OUT. The clientId columns hold the client's externalId (the API's
    ids are known only once the clients are stored): map them to those ids before importing, or use --load."""
    os.makedirs(out, exist_ok=True)
    for resource, rows in csv_rows(data, currency=currency).items():
        with open(os.path.join(out, f"{resource}.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(CSV_HEADERS[resource])
            w.writerows(rows)


def _call(base: str, key: str, method: str, path: str, body: bytes | None = None):
    headers = {"X-Api-Key": key}
    if body is not None:
        headers["Content-Type"] = "text/csv"
    req = urllib.request.Request(base.rstrip("/") + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: HTTP {e.code}: {e.read().decode('utf-8', 'replace')[:600]}")


def load(data, base: str, key: str) -> None:
    """Imports the tenant through the API: the clients, then the contracts and surveys with the clients' ids."""
    rows = csv_rows(data)

    def import_csv(resource: str, resource_rows) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_HEADERS[resource])
        w.writerows(resource_rows)
        res = _call(base, key, "POST", f"/v1/{resource}/import", buf.getvalue().encode("utf-8"))
        print(f"{resource}: {res}")
        if res.get("created", 0) + res.get("updated", 0) != len(resource_rows):
            sys.exit(f"import {resource}: sent {len(resource_rows)} rows, the API answered {res}")

    import_csv("clients", rows["clients"])
    ids, cursor = {}, None
    while True:
        page = _call(base, key, "GET", "/v1/clients?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        ids.update({c["externalId"]: c["id"] for c in page["items"]})
        cursor = page.get("nextCursor")
        if not cursor:
            break
    missing = [c[0] for c in data[0] if c[0] not in ids]
    if missing:
        sys.exit(f"clients not found after the import: {missing[:5]}")
    mapped = csv_rows(data, client_id=ids.__getitem__)
    import_csv("contracts", mapped["contracts"])
    import_csv("surveys", mapped["surveys"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=CLIENTS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--digest", action="store_true")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--out", help="write clients.csv, contracts.csv and surveys.csv into this folder")
    ap.add_argument("--load", metavar="URL", help="import the tenant into the API at URL (tenant key in KPI_API_KEY)")
    args = ap.parse_args(argv)
    data = generate(args.clients, args.seed)
    if args.digest:
        print(digest(data))
    if args.summary:
        clients, contracts, surveys = data
        print(f"clients={len(clients)} churned={sum(1 for c in clients if c[3])} contracts={len(contracts)} surveys={len(surveys)}")
    if args.out:
        write_csv(data, args.out)
    if args.load:
        key = os.environ.get("KPI_API_KEY")
        if not key:
            ap.error("--load needs the tenant's API key in KPI_API_KEY")
        load(data, args.load, key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
