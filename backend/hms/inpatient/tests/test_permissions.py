"""The inpatient rows of the role table: within the chart sections they open, and no
pharmacist anywhere."""

from hms.core.permissions import PERMISSIONS, roles_allowed, rule_for
from hms.core.roles import Role

INPATIENT_RESOURCES = (
    "wards",
    "rooms",
    "beds",
    "nurse_ward_assignments",
    "admissions",
    "icu",
    "discharge_summaries",
    "inpatient_charts",
    "mar",
    "bed_days",
)


def _section(name: str, action: str) -> frozenset:
    return roles_allowed(rule_for(f"patient_section:{name}", action))


def test_pharmacists_have_no_inpatient_access():
    for resource in INPATIENT_RESOURCES:
        for action, rule in PERMISSIONS[resource].items():
            assert Role.PHARMACIST not in roles_allowed(rule), (resource, action)


def test_receptionists_and_nurses_admit_and_discharge_doctors_write_summaries():
    for action in ("admit", "transfer", "discharge"):
        assert roles_allowed(PERMISSIONS["admissions"][action]) == {Role.RECEPTIONIST, Role.NURSE}
    for action in ("admit", "discharge"):
        assert roles_allowed(PERMISSIONS["icu"][action]) == {Role.RECEPTIONIST, Role.NURSE}
    assert roles_allowed(PERMISSIONS["discharge_summaries"]["write"]) == {Role.DOCTOR}


def test_per_admission_views_stay_within_the_chart_section_they_open():
    """The role table never promises what hms.patients.access will refuse."""
    checks = [
        ("admissions", ("list", "read"), "demographics", "read"),
        ("admissions", ("admit", "transfer", "discharge"), "demographics", "write"),
        ("icu", ("admit", "discharge"), "demographics", "write"),
        ("admissions", ("spo2_scale",), "clinical", "write"),
        ("discharge_summaries", ("read",), "clinical", "read"),
        ("discharge_summaries", ("write",), "clinical", "write"),
        ("inpatient_charts", ("read",), "clinical", "read"),
        ("inpatient_charts", ("create", "void"), "clinical", "write"),
        ("mar", ("read", "overdue"), "medications", "read"),
        ("mar", ("record",), "medications", "write"),
        ("bed_days", ("read",), "billing", "read"),
    ]
    for resource, actions, section, purpose in checks:
        for action in actions:
            allowed = roles_allowed(PERMISSIONS[resource][action])
            assert allowed <= _section(section, purpose), (resource, action)
