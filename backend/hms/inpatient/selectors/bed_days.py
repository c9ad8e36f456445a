"""Bed-days and ICU days of admissions.

For billing (hms.billing reads these, never the tables):

    from hms.inpatient.selectors import admission_bed_days, bed_days_for_admissions

    days = admission_bed_days(admission)     # one admission, one query
    days.bed_days, days.icu_days, days.by_ward_type, days.stays
    bed_days_for_admissions(queryset)        # {admission pk: BedDays}, one query for all

Counting rule (the midnight census): a patient is charged a bed-day for each midnight (hospital
local time) they spend admitted, on the ward where they lie at that midnight; an admission that
spans no midnight (admitted and discharged the same day) counts one day, on the ward where it
spent the most time. ICU days are the bed-days spent on ICU wards (ward type `icu`); ICU hours
are the exact hours. An active admission is counted up to now (`ongoing=True`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from hms.inpatient.models import ICU_WARD_TYPES, Admission, AdmissionStatus, BedStay


@dataclass(frozen=True)
class StayDays:
    ward_id: int
    ward_name: str
    ward_type: str
    bed_label: str
    started_at: datetime
    ended_at: datetime | None
    days: int
    hours: float


@dataclass(frozen=True)
class BedDays:
    admission_id: int
    bed_days: int
    icu_days: int
    icu_hours: float
    by_ward_type: dict[str, int]
    stays: tuple[StayDays, ...]
    ongoing: bool


def _midnights(start: datetime, end: datetime) -> int:
    """Local midnights in (start, end]."""
    return max(0, (timezone.localdate(end) - timezone.localdate(start)).days)


def _bed_days_from_stays(
    admission_id: int, stays: list, *, ongoing: bool, now: datetime
) -> BedDays:
    rows = []
    for stay in stays:
        end = stay.ended_at or now
        rows.append(
            StayDays(
                ward_id=stay.ward_id,
                ward_name=stay.ward.name,
                ward_type=stay.ward.type,
                bed_label=stay.bed.label,
                started_at=stay.started_at,
                ended_at=stay.ended_at,
                days=_midnights(stay.started_at, end),
                hours=round((end - stay.started_at).total_seconds() / 3600, 2),
            )
        )
    total = sum(row.days for row in rows)
    if rows and total == 0:
        # Same-day stay: one day, on the ward where the patient spent longest.
        longest = max(range(len(rows)), key=lambda i: rows[i].hours)
        rows[longest] = StayDays(**{**rows[longest].__dict__, "days": 1})
        total = 1
    by_type: dict[str, int] = defaultdict(int)
    for row in rows:
        by_type[row.ward_type] += row.days
    return BedDays(
        admission_id=admission_id,
        bed_days=total,
        icu_days=sum(by_type.get(t, 0) for t in ICU_WARD_TYPES),
        icu_hours=round(sum(r.hours for r in rows if r.ward_type in ICU_WARD_TYPES), 2),
        by_ward_type=dict(by_type),
        stays=tuple(rows),
        ongoing=ongoing,
    )


def bed_days_for_admissions(admissions) -> dict[int, BedDays]:
    """Bed-days of many admissions in one query: {admission pk: BedDays}."""
    admissions = list(admissions)
    now = timezone.now()
    stays = defaultdict(list)
    for stay in (
        BedStay.objects.filter(admission__in=[a.pk for a in admissions])
        .select_related("ward", "bed")
        .order_by("started_at", "id")
    ):
        stays[stay.admission_id].append(stay)
    return {
        a.pk: _bed_days_from_stays(
            a.pk, stays.get(a.pk, []), ongoing=a.status == AdmissionStatus.ACTIVE, now=now
        )
        for a in admissions
    }


def admission_bed_days(admission: Admission) -> BedDays:
    """Bed-days and ICU days of one admission (see the module docstring for the rule)."""
    return bed_days_for_admissions([admission])[admission.pk]
