"""Intensive care: who is in the ICU with their latest NEWS2 and GCS, the observation chart,
vitals entry with NEWS2 worked out as the values are typed (the server scores and records it,
and alerts the attending doctor at 5 or more), admission to ICU and step-down to a ward."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
)

from hms_desktop import theme
from hms_desktop.api.dto import CONSCIOUSNESS_LEVELS, NEWS2_RISKS, Admission, Observation, Patient
from hms_desktop.formatting import fmt_datetime
from hms_desktop.models.inpatient import (
    NEWS2_COLOURS,
    IcuModel,
    ObservationsModel,
    news2_risk_of,
)
from hms_desktop.news2 import news2
from hms_desktop.views.beds.dialogs import BedAdmissionDialog, load_free_beds, reason_edit
from hms_desktop.views.dialogs import FormDialog
from hms_desktop.widgets.forms import combo
from hms_desktop.widgets.list_page import DetailPanel, ListPage
from hms_desktop.widgets.page import Page, button
from hms_desktop.widgets.pickers import load_doctors
from hms_desktop.widgets.table import DataTable
from hms_desktop.workers import is_busy

COMPONENT_LABELS = {
    "respiratory_rate": "Resp. rate",
    "spo2": "SpO₂",
    "air_or_oxygen": "Oxygen",
    "systolic_bp": "Systolic BP",
    "pulse": "Pulse",
    "consciousness": "ACVPU",
    "temperature": "Temperature",
}


def spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setMinimumWidth(120)
    return box


def risk_chip(label: QLabel, score: int | None, risk: str) -> None:
    colour = NEWS2_COLOURS.get(risk, theme.MUTED)
    if score is None:
        label.setText("")
        label.setStyleSheet("")
        return
    label.setText(f"NEWS2 {score} · {NEWS2_RISKS.get(risk, risk)} risk")
    label.setStyleSheet(
        f"background: {colour}; color: white; border-radius: 12px; padding: 4px 14px;"
        " font-weight: 700; font-size: 12pt;"
    )


class VitalsDialog(FormDialog):
    """A full set of observations; the NEWS2 score updates as each value changes."""

    def __init__(self, page: Page, admission: Admission) -> None:
        super().__init__(page, "Record vitals", f"Vitals · {admission.patient.name}")
        self.setMinimumWidth(640)
        self.admission = admission
        scale = admission.spo2_scale
        where = QLabel(
            f"{admission.place} · SpO₂ scale {scale}"
            + (" (hypercapnic target 88-92%)" if scale == 2 else "")
        )
        where.setObjectName("muted")
        self.body.insertWidget(1, where)
        self.respiratory_rate = spin(0, 100, 16, " /min")
        self.spo2 = spin(0, 100, 97, " %")
        self.on_oxygen = QCheckBox("On oxygen")
        self.systolic_bp = spin(0, 400, 120, " mmHg")
        self.diastolic_bp = spin(0, 300, 75, " mmHg")
        self.pulse = spin(0, 400, 80, " /min")
        self.consciousness = combo(list(CONSCIOUSNESS_LEVELS.items()), current="A")
        self.temperature_c = QDoubleSpinBox()
        self.temperature_c.setRange(25.0, 45.0)
        self.temperature_c.setDecimals(1)
        self.temperature_c.setSingleStep(0.1)
        self.temperature_c.setValue(36.8)
        self.temperature_c.setSuffix(" °C")
        self.temperature_c.textChanged = self.temperature_c.valueChanged
        for name, editor in (
            ("respiratory_rate", self.respiratory_rate),
            ("spo2", self.spo2),
            ("systolic_bp", self.systolic_bp),
            ("diastolic_bp", self.diastolic_bp),
            ("pulse", self.pulse),
        ):
            editor.setObjectName(name)
            editor.textChanged = editor.valueChanged
        self.on_oxygen.textChanged = self.on_oxygen.toggled
        for name, label, editor in (
            ("respiratory_rate", "Respiratory rate", self.respiratory_rate),
            ("spo2", "SpO₂", self.spo2),
            ("on_oxygen", "Oxygen", self.on_oxygen),
            ("systolic_bp", "Systolic BP", self.systolic_bp),
            ("diastolic_bp", "Diastolic BP", self.diastolic_bp),
            ("pulse", "Pulse", self.pulse),
            ("consciousness", "Consciousness", self.consciousness),
            ("temperature_c", "Temperature", self.temperature_c),
        ):
            self.field(name, label, editor)
        score_box = QFrame()
        score_box.setObjectName("panel")
        box = QVBoxLayout(score_box)
        box.setContentsMargins(14, 10, 14, 10)
        self.score = QLabel()
        self.score.setObjectName("news2Score")
        self.score.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.points = QLabel()
        self.points.setObjectName("muted")
        self.points.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        box.addWidget(self.score, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.points)
        box.addWidget(self.advice)
        self.body.addWidget(score_box)
        self.save_button.setText("Record")
        self.finish_layout()
        for editor in (
            self.respiratory_rate,
            self.spo2,
            self.systolic_bp,
            self.pulse,
        ):
            editor.valueChanged.connect(lambda _v: self.update_score())
        self.temperature_c.valueChanged.connect(lambda _v: self.update_score())
        self.on_oxygen.toggled.connect(lambda _c: self.update_score())
        self.consciousness.currentIndexChanged.connect(lambda _i: self.update_score())
        self.update_score()

    def values(self) -> dict:
        return {
            "respiratory_rate": self.respiratory_rate.value(),
            "spo2": self.spo2.value(),
            "on_oxygen": self.on_oxygen.isChecked(),
            "systolic_bp": self.systolic_bp.value(),
            "diastolic_bp": self.diastolic_bp.value(),
            "pulse": self.pulse.value(),
            "consciousness": self.consciousness.currentData(),
            "temperature_c": f"{self.temperature_c.value():.1f}",
        }

    def preview(self):
        values = self.values()
        values.pop("diastolic_bp")
        values["temperature_c"] = Decimal(values["temperature_c"])
        return news2(self.ctx.capabilities.news2, **values, spo2_scale=self.admission.spo2_scale)

    def update_score(self) -> None:
        result = self.preview()
        risk_chip(self.score, result.score, result.risk)
        scored = [
            f"{COMPONENT_LABELS[name]} {points}"
            for name, points in result.components.items()
            if points
        ]
        self.points.setText("Points: " + (", ".join(scored) if scored else "none"))
        if result.score >= 7:
            advice = "Emergency response: the attending doctor is alerted when you record this."
        elif result.score >= 5 or result.single_three:
            advice = "Urgent review: the attending doctor is alerted when you record this."
        else:
            advice = "Continue routine monitoring."
        self.advice.setText(advice)

    def submit(self) -> None:
        admission_id, values = self.admission.id, self.values()
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.record_observation(admission_id, **values))


class IcuAdmitDialog(BedAdmissionDialog):
    """Into an ICU bed: from a ward (a transfer) or straight in (an admission)."""

    def __init__(self, page: Page, patient: Patient | None = None) -> None:
        super().__init__(
            page,
            "Admit to ICU",
            "Admit to intensive care",
            save="Admit to ICU",
            name="icu",
            patient=patient,
            bed_label="ICU bed",
            reason_example="e.g. respiratory failure, needs ventilation",
            doctor_hint="Needed when the patient is not already on a ward.",
        )
        load_free_beds(self, self.bed, ward_type="icu")
        load_doctors(
            self.ctx,
            self.doctor,
            owner=self,
            first=("", "Keep the ward's attending doctor"),
            busy=[self.save_button],
        )

    def submit(self) -> None:
        fields = self.admission_fields()
        if fields is None:
            return
        if doctor := self.doctor.currentData():
            fields["attending_doctor"] = doctor
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.icu_admit(**fields))


class StepDownDialog(FormDialog):
    """Out of ICU to a ward bed (leaving hospital is a discharge on the bed board)."""

    def __init__(self, page: Page, admission: Admission) -> None:
        super().__init__(page, "Step down", f"Step {admission.patient.name} down to a ward")
        self.admission = admission
        self.bed = combo([("", "Loading free beds…")])
        self.bed.setObjectName("stepDownBed")
        self.reason = reason_edit("e.g. extubated, stable for 24 h", "stepDownReason")
        self.field("bed", "Ward bed", self.bed)
        self.field("reason", "Reason", self.reason)
        self.save_button.setText("Step down")
        self.finish_layout()
        load_free_beds(self, self.bed, exclude_icu=True)

    def submit(self) -> None:
        self.errors.clear()
        fields = {
            "admission": self.admission.id,
            "bed": self.bed.currentData() or None,
            "reason": self.reason.toPlainText().strip(),
        }
        inpatient = self.ctx.api.inpatient
        self.call(lambda: inpatient.icu_discharge(**fields))


class IcuPanel(DetailPanel):
    def __init__(self, ctx, parent=None) -> None:
        super().__init__("Select a patient", parent=parent)
        self.heading.setWordWrap(False)
        layout = self.body
        top = QHBoxLayout()
        top.addWidget(self.heading)
        self.latest = QLabel()
        top.addWidget(self.latest)
        top.addStretch(1)
        self.vitals_button = button("Record vitals…", primary=True, name="recordVitals")
        self.vitals_button.setVisible(ctx.may("inpatient_charts", "create"))
        self.step_down_button = button("Step down to a ward…", name="stepDown")
        self.step_down_button.setVisible(ctx.may("admissions", "transfer"))
        top.addWidget(self.vitals_button)
        top.addWidget(self.step_down_button)
        layout.addLayout(top)
        self.info = QLabel()
        self.info.setObjectName("muted")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.observations = ObservationsModel(ctx.runner, page_size=50, parent=self)
        self.chart = DataTable()
        self.chart.setModel(self.observations)
        for column, width in {0: 140, 1: 60, 2: 75, 3: 80, 4: 80, 5: 60, 6: 75, 7: 85}.items():
            self.chart.setColumnWidth(column, width)
        self.chart_visible = ctx.may("inpatient_charts", "read")
        self.chart.setVisible(self.chart_visible)
        layout.addWidget(self.chart, 1)
        self.no_chart = QLabel("The observation chart is kept by nurses and doctors.")
        self.no_chart.setObjectName("muted")
        self.no_chart.setVisible(not self.chart_visible)
        layout.addWidget(self.no_chart)
        layout.addStretch(0)
        self.show_admission(None)

    def show_admission(self, admission: Admission | None) -> None:
        for widget in (self.vitals_button, self.step_down_button):
            if not is_busy(widget):
                widget.setEnabled(admission is not None)
        if admission is None:
            self.heading.setText("Select a patient")
            self.latest.setText("")
            self.latest.setStyleSheet("")
            self.info.setText("")
            self.observations.fetch = None
            self.observations.set_rows([])
            return
        self.heading.setText(f"{admission.patient.name} · {admission.patient.mrn}")
        risk_chip(self.latest, admission.latest_news2, news2_risk_of(admission.latest_news2))
        doctor = admission.attending_doctor.name if admission.attending_doctor else "—"
        gcs = f" · GCS {admission.latest_gcs}" if admission.latest_gcs is not None else ""
        self.info.setText(
            f"{admission.place} · {doctor} · in ICU since {fmt_datetime(admission.in_icu_since)}"
            f" · admitted for: {admission.reason}{gcs}"
        )

    def load(self, inpatient, admission_id: str) -> None:
        if not self.chart_visible:
            return
        self.observations.fetch = lambda page, size: inpatient.observations(
            admission_id, page=page, page_size=size
        )
        self.observations.reload()


class IcuPage(ListPage):
    title = "Intensive care"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(
            ctx,
            IcuModel(ctx.runner, page_size=50),
            lambda api: api.inpatient.icu,
            refresh_name="refreshIcu",
            empty_text="Nobody is in intensive care.",
            parent=parent,
        )
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.toolbar.insertWidget(0, self.summary)
        self.admit_button = button("Admit to ICU…", primary=True, name="admitIcu")
        self.admit_button.setVisible(ctx.may("admissions", "admit"))
        self.add_actions(self.admit_button)
        self.set_details(
            IcuPanel(ctx),
            sizes=(250, 420),
            column_widths={0: 130, 2: 110, 3: 150, 4: 140, 5: 70, 6: 60},
            stretch=IcuModel.PATIENT,
        )

        self.admit_button.clicked.connect(lambda: self.open_admit())
        self.details.vitals_button.clicked.connect(self.open_vitals)
        self.details.step_down_button.clicked.connect(self.open_step_down)
        self.model.total_changed.connect(self._count)

    def _count(self, total: int) -> None:
        self.summary.setText(f"{total} patient{'s' if total != 1 else ''} in intensive care")

    def row_selected(self, admission: Admission | None, previous: Admission | None) -> None:
        self.details.show_admission(admission)
        if admission is not None and (previous is None or previous.id != admission.id):
            self.details.load(self.ctx.api.inpatient, admission.id)

    def open_vitals(self) -> VitalsDialog | None:
        if self.current is None:
            return None
        dialog = VitalsDialog(self, self.current)
        self._open(dialog, self._recorded)
        return dialog

    def _recorded(self, observation: Observation) -> None:
        risk = NEWS2_RISKS.get(observation.news2_risk, observation.news2_risk).lower()
        message = f"Vitals recorded: NEWS2 {observation.news2_score} ({risk} risk)."
        if observation.alert_sent:
            self.banner.show_message(
                f"{message} The attending doctor has been alerted.", kind="warning"
            )
        else:
            self.show_success(message)
        if self.current is not None:
            self._select_after_load = self.current.id
            self.current = None  # reload its chart when it is selected again
        self.reload()

    def open_admit(self, patient: Patient | None = None) -> IcuAdmitDialog | None:
        if not self.admit_button.isVisible():
            return None
        dialog = IcuAdmitDialog(self, patient)
        self._open(dialog, self._admitted)
        return dialog

    def _admitted(self, admission: Admission) -> None:
        self.show_success(f"{admission.patient.name} is in intensive care: {admission.place}.")
        self.reload_and_select(admission.id)

    def open_step_down(self) -> StepDownDialog | None:
        if self.current is None:
            return None
        dialog = StepDownDialog(self, self.current)
        self._open(dialog, self._stepped_down)
        return dialog

    def _stepped_down(self, admission: Admission) -> None:
        self.show_success(f"{admission.patient.name} stepped down to {admission.place}.")
        self.reload()
