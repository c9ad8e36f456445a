"""Template helpers for the portal: navigation, icons, form fields with their errors."""

from decimal import Decimal, InvalidOperation

from django import forms, template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hms.core.permissions import user_may
from hms.core.selectors import notification_counts
from hms.web.navigation import home_url_name_for, nav_items_for
from hms.web.results import flag_badge

register = template.Library()

# Simple line icons (24 by 24, stroke = currentColor), drawn for HMS.
_ICONS = {
    "home": '<path d="M3 11.5 12 4l9 7.5"/><path d="M5.5 9.5V20h13V9.5"/><path d="M10 20v-5h4v5"/>',
    "clipboard": '<rect x="5" y="4" width="14" height="17" rx="2"/><path d="M9 4h6v3H9z"/>'
    '<path d="M9 12h6M9 16h4"/>',
    "stethoscope": '<path d="M6 3v6a4 4 0 0 0 8 0V3"/><path d="M10 13v2a5 5 0 0 0 10 0v-2"/>'
    '<circle cx="20" cy="11" r="2"/>',
    "file": '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4"/><path d="M9 13h6M9 17h6"/>',
    "eye": '<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z"/>'
    '<circle cx="12" cy="12" r="3"/>',
    "users": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/>'
    '<path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 3.5 6"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
    "calendar": '<rect x="3" y="5" width="18" height="16" rx="2"/>'
    '<path d="M3 10h18M8 3v4M16 3v4"/>',
    "flask": '<path d="M9 3h6M10 3v6L4.5 19a1.5 1.5 0 0 0 1.3 2h12.4a1.5 1.5 0 0 0 1.3-2L14 9V3"/>'
    '<path d="M7 15h10"/>',
    "pill": '<rect x="2.5" y="8.5" width="19" height="7" rx="3.5" transform="rotate(-45 12 12)"/>'
    '<path d="m8.5 8.5 7 7"/>',
    "receipt": '<path d="M5 3h14v18l-3-2-2 2-2-2-2 2-2-2-3 2z"/><path d="M9 8h6M9 12h6"/>',
    "video": '<rect x="2" y="6" width="14" height="12" rx="2"/><path d="m16 10 6-3v10l-6-3"/>',
    "shield": '<path d="M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6z"/>'
    '<path d="m9 12 2 2 4-4"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "monitor": '<rect x="2" y="4" width="20" height="13" rx="2"/><path d="M8 21h8M12 17v4"/>',
    "bed": '<path d="M3 18V6M3 14h18v4M21 14v-2a3 3 0 0 0-3-3h-7v5"/>'
    '<circle cx="7" cy="11" r="2"/>',
    "list": '<path d="M9 6h12M9 12h12M9 18h12"/><circle cx="4" cy="6" r="1"/>'
    '<circle cx="4" cy="12" r="1"/><circle cx="4" cy="18" r="1"/>',
    "alert": '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/>',
    "activity": '<path d="M3 12h4l3-8 4 16 3-8h4"/>',
    "chart": '<path d="M4 20h16"/><path d="M7 16v-5M12 16V6M17 16v-8"/>',
    "logout": '<path d="M15 4h4a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-4"/><path d="M10 16l-4-4 4-4"/>'
    '<path d="M6 12h10"/>',
    "upload": '<path d="M12 16V4M7 9l5-5 5 5"/><path d="M4 16v4h16v-4"/>',
    "download": '<path d="M12 4v12M7 11l5 5 5-5"/><path d="M4 16v4h16v-4"/>',
    "printer": '<path d="M7 9V3h10v6"/><rect x="3" y="9" width="18" height="8" rx="2"/>'
    '<path d="M7 14h10v7H7z"/>',
    "heart": '<path d="M12 20s-7.5-4.6-9-9.5C2 7 4.2 4 7.5 4c2 0 3.5 1.1 4.5 2.6C13 5.1 14.5 4 '
    '16.5 4 19.8 4 22 7 21 10.5 19.5 15.4 12 20 12 20z"/><path d="M6 12h3l1.5-2.5 2 5 1.5-2.5h4"/>',
    "bell": '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-4-4"/>',
    "chevron-right": '<path d="m9 5 7 7-7 7"/>',
    "check": '<path d="m5 12 5 5 9-10"/>',
    "message": '<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9h8M8 12h5"/>',
    "mic": '<rect x="9" y="3" width="6" height="11" rx="3"/>'
    '<path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>',
    "phone-off": '<path d="M3 13.5c5-4.7 13-4.7 18 0l-2.5 2.5-3-1.5v-2.4a9 9 0 0 0-7 0'
    'v2.4l-3 1.5z"/>',
    "paperclip": '<path d="m20 11-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5'
    'a2 2 0 0 1-3-3L14 7"/>',
    "send": '<path d="M21 3 3 11l7 2 2 7z"/><path d="m10 13 11-10"/>',
    "mail": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>',
}


