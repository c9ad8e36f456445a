"""A visit note and its diagnoses are written together or not at all."""

import pytest
from django.core.exceptions import ValidationError

from hms.clinical import services
from hms.clinical.models import Diagnosis, VisitNote
from hms.clinical.tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db


def test_the_note_and_its_diagnoses_are_saved_on_the_encounter():
    encounter = EncounterFactory()
    note = services.visit_note_with_diagnoses_create(
        actor=encounter.attending_doctor,
        patient=encounter.patient,
        encounter=encounter,
        notes="Wheeze on both sides.",
        codes=[("J45.9", "confirmed")],
    )
    assert note.encounter == encounter
    assert list(Diagnosis.objects.filter(encounter=encounter).values_list("code", flat=True)) == [
        "J45.9"
    ]


def test_a_bad_code_saves_neither_the_note_nor_the_diagnoses():
    encounter = EncounterFactory()
    with pytest.raises(ValidationError):
        services.visit_note_with_diagnoses_create(
            actor=encounter.attending_doctor,
            patient=encounter.patient,
            encounter=encounter,
            notes="Wheeze on both sides.",
            codes=[("J45.9", "confirmed"), ("NOT-A-CODE", "provisional")],
        )
    assert not VisitNote.objects.filter(encounter=encounter).exists()
    assert not Diagnosis.objects.filter(encounter=encounter).exists()
