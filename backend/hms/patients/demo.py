"""Demo patients and the demo doctor's profile (idempotent: keyed on names and usernames)."""

from datetime import date

from hms.accounts.models import DoctorProfile, User
from hms.core.demo import register_demo_loader
from hms.patients import services
from hms.patients.models import Allergy, CareAssignment, Patient

DEMO_PATIENTS = [
    # first, last, date of birth, sex, phone, allergy (substance, reaction, severity) or None
    (
        "Amina",
        "Yusuf",
        date(1984, 5, 12),
        "female",
        "+254 700 100 001",
        ("Penicillin", "Hives", "severe"),
    ),
    ("José", "Álvarez", date(1972, 11, 3), "male", "+254 700 100 002", None),
    (
        "Mei",
        "Chen",
        date(1995, 2, 27),
        "female",
        "+254 700 100 003",
        ("Peanuts", "Anaphylaxis", "severe"),
    ),
    ("Kwame", "Mensah", date(1961, 8, 19), "male", "+254 700 100 004", None),
    ("Chloé", "Dubois", date(2012, 6, 30), "female", "+254 700 100 005", None),
    (
        "Ivan",
        "Petrov",
        date(1948, 1, 9),
        "male",
        "+254 700 100 006",
        ("Aspirin", "Asthma", "moderate"),
    ),
]


@register_demo_loader(order=20, name="patients")
def load_demo_patients() -> str:
    admin = User.objects.get(username="admin")
    receptionist = User.objects.get(username="receptionist")
    doctor = User.objects.get(username="doctor")
    DoctorProfile.objects.get_or_create(
        user=doctor,
        defaults={
            "specialization": "Internal medicine",
            "department": "Outpatients",
            "bio": "Consultant physician; diabetes and hypertension clinics.",
            "license_number": "DEMO-MD-0001",
        },
    )
    created = 0
    for first, last, dob, sex, phone, allergy in DEMO_PATIENTS:
        patient = Patient.objects.filter(
            first_name=first, last_name=last, date_of_birth=dob
        ).first()
        if patient is None:
            patient = services.patient_register(
                actor=receptionist,
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                sex=sex,
                phone=phone,
                email=f"{first.lower()}.{last.lower()}@demo.hms.local",
                city="Nairobi",
                country="Kenya",
                confirm_new_person=True,
            )
            created += 1
        if allergy and not Allergy.objects.filter(patient=patient).exists():
            substance, reaction, severity = allergy
            services.allergy_create(
                actor=doctor,
                patient=patient,
                substance=substance,
                reaction=reaction,
                severity=severity,
            )
    # The demo patient account gets its chart, and the first two patients are the demo
    # doctor's assigned patients.
    portal_user = User.objects.get(username="patient")
    if not Patient.objects.filter(user=portal_user).exists():
        services.patient_chart_create_for_account(
            user=portal_user, date_of_birth=date(1990, 4, 1), sex="female"
        )
    for patient in Patient.objects.filter(last_name__in=["Yusuf", "Álvarez"]):
        if not CareAssignment.objects.filter(patient=patient, doctor=doctor, active=True).exists():
            services.care_assignment_create(actor=admin, patient=patient, doctor=doctor)
    return f"{created} patient(s) created, {Patient.objects.count()} in the registry"
