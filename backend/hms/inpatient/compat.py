"""Compatibility aliases of the resource routes, kept because the product brief names them
(docs/api.md lists both):

- POST /api/patients/admit/ is POST /api/admissions/.
- POST /api/patients/discharge/ is POST /api/admissions/{id}/discharge/, naming the admission,
  or the patient (their active admission), in the body.
- POST /api/icu/admit/ is an admission straight to an ICU bed, or a transfer into one for a
  patient already on a ward (stay kind `icu_admission`).
- POST /api/icu/discharge/ is a transfer out of the ICU to a ward bed (stay kind
  `icu_discharge`), naming the admission or the patient in the body.

GET /api/icu/ is not here: it is the ICU list itself (hms.inpatient.apis.icu), a resource
route the product brief also names.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.core.errors import ApplicationError
from hms.inpatient import selectors, services
from hms.inpatient.apis.admissions import (
    AdmissionDetailOutputSerializer,
    AdmitInputSerializer,
    admission_detail_data,
    admit_response,
)
from hms.inpatient.apis.common import admission_for, doctor_for, registry_patient
from hms.inpatient.apis.discharge import DischargeInputSerializer, discharge_response
from hms.inpatient.models import AdmissionType
from hms.patients.access import ChartSection


def _admission_from_body(request, data: dict, *, section=ChartSection.DEMOGRAPHICS):
    """`admission` id, or `patient` id (their active admission), from a compatibility-route body."""
    if data.get("admission"):
        return admission_for(request, data["admission"], section=section, purpose="write")
    patient_id = data.get("patient")
    if not patient_id:
        raise ApplicationError(
            "Say which admission (or patient).",
            code="validation_error",
            fields={"admission": ["Give admission or patient."]},
        )
    patient = registry_patient(request, patient_id)
    admission = selectors.active_admission_of(patient=patient)
    if admission is None:
        raise ApplicationError("This patient is not admitted.", code="not_admitted", status=409)
    return admission_for(request, admission.public_id, section=section, purpose="write")


class PatientAdmitApi(APIView):
    """Compatibility route POST /api/patients/admit/: admit a patient to a bed. Opens an inpatient
    encounter. 409 `bed_not_available` or `patient_already_admitted`."""

    permission_resource = "admissions"
    permission_actions = {"POST": "admit"}

    @extend_schema(request=AdmitInputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        return admit_response(request)


class PatientDischargeInputSerializer(DischargeInputSerializer):
    admission = serializers.UUIDField(required=False)
    patient = serializers.UUIDField(required=False, help_text="Their active admission.")


class PatientDischargeApi(APIView):
    """Compatibility route POST /api/patients/discharge/ `{admission | patient, disposition}`. Needs
    the doctor's signed discharge summary (409 `discharge_summary_required`, or
    `discharge_summary_unsigned` for a draft); closes the encounter and sends the bed to
    cleaning."""

    permission_resource = "admissions"
    permission_actions = {"POST": "discharge"}

    @extend_schema(
        request=PatientDischargeInputSerializer, responses=AdmissionDetailOutputSerializer
    )
    def post(self, request):
        data = PatientDischargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = _admission_from_body(request, data.validated_data)
        return discharge_response(request, admission, data.validated_data)


class IcuAdmitApi(APIView):
    """Compatibility route POST /api/icu/admit/ `{patient, bed, attending_doctor?, reason}`:
    a patient on a ward is transferred into the ICU bed; anyone else is admitted straight to
    ICU (then `attending_doctor` is required)."""

    permission_resource = "icu"
    permission_actions = {"POST": "admit"}

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        bed = serializers.UUIDField()
        attending_doctor = serializers.UUIDField(required=False)
        reason = serializers.CharField(max_length=2000)
        admission_type = serializers.ChoiceField(
            choices=AdmissionType.choices, required=False, default=AdmissionType.EMERGENCY
        )
        at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: AdmissionDetailOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        patient = registry_patient(request, params["patient"])
        admission = services.icu_admit(
            actor=request.user,
            patient=patient,
            bed=selectors.bed_get(public_id=params["bed"], field="bed"),
            attending_doctor=doctor_for(params.get("attending_doctor")),
            reason=params["reason"],
            admission_type=params["admission_type"],
            at=params.get("at"),
        )
        return Response(admission_detail_data(admission), status=status.HTTP_201_CREATED)


class IcuDischargeApi(APIView):
    """Compatibility route POST /api/icu/discharge/ `{admission | patient, bed}`: step down from
    ICU to a ward bed (leaving hospital is POST /api/patients/discharge/)."""

    permission_resource = "icu"
    permission_actions = {"POST": "discharge"}

    class InputSerializer(serializers.Serializer):
        admission = serializers.UUIDField(required=False)
        patient = serializers.UUIDField(required=False)
        bed = serializers.UUIDField()
        reason = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default=""
        )
        at = serializers.DateTimeField(required=False)
        attending_doctor = serializers.UUIDField(required=False)

    @extend_schema(request=InputSerializer, responses=AdmissionDetailOutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        admission = _admission_from_body(request, params)
        admission = services.icu_discharge(
            actor=request.user,
            admission=admission,
            bed=selectors.bed_get(public_id=params["bed"], field="bed"),
            reason=params["reason"],
            at=params.get("at"),
            attending_doctor=doctor_for(params.get("attending_doctor")),
        )
        return Response(admission_detail_data(admission))
