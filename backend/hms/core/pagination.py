from rest_framework.pagination import PageNumberPagination

from hms.core.services import audit_page_read


class StandardPagination(PageNumberPagination):
    """Page-number pagination on every list; clients may ask for up to 100 rows a page."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(*, queryset, serializer_class, request, view, context: dict | None = None):
    """Paginate a selector's queryset and serialize one page (the HackSoft styleguide helper)."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request, **(context or {})})
    return paginator.get_paginated_response(serializer.data)


def audit_page(request, response, resource_type: str, *, patient_ids=None, detail=None) -> None:
    """One read-audit event for the list page a view is about to return: who looked, which
    patients were on it (by default each row's `patient.id`; sorted, once each) and the total
    count."""
    data = response.data
    if patient_ids is None:
        patient_ids = (row["patient"]["id"] for row in data.get("results", []))
    audit_page_read(
        actor=request.user,
        resource_type=resource_type,
        patient_ids=sorted({str(pid) for pid in patient_ids}),
        count=data.get("count") if isinstance(data, dict) else None,
        detail=detail,
    )
