"""The day switcher of day-sheet pages (the doctor's queue): yesterday, today and tomorrow in
the hospital's time zone, the days either side of the one shown, and any date from a picker.

`?date=YYYY-MM-DD` names the day; none means today. A date that is not a date is refused with
a 400 page naming the problem (the page shows today meanwhile).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.http import urlencode


class DayForm(forms.Form):
    date = forms.DateField(
        label="Day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@dataclass
class DaySwitch:
    day: date
    today: date
    form: DayForm
    links: list[dict] = field(default_factory=list)  # {"label", "url", "active", "testid"}
    previous_url: str = ""
    next_url: str = ""

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    @property
    def valid(self) -> bool:
        return not self.form.errors


def _shift(day: date, days: int) -> date | None:
    """The day `days` away, or None past the calendar's ends (year 1, year 9999)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _url(path: str, day: date | None, today: date) -> str:
    if day is None:
        return ""
    return path if day == today else f"{path}?{urlencode({'date': day.isoformat()})}"


def day_switch(request) -> DaySwitch:
    """The day the request asks for, with the switcher's links (hospital time zone)."""
    today = timezone.localdate()
    form = DayForm(request.GET or None, initial={"date": today})
    day = today
    if form.is_bound and form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    path = request.path
    switch = DaySwitch(day=day, today=today, form=form)
    for label, offset in (("Yesterday", -1), ("Today", 0), ("Tomorrow", 1)):
        target = _shift(today, offset)
        if target is not None:
            switch.links.append(
                {
                    "label": label,
                    "url": _url(path, target, today),
                    "active": target == day,
                    "testid": f"day-{label.lower()}",
                }
            )
    switch.previous_url = _url(path, _shift(day, -1), today)
    switch.next_url = _url(path, _shift(day, 1), today)
    return switch