@register.simple_tag
def icon(name: str, size: int = 20, label: str = ""):
    """An inline SVG icon. Decorative (aria-hidden) unless a label is given."""
    body = _ICONS.get(name, _ICONS["file"])
    a11y = format_html('role="img" aria-label="{}"', label) if label else 'aria-hidden="true"'
    return format_html(
        '<svg class="hms-icon" width="{size}" height="{size}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round" focusable="false" {a11y}>{body}</svg>',
        size=size,
        a11y=mark_safe(a11y),  # noqa: S308 - built above from fixed text and format_html
        body=mark_safe(body),  # noqa: S308 - constant markup from _ICONS
    )


@register.simple_tag
def hospital_name() -> str:
    return settings.HOSPITAL_NAME


@register.simple_tag(takes_context=True)
def portal_nav(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    current = request.path
    items = []
    for item in nav_items_for(request.user):
        try:
            url = item.url
        except NoReverseMatch:
            continue
        active = current == url or (url.count("/") > 2 and current.startswith(url))
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": active,
                "group": item.group,
            }
        )
    return items


@register.filter
def nav_group(items, group: str) -> list:
    return [item for item in items if item["group"] == group]


@register.filter
def nav_group_active(items, group: str) -> bool:
    return any(item["active"] for item in nav_group(items, group))


@register.simple_tag(takes_context=True)
def portal_home_url(context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return reverse("home")
    return reverse(home_url_name_for(request.user))


@register.inclusion_tag("web/partials/result_flag.html")
def result_flag(flag: str):
    """A laboratory result's flag as a badge: "Critical high/low" in red with a warning icon,
    "High"/"Low" for abnormal, "Normal"; nothing without a flag."""
    return flag_badge(flag)


@register.inclusion_tag("web/partials/field.html")
def field(bound_field, help_text: str = ""):
    """A labelled Bootstrap form field with its errors next to it (aria-describedby)."""
    return {"field": bound_field, "help_text": help_text or bound_field.help_text}


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.simple_tag
def render_widget(bound_field, help_text: str = ""):
    """The field's widget with Bootstrap classes and the ARIA links to its help and errors."""
    widget = bound_field.field.widget
    css = [widget.attrs.get("class", ""), _widget_class(widget)]
    attrs = {}
    described_by = []
    if help_text:
        described_by.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        css.append("is-invalid")
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}_errors")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    attrs["class"] = " ".join(c for c in css if c)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def role_label(user) -> str:
    return user.get_role_display() if getattr(user, "role", None) else ""


@register.filter
def age(born) -> str:
    """Whole years since a date of birth ("" when unknown)."""
    if not born:
        return ""
    today = timezone.localdate()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(years)


@register.filter
def filesize(size) -> str:
    size = int(size or 0)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@register.filter
def humanize_key(value) -> str:
    """ "visit_note" -> "Visit note"."""
    return str(value or "").replace("_", " ").capitalize()


# Timeline entries that have a printable document: type -> (URL name, table resource, record id).
_PRINTABLE_ENTRIES = {
    "encounter": ("web:print-visit-summary", "encounters", lambda entry: entry.id),
    "prescription": ("web:print-prescription", "prescriptions", lambda entry: entry.id),
    "lab_order": ("web:print-lab-report", "lab_orders", lambda entry: entry.id),
    "discharge": (
        "web:print-discharge-summary",
        "discharge_summaries",
        lambda entry: entry.detail.get("admission"),
    ),
}


@register.simple_tag(takes_context=True)
def print_url(context, entry) -> str:
    """The printable PDF of a timeline entry, if it has one the user's role may print
    (a discharge only once its summary is written); "" otherwise."""
    printable = _PRINTABLE_ENTRIES.get(entry.type)
    if printable is None or entry.voided:
        return ""
    if entry.type == "discharge" and not entry.detail.get("follow_up"):
        return ""
    name, resource, record_id = printable
    if not user_may(context["request"].user, resource, "pdf"):
        return ""
    return reverse(name, args=[record_id(entry)])


@register.inclusion_tag("web/notifications/_bell.html", takes_context=True)
def notification_bell(context):
    """The header's bell: unread and needs-attention counts (one query); notifications.js keeps
    them current over the live feed."""
    request = context["request"]
    return {"counts": notification_counts(user=request.user), "ws_path": "/ws/notifications/"}


@register.filter
def plain_number(value) -> str:
    """A Decimal as people write it: 500.0000 -> "500", 2.5000 -> "2.5" (never "5E+2")."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
