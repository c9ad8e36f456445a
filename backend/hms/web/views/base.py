"""Page plumbing shared by the portal's views: who may open a page, how the access module's
answers become pages, pagination and the patient's own chart."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from hms.core.errors import ForbiddenError, NotFoundError
from hms.patients.access import ChartSection, patient_get_for_user, patients_visible_to

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def portal_page(roles=None):
    """Signed-in users only (others go to the sign-in page); `roles` limits who may open it
    (others get 403). Pages are never cached: they show personal data."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if roles is not None and request.user.role not in roles:
                raise PermissionDenied("This page is not part of your role's portal.")
            return view(request, *args, **kwargs)

        return never_cache(login_required(wrapped))

    return decorator


def chart_errors_as_http(view):
    """The access module's answers as pages: 404 for a chart that is not yours (or does not
    exist), 403 with its explanation for a section or a patient outside your care."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except ForbiddenError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


def paginate(request, items, per_page: int = 20):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def form_status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def headline(user, *, doctor: bool = False) -> str:
    hour = timezone.localtime().hour
    greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
    if doctor and user.last_name:
        return f"{greeting}, Dr {user.last_name}"
    return f"{greeting}, {user.first_name or user.username}"


def own_chart(request, section: ChartSection):
    """The signed-in patient's own chart, opened (and audited) for `section`; None when the
    account has no chart yet."""
    own = patients_visible_to(user=request.user).values_list("public_id", flat=True).first()
    if own is None:
        return None
    return patient_get_for_user(user=request.user, patient_public_id=own, section=section)


def no_chart(request, title: str):
    return render(request, "web/portal/no_chart.html", {"title": title})
