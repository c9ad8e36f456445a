"""Compatibility aliases of the resource routes (product brief): `POST /patients/assign-doctor/`
and `POST /doctors/assign-patient/` both make a doctor responsible for a patient (a care
assignment, listed at `patients/<id>/care-team/` and ended at `care-assignments/<id>/end/`).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.accounts import selectors as account_selectors
from hms.core.errors import ApplicationError
from hms.patients import selectors, services
from hms.patients.apis.care_team import CareAssignmentOutputSerializer


class _AssignApi(APIView):
    """POST {patient, doctor}: make the doctor responsible for the patient."""

    permission_resource = "patients"

    class InputSerializer(serializers.Serializer):
        patient = serializers.UUIDField()
        doctor = serializers.UUIDField(help_text="The doctor's id (as in /api/doctors/).")
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: CareAssignmentOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {}
        patient = selectors.patient_find(public_id=data.validated_data["patient"])
        if patient is None:
            fields["patient"] = ["No patient with this id."]
        doctor = account_selectors.doctor_user_find(public_id=data.validated_data["doctor"])
        if doctor is None:
            fields["doctor"] = ["No doctor with this id."]
        if fields:
            raise ApplicationError(
                "Some fields are invalid.", code="validation_error", fields=fields
            )
        assignment = services.care_assignment_create(
            actor=request.user, patient=patient, doctor=doctor, note=data.validated_data["note"]
        )
        return Response(
            CareAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED
        )


class PatientAssignDoctorApi(_AssignApi):
    permission_resource = "patients"
    permission_actions = {"POST": "assign_doctor"}


class DoctorAssignPatientApi(_AssignApi):
    permission_resource = "doctors"
    permission_actions = {"POST": "assign_patient"}
