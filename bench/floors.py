"""The floors: hand-written SQL computing the same aggregates as the API, run directly in the engine.

Each function returns (statements, reduce): the statements are run one after another on one
connection and timed together; `reduce(results)` turns their rows into the quantities the harness
compares with the API's answer. Revenue is prorated per row in the engine's fastest near-exact
arithmetic (PostgreSQL numeric, SQLite REAL): within a hundredth of a cent of the exact sum, which is
enough to check the API to the cent (the harness allows for a floor that lands on a half-cent tie).
Grouping by term length to sum exactly costs the engine more than the division and would flatter the API.

Dialects differ only in date arithmetic and literals; both take the tenant id as the engine stores it.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction


class Approx(Fraction):
    """A floor quantity computed in floating or rounded arithmetic: compared with a tolerance, not exactly."""


class Dialect:
    def __init__(self, db: str, tenant_id: str):
        self.db = db
        self.tenant = f"'{tenant_id.upper()}'" if db == "sqlite" else f"'{tenant_id}'"

    def d(self, day: dt.date) -> str:
        return f"'{day.isoformat()}'" if self.db == "sqlite" else f"DATE '{day.isoformat()}'"

    def days(self, a: str, b: str) -> str:
        """Whole days from a to b, as an integer expression."""
        if self.db == "sqlite":
            return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)"
        return f"({b} - {a})"

    def least(self, a: str, b: str) -> str:
        return f"min({a}, {b})" if self.db == "sqlite" else f"LEAST({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})" if self.db == "sqlite" else f"GREATEST({a}, {b})"

    def prorate(self, cents: str, days_inside: str, term_days: str) -> str:
        """cents x days_inside / term_days, in currency units."""
        if self.db == "sqlite":
            return f"({cents} * ({days_inside}) * 1.0 / ({term_days}) / 100.0)"
        return f"({cents}::numeric * ({days_inside}) / ({term_days}) / 100)"

    def flag(self, cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def previous(f: dt.date, t: dt.date) -> tuple[dt.date, dt.date]:
    n = (t - f).days + 1
    pt = f - dt.timedelta(days=1)
    return pt - dt.timedelta(days=n - 1), pt


def round_half_away(x: Fraction, places: int = 2) -> Fraction:
    scale = 10 ** places
    v = abs(x) * scale
    q = int(v)
    if v - q >= Fraction(1, 2):
        q += 1
    return Fraction(q if x >= 0 else -q, scale)


TOLERANCE = Fraction(1, 10_000)  # a hundredth of a cent: far above the floors' arithmetic error, far below a cent


def agrees(api: Fraction, floor: Fraction, places: int) -> bool:
    """Whether the API's value (rounded half away from zero to `places`) agrees with the floor's.
    Exact floors must round to it exactly; an Approx floor may differ by TOLERANCE before rounding
    (so a floor a hair away from a half-cent tie accepts either side)."""
    if not isinstance(floor, Approx):
        return api == round_half_away(floor, places)
    if places >= 4:
        return abs(api - floor) <= TOLERANCE
    return api in (round_half_away(floor - TOLERANCE, places), round_half_away(floor + TOLERANCE, places))


def num(v) -> Fraction:
    """A number from either driver (int, float or the text psql prints) as a Fraction."""
    if v is None:
        return Fraction(0)
    return Fraction(v) if isinstance(v, (int, float)) else Fraction(str(v))


def scorecard(db: str, tenant_id: str, f: dt.date, t: dt.date):
    """Every aggregate the scorecard needs, for the period and its previous period (the API computes both),
    in six statements: clients, contracts, leads, surveys, costs, and the buying committees (relationship KPIs)."""
    D = Dialect(db, tenant_id)
    T, x = D.tenant, D.d
    pf, pt = previous(f, t)
    ppf, ppt = previous(pf, pt)
    periods = {"": (f, t, pf, pt), "p": (pf, pt, ppf, ppt)}
    cc, kc, lc, sc, xc, dc = [], [], [], [], [], []
    term = D.days('"StartsOn"', '"EndsOn"') + " + 1"
    arr = D.prorate('"ValueMinor"', "365", term)
    for tag, (a, z, prev_a, prev_z) in periods.items():
        s = a - dt.timedelta(days=1)
        cc += [f'{D.flag(f""""AcquiredOn" <= {x(s)} AND ("ChurnedOn" IS NULL OR "ChurnedOn" > {x(s)})""")} AS s{tag}',
               f'{D.flag(f""""AcquiredOn" <= {x(z)} AND ("ChurnedOn" IS NULL OR "ChurnedOn" > {x(z)})""")} AS e{tag}',
               f'{D.flag(f""""AcquiredOn" BETWEEN {x(a)} AND {x(z)}""")} AS n{tag}',
               f'{D.flag(f""""AcquiredOn" <= {x(s)} AND "ChurnedOn" BETWEEN {x(a)} AND {x(z)}""")} AS l{tag}',
               f'{D.flag(f""""ChurnedOn" <= {x(z)}""")} AS churned{tag}',
               f'SUM(CASE WHEN "ChurnedOn" <= {x(z)} THEN {D.days(chr(34) + "AcquiredOn" + chr(34), chr(34) + "ChurnedOn" + chr(34))} END) AS lifespan{tag}']

        def inside(lo, hi):
            days = D.days(D.greatest('"StartsOn"', x(lo)), D.least('"EndsOn"', x(hi))) + " + 1"
            return f'SUM(CASE WHEN "StartsOn" <= {x(hi)} AND "EndsOn" >= {x(lo)} THEN {D.prorate(chr(34) + "ValueMinor" + chr(34), days, term)} END)'
        active_end = (f'SELECT "Id" FROM "Clients" WHERE "TenantId" = {T} AND "AcquiredOn" <= {x(z)} '
                      f'AND ("ChurnedOn" IS NULL OR "ChurnedOn" > {x(z)})')
        at_start = f'SELECT "ClientId" FROM "Contracts" WHERE "TenantId" = {T} AND "StartsOn" <= {x(s)} AND "EndsOn" >= {x(s)}'
        kc += [f'{inside(a, z)} AS r{tag}', f'{inside(prev_a, prev_z)} AS rprev{tag}',
               f'SUM(CASE WHEN "StartsOn" <= {x(z)} AND "EndsOn" >= {x(z)} AND "ClientId" IN ({active_end}) THEN {arr} END) AS arr_end{tag}',
               f'SUM(CASE WHEN "StartsOn" <= {x(s)} AND "EndsOn" >= {x(s)} THEN {arr} END) AS arr_start{tag}',
               f'SUM(CASE WHEN "StartsOn" <= {x(z)} AND "EndsOn" >= {x(z)} AND "ClientId" IN ({at_start}) THEN {arr} END) AS arr_retained{tag}',
               f'{D.flag(f""""SignedOn" BETWEEN {x(a)} AND {x(z)}""")} AS signed{tag}',
               f'SUM(CASE WHEN "SignedOn" BETWEEN {x(a)} AND {x(z)} THEN "ValueMinor" END) AS signed_value{tag}',
               f'COUNT(DISTINCT CASE WHEN "SignedOn" BETWEEN {x(a)} AND {x(z)} THEN "ClientId" END) AS signing{tag}']
        won = f""""ClosedOn" BETWEEN {x(a)} AND {x(z)} AND "Outcome" = 'Won'"""
        lc += [f'{D.flag(f""""QualifiedOn" BETWEEN {x(a)} AND {x(z)}""")} AS mql{tag}',
               f'{D.flag(f""""CreatedOn" BETWEEN {x(a)} AND {x(z)}""")} AS created{tag}',
               f'{D.flag(f""""CreatedOn" BETWEEN {x(a)} AND {x(z)} AND "OpportunityOn" <= {x(z)}""")} AS converted{tag}',
               f'{D.flag(won)} AS won{tag}', f'{D.flag(won.replace("Won", "Lost"))} AS lost{tag}',
               f'SUM(CASE WHEN {won} THEN "DealValueMinor" END) AS won_value{tag}',
               f'SUM(CASE WHEN {won} THEN {D.days(chr(34) + "CreatedOn" + chr(34), chr(34) + "ClosedOn" + chr(34))} END) AS won_days{tag}',
               f'{D.flag(f""""QualifiedOn" <= {x(z)} AND ("ClosedOn" IS NULL OR "ClosedOn" > {x(z)})""")} AS open{tag}']
        inp = f'"RespondedOn" BETWEEN {x(a)} AND {x(z)}'
        sc += [f'{D.flag(inp)} AS answers{tag}', f'{D.flag(inp + chr(32) + "AND " + chr(34) + "Score" + chr(34) + " >= 9")} AS high{tag}',
               f'{D.flag(inp + " AND " + chr(34) + "Score" + chr(34) + " BETWEEN 7 AND 8")} AS mid{tag}',
               f'{D.flag(inp + " AND " + chr(34) + "Score" + chr(34) + " >= 4")} AS four{tag}',
               f'{D.flag(inp + " AND " + chr(34) + "Score" + chr(34) + " <= 6")} AS low{tag}',
               f'SUM(CASE WHEN {inp} THEN "Score" END) AS score_sum{tag}']
        eb = f"""{inp} AND "RespondentRole" = 'EconomicBuyer'"""
        sc += [f'{D.flag(eb + chr(32) + "AND " + chr(34) + "Score" + chr(34) + " >= 9")} AS eb_high{tag}',
               f'{D.flag(eb + " AND " + chr(34) + "Score" + chr(34) + " BETWEEN 7 AND 8")} AS eb_mid{tag}',
               f'{D.flag(eb + " AND " + chr(34) + "Score" + chr(34) + " <= 6")} AS eb_low{tag}']
        # The buying committees of the clients active on z: per client and role, then per client, then summed.
        dc.append(f"""SELECT {len(dc)} AS i, SUM(roles), SUM(CASE WHEN eb = 1 AND roles >= 2 THEN 1 ELSE 0 END), SUM(bd),
            SUM(CASE WHEN nroles >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN nroles >= 2 THEN spread END) FROM (
              SELECT c, COUNT(*) AS roles, MAX(CASE WHEN r = 'EconomicBuyer' THEN 1 ELSE 0 END) AS eb,
                     MAX(CASE WHEN r IN ('EconomicBuyer', 'TechnicalBuyer') AND de > 0 THEN 1 ELSE 0 END) AS bd,
                     SUM(CASE WHEN nn > 0 THEN 1 ELSE 0 END) AS nroles,
                     MAX(CASE WHEN nn > 0 THEN (pr - de) * 100.0 / nn END) - MIN(CASE WHEN nn > 0 THEN (pr - de) * 100.0 / nn END) AS spread
              FROM (SELECT s."ClientId" AS c, s."RespondentRole" AS r,
                           SUM(CASE WHEN s."Kind" = 'Nps' THEN 1 ELSE 0 END) AS nn,
                           SUM(CASE WHEN s."Kind" = 'Nps' AND s."Score" >= 9 THEN 1 ELSE 0 END) AS pr,
                           SUM(CASE WHEN s."Kind" = 'Nps' AND s."Score" <= 6 THEN 1 ELSE 0 END) AS de
                    FROM "Surveys" s JOIN "Clients" k ON k."Id" = s."ClientId"
                    WHERE s."TenantId" = {T} AND s."RespondedOn" BETWEEN {x(a)} AND {x(z)}
                      AND s."RespondentRole" IN ('EconomicBuyer', 'TechnicalBuyer', 'User', 'Gatekeeper')
                      AND k."AcquiredOn" <= {x(z)} AND (k."ChurnedOn" IS NULL OR k."ChurnedOn" > {x(z)})
                    GROUP BY s."ClientId", s."RespondentRole") a
              GROUP BY c) p""")
        xc += [f'SUM(CASE WHEN "IncurredOn" BETWEEN {x(a)} AND {x(z)} THEN "AmountMinor" END) AS amount{tag}']
    # What explains revenue (its inputs contracts and recognizedDays): contracts overlapping the period, days inside it.
    overlaps = f'"StartsOn" <= {x(t)} AND "EndsOn" >= {x(f)}'
    kc += [f'{D.flag(overlaps)} AS contracts',
           f'SUM(CASE WHEN {overlaps} THEN {D.days(D.greatest(chr(34) + "StartsOn" + chr(34), x(f)), D.least(chr(34) + "EndsOn" + chr(34), x(t)))} + 1 END) AS recognized_days']
    contract_window = f'(("StartsOn" <= {x(t)} AND "EndsOn" >= {x(ppf)}) OR "SignedOn" BETWEEN {x(pf)} AND {x(t)})'
    statements = [
        f'SELECT {", ".join(cc)} FROM "Clients" WHERE "TenantId" = {T}',
        f'SELECT {", ".join(kc)} FROM "Contracts" WHERE "TenantId" = {T} AND {contract_window}',
        f'SELECT {", ".join(lc)} FROM "Leads" WHERE "TenantId" = {T}',
        f'SELECT "Kind", {", ".join(sc)} FROM "Surveys" WHERE "TenantId" = {T} AND "RespondedOn" BETWEEN {x(pf)} AND {x(t)} GROUP BY "Kind"',
        f'SELECT "Category", {", ".join(xc)} FROM "Costs" WHERE "TenantId" = {T} AND "IncurredOn" BETWEEN {x(pf)} AND {x(t)} GROUP BY "Category"',
        " UNION ALL ".join(dc),
    ]

    def reduce(res):
        (clients,), (k,), (leads,), surveys, costs, committees = res
        n = lambda v: 0 if v is None else int(v)  # noqa: E731
        out = {
            "clientsAtStart": n(clients[0]), "clientsAtEnd": n(clients[1]), "newClients": n(clients[2]),
            "lostClients": n(clients[3]),
            "revenue": Approx(num(k[0])), "previousRevenue": Approx(num(k[1])),
            "contracts": n(k[-2]), "recognizedDays": n(k[-1]),
            "contractsSigned": n(k[5]), "contractsSignedValue": Fraction(n(k[6]), 100), "clientsSigning": n(k[7]),
            "qualifiedLeads": n(leads[0]), "leadsCreated": n(leads[1]), "convertedLeads": n(leads[2]),
            "wonLeads": n(leads[3]), "lostLeads": n(leads[4]), "wonDealValue": Fraction(n(leads[5]), 100),
            "openQualifiedLeads": n(leads[7]),
        }
        kinds = {row[0]: row for row in surveys}
        if "Nps" in kinds:
            out.update(npsAnswers=n(kinds["Nps"][1]), promoters=n(kinds["Nps"][2]), passives=n(kinds["Nps"][3]),
                       detractors=n(kinds["Nps"][5]))
            eb = [n(kinds["Nps"][7]), n(kinds["Nps"][8]), n(kinds["Nps"][9])]
            out.update(economicBuyerPromoters=eb[0], economicBuyerPassives=eb[1], economicBuyerDetractors=eb[2],
                       economicBuyerNpsAnswers=sum(eb))
        committee = next(row for row in committees if int(row[0]) == 0)
        out.update(rolesAnswering=n(committee[1]), coveredClients=n(committee[2]), clientsWithBuyerDetractor=n(committee[3]),
                   clientsWithTwoNpsRoles=n(committee[4]), npsSpreadSum=Approx(num(committee[5])))
        if "Csat" in kinds:
            out.update(csatAnswers=n(kinds["Csat"][1]), satisfiedAnswers=n(kinds["Csat"][4]))
        if "Ces" in kinds:
            out.update(cesAnswers=n(kinds["Ces"][1]), cesScoreSum=n(kinds["Ces"][6]))
        names = {"Cogs": "cogs", "DirectLabor": "directLabor", "Sales": "salesCost", "Marketing": "marketingCost", "Overhead": "overheadCost"}
        for cat, name in names.items():
            out[name] = Fraction(sum(n(row[1]) for row in costs if row[0] == cat), 100)
        return out

    return statements, reduce


def months(f: dt.date, t: dt.date):
    """The series' points: calendar months clipped to f..t."""
    pts, a = [], f
    while a <= t:
        nxt = (a.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        z = min(nxt - dt.timedelta(days=1), t)
        pts.append((a, z))
        a = nxt
    return pts


def revenue_series(db: str, tenant_id: str, f: dt.date, t: dt.date):
    """Revenue of every point and of its previous period (revenue-growth needs it; the API computes both),
    in one statement: one pass over the contracts joined to the points."""
    D = Dialect(db, tenant_id)
    x = D.d
    pts = months(f, t)
    periods = pts + [previous(a, z) for a, z in pts]
    vals = ", ".join(f"({i}, {x(a)}, {x(z)})" for i, (a, z) in enumerate(periods))
    lo = min(a for a, _ in periods)
    term = D.days('c."StartsOn"', 'c."EndsOn"') + " + 1"
    inside = D.days(D.greatest('c."StartsOn"', "p.pf"), D.least('c."EndsOn"', "p.pt")) + " + 1"
    sql = (f'WITH p(i, pf, pt) AS (VALUES {vals}) '
           f'SELECT p.i, SUM({D.prorate(chr(99) + "." + chr(34) + "ValueMinor" + chr(34), inside, term)}) FROM p JOIN "Contracts" c '
           f'ON c."StartsOn" <= p.pt AND c."EndsOn" >= p.pf '
           f'WHERE c."TenantId" = {D.tenant} AND c."StartsOn" <= {x(t)} AND c."EndsOn" >= {x(lo)} GROUP BY p.i')

    def reduce(res):
        by_point = {int(i): v for i, v in res[0]}
        return [Approx(num(by_point.get(i))) for i in range(len(pts))]

    return [sql], reduce


def retention_series(db: str, tenant_id: str, f: dt.date, t: dt.date):
    """S, E, N of every point and of its previous period in one statement: the tenant's clients are
    grouped by acquisition and churn day once, then each point sums the days before it."""
    D = Dialect(db, tenant_id)
    x, T = D.d, D.tenant
    pts = months(f, t)
    periods = pts + [previous(a, z) for a, z in pts]
    vals = ", ".join(f"({i}, {x(a - dt.timedelta(days=1))}, {x(a)}, {x(z)})" for i, (a, z) in enumerate(periods))
    sql = (f'WITH p(i, s, pf, pt) AS (VALUES {vals}), '
           f'a(d, n) AS (SELECT "AcquiredOn", COUNT(*) FROM "Clients" WHERE "TenantId" = {T} GROUP BY "AcquiredOn"), '
           f'ch(d, n) AS (SELECT "ChurnedOn", COUNT(*) FROM "Clients" WHERE "TenantId" = {T} AND "ChurnedOn" IS NOT NULL GROUP BY "ChurnedOn") '
           f'SELECT p.i, (SELECT COALESCE(SUM(n), 0) FROM a WHERE d <= p.s) - (SELECT COALESCE(SUM(n), 0) FROM ch WHERE d <= p.s), '
           f'(SELECT COALESCE(SUM(n), 0) FROM a WHERE d <= p.pt) - (SELECT COALESCE(SUM(n), 0) FROM ch WHERE d <= p.pt), '
           f'(SELECT COALESCE(SUM(n), 0) FROM a WHERE d BETWEEN p.pf AND p.pt) FROM p ORDER BY p.i')

    def reduce(res):
        rows = {int(r[0]): r for r in res[0]}
        return [{"clientsAtStart": int(rows[i][1]), "clientsAtEnd": int(rows[i][2]), "newClients": int(rows[i][3])}
                for i in range(len(pts))]

    return [sql], reduce
