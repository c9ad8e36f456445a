"""Patients as a paged table (search results)."""

from __future__ import annotations

from hms_desktop.api.dto import Patient
from hms_desktop.formatting import EMPTY
from hms_desktop.models.paged import Column, PagedTableModel

SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}


def _date(value) -> str:
    return value.isoformat() if value else EMPTY


def _age(patient: Patient) -> int | None:
    return patient.age()


class PatientsModel(PagedTableModel[Patient]):
    MRN, NAME, DOB, AGE, SEX, PHONE = range(6)
    columns = (
        Column("mrn", "MRN", lambda p: p.mrn),
        Column("name", "Name", lambda p: p.list_name),
        Column("date_of_birth", "Date of birth", lambda p: p.date_of_birth, display=_date),
        Column("age", "Age", _age),
        Column("sex", "Sex", lambda p: SEX_LABELS.get(p.sex, p.sex)),
        Column("phone", "Phone", lambda p: p.phone),
    )
