"""Writes to the medical record, one module per kind of record (base: what they share).

The services are re-exported here: callers write `clinical_services.encounter_create(...)`.
"""

from hms.clinical.services.diagnoses import (
    diagnosis_create,
    diagnosis_update,
    problem_create,
    problem_update,
)
from hms.clinical.services.documents import (
    document_download_record,
    document_update,
    document_upload,
    document_void,
)
from hms.clinical.services.encounters import encounter_close, encounter_create, encounter_update
from hms.clinical.services.notes import (
    visit_note_create,
    visit_note_update,
    visit_note_with_diagnoses_create,
)
from hms.clinical.services.vitals import DECIMAL_VITALS, vital_signs_record, vital_signs_update
from hms.clinical.services.voiding import clinical_record_void

__all__ = [
    "DECIMAL_VITALS",
    "clinical_record_void",
    "diagnosis_create",
    "diagnosis_update",
    "document_download_record",
    "document_update",
    "document_upload",
    "document_void",
    "encounter_close",
    "encounter_create",
    "encounter_update",
    "problem_create",
    "problem_update",
    "visit_note_create",
    "visit_note_update",
    "visit_note_with_diagnoses_create",
    "vital_signs_record",
    "vital_signs_update",
]
