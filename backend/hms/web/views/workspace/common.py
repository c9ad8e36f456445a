"""What several workspace pages share: the doctor's open encounters with a patient, the
encounter a form chose, and the pharmacy's severe-warning level."""

from hms.clinical import selectors as clinical_selectors
from hms.clinical.models import EncounterStatus
from hms.pharmacy.safety import Severity
from hms.web.forms import NO_ENCOUNTER


def open_encounters(*, user, patient_id):
    """This doctor's open encounters with the patient, newest first: a note, a
    prescription or an order may go on one."""
    return list(
        clinical_selectors.encounter_list(
            user=user,
            filters={
                "patient": patient_id,
                "status": EncounterStatus.OPEN,
                "doctor": user.public_id,
            },
        )[:5]
    )


def encounter_chosen(encounters, choice):
    """The encounter a form's choice names, or None (no encounter)."""
    return next((e for e in encounters if str(e.public_id) == choice), None)


def encounter_initial(encounters) -> dict:
    """A form's initial encounter: the newest open one, else none."""
    return {"encounter": str(encounters[0].public_id) if encounters else NO_ENCOUNTER}


def severe(warnings: list[dict]) -> bool:
    """Whether any of the pharmacy's warnings is severe (prescribing then needs a reason)."""
    return any(w["severity"] == Severity.SEVERE for w in warnings)
