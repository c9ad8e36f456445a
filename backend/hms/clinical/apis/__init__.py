"""The medical record's API views, one module per kind of record (base: what they share).

The views are re-exported here for the URLconf.
"""

from hms.clinical.apis.diagnoses import DiagnosisDetailApi, DiagnosisListCreateApi, DiagnosisVoidApi
from hms.clinical.apis.documents import (
    DocumentDetailApi,
    DocumentDownloadApi,
    DocumentListCreateApi,
    DocumentVoidApi,
)
from hms.clinical.apis.encounters import (
    EncounterCloseApi,
    EncounterDetailApi,
    EncounterListCreateApi,
    EncounterPdfApi,
    EncounterVoidApi,
)
from hms.clinical.apis.notes import VisitNoteDetailApi, VisitNoteListCreateApi, VisitNoteVoidApi
from hms.clinical.apis.problems import ProblemDetailApi, ProblemListCreateApi, ProblemVoidApi
from hms.clinical.apis.timeline import Icd10SearchApi, PatientTimelineApi
from hms.clinical.apis.vitals import VitalSignsDetailApi, VitalSignsListCreateApi, VitalSignsVoidApi

__all__ = [
    "DiagnosisDetailApi",
    "DiagnosisListCreateApi",
    "DiagnosisVoidApi",
    "DocumentDetailApi",
    "DocumentDownloadApi",
    "DocumentListCreateApi",
    "DocumentVoidApi",
    "EncounterCloseApi",
    "EncounterDetailApi",
    "EncounterListCreateApi",
    "EncounterPdfApi",
    "EncounterVoidApi",
    "Icd10SearchApi",
    "PatientTimelineApi",
    "ProblemDetailApi",
    "ProblemListCreateApi",
    "ProblemVoidApi",
    "VisitNoteDetailApi",
    "VisitNoteListCreateApi",
    "VisitNoteVoidApi",
    "VitalSignsDetailApi",
    "VitalSignsListCreateApi",
    "VitalSignsVoidApi",
]
