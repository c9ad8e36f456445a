"""Demo wards (medical, surgical, maternity, paediatric, ICU) with rooms and beds; the demo
nurse assigned to the medical ward and the ICU; two admitted demo patients: José Álvarez on the
medical ward (his pharmacy prescriptions make his MAR) and Kwame Mensah in the ICU with a night
of observations (NEWS2), GCS and fluid balance. Idempotent: keyed on ward codes and on the
patients' active admissions.

The ward's day is the day the demo is loaded, whatever the hour: the charted observations fall
between the hospital's local midnight and now (spread over the night and morning when it is
early), José's doses of the day are on his MAR, those of earlier rounds given, and the latest
round's doses left open for the nurse (due, or overdue late in the evening)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
from hms.inpatient import selectors, services
from hms.inpatient.models import Admission, AdmissionStatus, Bed, Ward
from hms.patients.models import Patient

DEMO_WARDS = [
    # name, code, type, floor, rooms (name, short code for the bed labels, beds)
    (
        "Medical Ward A",
        "MED-A",
        "medical",
        "2",
        [("Bay 1", "B1", 4), ("Bay 2", "B2", 4), ("Side room", "SR", 1)],
    ),
    ("Surgical Ward", "SURG", "surgical", "3", [("Bay 1", "B1", 4), ("Bay 2", "B2", 4)]),
    ("Maternity", "MAT", "maternity", "1", [("Labour", "L", 2), ("Postnatal", "PN", 4)]),
    ("Paediatrics", "PAED", "paediatric", "1", [("Bay 1", "B1", 4)]),
    ("Intensive Care Unit", "ICU", "icu", "2", [("ICU", "C", 4), ("Isolation", "ISO", 1)]),
]


def bed_label(ward_code: str, room_code: str, number: int) -> str:
    """'MED-A-B2-3': bed 3 of bay 2 on Medical Ward A (unique in the ward)."""
    return f"{ward_code}-{room_code}-{number}"


def earlier_today(now: datetime, hours_ago: list[float]) -> list[datetime]:
    """Chart times `hours_ago` before now, kept on today's local date: when the earliest
    would fall before midnight, the series is spread, in the same order, between midnight
    and now."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), datetime.min.time()))
    longest = max(hours_ago)
    if now - timedelta(hours=longest) >= midnight:
        return [now - timedelta(hours=hours) for hours in hours_ago]
    elapsed = now - midnight
    return [now - elapsed * (hours / (longest + 1)) for hours in hours_ago]


def _todays_rounds(*, admission: Admission, nurse: User, now: datetime) -> int:
    """Give the doses of the rounds before the latest one since admission; the latest
    round's doses stay open for the nurse when they are today's."""
    view = selectors.admission_mar(admission=admission, since=admission.admitted_at, until=now)
    due = sorted({dose.scheduled_at for dose in view.doses if dose.record is None})
    if not due:
        return 0
    latest = due[-1]
    keep_open = timezone.localdate(latest) == timezone.localdate(now)
    given = 0
    for dose in view.doses:
        if dose.record is not None or (keep_open and dose.scheduled_at == latest):
            continue
        services.administration_record(
            actor=nurse,
            admission=admission,
            prescription_item=dose.item,
            status="given",
            scheduled_at=dose.scheduled_at,
            administered_at=min(dose.scheduled_at + timedelta(minutes=10), now),
        )
        given += 1
    return given


