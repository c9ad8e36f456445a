"""Chart entries of an admission (observations, fluids, GCS, nursing notes) and the series
for plotting them."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from hms.core.errors import NotFoundError
from hms.core.time_window import in_time_window
from hms.inpatient.models import Admission, FluidEntry, GcsAssessment, NursingNote, Observation

CHART_MAX_DAYS = 31
CHART_DEFAULT = timedelta(hours=72)


def _entries(model, at: str, by: str, admission: Admission, since, until, include_voided):
    """The admission's entries of `model` with `at` in [since, until), newest first, with who
    recorded them (`by`) and who voided them."""
    manager = model.all_objects if include_voided else model.objects
    rows = manager.filter(admission=admission).select_related(by, "voided_by")
    return in_time_window(rows, at, since, until).order_by(f"-{at}", "-id")


def observation_list(*, admission: Admission, since=None, until=None, include_voided=False):
    return _entries(
        Observation, "measured_at", "recorded_by", admission, since, until, include_voided
    )


def fluid_list(*, admission: Admission, since=None, until=None, include_voided=False):
    return _entries(
        FluidEntry, "recorded_at", "recorded_by", admission, since, until, include_voided
    )


def gcs_list(*, admission: Admission, since=None, until=None, include_voided=False):
    return _entries(
        GcsAssessment, "assessed_at", "recorded_by", admission, since, until, include_voided
    )


def nursing_note_list(*, admission: Admission, since=None, until=None, include_voided=False):
    return _entries(NursingNote, "written_at", "author", admission, since, until, include_voided)


def chart_entry_get(*, model, admission: Admission, public_id):
    entry = (
        model.all_objects.filter(admission=admission, public_id=public_id)
        .select_related("admission__patient")
        .first()
    )
    if entry is None:
        raise NotFoundError("No such entry on this admission's chart.", code="entry_not_found")
    return entry


@dataclass
class ChartSeries:
    since: datetime
    until: datetime
    observations: list[dict]
    fluids: list[dict]
    fluid_balance: list[dict]
    gcs: list[dict]


def admission_chart(*, admission: Admission, since: datetime, until: datetime) -> ChartSeries:
    """Series for plotting, oldest first (three queries: observations, fluids, GCS). Fluid
    balance is given per hospital-local day: intake, output, balance (in - out), and the
    cumulative balance over the window."""
    observations = [
        {
            "t": o.measured_at,
            "respiratory_rate": o.respiratory_rate,
            "spo2": o.spo2,
            "on_oxygen": o.on_oxygen,
            "systolic_bp": o.systolic_bp,
            "diastolic_bp": o.diastolic_bp,
            "pulse": o.pulse,
            "consciousness": o.consciousness,
            "temperature_c": o.temperature_c,
            "news2": o.news2_score,
            "news2_risk": o.news2_risk,
            "spo2_scale": o.spo2_scale,
        }
        for o in in_time_window(
            Observation.objects.filter(admission=admission), "measured_at", since, until
        ).order_by("measured_at", "id")
    ]
    fluids, per_day = [], defaultdict(lambda: {"in_ml": 0, "out_ml": 0})
    for entry in in_time_window(
        FluidEntry.objects.filter(admission=admission), "recorded_at", since, until
    ).order_by("recorded_at", "id"):
        fluids.append(
            {
                "t": entry.recorded_at,
                "direction": entry.direction,
                "kind": entry.kind,
                "volume_ml": entry.volume_ml,
            }
        )
        day = timezone.localtime(entry.recorded_at).date()
        per_day[day]["in_ml" if entry.direction == "in" else "out_ml"] += entry.volume_ml
    balance, cumulative = [], 0
    for day in sorted(per_day):
        totals = per_day[day]
        net = totals["in_ml"] - totals["out_ml"]
        cumulative += net
        balance.append({"date": day, **totals, "balance_ml": net, "cumulative_ml": cumulative})
    gcs = [
        {"t": g.assessed_at, "eye": g.eye, "verbal": g.verbal, "motor": g.motor, "total": g.total}
        for g in in_time_window(
            GcsAssessment.objects.filter(admission=admission), "assessed_at", since, until
        ).order_by("assessed_at", "id")
    ]
    return ChartSeries(
        since=since,
        until=until,
        observations=observations,
        fluids=fluids,
        fluid_balance=balance,
        gcs=gcs,
    )
