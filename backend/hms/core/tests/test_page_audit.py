"""`audit_page`: the one read event a list view writes for the page it returns."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from hms.accounts.tests.factories import UserFactory
from hms.core.models import AuditAction, AuditEvent
from hms.core.pagination import audit_page

pytestmark = pytest.mark.django_db


def _request():
    request = APIRequestFactory().get("/")
    request.user = UserFactory()
    return request


def test_names_each_rows_patient_once_sorted_with_the_count():
    page = {"count": 7, "results": [{"patient": {"id": pid}} for pid in ("b", "a", "b")]}
    audit_page(_request(), Response(page), "thing_list", detail={"queue": "2026-01-02"})
    event = AuditEvent.objects.get()
    assert (event.action, event.resource_type) == (AuditAction.READ, "thing_list")
    assert event.detail == {"patients": ["a", "b"], "count": 7, "queue": "2026-01-02"}


def test_given_patients_replace_the_rows_and_a_plain_list_has_no_count():
    audit_page(_request(), Response([{"x": 1}]), "board", patient_ids=[3, "1", 3])
    assert AuditEvent.objects.get().detail == {"patients": ["1", "3"], "count": None}
