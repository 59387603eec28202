# ruff: noqa: E501  (generated-data rows are clearer one per line)
"""Case-store benchmark: 1,000,000 calls, 200,000 contacts and 50,000 cases in PostgreSQL.

Creates its own database on the server (default admin URL postgresql://127.0.0.1:5432/test),
migrates it with the project's Alembic history, bulk-loads generated data with COPY, then times
every statistics query (case store and call-centre figures) and the repeat-caller look-up.
Targets: each statistics query < 1 s; the look-up < 5 ms. Prints figures, then one JSON line.

    .venv/bin/python benchmarks/bench_casestore.py            # full size (a few minutes)
    .venv/bin/python benchmarks/bench_casestore.py --scale 0.05 --keep
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from callcenter.calls import stats as call_stats
from callcenter.cases import statistics as st
from callcenter.cases.access import Reader
from callcenter.cases.bands import age_band
from callcenter.cases.codelists import codelist
from callcenter.cases.contacts import lookup
from callcenter.cases.service import CaseStore
from callcenter.db import Database, migrate
from callcenter.privacy import generate_key_material

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SPAN_S = 2 * 365 * 86400
CENTRES = ("HN", "DN", "AG")
ANALYST = Reader("bench", "analyst", None, "bench:stats")
COUNSELLOR = Reader("bench-c", "counsellor", "HN", "bench:lookup")
VICTIM_FORMS = ("sexual_exploitation", "forced_labour", "forced_marriage", "forced_criminality")
NEW_UNITS = [
    f"vn34-{c}" for c in ("01", "08", "15", "19", "25", "38", "40", "48", "79", "91", "92")
]
OLD_UNITS = [f"vn63-{c}" for c in ("02", "10", "15", "17", "26", "89", "93", "94")]


def codes(name: str) -> list[str]:
    return list(codelist(name).values())


def at(rng: random.Random) -> dt.datetime:
    return START + dt.timedelta(seconds=rng.randrange(SPAN_S))


async def load(dsn: str, n_calls: int, n_contacts: int, n_cases: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    crypto = generate_key_material().crypto()
    conn = await asyncpg.connect(dsn)
    figures: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        users = [
            (f"{c}-c{i:03d}", f"Counsellor {c} {i}", "counsellor", c)
            for c in CENTRES
            for i in range(50)
        ]
        await conn.copy_records_to_table(
            "cs_user",
            records=[(*u, None, "vi", True) for u in users],
            columns=["id", "display_name", "role", "centre_code", "gender", "languages", "active"],
        )
        agencies = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(200)]
        await conn.copy_records_to_table(
            "cs_agency",
            records=[
                (
                    a,
                    f"Agency {i}",
                    rng.choice(codes("agency_type")),
                    rng.choice(NEW_UNITS),
                    "VN",
                    None,
                    None,
                    True,
                )
                for i, a in enumerate(agencies)
            ],
            columns=[
                "id",
                "name",
                "agency_type",
                "province",
                "country",
                "phone",
                "focal_person_enc",
                "active",
            ],
        )
        # callers: 150k numbers; a caller's token is encrypted once and reused for its calls
        n_callers = max(10, int(n_calls * 0.15))
        numbers = [f"+849{n:08d}" for n in rng.sample(range(10**8), n_callers)]
        hashes = [crypto.hash_phone(n) for n in numbers]
        tokens = [crypto.encrypt(n) for n in numbers]
        figures["load_callers_prepared_s"] = round(time.perf_counter() - t0, 1)

        calls = []
        answered = []
        for i in range(n_calls):
            arrived = at(rng)
            c = rng.randrange(n_callers)
            home = rng.choice(CENTRES)
            r = rng.random()
            outcome = (
                "answered"
                if r < 0.8
                else "abandoned_queue"
                if r < 0.9
                else "abandoned_ivr"
                if r < 0.95
                else "abandoned_ringing"
                if r < 0.98
                else "callback_requested"
            )
            wait = rng.expovariate(1 / 25)
            ans_centre = (
                (home if rng.random() < 0.9 else rng.choice(CENTRES))
                if outcome == "answered"
                else None
            )
            who = f"{ans_centre}-c{rng.randrange(50):03d}" if ans_centre else None
            talk = rng.expovariate(1 / 400) if who else None
            answered_at = arrived + dt.timedelta(seconds=wait) if who else None
            ended = arrived + dt.timedelta(seconds=wait + (talk or 0))
            call_id = f"pbx1/{i}"
            calls.append((
                call_id, "pbx1", str(i), "service", "111", hashes[c], tokens[c], arrived, answered_at, ended,
                "vi", home, False, ans_centre, who, json.dumps([home]), json.dumps([who] if who else []),
                wait, talk, 30.0 if who else None, outcome,
            ))  # fmt: skip
            if who is not None and len(answered) < n_contacts:
                answered.append((call_id, c, who, ans_centre, answered_at, ended))
        t1 = time.perf_counter()
        await conn.copy_records_to_table(
            "calls",
            records=calls,
            columns=[
                "call_id", "node", "channel_id", "source", "dialled", "caller_hash", "caller_number_enc",
                "arrived_at", "answered_at", "ended_at", "language", "home_centre", "in_danger",
                "answered_centre", "answered_by", "centres", "counsellors", "wait_s", "talk_s",
                "wrapup_s", "outcome",
            ],
        )  # fmt: skip
        figures["copy_calls_s"] = round(time.perf_counter() - t1, 1)
        del calls

        caller_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(n_callers)]
        first_seen: dict[int, dt.datetime] = {}
        last_seen: dict[int, dt.datetime] = {}
        for _call, c, _who, _centre, started, _ended in answered:
            first_seen[c] = min(first_seen.get(c, started), started)
            last_seen[c] = max(last_seen.get(c, started), started)
        await conn.copy_records_to_table(
            "cs_caller",
            records=[
                (caller_ids[c], hashes[c], tokens[c], first_seen[c], last_seen[c], rng.random() < 0.02, None)
                for c in first_seen
            ],
            columns=["id", "phone_hash", "phone_enc", "first_seen_at", "last_seen_at", "never_call_back", "safe_to_call_back"],
        )  # fmt: skip

        # cases: each opened at one of the contacts; 1-3 contacts per case
        case_rows, contact_rows, persons, victims, person_codes, exploitations, referrals, follow_ups = (
            [], [], [], [], [], [], [], []
        )  # fmt: skip
        note = crypto.encrypt("ghi chú tư vấn")
        case_ids: list[str] = []
        for j, (call_id, c, who, centre, started, ended) in enumerate(answered):
            case_id = None
            if len(case_ids) < n_cases and j % max(1, len(answered) // n_cases) == 0:
                case_id = str(uuid.UUID(int=rng.getrandbits(128)))
                case_ids.append(case_id)
                status = rng.choice(["active", "follow_up", "closed", "closed_referred"])
                closed = (
                    started + dt.timedelta(days=rng.randrange(1, 90))
                    if status.startswith("closed")
                    else None
                )
                case_rows.append(
                    (
                        case_id,
                        f"{centre}-{case_id[:8]}",
                        status,
                        closed and "resolved",
                        started,
                        closed,
                        centre,
                        who,
                        "normal",
                        note,
                    )
                )
                pid = str(uuid.UUID(int=rng.getrandbits(128)))
                age = rng.choice([None, *range(8, 60)])
                persons.append((
                    pid, case_id, rng.choice(["potential_victim", "identified_victim"]),
                    crypto.encrypt(f"Người {j}"), age, age_band(age), rng.choice(["female"] * 7 + ["male"] * 2 + ["unknown"]),
                    rng.choice(["unknown"] * 9 + ["woman"]), rng.choice(["VN"] * 9 + ["LA"]),
                    rng.choice(NEW_UNITS + OLD_UNITS), started,
                ))  # fmt: skip
                victims.append((pid, rng.choice(["possible", "actual"]), rng.choice(["victim", "under_identification", "not_applicable"]),
                                rng.choice(codes("recruiter_relation")), rng.random() < 0.6, rng.choice(["CN", "KH", "MM", "VN", None])))  # fmt: skip
                for code in rng.sample(codes("means_of_control"), rng.randrange(0, 4)):
                    person_codes.append((pid, "means_of_control", code))
                for code in rng.sample(codes("recruitment_method"), rng.randrange(0, 3)):
                    person_codes.append((pid, "recruitment_method", code))
                for code in rng.sample(codes("recruitment_platform"), rng.randrange(0, 2)):
                    person_codes.append((pid, "recruitment_platform", code))
                for form in rng.sample(VICTIM_FORMS, rng.choice([0, 1, 1, 2])):
                    industry = (
                        rng.choice(codes("labour_industry")) if form == "forced_labour" else None
                    )
                    exploitations.append(
                        (str(uuid.UUID(int=rng.getrandbits(128))), pid, form, industry, "CN")
                    )
                if rng.random() < 0.8:
                    referrals.append((
                        str(uuid.UUID(int=rng.getrandbits(128))), case_id, pid, "outgoing", rng.choice(agencies),
                        started + dt.timedelta(days=rng.expovariate(1 / 4)), rng.choice(codes("referral_service")),
                        True, rng.choice(codes("referral_outcome")),
                    ))  # fmt: skip
                follow_ups.append((str(uuid.UUID(int=rng.getrandbits(128))), case_id, who,
                                   started + dt.timedelta(days=7), None if rng.random() < 0.3 else started + dt.timedelta(days=8)))  # fmt: skip
            elif case_ids and rng.random() < 0.2:
                case_id = rng.choice(case_ids[-50:])
            contact_rows.append((
                str(uuid.UUID(int=rng.getrandbits(128))), call_id, "voice", centre, started, ended, who,
                caller_ids[c], case_id, rng.choice(NEW_UNITS + OLD_UNITS), rng.choice(codes("contact_kind")),
                rng.choice(codes("request_type")), "normal", rng.choice(codes("caller_relation")),
                rng.choice(["female", "male", "unknown"]), note if rng.random() < 0.1 else None,
            ))  # fmt: skip
        t2 = time.perf_counter()
        await conn.copy_records_to_table(
            "cs_case", records=case_rows,
            columns=["id", "reference", "status", "closure_reason", "opened_at", "closed_at", "centre_code", "lead_counsellor_id", "sensitivity", "summary_enc"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "cs_contact", records=contact_rows,
            columns=["id", "call_id", "channel", "centre_code", "started_at", "ended_at", "counsellor_id", "caller_id", "case_id",
                     "province", "kind", "request_type", "urgency", "caller_relation", "caller_sex", "notes_enc"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "cs_person", records=[(*p, False) for p in persons],
            columns=["id", "case_id", "role", "given_name_enc", "age_at_contact", "age_band", "sex", "gender_identity",
                     "citizenship", "province", "created_at", "age_estimated"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "cs_victim_context", records=[(*v, False) for v in victims],
            columns=["person_id", "trafficking_status", "legal_status", "recruiter_relation", "cross_border",
                     "country_of_exploitation", "agreement_to_manage_data"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "cs_person_code", records=person_codes, columns=["person_id", "list_name", "code"]
        )
        await conn.copy_records_to_table(
            "cs_exploitation",
            records=exploitations,
            columns=["id", "person_id", "exploitation_type", "industry", "country"],
        )
        await conn.copy_records_to_table(
            "cs_referral", records=referrals,
            columns=["id", "case_id", "person_id", "direction", "agency_id", "referred_at", "service", "consent_to_share", "outcome"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "cs_follow_up",
            records=follow_ups,
            columns=["id", "case_id", "counsellor_id", "due_at", "done_at"],
        )
        await conn.execute("ANALYZE")
        figures["copy_case_tables_s"] = round(time.perf_counter() - t2, 1)
        figures["load_total_s"] = round(time.perf_counter() - t0, 1)
        figures["rows"] = {
            "calls": n_calls, "contacts": len(contact_rows), "cases": len(case_rows), "persons": len(persons),
            "referrals": len(referrals), "follow_ups": len(follow_ups), "callers": len(first_seen),
        }  # fmt: skip
        figures["lookup_hashes"] = [
            hashes[c] for c in rng.sample(sorted(first_seen), min(1000, len(first_seen)))
        ]
        figures["crypto"] = crypto
    finally:
        await conn.close()
    return figures


async def timed(fn: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    """(best, median) wall milliseconds over ``runs`` runs."""
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t) * 1000)
    return min(samples), statistics.median(samples)


async def measure(url: str, figures: dict[str, Any], runs: int) -> dict[str, Any]:
    db = Database.from_url(url)
    year = st.Period(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    results: dict[str, Any] = {}
    try:
        async with db.sessions() as session:
            for name, query in st.ALL_TABLES.items():
                best, med = await timed(lambda q=query: q(session, ANALYST, year, now), runs)  # type: ignore[misc]
                results[f"stats.{name}"] = {"best_ms": round(best, 1), "median_ms": round(med, 1)}
            calls_queries: dict[str, Callable[[], Awaitable[object]]] = {
                "queue_by_centre": lambda: call_stats.queue_figures(session, year.start, year.end),
                "queue_by_centre_day": lambda: call_stats.queue_figures(session, year.start, year.end, by=("centre", "day")),
                "queue_by_centre_hour": lambda: call_stats.queue_figures(session, year.start, year.end, by=("centre", "hour")),
                "counsellors": lambda: call_stats.counsellor_figures(session, year.start, year.end),
                "overflow": lambda: call_stats.overflow_figures(session, year.start, year.end),
            }  # fmt: skip
            for name, fn in calls_queries.items():
                best, med = await timed(fn, runs)
                results[f"calls.{name}"] = {"best_ms": round(best, 1), "median_ms": round(med, 1)}
        store = CaseStore(db, figures["crypto"])
        lookups_read, lookups_full = [], []
        for h in figures["lookup_hashes"]:
            async with db.sessions() as session:
                t = time.perf_counter()
                found = await lookup(session, h)
                lookups_read.append((time.perf_counter() - t) * 1000)
                assert found is not None
            t = time.perf_counter()
            await store.caller_history(COUNSELLOR, caller_hash=h)
            lookups_full.append((time.perf_counter() - t) * 1000)
        for key, samples in (("lookup.read", lookups_read), ("lookup.audited", lookups_full)):
            samples.sort()
            results[key] = {
                "p50_ms": round(samples[len(samples) // 2], 2),
                "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
                "n": len(samples),
            }
    finally:
        await db.dispose()
    return results


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.pg)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    host = args.pg.split("://", 1)[1].rsplit("/", 1)[0]
    dsn, url = f"postgresql://{host}/{name}", f"postgresql+asyncpg://{host}/{name}"
    try:
        await migrate.upgrade(url, "head")
        figures = await load(
            dsn,
            int(1_000_000 * args.scale),
            int(200_000 * args.scale),
            int(50_000 * args.scale),
            args.seed,
        )
        results = await measure(url, figures, args.runs)
    finally:
        if not args.keep:
            admin = await asyncpg.connect(args.pg)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    figures.pop("crypto")
    figures.pop("lookup_hashes")
    return {"database": name if args.keep else None, **figures, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg", default="postgresql://127.0.0.1:5432/test", help="admin connection URL"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    out = asyncio.run(main_async(args))
    print(f"loaded {out['rows']} in {out['load_total_s']} s (calls COPY {out['copy_calls_s']} s)")
    worst = {"stats.": 0.0, "calls.": 0.0}
    for key, value in out["results"].items():
        prefix = key.split(".")[0] + "."
        if prefix in worst:
            worst[prefix] = max(worst[prefix], value["median_ms"])
            ratio = value["median_ms"] / 1000
            print(
                f"{key:40s} best {value['best_ms']:8.1f} ms  median {value['median_ms']:8.1f} ms  ({ratio:.2f} of the 1 s target)"
            )
        else:
            print(
                f"{key:40s} p50 {value['p50_ms']:.2f} ms  p99 {value['p99_ms']:.2f} ms  ({value['p50_ms'] / 5:.2f} of the 5 ms target) n={value['n']}"
            )
    out["worst_case_stats_median_ms"] = round(worst["stats."], 1)
    out["worst_call_stats_median_ms"] = round(worst["calls."], 1)
    out["case_stats_target_met"] = worst["stats."] < 1000
    out["call_stats_target_met"] = worst["calls."] < 1000
    out["lookup_target_met"] = out["results"]["lookup.read"]["p50_ms"] < 5
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
