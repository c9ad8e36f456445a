from decimal import Decimal

import pytest

from hms.core.roles import Role
from hms.patients.tests.factories import AllergyFactory, CareAssignmentFactory, PatientFactory
from hms.pharmacy.models import DrugForm, Route
from hms.pharmacy.tests.factories import DrugFactory

__all__ = ["AllergyFactory"]


@pytest.fixture
def doctor(make_user):
    return make_user(Role.DOCTOR, first_name="Grace", last_name="Okafor")


@pytest.fixture
def patient(doctor):
    patient = PatientFactory(first_name="Amina", last_name="Yusuf")
    CareAssignmentFactory(patient=patient, doctor=doctor)
    return patient


@pytest.fixture
def doctor_client(client_for, doctor):
    return client_for(Role.DOCTOR, user=doctor)


@pytest.fixture
def pharmacist(make_user):
    return make_user(Role.PHARMACIST)


@pytest.fixture
def pharmacist_client(client_for, pharmacist):
    return client_for(Role.PHARMACIST, user=pharmacist)


@pytest.fixture
def amoxicillin(db):
    return DrugFactory(
        generic_name="Amoxicillin",
        form=DrugForm.CAPSULE,
        strength="500 mg",
        unit="capsule",
        atc_code="J01CA04",
        drug_class="penicillin",
        strength_amount=Decimal(500),
        usual_dose_min=Decimal(250),
        usual_dose_max=Decimal(1000),
        max_daily_dose=Decimal(3000),
    )


@pytest.fixture
def cefalexin(db):
    return DrugFactory(
        generic_name="Cefalexin",
        form=DrugForm.CAPSULE,
        strength="500 mg",
        unit="capsule",
        atc_code="J01DB01",
        drug_class="cephalosporin",
        usual_dose_min=Decimal(250),
        usual_dose_max=Decimal(1000),
        max_daily_dose=Decimal(4000),
    )


@pytest.fixture
def warfarin(db):
    return DrugFactory(
        generic_name="Warfarin",
        strength="5 mg",
        atc_code="B01AA03",
        drug_class="vitamin k antagonist",
        strength_amount=Decimal(5),
        usual_dose_min=Decimal(1),
        usual_dose_max=Decimal(10),
        max_daily_dose=Decimal(15),
    )


@pytest.fixture
def ibuprofen(db):
    return DrugFactory(
        generic_name="Ibuprofen",
        strength="400 mg",
        atc_code="M01AE01",
        drug_class="nsaid",
        strength_amount=Decimal(400),
        usual_dose_min=Decimal(200),
        usual_dose_max=Decimal(800),
        max_daily_dose=Decimal(2400),
    )


@pytest.fixture
def atorvastatin(db):
    return DrugFactory(
        generic_name="Atorvastatin",
        brand_name="Lipitor",
        strength="20 mg",
        atc_code="C10AA05",
        drug_class="statin",
        strength_amount=Decimal(20),
        usual_dose_min=Decimal(10),
        usual_dose_max=Decimal(80),
        max_daily_dose=Decimal(80),
    )


@pytest.fixture
def simvastatin(db):
    return DrugFactory(
        generic_name="Simvastatin",
        strength="20 mg",
        atc_code="C10AA01",
        drug_class="statin",
        strength_amount=Decimal(20),
        usual_dose_min=Decimal(10),
        usual_dose_max=Decimal(40),
        max_daily_dose=Decimal(80),
    )


@pytest.fixture
def paracetamol(db):
    return DrugFactory(
        generic_name="Paracetamol",
        strength="500 mg",
        atc_code="N02BE01",
        drug_class="analgesic",
        route=Route.ORAL,
        strength_amount=Decimal(500),
        usual_dose_min=Decimal(500),
        usual_dose_max=Decimal(1000),
        max_daily_dose=Decimal(4000),
    )


def item(drug, **overrides):
    body = {"drug": str(drug.public_id), "dose": "500", "frequency": "tds", "duration_days": 7}
    body.update(overrides)
    return body


@pytest.fixture
def prescribe(doctor_client, patient):
    """POST the compatibility route as the patient's doctor; returns the response."""

    def do(*items, client=None, patient_obj=None, **extra):
        body = {"patient": str((patient_obj or patient).public_id), "items": list(items), **extra}
        return (client or doctor_client).post("/api/pharmacy/prescription/", body, format="json")

    return do
