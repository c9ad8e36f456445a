"""Every query parameter the OpenAPI schema declares on a list works for every role: a valid
value never makes a server error (a filter pointing at a field its model lacks raised
FieldError, a 500, on the encounter and problem lists)."""

import uuid

import pytest
from rest_framework.test import APIClient

from hms.core.roles import Role

pytestmark = pytest.mark.django_db

SAMPLE_BY_FORMAT = {
    "uuid": lambda: str(uuid.uuid4()),
    "date": lambda: "2027-03-01",
    "date-time": lambda: "2027-03-01T08:00:00Z",
    "email": lambda: "someone@example.org",
    "uri": lambda: "https://example.org/",
}


def sample(schema: dict) -> str:
    """A valid value for a parameter's schema, as a query string value."""
    if "enum" in schema:
        return str(schema["enum"][0])
    if "allOf" in schema or "oneOf" in schema:
        return sample((schema.get("allOf") or schema["oneOf"])[0])
    if schema.get("format") in SAMPLE_BY_FORMAT:
        return SAMPLE_BY_FORMAT[schema["format"]]()
    kind = schema.get("type", "string")
    if kind == "boolean":
        return "true"
    if kind in ("integer", "number"):
        return str(schema.get("minimum", 1))
    if kind == "array":
        return sample(schema.get("items", {}))
    return "a"


def resolve(spec: dict, schema: dict) -> dict:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return spec["components"]["schemas"][name]
    return schema


@pytest.fixture(scope="module")
def list_parameters(django_db_blocker) -> list[tuple[str, str, str]]:
    """(path, parameter, value) for every query parameter of every GET without path
    parameters in the served schema."""
    with django_db_blocker.unblock():
        spec = APIClient().get("/api/schema/", {"format": "json"}).json()
    found = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                schema = resolve(spec, parameter.get("schema", {}))
                found.append((path, parameter["name"], sample(schema)))
    return found


def test_the_schema_declares_list_filters(list_parameters):
    assert len(list_parameters) > 100
    assert ("/api/visitnotes/", "encounter") in {(p, n) for p, n, _ in list_parameters}


@pytest.mark.parametrize("role", list(Role))
def test_every_declared_list_parameter_answers_without_a_server_error(
    client_for, list_parameters, role
):
    client = client_for(role)
    client.raise_request_exception = False
    server_errors = []
    for path, name, value in list_parameters:
        response = client.get(path, {name: value})
        if response.status_code >= 500:
            server_errors.append(f"{path}?{name}={value}: {response.status_code}")
    assert server_errors == []
