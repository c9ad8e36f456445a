"""manage.py generate_activity: a year of hospital activity for the existing patients, for the
reporting benchmark and for demos at scale.

Over a range of local days (default the 365 days ending yesterday) it generates, with a
seeded random generator (a run is reproducible on the same database state):

- encounters (outpatient, teleconsult, emergency, inpatient) with ICD-10 diagnoses;
- appointments behind every outpatient and teleconsult encounter (completed, with check-in
  and start times), plus cancelled and no-show ones, one active appointment per doctor slot;
- admissions with bed stays (some through intensive care), discharges (some deaths, some
  readmissions within 30 days), never two patients in one bed at a time; stays still running
  at the end are left active and their beds occupied;
- laboratory orders with results (from the catalogue's reference ranges, some abnormal, some
  critical with the ordering doctor's notification acknowledged later) and verification;
- imaging orders with final reports; prescriptions with dispenses from stock batches and
  their ledger movements (some returns);
- invoices of encounters with their charges and lines, payments, and insurance claims.

Missing reference data is created first: staff (doctors across departments, nurses, lab
technicians, radiologists, pharmacists, receptionists, accountants), wards with rooms and
beds, drugs and tariffs. Rows are written per day, in one transaction per day, with
PostgreSQL COPY (elsewhere bulk_create), with explicit keys reserved from each table's
sequence. No history rows and no audit events are written: this is synthetic data, not
clinical actions. The database should not take other writes while it runs.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
import math
import queue
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from hms.accounts.models import DoctorProfile, User
from hms.appointments.models import Appointment
from hms.billing.models import (
    Charge,
    ClaimLine,
    DocumentCounter,
    InsuranceClaim,
    Invoice,
    InvoiceLine,
    Payment,
    Tariff,
)
from hms.clinical.models import Diagnosis, Encounter
from hms.core.models import Notification
from hms.core.roles import Role
from hms.inpatient.models import Admission, Bed, BedStay, Room, Ward
from hms.laboratory.models import LabOrder, LabResult, LabTest, PanelComponent, ReferenceRange
from hms.patients.encryption import encrypt, keyed_hash
from hms.patients.models import InsurancePolicy, Patient
from hms.pharmacy.models import (
    Dispense,
    DispenseLine,
    Drug,
    Prescription,
    PrescriptionItem,
    StockBatch,
    StockMovement,
)
from hms.pharmacy.services.formulary import drug_set_derived
from hms.radiology.models import ImagingOrder, ImagingProcedure, ImagingReport

# Common ICD-10 (WHO 2019) codes with their WHO titles and a relative frequency in a general
# hospital's encounters.
ICD10 = [
    ("I10", "Essential (primary) hypertension", 9),
    ("E11.9", "Type 2 diabetes mellitus without complications", 7),
    ("J06.9", "Acute upper respiratory infection, unspecified", 8),
    ("J18.9", "Pneumonia, unspecified", 3),
    ("J45.9", "Asthma, unspecified", 3),
    ("J44.9", "Chronic obstructive pulmonary disease, unspecified", 2),
    ("A09", "Other gastroenteritis and colitis of infectious and unspecified origin", 4),
    ("K21.9", "Gastro-oesophageal reflux disease without oesophagitis", 3),
    ("K35.8", "Acute appendicitis, other and unspecified", 1),
    ("K80.2", "Calculus of gallbladder without cholecystitis", 1),
    ("N39.0", "Urinary tract infection, site not specified", 4),
    ("B54", "Unspecified malaria", 2),
    ("A15.0", "Tuberculosis of lung, confirmed by sputum microscopy", 1),
    ("B20", "HIV disease resulting in infectious and parasitic diseases", 1),
    ("I21.9", "Acute myocardial infarction, unspecified", 1),
    ("I50.9", "Heart failure, unspecified", 2),
    ("I48", "Atrial fibrillation and flutter", 1),
    ("I63.9", "Cerebral infarction, unspecified", 1),
    ("E78.5", "Hyperlipidaemia, unspecified", 3),
    ("E03.9", "Hypothyroidism, unspecified", 1),
    ("D50.9", "Iron deficiency anaemia, unspecified", 2),
    ("M54.5", "Low back pain", 4),
    ("M17.9", "Gonarthrosis, unspecified", 2),
    ("S52.5", "Fracture of lower end of radius", 1),
    ("S72.0", "Fracture of neck of femur", 1),
    ("T14.1", "Open wound of unspecified body region", 2),
    ("R50.9", "Fever, unspecified", 3),
    ("R10.4", "Other and unspecified abdominal pain", 3),
    ("R51", "Headache", 2),
    ("G43.9", "Migraine, unspecified", 1),
    ("F32.9", "Depressive episode, unspecified", 2),
    ("F41.1", "Generalized anxiety disorder", 1),
    ("L03.9", "Cellulitis, unspecified", 1),
    ("O80", "Single spontaneous delivery", 2),
    ("O14.9", "Pre-eclampsia, unspecified", 1),
    ("Z00.0", "General medical examination", 3),
    ("Z34.9", "Supervision of normal pregnancy, unspecified", 2),
    ("H10.9", "Conjunctivitis, unspecified", 1),
    ("H66.9", "Otitis media, unspecified", 1),
    ("N18.9", "Chronic kidney disease, unspecified", 1),
]

# Doctors' departments and specialisations (DoctorProfile), with a share of the doctors.
DEPARTMENTS = [
    ("General Practice", "General practice", 5),
    ("Internal Medicine", "Internal medicine", 4),
    ("Cardiology", "Cardiology", 2),
    ("Paediatrics", "Paediatrics", 3),
    ("Surgery", "General surgery", 3),
    ("Obstetrics and Gynaecology", "Obstetrics and gynaecology", 2),
    ("Orthopaedics", "Orthopaedics", 2),
    ("Emergency Medicine", "Emergency medicine", 3),
]

# Generated wards when the hospital has none: (code, name, type, share of the beds).
WARDS = [
    ("GMED", "General medicine", "medical", 0.30),
    ("GSUR", "General surgery", "surgical", 0.22),
    ("MAT", "Maternity", "maternity", 0.14),
    ("PAED", "Paediatrics", "paediatric", 0.14),
    ("ICU", "Intensive care", "icu", 0.06),
    ("HDU", "High dependency", "hdu", 0.04),
    ("ISO", "Isolation", "isolation", 0.04),
    ("PSY", "Psychiatry", "psychiatric", 0.06),
]

STAFF_FIRST_NAMES = ("Amina", "Brian", "Chen", "Daniela", "Emeka", "Fatima", "George", "Hana")
STAFF_LAST_NAMES = ("Achieng", "Baker", "Costa", "Dubois", "Eze", "Fischer", "Garcia", "Kamau")
PAYERS = ["National Health Insurance", "Jubilee Health", "AAR Insurance", "Britam", "CIC Health"]

ENCOUNTER_TYPES = [("outpatient", 0.72), ("teleconsult", 0.08), ("emergency", 0.16)]
# Inpatient encounters are the admissions: `--admissions` (default 4% of the encounters).
SLOT_MINUTES = 10
CLINIC_OPEN = dtime(7, 0)
SLOTS_PER_DAY = 72  # 07:00-19:00 in 10-minute slots
APPOINTMENTS_PER_DOCTOR_DAY = 56  # booked share of the slots, leaves room for cancellations

Q2 = Decimal("0.01")
BATCH_UNITS = 5000  # units of a drug received at a time
FLUSH_ROWS = 50_000  # rows generated before they are handed to the writer


def money(value) -> Decimal:
    return Decimal(value).quantize(Q2, rounding=ROUND_HALF_UP)


class TableWriter:
    """Rows of one model, given explicit primary keys, written with COPY or bulk_create."""

    def __init__(self, model: type[models.Model], use_copy: bool):
        self.model = model
        self.use_copy = use_copy
        self.fields = list(model._meta.concrete_fields)
        self.json_fields = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.defaults = {}
        for f in self.fields:
            if f.primary_key:
                continue
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField):
                self.defaults[f.attname] = ""
        pk = model._meta.pk.attname
        self.pk = pk
        self.next_id = (model._base_manager.aggregate(m=Max(pk))["m"] or 0) + 1
        self.rows: list[dict] = []
        self.written = 0

    def add(self, **row) -> int:
        pk = self.next_id
        self.next_id += 1
        row[self.pk] = pk
        self.rows.append(row)
        return pk

    def take(self) -> list[dict]:
        rows, self.rows = self.rows, []
        return rows

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        names = [f.attname for f in self.fields]
        defaults = self.defaults
        if self.use_copy:
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
            table = connection.ops.quote_name(self.model._meta.db_table)
            sql = f"COPY {table} ({columns}) FROM STDIN"  # names from the model only
            json_fields = self.json_fields
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    values = []
                    for name in names:
                        value = row[name] if name in row else defaults[name]
                        if name in json_fields:
                            value = json.dumps(value)
                        values.append(value)
                    copy.write_row(values)
        else:
            objs = []
            for row in rows:
                full = {name: row[name] if name in row else defaults[name] for name in names}
                objs.append(self.model(**full))
            # The rows carry their own times: auto_now(_add) must not replace them.
            stamped = [f for f in self.fields if getattr(f, "auto_now", False)] + [
                f for f in self.fields if getattr(f, "auto_now_add", False)
            ]
            saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
            try:
                for f in stamped:
                    f.auto_now = f.auto_now_add = False
                self.model._base_manager.bulk_create(objs, batch_size=500)
            finally:
                for f, auto_now, auto_now_add in saved:
                    f.auto_now, f.auto_now_add = auto_now, auto_now_add
        self.written += len(rows)

    def reset_sequence(self) -> None:
        if connection.vendor != "postgresql" or not self.written:
            return
        table = self.model._meta.db_table
        column = self.model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                [connection.ops.quote_name(table), column, self.next_id - 1],
            )


class Sink:
    """Writes the generated rows, all tables of a batch in one transaction (parents first;
    PostgreSQL checks the foreign keys at commit). With COPY, a second thread writes while the
    next days are generated, so Python and PostgreSQL each keep a core busy."""

    def __init__(self, writers: list[TableWriter], threaded: bool, trust_keys: bool = False):
        self.writers = writers
        self.trust_keys = trust_keys
        self.threaded = threaded
        self.error: BaseException | None = None
        if threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._loop, name="generate-writer")
            self.thread.start()

    def submit(self) -> int:
        batch = [(writer, writer.take()) for writer in self.writers]
        count = sum(len(rows) for _, rows in batch)
        if not self.threaded:
            self._write(batch)
            return count
        if self.error is not None:
            raise self.error
        self.queue.put(batch)
        return count

    def close(self) -> None:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def _write(self, batch) -> None:
        with transaction.atomic():
            if self.trust_keys:
                # The keys were all taken from rows that exist or are in this batch; skipping
                # the per-row foreign key triggers makes the load several times faster.
                # Checks, unique and exclusion constraints still apply.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            for writer, rows in batch:
                writer.write(rows)

    def _loop(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self._write(batch)
                    except BaseException as exc:  # raised again in the generating thread
                        self.error = exc
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Generate a range of hospital activity for the existing patients (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--date-from", type=date.fromisoformat, default=None)
        parser.add_argument("--date-to", type=date.fromisoformat, default=None)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--encounters", type=int, default=50_000)
        parser.add_argument(
            "--admissions", type=int, default=None, help="Default: 4%% of the encounters."
        )
        parser.add_argument(
            "--lab-results", type=int, default=None, help="About; default 40%% of encounters."
        )
        parser.add_argument(
            "--imaging-orders", type=int, default=None, help="About; default 5%% of encounters."
        )
        parser.add_argument(
            "--dispenses", type=int, default=None, help="About; default 15%% of encounters."
        )
        parser.add_argument(
            "--invoices", type=int, default=None, help="About; default 10%% of encounters."
        )
        parser.add_argument(
            "--no-copy", action="store_true", help="PostgreSQL: bulk_create instead of COPY."
        )
        parser.add_argument(
            "--trust-keys",
            action="store_true",
            help="PostgreSQL, as a superuser: skip the foreign-key triggers while loading "
            "(session_replication_role = replica for the load's transactions). Several times "
            "faster; every key written comes from a row that exists.",
        )

    def handle(self, *args, **options):
        generator = ActivityGenerator(self, options)
        generator.run()


class ActivityGenerator:
    def __init__(self, command: Command, options: dict):
        self.out = command.stdout
        self.style = command.style
        today = timezone.localdate()
        self.date_to = options["date_to"] or today - timedelta(days=1)
        self.date_from = options["date_from"] or self.date_to - timedelta(days=364)
        if self.date_to < self.date_from:
            raise CommandError("--date-to is before --date-from")
        self.days = (self.date_to - self.date_from).days + 1
        self.rng = random.Random(options["seed"])  # noqa: S311 - synthetic, reproducible
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        n = options["encounters"]
        if n < 1:
            raise CommandError("--encounters must be positive")
        self.n_admissions = options["admissions"]
        if self.n_admissions is None:
            self.n_admissions = max(1, round(n * 0.04))
        self.n_encounters = max(n - self.n_admissions, 0)  # the rest besides admissions
        self.n_lab_results = _default(options["lab_results"], n * 0.4)
        self.n_imaging = _default(options["imaging_orders"], n * 0.05)
        self.n_dispenses = _default(options["dispenses"], n * 0.15)
        self.n_invoices = _default(options["invoices"], n * 0.10)
        self.use_copy = connection.vendor == "postgresql" and not options["no_copy"]
        self.trust_keys = self.use_copy and options["trust_keys"]
        self.started = time.perf_counter()

    # --- set-up ------------------------------------------------------------------------------

    def log(self, text: str) -> None:
        self.out.write(f"[{time.perf_counter() - self.started:7.1f} s] {text}")
        self.out.flush()

    def run(self) -> None:
        patients = list(Patient.objects.order_by("id").values_list("id", "public_id"))
        if not patients:
            raise CommandError("No patients: run generate_patients first.")
        self.patient_ids = [p[0] for p in patients]
        self.patient_public = dict(patients)
        self.log(
            f"{len(patients):,} patients; generating {self.date_from} to {self.date_to} "
            f"({self.days} days)"
        )
        with transaction.atomic():
            self._staff()
            self._wards_and_beds()
            self._catalogues()
        self._writers()
        self._generate()
        with transaction.atomic():
            self._finish()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.log("VACUUM (ANALYZE) of the written tables")
            with connection.cursor() as cursor:
                for writer in self.w.values():
                    table = connection.ops.quote_name(writer.model._meta.db_table)
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
        total = sum(w.written for w in self.w.values())
        elapsed = time.perf_counter() - self.started
        counts = ", ".join(
            f"{w.model._meta.verbose_name_plural}: {w.written:,}"
            for w in self.w.values()
            if w.written
        )
        self.out.write(self.style.SUCCESS(f"Generated {total:,} rows in {elapsed:.1f} s."))
        self.out.write(counts)

    def _staff(self) -> None:
        rng = self.rng
        per_day_appointments = (self.n_encounters * 0.8 * 1.2) / self.days
        need_doctors = max(8, math.ceil(per_day_appointments / APPOINTMENTS_PER_DOCTOR_DAY))
        doctors = list(
            User.objects.filter(role=Role.DOCTOR, is_active=True)
            .select_related("doctor_profile")
            .order_by("id")
        )
        departments = [d for d, _, share in DEPARTMENTS for _ in range(share)]
        spec_of = {d: s for d, s, _ in DEPARTMENTS}
        for i in range(len(doctors), need_doctors):
            dept = departments[i % len(departments)]
            user = _generated_user(f"gen-doctor-{i + 1:04d}", Role.DOCTOR, rng)
            DoctorProfile.objects.create(
                user=user, specialization=spec_of[dept], department=dept, available=True
            )
            doctors.append(user)
        self.doctors = [d.id for d in doctors]
        self.doctor_dept = {}
        for d in User.objects.filter(id__in=self.doctors).select_related("doctor_profile"):
            profile = getattr(d, "doctor_profile", None)
            self.doctor_dept[d.id] = profile.department if profile else ""
        emergency = [d for d in self.doctors if self.doctor_dept[d] == "Emergency Medicine"]
        self.emergency_doctors = emergency or self.doctors
        self.staff = {}
        for role, count in [
            (Role.NURSE, 6),
            (Role.RECEPTIONIST, 3),
            (Role.LAB_TECHNICIAN, 4),
            (Role.RADIOLOGIST, 3),
            (Role.PHARMACIST, 3),
            (Role.ACCOUNTANT, 2),
        ]:
            ids = list(
                User.objects.filter(role=role, is_active=True)
                .order_by("id")
                .values_list("id", flat=True)
            )
            for i in range(len(ids), count):
                ids.append(_generated_user(f"gen-{role.value}-{i + 1:02d}", role, rng).id)
            self.staff[role] = ids
        self.log(f"staff: {len(self.doctors)} doctors, {sum(map(len, self.staff.values()))} others")

    def _wards_and_beds(self) -> None:
        mean_stay_days = 4.2
        per_day = self.n_admissions / self.days
        need_beds = max(12, math.ceil(per_day * mean_stay_days * 1.6) + 8)
        beds = list(Bed.objects.filter(active=True, ward__active=True).select_related("ward"))
        busy = set(Admission.objects.filter(status="active").values_list("bed_id", flat=True))
        beds = [b for b in beds if b.id not in busy]
        if len(beds) < need_beds:
            now = self.now
            missing = need_beds - len(beds)
            for code, name, ward_type, share in WARDS:
                count = max(2, math.ceil(missing * share))
                ward, _ = Ward.objects.get_or_create(
                    code=f"G{code}",
                    defaults={"name": f"{name} (generated)", "type": ward_type, "floor": "G"},
                )
                existing = Bed.objects.filter(ward=ward).count()
                new_beds = []
                for i in range(existing, existing + count):
                    room, _ = Room.objects.get_or_create(ward=ward, name=f"R{i // 4 + 1:03d}")
                    new_beds.append(
                        Bed(
                            ward=ward,
                            room=room,
                            label=f"G{code}-{i + 1:04d}",
                            status="available",
                            status_changed_at=now,
                        )
                    )
                Bed.objects.bulk_create(new_beds)
            beds = list(Bed.objects.filter(active=True, ward__active=True).select_related("ward"))
            beds = [b for b in beds if b.id not in busy]
        # Per ward a heap of (free from, bed id): a bed takes a stay only once free.
        self.ward_type = {}
        self.bed_heaps: dict[int, list] = defaultdict(list)
        start = datetime.combine(self.date_from, dtime(0), tzinfo=self.tz) - timedelta(days=1)
        for bed in beds:
            self.ward_type[bed.ward_id] = bed.ward.type
            self.bed_heaps[bed.ward_id].append((start, bed.id))
        self.bed_ward = {b.id: b.ward_id for b in beds}
        self.icu_wards = [w for w, t in self.ward_type.items() if t == "icu"]
        self.general_wards = [w for w, t in self.ward_type.items() if t != "icu"] or self.icu_wards
        self.ward_weights = [len(self.bed_heaps[w]) for w in self.general_wards]
        self.log(f"beds: {len(beds):,} free in {len(self.ward_type)} wards")

    def _catalogues(self) -> None:
        # Laboratory: orderable tests (analytes and panels) with their analytes' ranges.
        tests = {t.id: t for t in LabTest.objects.filter(active=True)}
        components = defaultdict(list)
        for link in PanelComponent.objects.order_by("panel_id", "position"):
            components[link.panel_id].append(link.test_id)
        ranges = {}
        for r in ReferenceRange.objects.filter(age_from="").order_by("id"):
            if r.sex in ("any", "female") and r.test_id not in ranges:
                ranges[r.test_id] = r
        self.lab_tests = tests
        self.lab_ranges = ranges
        self.lab_orderable = []
        for test in tests.values():
            analytes = components.get(test.id) if test.kind == "panel" else [test.id]
            if analytes:
                self.lab_orderable.append((test.id, analytes))
        if not self.lab_orderable:
            raise CommandError("The laboratory catalogue is empty (migrations load it).")
        self.lab_mean_results = sum(len(a) for _, a in self.lab_orderable) / len(self.lab_orderable)
        self.procedures = list(
            ImagingProcedure.objects.filter(active=True).values_list("id", "modality", "code")
        )
        # Pharmacy: the formulary (the demo's, when empty).
        if not Drug.objects.exists():
            from hms.pharmacy.demo import FORMULARY

            drugs = []
            for row in FORMULARY:
                generic, brand, form, strength, route, atc, drug_class, unit, dose_unit = row[:9]
                drug = Drug(
                    generic_name=generic,
                    brand_name=brand,
                    form=form,
                    strength=strength,
                    route=route,
                    atc_code=atc,
                    drug_class=drug_class,
                    unit=unit,
                    dose_unit=dose_unit,
                    strength_amount=None if row[9] is None else Decimal(str(row[9])),
                    reorder_level=row[13],
                    price=Decimal(row[14]),
                )
                drug_set_derived(drug)
                drugs.append(drug)
            Drug.objects.bulk_create(drugs)
        self.drugs = list(
            Drug.objects.filter(active=True).values_list(
                "id",
                "public_id",
                "price",
                "unit",
                "dose_unit",
                "route",
                "generic_name",
                "strength",
            )
        )
        # Billing: tariffs (the demo's price list, when empty).
        if not Tariff.objects.exists():
            from hms.billing.demo import TARIFFS

            start = date(self.date_from.year - 1, 1, 1)
            Tariff.objects.bulk_create(
                Tariff(
                    code=code,
                    category=category,
                    name=name,
                    price=Decimal(price),
                    tax_rate=Decimal(tax),
                    valid_from=start,
                )
                for code, category, name, price, tax in TARIFFS
            )
        # One open price per category: its general (fallback) code, else the first code.
        self.tariffs = {}
        for t in Tariff.objects.filter(valid_until__isnull=True).order_by("code"):
            if t.code.endswith("-GENERAL") or t.category not in self.tariffs:
                self.tariffs[t.category] = t
        self.icd_codes = [(c, t) for c, t, _ in ICD10]
        self.icd_cum = list(itertools.accumulate(w for _, _, w in ICD10))
        self.inpatient_doctors = [
            d for d in self.doctors if self.doctor_dept.get(d) != "General Practice"
        ] or self.doctors

    def _writers(self) -> None:
        models_in_order = [
            Encounter,
            Appointment,
            Diagnosis,
            Admission,
            BedStay,
            LabOrder,
            LabResult,
            Notification,
            ImagingOrder,
            ImagingReport,
            Prescription,
            PrescriptionItem,
            StockBatch,
            Dispense,
            DispenseLine,
            StockMovement,
            InsurancePolicy,
            Charge,
            Invoice,
            InvoiceLine,
            InsuranceClaim,
            ClaimLine,
            Payment,
        ]
        self.w = {m: TableWriter(m, self.use_copy) for m in models_in_order}
        # Per-day appointment slots: doctor -> next free slot index, reset each day.
        self.patient_free_at: dict[int, datetime] = {}
        self.occupied_beds: set[int] = set()
        forever = datetime.max.replace(tzinfo=self.tz)
        for patient in Admission.objects.filter(status="active").values_list(
            "patient_id", flat=True
        ):
            self.patient_free_at[patient] = forever
        self.recent_discharges: deque[tuple[datetime, int]] = deque()
        self.deceased: set[int] = set()
        self.batches: dict[int, list] = {}  # drug id -> [current batch id, its balance]
        self.batch_balance: dict[int, int] = {}  # every batch written -> its balance
        self.policies: dict[int, tuple[int, str]] = {}
        # Numbers continue after the counters and after any number already used.
        self.counters = {(c.kind, c.year): c.last_value for c in DocumentCounter.objects.all()}
        used = [
            (
                "invoice",
                Invoice.objects.values("number_year").annotate(last=Max("number_sequence")),
            ),
            (
                "receipt",
                Payment.objects.values("receipt_year").annotate(last=Max("receipt_sequence")),
            ),
        ]
        for kind, rows in used:
            for row in rows:
                year = row.get("number_year") or row.get("receipt_year")
                if year:
                    key = (kind, year)
                    self.counters[key] = max(self.counters.get(key, 0), row["last"] or 0)
        self.placer_serial = self.w[LabOrder].next_id
        self.accession_serial = self.w[ImagingOrder].next_id

    # --- generation --------------------------------------------------------------------------

    def _generate(self) -> None:
        rng = self.rng
        days = [self.date_from + timedelta(days=i) for i in range(self.days)]
        # Activity is lower at weekends: weights per day, counts drawn per day.
        weights = [1.0 if d.weekday() < 5 else 0.45 for d in days]
        enc_per_day = _spread(self.n_encounters, weights, rng)
        adm_per_day = _spread(self.n_admissions, [1.0] * len(days), rng)
        total_enc = max(self.n_encounters + self.n_admissions, 1)
        self.p_lab = self.n_lab_results / self.lab_mean_results / total_enc
        self.p_imaging = self.n_imaging / total_enc
        self.p_dispense = self.n_dispenses / total_enc
        self.p_invoice = self.n_invoices / total_enc
        done_rows = 0
        last_report = time.perf_counter()
        window_rows = 0
        sink = Sink(
            list(self.w.values()),
            threaded=self.use_copy and not connection.in_atomic_block,
            trust_keys=self.trust_keys,
        )
        try:
            for index, day in enumerate(days):
                self._day(day, enc_per_day[index], adm_per_day[index])
                pending = sum(len(w.rows) for w in self.w.values())
                if pending < FLUSH_ROWS and index < len(days) - 1:
                    continue
                rows = sink.submit()
                done_rows += rows
                window_rows += rows
                now = time.perf_counter()
                if now - last_report >= 5 or index == len(days) - 1:
                    rate = window_rows / (now - last_report)
                    self.log(
                        f"{day}  day {index + 1:>3}/{len(days)}  {done_rows:>12,} rows  "
                        f"({rate:,.0f} rows/s)"
                    )
                    last_report, window_rows = now, 0
        finally:
            sink.close()
        self.log(f"{done_rows:,} rows written")

    def _at(self, day: date, minutes: float) -> datetime:
        return datetime.combine(day, dtime(0), tzinfo=self.tz) + timedelta(minutes=minutes)

    def _patient(self) -> int:
        while True:
            pid = self.rng.choice(self.patient_ids)
            if pid not in self.deceased:
                return pid

    def _icd(self) -> tuple[str, str]:
        x = self.rng.random() * self.icd_cum[-1]
        return self.icd_codes[bisect.bisect_right(self.icd_cum, x)]

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _day(self, day: date, n_encounters: int, n_admissions: int) -> None:
        rng = self.rng
        kinds = rng.choices(
            [k for k, _ in ENCOUNTER_TYPES], weights=[w for _, w in ENCOUNTER_TYPES], k=n_encounters
        )
        outpatients = [k for k in kinds if k != "emergency"]
        emergencies = n_encounters - len(outpatients)
        self._clinics(day, outpatients)
        for _ in range(emergencies):
            start = self._at(day, rng.uniform(0, 1439))
            doctor = rng.choice(self.emergency_doctors)
            end = start + timedelta(minutes=rng.randint(30, 360))
            self._encounter(day, "emergency", self._patient(), doctor, start, end)
        admit_times = sorted(rng.uniform(0, 1439) for _ in range(n_admissions))
        for minutes in admit_times:
            self._admission(day, self._at(day, minutes))

    def _clinics(self, day: date, kinds: list[str]) -> None:
        """Completed appointments (each with its encounter), cancellations and no-shows,
        spread over the doctors' slots: one active appointment per (doctor, date, slot)."""
        rng = self.rng
        doctors = self.doctors
        next_slot = dict.fromkeys(doctors, 0)
        order = list(doctors)
        rng.shuffle(order)
        cursor = 0
        receptionists = self.staff[Role.RECEPTIONIST]
        appointments = [(k, "completed") for k in kinds]
        extra_cancel = round(len(kinds) * 0.12)
        extra_noshow = round(len(kinds) * 0.06)
        appointments += [
            (rng.choice(["outpatient", "teleconsult"]), "cancelled") for _ in range(extra_cancel)
        ]
        appointments += [("outpatient", "no_show")] * extra_noshow
        rng.shuffle(appointments)
        for kind, status in appointments:
            for _ in range(len(order)):
                doctor = order[cursor % len(order)]
                cursor += 1
                if next_slot[doctor] < SLOTS_PER_DAY:
                    break
            else:
                continue  # every slot of the day is taken
            slot_index = next_slot[doctor]
            # A cancelled appointment frees its slot: the next booking may take it again.
            if status != "cancelled":
                next_slot[doctor] += 1
            start = self._at(day, CLINIC_OPEN.hour * 60 + slot_index * SLOT_MINUTES)
            end = start + timedelta(minutes=SLOT_MINUTES)
            patient = self._patient()
            booked_at = start - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
            row = {
                "public_id": self._uuid(),
                "created_at": booked_at,
                "updated_at": start,
                "patient_id": patient,
                "doctor_id": doctor,
                "date": day,
                "slot": start.timetz().replace(tzinfo=None),
                "start_at": start,
                "end_at": end,
                "status": status,
                "reason": "",
                "visit_type": "teleconsult" if kind == "teleconsult" else "in_person",
                "booked_by_id": rng.choice(receptionists),
                "encounter_id": None,
            }
            if status == "cancelled":
                cancelled = booked_at + (start - booked_at) * rng.random()
                row.update(
                    cancelled_at=cancelled,
                    cancelled_by_id=row["booked_by_id"],
                    cancel_reason=rng.choice(["Patient request", "Doctor unavailable", ""]),
                    updated_at=cancelled,
                )
            elif status == "completed":
                checked_in = start - timedelta(minutes=rng.uniform(0, 25))
                started = start + timedelta(minutes=max(0, rng.gauss(12, 10)))
                completed = started + timedelta(minutes=rng.uniform(6, 25))
                if kind == "teleconsult":
                    checked_in = start - timedelta(minutes=rng.uniform(0, 5))
                row.update(
                    checked_in_at=checked_in,
                    started_at=started,
                    completed_at=completed,
                    updated_at=completed,
                )
                row["encounter_id"] = self._encounter(
                    day, kind, patient, doctor, started, completed
                )
            self.w[Appointment].add(**row)
            if status == "completed":
                self._billable_visit(row)

    def _encounter(self, day, kind, patient, doctor, start, end, *, open_=False) -> int:
        rng = self.rng
        encounter = self.w[Encounter].add(
            public_id=self._uuid(),
            created_at=start,
            updated_at=end or start,
            patient_id=patient,
            attending_doctor_id=doctor,
            type=kind,
            status="open" if open_ else "closed",
            started_at=start,
            ended_at=None if open_ else end,
            reason="",
            created_by_id=doctor,
        )
        n_diagnoses = rng.choices([0, 1, 2, 3], weights=[8, 62, 24, 6])[0]
        for i in range(n_diagnoses):
            code, title = self._icd()
            at = start + timedelta(minutes=5 + i)
            self.w[Diagnosis].add(
                public_id=self._uuid(),
                created_at=at,
                updated_at=at,
                patient_id=patient,
                encounter_id=encounter,
                code=code,
                title=title,
                type="confirmed" if rng.random() < 0.7 else "provisional",
                diagnosed_at=at,
                diagnosed_by_id=doctor,
            )
        self._current = {
            "kind": kind,
            "encounter": encounter,
            "patient": patient,
            "doctor": doctor,
            "start": start,
            "end": end or start + timedelta(hours=2),
            "charges": [],
        }
        if kind == "emergency":
            tariff = self.tariffs.get("consultation")
            if tariff is not None:
                self._current["charges"].append(
                    ("manual", self._uuid().hex, tariff, "Emergency attendance", end, Decimal(1))
                )
        self._orders()
        return encounter

    # --- orders of an encounter ---------------------------------------------------------------

    def _orders(self) -> None:
        rng = self.rng
        cur = self._current
        lab_count = _poisson(rng, self.p_lab)
        for _ in range(lab_count):
            self._lab_order(cur)
        if rng.random() < self.p_imaging:
            self._imaging_order(cur)
        if rng.random() < self.p_dispense:
            self._prescription(cur)
        if rng.random() < self.p_invoice:
            self._invoice(cur)

    def _lab_order(self, cur) -> None:
        rng = self.rng
        test_id, analytes = rng.choice(self.lab_orderable)
        priority = rng.choices(["routine", "urgent", "stat"], weights=[80, 14, 6])[0]
        rank = {"stat": 0, "urgent": 1, "routine": 2}[priority]
        ordered = cur["start"] + timedelta(minutes=rng.uniform(5, 40))
        collected = ordered + timedelta(minutes=rng.uniform(5, 90))
        started = collected + timedelta(minutes=rng.uniform(10, 60))
        tat_hours = {"stat": 1.0, "urgent": 3.0, "routine": 10.0}[priority]
        resulted = started + timedelta(hours=rng.expovariate(1 / tat_hours) * 0.7)
        verified = resulted + timedelta(minutes=rng.uniform(5, 120))
        techs = self.staff[Role.LAB_TECHNICIAN]
        entered_by, verified_by = rng.sample(techs, 2)
        status = "verified" if verified <= self.now else "resulted"
        if resulted > self.now:
            status = "in_progress"
        self.placer_serial += 1
        order_public = self._uuid()
        values = []
        for analyte in analytes:
            values.append((analyte, *self._lab_value(analyte)))
        critical = any(flag in ("critical_low", "critical_high") for _, _, _, flag in values)
        order = self.w[LabOrder].add(
            public_id=order_public,
            created_at=ordered,
            updated_at=verified if status == "verified" else ordered,
            patient_id=cur["patient"],
            test_id=test_id,
            placer_number=f"LG{self.placer_serial:010d}",
            priority=priority,
            priority_rank=rank,
            status=status,
            ordering_doctor_id=cur["doctor"],
            ordered_by_id=cur["doctor"],
            encounter_id=cur["encounter"],
            ordered_at=ordered,
            collected_at=collected,
            collected_by_id=entered_by,
            started_at=started,
            resulted_at=resulted if status != "in_progress" else None,
            verified_at=verified if status == "verified" else None,
            verified_by_id=verified_by if status == "verified" else None,
            turnaround=(verified - ordered) if status == "verified" else None,
            has_critical=critical and status != "in_progress",
        )
        if status == "in_progress":
            return
        patient_public = self.patient_public[cur["patient"]]
        for analyte, numeric, text, flag in values:
            test = self.lab_tests[analyte]
            rng_ = self.lab_ranges.get(analyte)
            result_public = self._uuid()
            self.w[LabResult].add(
                public_id=result_public,
                created_at=resulted,
                updated_at=verified if status == "verified" else resulted,
                order_id=order,
                test_id=analyte,
                version=1,
                value_numeric=numeric,
                value_text=text,
                unit=test.unit,
                reported_value=text or (format(numeric.normalize(), "f")),
                reported_unit=test.unit,
                flag=flag,
                reference_low=rng_.low if rng_ else None,
                reference_high=rng_.high if rng_ else None,
                critical_low=rng_.critical_low if rng_ else None,
                critical_high=rng_.critical_high if rng_ else None,
                source="manual",
                entered_by_id=entered_by,
                entered_at=resulted,
                verified_at=verified if status == "verified" else None,
                verified_by_id=verified_by if status == "verified" else None,
            )
            if flag in ("critical_low", "critical_high") and status == "verified":
                acked = verified + timedelta(minutes=rng.expovariate(1 / 25))
                read = acked - timedelta(minutes=rng.uniform(0, 2))
                pending = acked > self.now or rng.random() < 0.03
                self.w[Notification].add(
                    public_id=self._uuid(),
                    created_at=verified,
                    updated_at=verified if pending else acked,
                    recipient_id=cur["doctor"],
                    kind="lab_critical_result",
                    severity="critical",
                    title=f"Critical result: {test.name}",
                    body="",
                    link="",
                    patient_id=str(patient_public),
                    dedupe_key=f"lab_critical:{result_public}",
                    read_at=None if pending else read,
                    acknowledged_at=None if pending else acked,
                    acknowledged_by_id=None if pending else cur["doctor"],
                )
        if status == "verified":
            tariff = self.tariffs.get("lab_test")
            if tariff:
                cur["charges"].append(
                    (
                        "lab_order",
                        str(order_public),
                        tariff,
                        f"Laboratory: {self.lab_tests[test_id].name}",
                        verified,
                        Decimal(1),
                    )
                )

    def _lab_value(self, analyte: int):
        """(numeric, text, flag) of one analyte: normal most of the time."""
        rng = self.rng
        test = self.lab_tests[analyte]
        r = self.lab_ranges.get(analyte)
        if test.kind == "text":
            allowed = test.allowed_values or ["Negative", "Positive"]
            normal = test.normal_values or allowed[:1]
            value = rng.choice(normal) if rng.random() < 0.85 else rng.choice(allowed)
            return None, value, "normal" if value in normal else "abnormal"
        places = Decimal(1).scaleb(-min(test.decimals, 4))
        if r is None or r.low is None or r.high is None:
            base = float(r.low or r.high or 10) if r else 10.0
            value = Decimal(str(abs(rng.gauss(base, base * 0.2)) + 0.1)).quantize(places)
            return value, "", ""
        low, high = float(r.low), float(r.high)
        span = high - low or max(high, 1) * 0.2
        x = rng.random()
        if x < 0.025 and (r.critical_low is not None or r.critical_high is not None):
            if r.critical_high is not None and (r.critical_low is None or rng.random() < 0.6):
                v = float(r.critical_high) + abs(rng.gauss(0, span * 0.3)) + span * 0.01
            else:
                v = max(float(r.critical_low) - abs(rng.gauss(0, span * 0.1)), 0)
        elif x < 0.18:
            if rng.random() < 0.6:
                top = float(r.critical_high) if r.critical_high is not None else high + span
                v = rng.uniform(high, top)
            else:
                bottom = float(r.critical_low) if r.critical_low is not None else low - span / 2
                v = rng.uniform(max(bottom, 0), low)
        else:
            v = rng.uniform(low, high)
        value = Decimal(str(v)).quantize(places)
        # The flag follows the rounded value (rounding may move it onto a limit).
        return value, "", _flag(value, r)

    def _imaging_order(self, cur) -> None:
        rng = self.rng
        proc_id, modality, code = rng.choice(self.procedures)
        ordered = cur["start"] + timedelta(minutes=rng.uniform(5, 60))
        started = ordered + timedelta(minutes=rng.uniform(20, 600))
        acquired = started + timedelta(minutes=rng.uniform(5, 40))
        reported = acquired + timedelta(minutes=rng.expovariate(1 / 240))
        status = "reported" if reported <= self.now else "acquired"
        self.accession_serial += 1
        order = self.w[ImagingOrder].add(
            public_id=self._uuid(),
            created_at=ordered,
            updated_at=reported if status == "reported" else acquired,
            patient_id=cur["patient"],
            procedure_id=proc_id,
            modality=modality,
            accession_number=f"G{self.accession_serial:012d}",
            ordering_doctor_id=cur["doctor"],
            requested_by_id=cur["doctor"],
            encounter_id=cur["encounter"],
            priority=rng.choices(["routine", "urgent", "stat"], weights=[75, 18, 7])[0],
            laterality="",
            clinical_indication="Clinical assessment",
            status=status,
            started_at=started,
            acquired_at=acquired,
            reported_at=reported if status == "reported" else None,
        )
        if status != "reported":
            return
        radiologist = rng.choice(self.staff[Role.RADIOLOGIST])
        report_public = self._uuid()
        self.w[ImagingReport].add(
            public_id=report_public,
            created_at=acquired,
            updated_at=reported,
            order_id=order,
            kind="report",
            status="final",
            findings="No acute abnormality." if rng.random() < 0.7 else "Abnormal findings.",
            impression="See findings.",
            critical=rng.random() < 0.02,
            author_id=radiologist,
            finalized_at=reported,
            finalized_by_id=radiologist,
        )
        tariff = self.tariffs.get("radiology")
        if tariff:
            cur["charges"].append(
                (
                    "radiology_report",
                    str(report_public),
                    tariff,
                    f"Imaging: {code}",
                    reported,
                    Decimal(1),
                )
            )

    def _batch(self, drug_id: int, need: int, at: datetime) -> tuple[int, int]:
        """The drug's current batch, a new lot received when it runs short (a receipt
        movement); returns (batch id, balance before)."""
        state = self.batches.get(drug_id)
        if state is None or state[1] < need:
            received = at - timedelta(hours=1)
            quantity = max(need, BATCH_UNITS)
            lot = self.w[StockBatch].next_id
            batch = self.w[StockBatch].add(
                public_id=self._uuid(),
                created_at=received,
                updated_at=received,
                drug_id=drug_id,
                lot_number=f"GEN-{lot:08d}",
                expiry_date=at.date() + timedelta(days=540),
                location="pharmacy",
                quantity=0,  # set at the end from the ledger
                unit_cost=Decimal("0.05"),
                supplier="Generated supplies",
                received_at=received,
            )
            self.w[StockMovement].add(
                public_id=self._uuid(),
                batch_id=batch,
                drug_id=drug_id,
                kind="receipt",
                quantity=quantity,
                balance_after=quantity,
                reason="",
                reference=f"GEN-{lot:08d}",
                occurred_at=received,
                actor_id=self.staff[Role.PHARMACIST][0],
            )
            state = self.batches[drug_id] = [batch, quantity]
            self.batch_balance[batch] = quantity
        return state[0], state[1]

    def _prescription(self, cur) -> None:
        rng = self.rng
        prescribed = cur["start"] + timedelta(minutes=rng.uniform(5, 30))
        dispensed = prescribed + timedelta(minutes=rng.uniform(10, 180))
        pharmacist = rng.choice(self.staff[Role.PHARMACIST])
        rx = self.w[Prescription].add(
            public_id=self._uuid(),
            created_at=prescribed,
            updated_at=dispensed,
            patient_id=cur["patient"],
            prescriber_id=cur["doctor"],
            encounter_id=cur["encounter"],
            status="dispensed",
            prescribed_at=prescribed,
            safety_warnings=[],
        )
        dispense = self.w[Dispense].add(
            public_id=self._uuid(),
            created_at=dispensed,
            updated_at=dispensed,
            prescription_id=rx,
            dispensed_by_id=pharmacist,
            dispensed_at=dispensed,
        )
        tariff = self.tariffs.get("drug")
        for drug in rng.sample(self.drugs, rng.choices([1, 2, 3], weights=[55, 30, 15])[0]):
            drug_id, _, price, unit, dose_unit, route, name, strength = drug
            quantity = rng.choice([5, 10, 14, 20, 21, 28, 30])
            item = self.w[PrescriptionItem].add(
                public_id=self._uuid(),
                created_at=prescribed,
                updated_at=dispensed,
                prescription_id=rx,
                drug_id=drug_id,
                dose=Decimal(1),
                dose_unit=dose_unit,
                route=route,
                frequency=rng.choice(["od", "bd", "tds"]),
                duration_days=rng.choice([5, 7, 10, 14, 30]),
                quantity=quantity,
                quantity_dispensed=quantity,
                start_date=prescribed.astimezone(self.tz).date(),
            )
            batch, balance = self._batch(drug_id, quantity, dispensed)
            line_public = self._uuid()
            returned = 1 if rng.random() < 0.02 else 0
            self.w[DispenseLine].add(
                public_id=line_public,
                dispense_id=dispense,
                item_id=item,
                batch_id=batch,
                quantity=quantity,
                returned_quantity=returned,
            )
            balance -= quantity
            self.w[StockMovement].add(
                public_id=self._uuid(),
                batch_id=batch,
                drug_id=drug_id,
                kind="dispense",
                quantity=-quantity,
                balance_after=balance,
                dispense_id=dispense,
                occurred_at=dispensed,
                actor_id=pharmacist,
            )
            if returned:
                balance += returned
                self.w[StockMovement].add(
                    public_id=self._uuid(),
                    batch_id=batch,
                    drug_id=drug_id,
                    kind="return",
                    quantity=returned,
                    balance_after=balance,
                    reason="Returned unused",
                    dispense_id=dispense,
                    occurred_at=dispensed + timedelta(hours=rng.uniform(1, 48)),
                    actor_id=pharmacist,
                )
            self.batches[drug_id][1] = balance
            self.batch_balance[batch] = balance
            unit_price = money(price) if price else (tariff.price if tariff else Decimal(1))
            cur["charges"].append(
                (
                    "dispense_line",
                    str(line_public),
                    None,
                    f"{name} {strength} x {quantity} {unit}",
                    dispensed,
                    Decimal(quantity - returned),
                    unit_price,
                    f"DRUG-{drug[1]}",
                )
            )

    # --- admissions ------------------------------------------------------------------------

    def _take_bed(self, wards: list[int], weights, start: datetime, end: datetime) -> int | None:
        rng = self.rng
        for _ in range(4):
            ward = rng.choices(wards, weights=weights)[0] if weights else rng.choice(wards)
            heap = self.bed_heaps[ward]
            if heap and heap[0][0] <= start:
                _, bed = heapq.heappop(heap)
                # Cleaning after the patient leaves before the next one lies in it.
                heapq.heappush(heap, (end + timedelta(hours=2), bed))
                return bed
        return None

    def _admission(self, day: date, admitted: datetime) -> None:
        rng = self.rng
        # About one admission in ten is a readmission within 30 days of a discharge.
        recent = self.recent_discharges
        cutoff = admitted - timedelta(days=30)
        while recent and recent[0][0] < cutoff:
            recent.popleft()
        candidates = []
        if recent and rng.random() < 0.1:
            candidates = [rng.choice(recent) for _ in range(5)]
            candidates = [p for t, p in candidates if cutoff <= t < admitted]
        candidates += [self._patient() for _ in range(20)]
        free_at = self.patient_free_at
        for patient in candidates:
            if patient not in self.deceased and free_at.get(patient, admitted) <= admitted:
                break
        else:
            return
        stay_hours = max(6.0, rng.lognormvariate(math.log(3.2 * 24), 0.75))
        discharge = admitted + timedelta(hours=stay_hours)
        icu = self.icu_wards and rng.random() < 0.08
        if icu:
            icu_end = admitted + timedelta(hours=stay_hours * rng.uniform(0.3, 0.6))
            first = self._take_bed(self.icu_wards, None, admitted, icu_end)
            second = self._take_bed(self.general_wards, self.ward_weights, icu_end, discharge)
            if first is None or second is None:
                return
            stays = [
                (first, admitted, icu_end, "admission"),
                (second, icu_end, discharge, "icu_discharge"),
            ]
        else:
            bed = self._take_bed(self.general_wards, self.ward_weights, admitted, discharge)
            if bed is None:
                return
            stays = [(bed, admitted, discharge, "admission")]
            if rng.random() < 0.08:  # a transfer half-way
                moved = admitted + (discharge - admitted) / 2
                other = self._take_bed(self.general_wards, self.ward_weights, moved, discharge)
                if other is not None:
                    stays = [
                        (bed, admitted, moved, "admission"),
                        (other, moved, discharge, "transfer"),
                    ]
                    # The first bed is free again after the move (plus cleaning).
                    self._release(bed, moved)
        active = discharge > self.now
        doctor = rng.choice(self.inpatient_doctors)
        nurse = rng.choice(self.staff[Role.NURSE])
        deceased = not active and rng.random() < 0.03
        disposition = ""
        if not active:
            disposition = (
                "deceased"
                if deceased
                else rng.choices(
                    ["home", "transferred", "self_discharge", "other"], weights=[90, 5, 3, 2]
                )[0]
            )
        encounter = self._encounter(
            day,
            "inpatient",
            patient,
            doctor,
            admitted,
            None if active else discharge,
            open_=active,
        )
        last_bed = stays[-1][0]
        admission_public = self._uuid()
        admission = self.w[Admission].add(
            public_id=admission_public,
            created_at=admitted,
            updated_at=admitted if active else discharge,
            patient_id=patient,
            encounter_id=encounter,
            attending_doctor_id=doctor,
            ward_id=self.bed_ward[last_bed],
            bed_id=last_bed,
            status="active" if active else "discharged",
            admission_type=rng.choices(
                ["emergency", "elective", "maternity", "transfer_in"], weights=[60, 28, 9, 3]
            )[0],
            reason="Admitted for care",
            admitted_at=admitted,
            admitted_by_id=nurse,
            spo2_scale=1,
            discharged_at=None if active else discharge,
            discharged_by_id=None if active else doctor,
            discharge_disposition=disposition,
        )
        for bed, start, end, kind in stays:
            open_stay = active and end == discharge
            self.w[BedStay].add(
                public_id=self._uuid(),
                created_at=start,
                updated_at=start if open_stay else end,
                admission_id=admission,
                bed_id=bed,
                ward_id=self.bed_ward[bed],
                kind=kind,
                started_at=start,
                ended_at=None if open_stay else end,
                moved_by_id=nurse,
            )
        if active:
            self.occupied_beds.add(last_bed)
            self.patient_free_at[patient] = datetime.max.replace(tzinfo=self.tz)
        else:
            self.patient_free_at[patient] = discharge
            if deceased:
                self.deceased.add(patient)
            else:
                self.recent_discharges.append((discharge, patient))
            # A discharged stay chosen for billing: its bed-days go on the invoice.
            cur = self._current
            tariff = self.tariffs.get("bed_day")
            if cur.get("pending_invoice"):
                nights = max(1, (discharge.astimezone(self.tz).date() - day).days)
                for n in range(min(nights, 30) if tariff else 0):
                    night = day + timedelta(days=n)
                    cur["charges"].append(
                        (
                            "bed_day",
                            f"{admission_public}:{night.isoformat()}",
                            tariff,
                            f"Bed-day {night.isoformat()}",
                            discharge,
                            Decimal(1),
                        )
                    )
                self._write_invoice(cur)

    def _release(self, bed: int, at: datetime) -> None:
        heap = self.bed_heaps[self.bed_ward[bed]]
        for i, (_, b) in enumerate(heap):
            if b == bed:
                heap[i] = (at + timedelta(hours=2), bed)
                heapq.heapify(heap)
                return

    # --- billing ---------------------------------------------------------------------------

    def _billable_visit(self, appointment: dict) -> None:
        """The consultation charge of a completed appointment goes on its encounter's bill."""
        cur = self._current
        category = "teleconsult" if appointment["visit_type"] == "teleconsult" else "consultation"
        tariff = self.tariffs.get(category) or self.tariffs.get("consultation")
        if tariff is None:
            return
        cur["charges"].insert(
            0,
            (
                "appointment",
                str(appointment["public_id"]),
                tariff,
                tariff.name,
                appointment["completed_at"],
                Decimal(1),
            ),
        )
        if cur.get("pending_invoice"):
            self._write_invoice(cur)

    def _invoice(self, cur) -> None:
        # A visit's consultation charge and a stay's bed-days are known after the orders:
        # those invoices are written then (a stay only once discharged).
        if cur["kind"] in ("outpatient", "teleconsult", "inpatient"):
            cur["pending_invoice"] = True
        else:
            self._write_invoice(cur)

    def _write_invoice(self, cur) -> None:
        cur["pending_invoice"] = False
        if not cur["charges"]:
            return
        rng = self.rng
        patient = cur["patient"]
        accountant = rng.choice(self.staff[Role.ACCOUNTANT])
        cashier = rng.choice(self.staff[Role.RECEPTIONIST])
        issued = min(cur["end"] + timedelta(minutes=rng.uniform(5, 90)), self.now)
        lines = []
        for position, charge in enumerate(cur["charges"][:40]):
            source, source_id, tariff, description, occurred, quantity = charge[:6]
            if tariff is not None:
                unit_price, tax_rate, code = tariff.price, tariff.tax_rate, tariff.code
            else:
                unit_price, tax_rate, code = charge[6], Decimal("0.00"), charge[7]
            occurred = min(occurred, issued)
            charge_id = self.w[Charge].add(
                public_id=self._uuid(),
                created_at=occurred,
                updated_at=issued,
                patient_id=patient,
                source_type=source,
                source_id=source_id,
                tariff_id=tariff.id if tariff else None,
                code=code,
                description=description[:255],
                quantity=quantity,
                unit_price=unit_price,
                tax_rate=tax_rate,
                currency=settings.HOSPITAL_CURRENCY,
                occurred_at=occurred,
                status="invoiced",
                reason="Emergency attendance" if source == "manual" else "",
                created_by_id=None,
            )
            subtotal = money(quantity * unit_price)
            tax = money(subtotal * tax_rate / 100)
            lines.append(
                (
                    position,
                    charge_id,
                    code,
                    description[:255],
                    quantity,
                    unit_price,
                    tax_rate,
                    subtotal,
                    tax,
                )
            )
        subtotal = sum(line[7] for line in lines)
        tax_total = sum(line[8] for line in lines)
        total = subtotal + tax_total
        year = issued.astimezone(self.tz).year
        key = ("invoice", year)
        self.counters[key] = self.counters.get(key, 0) + 1
        seq = self.counters[key]
        outcome = rng.choices(
            ["paid", "partially_paid", "issued", "void"], weights=[70, 12, 15, 3]
        )[0]
        if total <= 0:
            outcome = "issued"
        invoice_row = {
            "public_id": self._uuid(),
            "created_at": issued - timedelta(minutes=2),
            "updated_at": issued,
            "patient_id": patient,
            "status": outcome,
            "number": f"INV-{year}-{seq:06d}",
            "number_year": year,
            "number_sequence": seq,
            "currency": settings.HOSPITAL_CURRENCY,
            "subtotal": subtotal,
            "discount_total": Decimal("0.00"),
            "tax_total": tax_total,
            "total": total,
            "amount_paid": Decimal("0.00"),
            "created_by_id": accountant,
            "issued_at": issued,
            "issued_by_id": accountant,
            "due_date": issued.astimezone(self.tz).date() + timedelta(days=30),
        }
        if outcome == "void":
            invoice_row.update(
                voided_at=issued + timedelta(hours=1),
                voided_by_id=accountant,
                void_reason="Issued in error",
            )
        invoice = self.w[Invoice].add(**invoice_row)
        line_ids = []
        for (
            position,
            charge_id,
            code,
            description,
            quantity,
            unit_price,
            tax_rate,
            sub,
            tax,
        ) in lines:
            line_ids.append(
                (
                    self.w[InvoiceLine].add(
                        invoice_id=invoice,
                        charge_id=charge_id,
                        public_id=self._uuid(),
                        position=position,
                        code=code,
                        description=description,
                        quantity=quantity,
                        unit_price=unit_price,
                        tax_rate=tax_rate,
                        subtotal=sub,
                        tax_amount=tax,
                        total=sub + tax,
                        discount_amount=Decimal("0.00"),
                        released_at=(issued + timedelta(hours=1)) if outcome == "void" else None,
                    ),
                    sub + tax,
                )
            )
        if outcome == "void":
            for row in self.w[Charge].rows[-len(lines) :]:
                row["status"] = "unbilled"
            return
        paid = Decimal("0.00")
        if outcome in ("paid", "partially_paid"):
            claim_amount = Decimal("0.00")
            if rng.random() < 0.15 and total >= Decimal("1.00"):
                claim_amount = self._claim(invoice, patient, line_ids, total, issued)
            target = total if outcome == "paid" else money(total * Decimal(rng.uniform(0.2, 0.8)))
            if outcome == "partially_paid" and not (0 < target < total):
                outcome = "paid"
                target = total
            remaining = target - claim_amount
            if remaining < 0:
                remaining = Decimal("0.00")
                target = claim_amount
            if remaining > 0:
                at = min(issued + timedelta(minutes=rng.expovariate(1 / 600)), self.now)
                self._payment(
                    invoice,
                    rng.choice(["cash", "card", "mobile_money", "bank_transfer"]),
                    remaining,
                    at,
                    cashier,
                )
            paid = remaining + claim_amount
            if paid >= total:
                outcome, paid = "paid", total
            elif paid <= 0:
                outcome = "issued"
            else:
                outcome = "partially_paid"
        row = self.w[Invoice].rows[-1]
        row["status"] = outcome
        row["amount_paid"] = paid

    def _payment(self, invoice, method, amount, at, cashier, claim=None) -> None:
        year = at.astimezone(self.tz).year
        key = ("receipt", year)
        self.counters[key] = self.counters.get(key, 0) + 1
        seq = self.counters[key]
        self.w[Payment].add(
            public_id=self._uuid(),
            created_at=at,
            updated_at=at,
            invoice_id=invoice,
            method=method,
            amount=amount,
            currency=settings.HOSPITAL_CURRENCY,
            receipt_number=f"RCT-{year}-{seq:06d}",
            receipt_year=year,
            receipt_sequence=seq,
            received_by_id=cashier,
            received_at=at,
            claim_id=claim,
        )

    def _claim(self, invoice, patient, line_ids, total, issued) -> Decimal:
        """An insurance claim of the invoice (co-pay 10-20%): decided, mostly approved and
        paid; returns what the payer paid."""
        rng = self.rng
        policy = self.policies.get(patient)
        if policy is None:
            payer = rng.choice(PAYERS)
            number = f"P{rng.randrange(10**9):09d}"
            policy_id = self.w[InsurancePolicy].add(
                public_id=self._uuid(),
                created_at=issued,
                updated_at=issued,
                patient_id=patient,
                payer=payer,
                plan_name="Standard",
                policy_number=encrypt(number) if self.use_copy else number,
                policy_number_hash=keyed_hash(number),
                valid_from=self.date_from - timedelta(days=365),
                is_primary=True,
            )
            policy = self.policies[patient] = (policy_id, payer)
        copay_percent = Decimal(rng.choice([10, 15, 20]))
        lines = []
        for line_id, line_total in line_ids:
            copay = money(line_total * copay_percent / 100)
            lines.append((line_id, line_total, copay, line_total - copay))
        claimed = sum(line[3] for line in lines)
        if claimed <= 0:
            return Decimal("0.00")
        submitted = issued + timedelta(hours=rng.uniform(1, 24))
        decided = submitted + timedelta(days=rng.uniform(3, 30))
        status = rng.choices(
            ["paid", "partially_approved", "rejected", "submitted"], weights=[70, 10, 8, 12]
        )[0]
        if decided > self.now:
            status = "submitted"
        approved = None
        paid_amount = Decimal("0.00")
        paid_at = None
        if status == "paid":
            approved = claimed
        elif status == "partially_approved":
            approved = money(claimed * Decimal(rng.uniform(0.5, 0.9))) or claimed
        if status == "paid":
            paid_at = min(decided + timedelta(days=rng.uniform(1, 20)), self.now)
            paid_amount = approved
        claim = self.w[InsuranceClaim].add(
            public_id=self._uuid(),
            created_at=submitted,
            updated_at=paid_at or decided if status != "submitted" else submitted,
            invoice_id=invoice,
            policy_id=policy[0],
            status=status,
            payer=policy[1],
            copay_percent=copay_percent,
            copay_amount=sum(line[2] for line in lines),
            claimed_amount=claimed,
            approved_amount=approved,
            paid_amount=paid_amount,
            submitted_by_id=rng.choice(self.staff[Role.ACCOUNTANT]),
            submitted_at=submitted,
            decided_at=None if status == "submitted" else decided,
            paid_at=paid_at,
        )
        for line_id, line_total, copay, claimed_line in lines:
            self.w[ClaimLine].add(
                claim_id=claim,
                invoice_line_id=line_id,
                line_total=line_total,
                copay_amount=copay,
                claimed_amount=claimed_line,
            )
        if status == "paid":
            self._payment(
                invoice,
                "insurance",
                paid_amount,
                paid_at,
                rng.choice(self.staff[Role.ACCOUNTANT]),
                claim,
            )
            return paid_amount
        return Decimal("0.00")

    # --- end -------------------------------------------------------------------------------

    def _finish(self) -> None:
        # Batches hold what their ledger says; beds of running admissions are occupied;
        # numbering counters continue after the generated numbers; sequences after the keys.
        for batch, balance in self.batch_balance.items():
            StockBatch.objects.filter(id=batch).update(quantity=balance)
        Bed.objects.filter(id__in=self.occupied_beds).update(
            status="occupied", status_changed_at=self.now
        )
        for (kind, year), value in self.counters.items():
            DocumentCounter.objects.update_or_create(
                kind=kind, year=year, defaults={"last_value": value}
            )
        for writer in self.w.values():
            writer.reset_sequence()


def _generated_user(username: str, role: str, rng: random.Random) -> User:
    first = rng.choice(STAFF_FIRST_NAMES)
    last = rng.choice(STAFF_LAST_NAMES)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
    return user


def _default(value, computed: float) -> int:
    return round(computed) if value is None else value


def _spread(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """`total` split over the days in proportion to the weights, exactly."""
    if total <= 0:
        return [0] * len(weights)
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(len(weights)), k=len(weights))[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _flag(value: Decimal, r: ReferenceRange) -> str:
    if r.critical_low is not None and value < r.critical_low:
        return "critical_low"
    if r.critical_high is not None and value > r.critical_high:
        return "critical_high"
    if r.low is not None and value < r.low:
        return "low"
    if r.high is not None and value > r.high:
        return "high"
    return "normal"
