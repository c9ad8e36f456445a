"""The chart page's inpatient banner and its vital-sign charts.

The banner shows where an admitted patient lies (ward, bed), the day of their stay and the
latest NEWS2 score with its risk band; the charts draw each vital sign on its own axis
(hms.web.svg_charts), shading the range that scores 0 on NEWS2 (hms.inpatient.news2 holds the
bands; they are not written down again here).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hms.inpatient import selectors as inpatient_selectors
from hms.inpatient.models import News2Risk
from hms.inpatient.news2 import BANDS
from hms.web.svg_charts import LineChart, Point, Series, as_float, line_chart

# Colour (a CSS class) and words of each NEWS2 risk band, as on the observation chart.
NEWS2_BANDS = {
    News2Risk.LOW: ("low", "Low risk"),
    News2Risk.LOW_MEDIUM: ("low-medium", "Low-medium risk (3 in one parameter)"),
    News2Risk.MEDIUM: ("medium", "Medium risk"),
    News2Risk.HIGH: ("high", "High risk"),
}


@dataclass(frozen=True)
class VitalChart:
    id: str
    title: str
    unit: str
    fields: tuple[tuple[str, str, str], ...]  # (VitalSigns field, series label, line colour)
    min_span: float  # the smallest y-range shown, so small noise is not blown up
    news2: str | None = None  # the NEWS2 parameter whose 0-point range is shaded
    resolution: Decimal = Decimal(1)  # how finely the parameter is charted


VITAL_CHARTS = (
    VitalChart(
        "temperature",
        "Temperature",
        "°C",
        (("temperature_c", "Temperature", "primary"),),
        min_span=1.0,
        news2="temperature",
        resolution=Decimal("0.1"),
    ),
    VitalChart(
        "pulse", "Pulse", "/min", (("pulse", "Pulse", "primary"),), min_span=20, news2="pulse"
    ),
    VitalChart(
        "respiratory-rate",
        "Respiratory rate",
        "/min",
        (("respiratory_rate", "Respiratory rate", "primary"),),
        min_span=8,
        news2="respiratory_rate",
    ),
    VitalChart(
        "blood-pressure",
        "Blood pressure",
        "mmHg",
        (("systolic_bp", "Systolic", "primary"), ("diastolic_bp", "Diastolic", "secondary")),
        min_span=40,
    ),
    VitalChart(
        "spo2", "SpO₂", "%", (("spo2", "SpO₂", "primary"),), min_span=6, news2="spo2_scale_1"
    ),
)


def news2_zero_range(parameter: str, resolution: Decimal = Decimal(1)) -> tuple:
    """(low, high) of the values scoring 0 points on this NEWS2 parameter; None for an open
    end (SpO2 on scale 1 scores 0 from 96% up)."""
    table = BANDS[parameter]
    previous = None
    for limit, points in table["bands"]:
        if points == 0:
            low = None if previous is None else float(Decimal(previous) + resolution)
            return low, float(limit)
        previous = limit
    if table["above"] == 0 and previous is not None:
        return float(Decimal(previous) + resolution), None
    return None, None


def vital_charts(vitals) -> list[LineChart]:
    """One chart per vital sign measured at least once in `vitals` (VitalSigns rows, any
    order), in the order of VITAL_CHARTS."""
    charts = []
    for spec in VITAL_CHARTS:
        series = []
        for field, label, css in spec.fields:
            points = [
                Point(at=v.measured_at, value=as_float(getattr(v, field)))
                for v in vitals
                if getattr(v, field) is not None
            ]
            if points:
                series.append(Series(label=label, points=points, css=css))
        band = news2_zero_range(spec.news2, spec.resolution) if spec.news2 else None
        chart = line_chart(
            id=f"vitals-{spec.id}",
            title=spec.title,
            unit=spec.unit,
            series=series,
            min_span=spec.min_span,
            band=band,
            band_label="The range that scores 0 on NEWS2" if band else "",
        )
        if chart is not None:
            charts.append(chart)
    return charts


@dataclass(frozen=True)
class AdmissionBanner:
    admission: object
    ward: str
    room: str
    bed: str
    day_of_stay: int  # 1 on the day of admission (hospital time)
    news2_score: int | None
    news2_band: str  # CSS suffix: low, low-medium, medium, high
    news2_label: str
    news2_at: datetime | None


def admission_banner(*, patient, now: datetime | None = None) -> AdmissionBanner | None:
    """The banner of a patient who is admitted now; None otherwise. The caller has opened the
    patient's clinical chart (scoped and audited). Two queries."""
    admission = inpatient_selectors.active_admission_of(patient=patient)
    if admission is None:
        return None
    latest = inpatient_selectors.observation_list(admission=admission).first()
    band, label = NEWS2_BANDS.get(latest.news2_risk, ("", "")) if latest else ("", "")
    return AdmissionBanner(
        admission=admission,
        ward=admission.ward.name,
        room=admission.bed.room.name,
        bed=admission.bed.label,
        day_of_stay=inpatient_selectors.days_admitted(admission.admitted_at, now=now) + 1,
        news2_score=latest.news2_score if latest else None,
        news2_band=band,
        news2_label=label,
        news2_at=latest.measured_at if latest else None,
    )
