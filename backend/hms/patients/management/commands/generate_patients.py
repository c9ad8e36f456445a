"""manage.py generate_patients N: bulk-insert N synthetic patients for benchmarks and demos.

Names come from Faker's per-locale name lists (en_US weighted by real frequency, plus Spanish,
French, German, Portuguese, Italian and Vietnamese names, for accents), drawn with a seeded
random generator, so a run is reproducible. MRNs are reserved in one block from the same
counter the registration service uses, so generated and registered patients never collide.

Rows are inserted with bulk_create in batches, one transaction per batch; no history rows
and no audit events are written (this is synthetic data, not a clinical action).
"""

import importlib
import itertools
import random
import time
import uuid
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from hms.patients.encryption import encrypt, keyed_hash
from hms.patients.models import BloodGroup, Patient, Sex
from hms.patients.mrn import mrn_format
from hms.patients.names import name_normalise
from hms.patients.services import mrn_reserve_block

LOCALES = {  # locale: share of the generated population
    "en_US": 0.55,
    "es_ES": 0.15,
    "fr_FR": 0.08,
    "de_DE": 0.08,
    "pt_BR": 0.06,
    "it_IT": 0.06,
    "vi_VN": 0.02,
}


class NamePool:
    """Names of one locale with their weights and precomputed normalised forms."""

    def __init__(self, names, rng: random.Random):
        self.names = list(names)
        self.cum_weights = None
        if isinstance(names, dict):  # en_US lists carry real-world frequencies
            self.cum_weights = list(itertools.accumulate(names.values()))
        self.norm = {name: name_normalise(name) for name in self.names}
        self.rng = rng

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.names, cum_weights=self.cum_weights, k=k)


def _locale_pools(rng: random.Random) -> list[tuple[str, float, NamePool, NamePool]]:
    pools = []
    for locale, share in LOCALES.items():
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first = getattr(provider, "first_names", None) or (
            tuple(provider.first_names_female) + tuple(provider.first_names_male)
        )
        if len(first) < 10:
            first = tuple(provider.first_names_female) + tuple(provider.first_names_male)
        pools.append((locale, share, NamePool(first, rng), NamePool(provider.last_names, rng)))
    return pools


class Command(BaseCommand):
    help = "Bulk-insert N synthetic patients (benchmarks, demos)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="PostgreSQL: use bulk_create instead of COPY (slower; the path other "
            "databases always take).",
        )
        parser.add_argument(
            "--national-id-share",
            type=float,
            default=0.5,
            help="Share of patients given an (encrypted) national ID. Default 0.5.",
        )

    def handle(self, *args, count: int, batch_size: int, seed, national_id_share, **options):
        if count < 1:
            raise CommandError("count must be positive")
        rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
        try:
            pools = _locale_pools(rng)
        except ImportError as exc:
            raise CommandError("generate_patients needs Faker (pip install -e '.[dev]')") from exc
        started = time.perf_counter()

        # The whole block is reserved under the counter's lock, then formatted locally.
        sequences = iter(mrn_reserve_block(count=count))
        locales = list(pools)
        shares = [share for _, share, _, _ in pools]
        today = date.today()
        sexes = [Sex.FEMALE, Sex.MALE]
        blood_groups = [choice for choice, _ in BloodGroup.choices] + [""] * 4
        now = timezone.now()
        done = 0
        use_copy = connection.vendor == "postgresql" and not options.get("no_copy")
        while done < count:
            size = min(batch_size, count - done)
            chosen = rng.choices(locales, weights=shares, k=size)
            rows = []
            for _, _, first_pool, last_pool in chosen:
                first = first_pool.draw(1)[0]
                last = last_pool.draw(1)[0]
                first_norm, last_norm = first_pool.norm[first], last_pool.norm[last]
                phone = f"+1 555 {rng.randrange(10**7):07d}"
                national_id = ""
                if rng.random() < national_id_share:
                    national_id = f"{rng.randrange(10**9):09d}"
                rows.append(
                    {
                        "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "created_at": now,
                        "updated_at": now,
                        "mrn": mrn_format(next(sequences)),
                        "first_name": first,
                        "last_name": last,
                        "first_name_norm": first_norm,
                        "last_name_norm": last_norm,
                        "full_name_norm": f"{first_norm} {last_norm}",
                        "reverse_name_norm": f"{last_norm} {first_norm}",
                        "date_of_birth": today - timedelta(days=rng.randrange(1, 95 * 365)),
                        "sex": rng.choice(sexes),
                        "phone": phone,
                        "phone_digits": "1555" + phone[-7:],
                        "national_id": national_id,
                        "national_id_hash": keyed_hash(national_id),
                        "blood_group": rng.choice(blood_groups),
                    }
                )
            with transaction.atomic():
                if use_copy:
                    _copy_rows(rows)
                else:
                    Patient.objects.bulk_create(
                        [Patient(**row) for row in rows], batch_size=batch_size
                    )
            done += size
            if done % (batch_size * 20) == 0 or done == count:
                elapsed = time.perf_counter() - started
                self.stdout.write(
                    f"{done:>10,} patients  {elapsed:7.1f} s  ({done / elapsed:,.0f}/s)"
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM sets the visibility map the search's index-only counts rely on; it
                # cannot run inside a transaction (as in tests), where ANALYZE has to do.
                if connection.in_atomic_block:
                    cursor.execute("ANALYZE patients_patient")
                else:
                    cursor.execute("VACUUM (ANALYZE) patients_patient")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count:,} patients in {elapsed:.1f} s; "
                f"{Patient.objects.count():,} in the registry."
            )
        )


def _copy_rows(rows: list[dict]) -> None:
    """PostgreSQL COPY of prepared rows: several times faster than a multi-row INSERT, which
    Django has to compile and psycopg to quote value by value."""
    fields = [f for f in Patient._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.attname: (None if f.null else f.get_default()) for f in fields}
    table = connection.ops.quote_name(Patient._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"  # names from the model, no user input
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if row["national_id"]:
                row["national_id"] = encrypt(row["national_id"])
            copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])
