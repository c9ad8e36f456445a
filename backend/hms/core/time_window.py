"""The one time-window filter used by timelines and charts: rows whose `field` lies in
[since, until), either bound optional."""

from django.db.models import QuerySet


def in_time_window(queryset: QuerySet, field: str, since, until) -> QuerySet:
    """Rows of `queryset` with `since <= field < until`; a bound that is None is not applied."""
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until})
    return queryset
