"""Deterministic tenant data for the benchmark.

A tenant is described by record counts; every row comes from a random.Random seeded with the tenant's
seed and the resource name, so the same seed gives the same rows on every machine and database.
Rows are domain tuples (dates as datetime.date, money as integer cents, enums in their wire spelling);
`bench/harness.py` turns them into the API's CSV and into the floor's database rows, so both sides of a
measure load exactly the same values.

Proportions follow the probe that found the problem (scale 1 = 1,000,000 records):
50k clients, 100k contracts, 300k leads, 400k surveys, 150k costs, over 2021-01-01..2025-12-31,
clients acquired from 2019. The pathological tenant is the one the security probe used: 1,000 clients,
20,000 contracts whose terms are all different lengths (1 day to 5 years), so the number of distinct
terms is as large as it can be.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Iterator

D0 = dt.date(2021, 1, 1)
D_END = dt.date(2025, 12, 31)
DAYS = (D_END - D0).days + 1
C0 = dt.date(2019, 1, 1)
CDAYS = (D_END - C0).days + 1
RESOURCES = ("clients", "contracts", "leads", "surveys", "costs")

# Columns of the public CSV import, in the order gen rows are written.
CSV_HEADERS = {
    "clients": ["externalId", "name", "acquiredOn", "churnedOn", "industry", "segment"],
    "contracts": ["externalId", "clientId", "signedOn", "startsOn", "endsOn", "value", "currency", "kind"],
    "leads": ["externalId", "createdOn", "qualifiedOn", "opportunityOn", "closedOn", "outcome", "dealValue", "currency", "source"],
    "surveys": ["externalId", "kind", "score", "respondedOn", "clientId", "respondentRole"],
    "costs": ["externalId", "category", "amount", "currency", "incurredOn"],
}


@dataclass(frozen=True)
class TenantSpec:
    name: str
    seed: str
    counts: dict
    pathological: bool = False

    @property
    def records(self) -> int:
        return sum(self.counts.values())


def scaled(name: str, records: int, seed: str | None = None) -> TenantSpec:
    """A realistic tenant of about `records` records in the probe's proportions."""
    s = records / 1_000_000
    counts = dict(clients=int(50_000 * s), contracts=int(100_000 * s), leads=int(300_000 * s),
                  surveys=int(400_000 * s), costs=int(150_000 * s))
    return TenantSpec(name, seed or name, counts)


def pathological(name: str = "pathological") -> TenantSpec:
    return TenantSpec(name, name, dict(clients=1_000, contracts=20_000, leads=0, surveys=0, costs=0), pathological=True)


def _cents(r: random.Random, lo: int, hi: int) -> int:
    return r.randint(lo * 100, hi * 100)


def rows(spec: TenantSpec, resource: str) -> Iterator[tuple]:
    """The tenant's rows of one resource. Client references are client indexes (0..clients-1);
    the caller maps them to the ids the database gave."""
    n = spec.counts[resource]
    r = random.Random(f"{spec.seed}-{resource}")
    p = spec.name[:1]
    nclients = spec.counts["clients"]
    if resource == "clients":
        inds = ["manufacturing", "software", "logistics", "healthcare", "retail"]
        segs = ["smb", "mid-market", "enterprise"]
        for i in range(n):
            acq = C0 + dt.timedelta(days=r.randrange(CDAYS))
            churned = None
            if r.random() < 0.3:
                c = acq + dt.timedelta(days=r.randint(30, 1500))
                churned = c if c <= D_END else None
            yield (f"{p}c{i}", f"Client {p}{i}", acq, churned, r.choice(inds), r.choice(segs))
    elif resource == "contracts":
        for i in range(n):
            signed = D0 + dt.timedelta(days=r.randrange(DAYS))
            starts = signed + dt.timedelta(days=r.randint(0, 30))
            if spec.pathological:
                # Every length from 1 day to 5 years, so that terms x points is as large as it gets.
                term = 1 + (i * 7919) % 1826
            else:
                term = r.choice([365, 730, 1095, 181])
            ends = starts + dt.timedelta(days=term - 1)
            yield (f"{p}k{i}", r.randrange(nclients), signed, starts, ends, _cents(r, 1_000, 100_000),
                   r.choice(["new", "renewal", "expansion"]))
    elif resource == "leads":
        srcs = ["web", "referral", "event", "outbound", "partner"]
        for i in range(n):
            created = D0 + dt.timedelta(days=r.randrange(DAYS))
            q = o = cl = out = dv = None
            if r.random() < 0.6:
                q = created + dt.timedelta(days=r.randint(0, 20))
                if r.random() < 0.5:
                    o = q + dt.timedelta(days=r.randint(0, 30))
                    if r.random() < 0.8:
                        cl = o + dt.timedelta(days=r.randint(5, 120))
                        out = "won" if r.random() < 0.35 else "lost"
                        if out == "won":
                            dv = _cents(r, 2_000, 200_000)
            yield (f"{p}l{i}", created, q, o, cl, out, dv, r.choice(srcs))
    elif resource == "surveys":
        roles = ["economic-buyer", "technical-buyer", "user", "gatekeeper", "other", None]
        for i in range(n):
            kind = r.choice(["nps", "csat", "ces"])
            score = {"nps": r.randint(0, 10), "csat": r.randint(1, 5), "ces": r.randint(1, 7)}[kind]
            responded = D0 + dt.timedelta(days=r.randrange(DAYS))
            client = r.randrange(nclients) if nclients and r.random() < 0.7 else None
            yield (f"{p}s{i}", kind, score, responded, client, r.choice(roles))
    elif resource == "costs":
        cats = ["cogs", "direct-labor", "sales", "marketing", "overhead"]
        for i in range(n):
            yield (f"{p}x{i}", r.choice(cats), _cents(r, 10, 20_000), D0 + dt.timedelta(days=r.randrange(DAYS)))
    else:
        raise ValueError(resource)


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


def csv_row(resource: str, row: tuple, client_ids: list[str], currency: str = "USD") -> list[str]:
    """One row of the public CSV import (the JSON request's values, empty for null)."""
    def s(v):
        return "" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v)
    if resource == "clients":
        return [s(v) for v in row]
    if resource == "contracts":
        ext, ci, signed, starts, ends, value, kind = row
        return [ext, client_ids[ci], s(signed), s(starts), s(ends), money(value), currency, kind]
    if resource == "leads":
        ext, created, q, o, cl, out, dv, src = row
        return [ext, s(created), s(q), s(o), s(cl), s(out), money(dv), currency if dv is not None else "", src]
    if resource == "surveys":
        ext, kind, score, responded, ci, role = row
        return [ext, kind, str(score), s(responded), client_ids[ci] if ci is not None else "", s(role)]
    ext, cat, amount, incurred = row
    return [ext, cat, money(amount), currency, s(incurred)]
