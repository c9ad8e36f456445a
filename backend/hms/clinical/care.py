"""How the medical record puts a patient in a clinician's care (for hms.patients.access)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from hms.clinical.models import Encounter, EncounterStatus
from hms.core.roles import Role
from hms.patients.access import register_care_relationship

# A closed encounter keeps the patient in the attending doctor's care this long (results
# arrive, follow-up questions); after that, the doctor needs an assignment or break-the-glass.
CARE_AFTER_ENCOUNTER = timedelta(days=90)


def encounter_care(user):
    """Patients with an open encounter attended by this doctor, or one closed recently."""
    if getattr(user, "role", None) != Role.DOCTOR:
        return None
    recent = timezone.now() - CARE_AFTER_ENCOUNTER
    return Encounter.objects.filter(
        Q(status=EncounterStatus.OPEN) | Q(ended_at__gte=recent), attending_doctor=user
    ).values("patient_id")


def register_clinical_care_relationships() -> None:
    register_care_relationship("encounter", encounter_care)
