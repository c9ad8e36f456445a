"""The notification inbox, for every signed-in user: the list, open the thing a notification
is about, acknowledge an alert, and the "needs attention" strip. Open pages refresh the strip
and the bell live (static/web/js/notifications.js listens on ws/notifications/)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hms.core.selectors import notification_counts, notification_get_for_user, notification_list
from hms.core.services import audit_page_read, notification_acknowledge, notification_mark_read
from hms.web.inbox import notification_web_url
from hms.web.views.base import paginate, portal_page, table_permission

FILTERS = {
    "all": ("All", {}),
    "unread": ("Unread", {"unread_only": True}),
    "attention": ("Needs attention", {"attention_only": True}),
}
# The strip on a landing page shows the newest few; the inbox has the rest.
STRIP_SIZE = 5


def _own_notification(request, public_id):
    notification = notification_get_for_user(user=request.user, public_id=public_id)
    if notification is None:
        raise Http404("No such notification.")
    return notification


def _with_urls(request, notifications):
    return [(n, notification_web_url(n, request.user)) for n in notifications]


def _audit(request, notifications, resource_type):
    patients = sorted({n.patient_id for n in notifications if n.patient_id})
    if patients:
        audit_page_read(
            actor=request.user,
            resource_type=resource_type,
            patient_ids=patients,
            count=len(notifications),
        )


def attention_context(request) -> dict:
    """The strip's rows: the user's critical alerts not yet acknowledged, newest first."""
    rows = list(notification_list(user=request.user, attention_only=True)[: STRIP_SIZE + 1])
    shown = rows[:STRIP_SIZE]
    _audit(request, shown, "notification_attention_strip")
    return {
        "attention_rows": _with_urls(request, shown),
        "attention_more": len(rows) > STRIP_SIZE,
        "attention_count": notification_counts(user=request.user)["attention"],
    }


@portal_page()
@table_permission("notifications", "list")
def notifications(request):
    show = request.GET.get("show", "all")
    if show not in FILTERS:
        show = "all"
    page = paginate(request, notification_list(user=request.user, **FILTERS[show][1]))
    rows = list(page.object_list)
    _audit(request, rows, "notification_inbox")
    context = {
        "page": page,
        "rows": _with_urls(request, rows),
        "show": show,
        "filters": [(key, label) for key, (label, _) in FILTERS.items()],
        "counts": notification_counts(user=request.user),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/notifications/_list.html", context)
    return render(request, "web/notifications/inbox.html", context)


@portal_page()
@table_permission("notifications", "list")
def notification_attention_strip(request):
    return render(request, "web/notifications/_attention_strip.html", attention_context(request))


@portal_page()
@table_permission("notifications", "mark_read")
def notification_open(request, notification_id):
    """Follow a notification to its subject; opening it marks it read."""
    notification = _own_notification(request, notification_id)
    notification_mark_read(user=request.user, notification_ids=[notification.public_id])
    target = notification_web_url(notification, request.user)
    return redirect(target or f"{reverse('web:notifications')}#n-{notification.public_id}")


@require_POST
@portal_page()
@table_permission("notifications", "acknowledge")
def notification_acknowledge_view(request, notification_id):
    notification = notification_acknowledge(
        actor=request.user, notification=_own_notification(request, notification_id)
    )
    if request.headers.get("HX-Request") == "true":
        if request.POST.get("from") == "strip":
            return render(
                request, "web/notifications/_attention_strip.html", attention_context(request)
            )
        return render(
            request,
            "web/notifications/_item.html",
            {"notification": notification, "url": notification_web_url(notification, request.user)},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:notifications")
    return redirect(back)
