from rest_framework.pagination import PageNumberPagination


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