@register_demo_loader(order=65, name="inpatient")  # after pharmacy: its prescriptions feed the MAR
def load_demo_inpatient() -> str:
    admin = User.objects.get(username="admin")
    receptionist = User.objects.get(username="receptionist")
    nurse = User.objects.get(username="nurse")
    doctor = User.objects.get(username="doctor")

    made_wards = 0
    for name, code, ward_type, floor, rooms in DEMO_WARDS:
        if Ward.objects.filter(code=code).exists():
            continue
        ward = services.ward_create(actor=admin, name=name, code=code, type=ward_type, floor=floor)
        for room_name, room_code, beds in rooms:
            room = services.room_create(actor=admin, ward=ward, name=room_name)
            for number in range(1, beds + 1):
                services.bed_create(
                    actor=admin, room=room, label=bed_label(code, room_code, number)
                )
        if code in ("MED-A", "ICU"):
            services.nurse_ward_assign(
                actor=admin,
                nurse=nurse,
                ward=ward,
                starts_on=timezone.localdate() - timedelta(days=7),
                note="Demo rota",
            )
        made_wards += 1

    def free_bed(code):
        return (
            Bed.objects.select_related("ward", "room")
            .filter(ward__code=code, status="available", active=True)
            .order_by("id")
            .first()
        )

    admitted = []
    now = timezone.now()
    jose = Patient.objects.filter(last_name="Álvarez").first()
    if jose is not None and not Admission.objects.filter(patient=jose).exists():
        admission = services.admission_admit(
            actor=receptionist,
            patient=jose,
            bed=free_bed("MED-A"),
            attending_doctor=doctor,
            reason="Hyperglycaemia with dehydration (type 2 diabetes)",
            admitted_at=now - timedelta(days=2, hours=3),
        )
        series = ((8, 92, "37.9"), (4, 84, "37.4"), (1, 78, "37.0"))
        times = earlier_today(now, [hours_ago for hours_ago, *_ in series])
        for at, (_, pulse, temperature) in zip(times, series, strict=True):
            services.observation_record(
                actor=nurse,
                admission=admission,
                measured_at=at,
                respiratory_rate=18,
                spo2=97,
                on_oxygen=False,
                systolic_bp=128,
                diastolic_bp=78,
                pulse=pulse,
                consciousness="A",
                temperature_c=Decimal(temperature),
            )
        services.nursing_note_create(
            actor=nurse,
            admission=admission,
            text="Eating and drinking well; capillary glucose 8-11 mmol/l overnight.",
        )
        _todays_rounds(admission=admission, nurse=nurse, now=timezone.now())
        admitted.append(admission)

    kwame = Patient.objects.filter(last_name="Mensah").first()
    if kwame is not None and not Admission.objects.filter(patient=kwame).exists():
        admission = services.icu_admit(
            actor=receptionist,
            patient=kwame,
            bed=free_bed("ICU"),
            attending_doctor=doctor,
            reason="Severe community-acquired pneumonia with sepsis",
            at=now - timedelta(hours=20),
        )
        series = [
            # hours ago, RR, SpO2, O2, systolic, pulse, ACVPU, temperature
            (18, 28, 89, True, 92, 128, "C", "39.2"),
            (12, 25, 92, True, 98, 118, "A", "38.8"),
            (6, 23, 94, True, 104, 108, "A", "38.3"),
            (2, 22, 95, True, 108, 102, "A", "38.0"),
        ]
        times = earlier_today(now, [row[0] for row in series])
        for at, row in zip(times, series, strict=True):
            _, rr, spo2, oxygen, systolic, pulse, acvpu, temperature = row
            services.observation_record(
                actor=nurse,
                admission=admission,
                measured_at=at,
                respiratory_rate=rr,
                spo2=spo2,
                on_oxygen=oxygen,
                oxygen_flow_l_min=Decimal("4.0"),
                oxygen_device="Nasal cannula",
                systolic_bp=systolic,
                diastolic_bp=systolic - 38,
                pulse=pulse,
                consciousness=acvpu,
                temperature_c=Decimal(temperature),
            )
        assessments = ((18, 3, 4, 6), (6, 4, 5, 6))
        times = earlier_today(now, [row[0] for row in assessments])
        for at, (_, eye, verbal, motor) in zip(times, assessments, strict=True):
            services.gcs_record(
                actor=nurse,
                admission=admission,
                assessed_at=at,
                eye=eye,
                verbal=verbal,
                motor=motor,
            )
        fluids = (
            (19, "in", "iv", 1000),
            (14, "out", "urine", 350),
            (10, "in", "iv", 1000),
            (6, "out", "urine", 600),
            (3, "in", "oral", 200),
        )
        times = earlier_today(now, [row[0] for row in fluids])
        for at, (_, direction, kind, volume) in zip(times, fluids, strict=True):
            services.fluid_record(
                actor=nurse,
                admission=admission,
                recorded_at=at,
                direction=direction,
                kind=kind,
                volume_ml=volume,
            )
        admitted.append(admission)

    active = Admission.objects.filter(status=AdmissionStatus.ACTIVE).count()
    return f"{made_wards} ward(s) created, {len(admitted)} patient(s) admitted, {active} in beds"
