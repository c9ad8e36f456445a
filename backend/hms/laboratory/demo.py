"""Demo lab orders in every state, including a verified critical potassium for Amina Yusuf
(which notifies the demo doctor) after two earlier electrolyte panels that show it climbing
over the week (4.1, then 5.2, then 6.8 mmol/l: her results page draws the trend), and verified
lipids on the portal patient's chart.

The demo has one lab technician, so an admin gives her a self-verification grant (a real
hospital would rather have a second technician verify)."""

from datetime import timedelta

from django.utils import timezone

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
from hms.core.roles import Role
from hms.laboratory import services
from hms.laboratory.models import LabOrder, LabTest
from hms.patients.models import Patient


@register_demo_loader(order=50, name="laboratory")
def load_demo_laboratory() -> str:
    doctor = User.objects.get(username="doctor", role=Role.DOCTOR)
    tech = User.objects.get(username="lab_technician", role=Role.LAB_TECHNICIAN)
    admin = User.objects.get(username="admin")
    if LabOrder.objects.filter(ordering_doctor=doctor).exists():
        return "already present"
    if services.active_verifier_grant(tech) is None:
        services.lab_verifier_grant_create(
            actor=admin, user=tech, reason="Demo: a single-handed laboratory"
        )
    amina = Patient.objects.filter(first_name="Amina", last_name="Yusuf").first()
    jose = Patient.objects.filter(last_name="Álvarez").first()
    portal = Patient.objects.filter(user__username="patient").first()
    now = timezone.now()

    def order(patient, code, priority="routine", hours_ago=0, notes=""):
        (placed,) = services.lab_order_create(
            actor=doctor,
            patient=patient,
            tests=[LabTest.objects.get(code=code)],
            priority=priority,
            clinical_notes=notes,
        )
        if hours_ago:
            LabOrder.objects.filter(pk=placed.pk).update(
                ordered_at=now - timedelta(hours=hours_ago)
            )
            placed.refresh_from_db()
        return placed

    def collect(placed, hours_ago=0):
        return services.lab_order_collect(
            actor=tech, order=placed, collected_at=now - timedelta(hours=hours_ago)
        )

    def result(placed, values):
        return services.lab_results_enter(
            actor=tech,
            order=placed,
            results=[
                services.ResultInput(test=LabTest.objects.get(code=code), value=value)
                for code, value in values.items()
            ],
        )

    made = 0
    if amina is not None:
        # Her potassium over the week on an ACE inhibitor: normal, high, then critical.
        for days_ago, potassium, sodium in ((6, "4.1", "139"), (3, "5.2", "138")):
            earlier = collect(
                order(amina, "LYTES", hours_ago=24 * days_ago, notes="ACE inhibitor started"),
                hours_ago=24 * days_ago - 0.5,
            )
            result(earlier, {"NA": sodium, "K": potassium, "CL": "102", "CO2": "24"})
            services.lab_order_verify(actor=tech, order=earlier)
            made += 1
        lytes = collect(
            order(amina, "LYTES", "stat", hours_ago=3, notes="On an ACE inhibitor; weakness"),
            hours_ago=2.8,
        )
        result(lytes, {"NA": "137", "K": "6.8", "CL": "101", "CO2": "21"})
        services.lab_order_verify(actor=tech, order=lytes)  # critical: notifies the doctor
        order(amina, "HBA1C", notes="Diabetes follow-up")
        made += 2
    if jose is not None:
        collect(order(jose, "CBC", "urgent", hours_ago=1), hours_ago=0.5)
        lipids = collect(order(jose, "LIPID", hours_ago=5), hours_ago=4.5)
        result(lipids, {"CHOL": "232", "TRIG": "180", "HDL": "38", "LDL": "158"})
        made += 2
    if portal is not None:
        lipids = collect(order(portal, "LIPID", hours_ago=26), hours_ago=25)
        result(lipids, {"CHOL": "186", "TRIG": "120", "HDL": "58", "LDL": "104"})
        services.lab_order_verify(actor=tech, order=lipids)
        order(portal, "TSH", "urgent", notes="Fatigue, weight gain")
        made += 2
    return f"{made} lab order(s) created"
