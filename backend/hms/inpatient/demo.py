"""Demo wards (medical, surgical, maternity, paediatric, ICU) with rooms and beds; the demo
nurse assigned to the medical ward and the ICU; two admitted demo patients: José Álvarez on the
medical ward (his pharmacy prescriptions make his MAR) and Kwame Mensah in the ICU with a night
of observations (NEWS2), GCS and fluid balance. Idempotent: keyed on ward codes and on the
patients' active admissions."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
from hms.inpatient import services
from hms.inpatient.models import Admission, AdmissionStatus, Bed, Ward
from hms.patients.models import Patient

DEMO_WARDS = [
    # name, code, type, floor, rooms (name, beds)
    ("Medical Ward A", "MED-A", "medical", "2", [("Bay 1", 4), ("Bay 2", 4), ("Side room", 1)]),
    ("Surgical Ward", "SURG", "surgical", "3", [("Bay 1", 4), ("Bay 2", 4)]),
    ("Maternity", "MAT", "maternity", "1", [("Labour", 2), ("Postnatal", 4)]),
    ("Paediatrics", "PAED", "paediatric", "1", [("Bay 1", 4)]),
    ("Intensive Care Unit", "ICU", "icu", "2", [("ICU", 4), ("Isolation", 1)]),
]


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
        for room_name, beds in rooms:
            room = services.room_create(actor=admin, ward=ward, name=room_name)
            for number in range(1, beds + 1):
                services.bed_create(actor=admin, room=room, label=f"{code}-{room_name[:3]}{number}")
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
        for hours_ago, pulse, temperature in ((8, 92, "37.9"), (4, 84, "37.4"), (1, 78, "37.0")):
            services.observation_record(
                actor=nurse,
                admission=admission,
                measured_at=now - timedelta(hours=hours_ago),
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
        for hours_ago, rr, spo2, oxygen, systolic, pulse, acvpu, temperature in series:
            services.observation_record(
                actor=nurse,
                admission=admission,
                measured_at=now - timedelta(hours=hours_ago),
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
        for hours_ago, eye, verbal, motor in ((18, 3, 4, 6), (6, 4, 5, 6)):
            services.gcs_record(
                actor=nurse,
                admission=admission,
                assessed_at=now - timedelta(hours=hours_ago),
                eye=eye,
                verbal=verbal,
                motor=motor,
            )
        for hours_ago, direction, kind, volume in (
            (19, "in", "iv", 1000),
            (14, "out", "urine", 350),
            (10, "in", "iv", 1000),
            (6, "out", "urine", 600),
            (3, "in", "oral", 200),
        ):
            services.fluid_record(
                actor=nurse,
                admission=admission,
                recorded_at=now - timedelta(hours=hours_ago),
                direction=direction,
                kind=kind,
                volume_ml=volume,
            )
        admitted.append(admission)

    active = Admission.objects.filter(status=AdmissionStatus.ACTIVE).count()
    return f"{made_wards} ward(s) created, {len(admitted)} patient(s) admitted, {active} in beds"
