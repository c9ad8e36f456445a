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
from hms.core.permissions import user_may
from hms.patients.access import ChartSection, patient_get_for_user, patients_visible_to
from hms.web.forms import BreakGlassForm
from hms.web.navigation import WORKSPACE_ROLES

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
            if exc.code == "break_glass_required" and may_break_glass(request.user):
                return break_glass_page(request, patient_id=exc.extra.get("patient"), exc=exc)
            raise PermissionDenied(exc.message) from exc

    return wrapped


def table_permission(resource: str, action: str):
    """The role permission table's answer (hms.core.permissions), as for the API view that does
    the same thing: a role the table does not list gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_may(request.user, resource, action):
                raise PermissionDenied("Your role may not do this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def may_break_glass(user) -> bool:
    """Break-the-glass is offered on the web to the workspace roles the table allows it."""
    return user.role in WORKSPACE_ROLES and user_may(user, "patients", "break_glass")


BREAK_GLASS_EXPLANATION = (
    "This patient is not in your care. In an emergency you may open the chart by giving a "
    "reason (break the glass); the access is recorded and reviewed."
)


def break_glass_page(request, *, patient_id, exc=None, form=None, status: int = 403):
    """The 403 page with the break-the-glass form: a reason opens the chart (and is reviewed).
    After the grant the doctor comes back to the page they asked for."""
    back = request.get_full_path() if request.method == "GET" else ""
    form = form or BreakGlassForm(initial={"next": back})
    context = {
        "exception": exc.message if exc is not None else BREAK_GLASS_EXPLANATION,
        "break_glass": {"patient_id": patient_id, "form": form},
    }
    return render(request, "403.html", context, status=status)


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
