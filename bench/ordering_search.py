"""Server-side latency of the ordering pages' type-ahead searches on the current database:
the medicine search (GET /workspace/medicines/search/) over a formulary of 5,000 products and
the lab test search (GET /workspace/lab-tests/search/) over a catalogue of 2,000 tests.

    createdb -h 127.0.0.1 -U postgres hms_bench_ordering
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hms_bench_ordering
    .venv/bin/python backend/manage.py migrate
    .venv/bin/python bench/ordering_search.py --queries 600

With no DATABASE_URL it runs on the development SQLite database. The first run creates the
formulary and the catalogue with bulk_create (drugs with their search words, half of them
with a stock batch and its ledger row, a few dose presets; tests with departments and search
words, one panel in twenty), printing its progress; later runs reuse them. On PostgreSQL the
tables are analysed before measuring. Requests go through
the whole Django stack in-process (sessions, authentication, the role checks, the selector and
the template), timed from the first middleware to the rendered partial; the network is left
out. Queries are what a prescriber types: 2, 3 and 5 letters of a generic name, a brand
prefix, "name strength", an ATC code prefix; and for tests 3 letters of a name, a local code,
two words. Reported: p50/p95/p99 of the request time and of the time inside SQL, per kind and
overall, with the median number of results shown.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from hms.accounts.models import User
from hms.core.roles import Role
from hms.laboratory.catalog import lab_test_search_text
from hms.laboratory.models import LabDepartment, LabTest, PanelComponent
from hms.pharmacy.models import (
    Drug,
    DrugDosePreset,
    DrugForm,
    MovementKind,
    StockBatch,
    StockMovement,
)
from hms.pharmacy.services import drug_set_derived

BENCH_CLASS = "bench formulary"  # marks the generated drugs
BENCH_CODE = "BT"  # prefix of the generated tests' local codes
BATCH = 1000
ANALYZED_TABLES = (
    "pharmacy_drug",
    "pharmacy_stockbatch",
    "pharmacy_drugdosepreset",
    "laboratory_labtest",
    "laboratory_panelcomponent",
)

# fmt: off
ONSETS = ["am", "bel", "cal", "dor", "ex", "fen", "gal", "hy", "ir", "lo", "mer", "nor",
          "ox", "pra", "quin", "ros", "sul", "tri", "val", "zo", "cef", "met", "pro", "clo"]
MIDDLES = ["ox", "a", "i", "e", "o", "u", "ata", "ine", "ava", "ero", "idi", "ulo"]
ENDINGS = ["cillin", "pril", "sartan", "statin", "olol", "azole", "mab", "tide", "dipine",
           "floxacin", "mycin", "parin", "lukast", "setron", "triptan", "vir", "zepam", "done"]
STRENGTHS = [("5 mg", 5), ("10 mg", 10), ("20 mg", 20), ("50 mg", 50), ("100 mg", 100),
             ("250 mg", 250), ("500 mg", 500), ("1 g", 1000)]
FORMS = [DrugForm.TABLET, DrugForm.CAPSULE, DrugForm.SYRUP, DrugForm.INJECTION]
ANALYTES = ["albumin", "amylase", "antibody", "antigen", "bilirubin", "calcium", "chloride",
            "cortisol", "creatine", "culture", "ferritin", "folate", "glucose", "hormone",
            "insulin", "iron", "lactate", "lipase", "magnesium", "phosphate", "protein",
            "sodium", "troponin", "vitamin", "zinc", "complement", "factor", "fibrinogen"]
QUALIFIERS = ["serum", "plasma", "urine", "free", "total", "ionised", "random", "fasting",
              "24 hour", "IgG", "IgM", "screen", "level", "ratio", "index", "mass"]
# fmt: on


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@contextmanager
def db_timer(box: list[float]):
    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            box[0] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        yield


def generic_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add((rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(ENDINGS)).capitalize())
    return sorted(names)


def make_formulary(rng: random.Random, size: int) -> None:
    have = Drug.objects.filter(drug_class=BENCH_CLASS).count()
    if have >= size:
        out(f"formulary: {have:,} generated drugs already there")
        return
    out(f"formulary: creating {size - have:,} drugs")
    started = time.perf_counter()
    products = []
    for name in generic_names(rng, size // 3 + 1):
        brand = name[:4] + rng.choice(["ex", "ol", "in", "a", "ix"]) if rng.random() < 0.4 else ""
        for strength, amount in rng.sample(STRENGTHS, 3):
            products.append((name, brand, strength, amount, rng.choice(FORMS)))
    products = products[have:size]
    today = timezone.localdate()
    for start in range(0, len(products), BATCH):
        chunk = []
        for name, brand, strength, amount, form in products[start : start + BATCH]:
            drug = Drug(
                generic_name=name,
                brand_name=brand,
                form=form,
                strength=strength,
                atc_code=f"{rng.choice('ABCJMN')}{rng.randint(1, 99):02d}{rng.choice('ABCD')}"
                f"{rng.choice('ABCDE')}{rng.randint(1, 20):02d}",
                drug_class=BENCH_CLASS,
                unit="tablet",
                dose_unit="mg",
                strength_amount=Decimal(amount),
                usual_dose_min=Decimal(amount),
                usual_dose_max=Decimal(amount * 2),
                reorder_level=50,
            )
            drug_set_derived(drug)
            chunk.append(drug)
        with transaction.atomic():
            Drug.objects.bulk_create(chunk)
            chunk = list(Drug.objects.filter(drug_class=BENCH_CLASS).order_by("-id")[: len(chunk)])
            stocked = [d for d in chunk if rng.random() < 0.5]
            batches = StockBatch.objects.bulk_create(
                StockBatch(
                    drug=d,
                    lot_number=f"BENCH-{d.pk}",
                    expiry_date=today + timedelta(days=730),
                    quantity=rng.randint(1, 400),
                    received_at=timezone.now(),
                )
                for d in stocked
            )
            StockMovement.objects.bulk_create(
                StockMovement(
                    batch=b,
                    drug=b.drug,
                    kind=MovementKind.RECEIPT,
                    quantity=b.quantity,
                    balance_after=b.quantity,
                    occurred_at=b.received_at,
                    reason="bench stock",
                )
                for b in batches
            )
            DrugDosePreset.objects.bulk_create(
                DrugDosePreset(drug=d, label="Adult", dose=d.strength_amount, frequency="bd")
                for d in chunk
                if rng.random() < 0.3
            )
        out(f"  {min(start + BATCH, len(products)):>6,} / {len(products):,} drugs")
    out(f"formulary: done in {time.perf_counter() - started:.1f} s")


def make_catalogue(rng: random.Random, size: int) -> None:
    have = LabTest.objects.filter(code__startswith=BENCH_CODE).count()
    if have >= size:
        out(f"catalogue: {have:,} generated tests already there")
        return
    out(f"catalogue: creating {size - have:,} tests")
    started = time.perf_counter()
    departments = [d for d in LabDepartment.values if d != LabDepartment.OTHER]
    used = set(LabTest.objects.values_list("name", flat=True))
    for start in range(have, size, BATCH):
        chunk = []
        for n in range(start, min(start + BATCH, size)):
            name = f"{rng.choice(ANALYTES).capitalize()} {rng.choice(QUALIFIERS)} {n}"
            while name in used:
                name += "b"
            used.add(name)
            code, loinc = f"{BENCH_CODE}{n:05d}", f"9{n:06d}-0"
            panel = n % 20 == 0
            name = f"{name} panel" if panel else name
            chunk.append(
                LabTest(
                    code=code,
                    loinc_code=loinc,
                    name=name,
                    specimen_type=rng.choice(["serum_plasma", "whole_blood", "urine"]),
                    kind="panel" if panel else "numeric",
                    department=rng.choice(departments),
                    search_text=lab_test_search_text(code=code, name=name, loinc_code=loinc),
                )
            )
        with transaction.atomic():
            LabTest.objects.bulk_create(chunk)
            created = {t.code: t for t in LabTest.objects.filter(code__in=[c.code for c in chunk])}
            members = [t for t in created.values() if t.kind != "panel"]
            PanelComponent.objects.bulk_create(
                PanelComponent(panel=panel, test=member, position=i)
                for panel in created.values()
                if panel.kind == "panel"
                for i, member in enumerate(rng.sample(members, min(5, len(members))))
            )
        out(f"  {min(start + BATCH, size):>6,} / {size:,} tests")
    out(f"catalogue: done in {time.perf_counter() - started:.1f} s")


def medicine_queries(rng: random.Random) -> dict:
    drugs = list(
        Drug.objects.filter(drug_class=BENCH_CLASS).values_list(
            "generic_name", "brand_name", "strength", "atc_code"
        )
    )

    def pick(fn):
        return lambda: fn(rng.choice(drugs))

    return {
        "name_2": pick(lambda d: d[0][:2]),
        "name_3": pick(lambda d: d[0][:3]),
        "name_5": pick(lambda d: d[0][:5]),
        "brand_4": pick(lambda d: (d[1] or d[0])[:4]),
        "name_strength": pick(lambda d: f"{d[0][:4]} {d[2].split()[0]}"),
        "atc_3": pick(lambda d: d[3][:3]),
    }


def test_queries(rng: random.Random) -> dict:
    tests = list(LabTest.objects.filter(code__startswith=BENCH_CODE).values_list("name", "code"))
    return {
        "test_name_3": lambda: rng.choice(tests)[0][:3],
        "test_code": lambda: rng.choice(tests)[1],
        "test_two_words": lambda: " ".join(rng.choice(tests)[0].split()[:2]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drugs", type=int, default=5000)
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=600, help="measured queries (all kinds)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    make_formulary(rng, args.drugs)
    make_catalogue(rng, args.tests)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would give a real formulary: without them the
        # planner guesses a handful of rows and scans instead of using the indexes.
        with connection.cursor() as cursor:
            for table in ANALYZED_TABLES:
                cursor.execute(f'ANALYZE "{table}"')

    doctor, _ = User.objects.get_or_create(username="bench-doctor", defaults={"role": Role.DOCTOR})
    client = Client()
    client.force_login(doctor)
    makers = {
        **{k: ("/workspace/medicines/search/", "q", f) for k, f in medicine_queries(rng).items()},
        **{
            k: ("/workspace/lab-tests/search/", "test_search", f)
            for k, f in test_queries(rng).items()
        },
    }
    kinds = list(makers)
    results = {k: {"ms": [], "db_ms": [], "n": []} for k in kinds}
    for index in range(args.queries + args.warmup):
        kind = kinds[index % len(kinds)]
        path, param, make = makers[kind]
        q = make()
        box = [0.0]
        with db_timer(box):
            started = time.perf_counter()
            response = client.get(path, {"for": param, param: q})
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        html = response.content.decode()
        shown = html.count('role="option" id=') + html.count('type="checkbox"')
        if index < args.warmup:
            continue
        results[kind]["ms"].append(elapsed * 1000)
        results[kind]["db_ms"].append(box[0] * 1000)
        results[kind]["n"].append(shown)

    report = {
        "drugs": Drug.objects.count(),
        "tests": LabTest.objects.count(),
        "vendor": connection.vendor,
        "kinds": {},
    }
    every_ms = [v for r in results.values() for v in r["ms"]]
    every_db = [v for r in results.values() for v in r["db_ms"]]
    out(
        f"drugs: {report['drugs']:,}  tests: {report['tests']:,}  database: {connection.vendor}"
        f"  queries: {len(every_ms)}"
    )
    out(f"{'kind':<16}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'db p95':>9}{'shown':>7}")
    for kind, r in results.items():
        row = {
            "p50_ms": round(percentile(r["ms"], 50), 2),
            "p95_ms": round(percentile(r["ms"], 95), 2),
            "p99_ms": round(percentile(r["ms"], 99), 2),
            "db_p95_ms": round(percentile(r["db_ms"], 95), 2),
            "median_shown": statistics.median(r["n"]),
        }
        report["kinds"][kind] = row
        out(
            f"{kind:<16}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}"
            f"{row['db_p95_ms']:>9}{row['median_shown']:>7}"
        )
    report["all"] = {
        "p50_ms": round(percentile(every_ms, 50), 2),
        "p95_ms": round(percentile(every_ms, 95), 2),
        "p99_ms": round(percentile(every_ms, 99), 2),
        "db_p50_ms": round(percentile(every_db, 50), 2),
        "db_p95_ms": round(percentile(every_db, 95), 2),
    }
    a = report["all"]
    out(f"{'all':<16}{a['p50_ms']:>9}{a['p95_ms']:>9}{a['p99_ms']:>9}{a['db_p95_ms']:>9}")
    verdict = "met" if a["p95_ms"] < 100 else "MISSED"
    out(f"target p95 < 100 ms: {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
