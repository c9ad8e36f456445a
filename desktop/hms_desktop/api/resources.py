"""Typed wrappers over the server's resources: one small class per API area."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from hms_desktop.api.client import ApiClient
from hms_desktop.api.dto import (
    Admission,
    Appointment,
    AuditEvent,
    Availability,
    Bed,
    BoardWard,
    Charge,
    ClaimSummary,
    DispenseResult,
    Doctor,
    Drug,
    DuplicateCandidate,
    ImagingImage,
    ImagingOrder,
    ImagingReport,
    InsurancePolicy,
    Invoice,
    LabOrder,
    LabTest,
    MarDose,
    NurseAssignment,
    Observation,
    Page,
    Patient,
    Payment,
    Prescription,
    Procedure,
    QueuePage,
    Refund,
    Room,
    StockAlert,
    StockBatch,
    StockMovement,
    SummaryPage,
    Tariff,
    User,
    Ward,
)
from hms_desktop.api.errors import ApiError

DEFAULT_PAGE_SIZE = 50


class ProfileApi:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def get(self) -> User:
        return User.from_json(self._client.get("/api/profile/"))

    def update(self, **fields: Any) -> User:
        user = User.from_json(self._client.patch("/api/profile/", fields))
        self._client.user = user
        return user

    def change_password(self, *, current_password: str, new_password: str) -> None:
        """Change the own password, then sign in again: the server revokes every refresh
        token of the account on a password change, this session's included."""
        username = self._client.user.username if self._client.user else None
        self._client.post(
            "/api/profile/password/",
            {"current_password": current_password, "new_password": new_password},
        )
        if username:
            self._client.login(username, new_password)


class UsersApi:
    """Staff administration (admin only on the server)."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        role: str | None = None,
        is_active: bool | None = None,
        q: str | None = None,
    ) -> Page[User]:
        params: dict[str, Any] = {"page": page, "page_size": page_size, "role": role, "q": q}
        if is_active is not None:
            params["is_active"] = "true" if is_active else "false"
        return Page.from_json(self._client.get("/api/users/", params), User.from_json, page)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count

    def get(self, user_id: str) -> User:
        return User.from_json(self._client.get(f"/api/users/{user_id}/"))

    def create(self, **fields: Any) -> User:
        return User.from_json(self._client.post("/api/users/", fields))

    def update(self, user_id: str, **fields: Any) -> User:
        return User.from_json(self._client.patch(f"/api/users/{user_id}/", fields))

    def deactivate(self, user_id: str, *, reason: str = "") -> User:
        return User.from_json(
            self._client.post(f"/api/users/{user_id}/deactivate/", {"reason": reason})
        )

    def activate(self, user_id: str) -> User:
        return User.from_json(self._client.post(f"/api/users/{user_id}/activate/"))

    def reset_password(self, user_id: str, *, new_password: str) -> None:
        self._client.post(f"/api/users/{user_id}/reset-password/", {"new_password": new_password})


AUDIT_ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("void", "Void"),
    ("read", "Read"),
    ("login", "Login"),
    ("login_failed", "Login failed"),
    ("logout", "Logout"),
    ("emergency_access", "Emergency access"),
    ("export", "Export"),
    ("audit_read", "Audit log read"),
]
AUDIT_OUTCOMES = [("success", "Success"), ("failure", "Failure"), ("denied", "Denied")]


class AuditApi:
    """The append-only audit log (admin only on the server)."""

    FILTERS = (
        "actor",
        "actor_id",
        "patient_id",
        "resource_type",
        "object_id",
        "action",
        "outcome",
        "since",
        "until",
    )

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[AuditEvent]:
        unknown = set(filters) - set(self.FILTERS)
        if unknown:
            raise TypeError(f"Unknown audit filters: {sorted(unknown)}")
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/audit/", params), AuditEvent.from_json, page)

    def count(self, **filters: Any) -> int:
        return self.list(page=1, page_size=1, **filters).count


SEXES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown")]
BLOOD_GROUPS = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]


def duplicate_candidates(error: ApiError) -> list[DuplicateCandidate] | None:
    """The people a registration may duplicate (409 `possible_duplicate`), else None."""
    if error.status != 409 or error.code != "possible_duplicate":
        return None
    return [DuplicateCandidate.from_json(c) for c in error.extra.get("candidates") or []]


class PatientsApi:
    """The patient registry. Every read is audited on the server."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Patient]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/patients/", params), Patient.from_json, page)

    def get(self, patient_id: str) -> Patient:
        return Patient.from_json(self._client.get(f"/api/patients/{patient_id}/"))

    def register(self, *, confirm_new_person: bool = False, **fields: Any) -> Patient:
        """Raises ApiError 409 `possible_duplicate` (see duplicate_candidates) unless the
        person was confirmed as new."""
        body = {**fields, "confirm_new_person": confirm_new_person}
        return Patient.from_json(self._client.post("/api/patients/", body))

    def update(self, patient_id: str, **fields: Any) -> Patient:
        return Patient.from_json(self._client.patch(f"/api/patients/{patient_id}/", fields))

    def insurance(self, patient_id: str) -> list[InsurancePolicy]:
        """The patient's policies (not voided), current ones first."""
        data = self._client.get(f"/api/patients/{patient_id}/insurance/", {"page_size": 100})
        policies = [InsurancePolicy.from_json(p) for p in data.get("results", [])]
        return sorted(policies, key=lambda p: not p.is_current)

    def assign_doctor(self, patient_id: str, doctor_id: str, *, note: str = "") -> Any:
        return self._client.post(
            "/api/patients/assign-doctor/",
            {"patient": patient_id, "doctor": doctor_id, "note": note},
        )


class DoctorsApi:
    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Doctor]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/doctors/", params), Doctor.from_json, page)

    def register(self, **fields: Any) -> Doctor:
        """An admin creates a doctor's account and directory entry in one step."""
        return Doctor.from_json(self._client.post("/api/doctors/", fields))


BOOKING_CONFLICTS = ("slot_taken", "patient_double_booked")


def booking_conflict(error: Exception) -> str | None:
    """`slot_taken` or `patient_double_booked` when a booking lost to another one (409)."""
    if isinstance(error, ApiError) and error.status == 409 and error.code in BOOKING_CONFLICTS:
        return error.code
    return None


class AppointmentsApi:
    """Availability, booking and the front desk's day (scoped per role on the server)."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def availability(self, doctor_id: str, day: date) -> Availability:
        return Availability.from_json(
            self._client.get(f"/api/doctors/{doctor_id}/availability/", {"date": day.isoformat()})
        )

    def list(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Appointment]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/appointments/", params), Appointment.from_json, page
        )

    def queue(
        self,
        *,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        day: date | None = None,
        doctor: str | None = None,
    ) -> QueuePage:
        """The day's queue in slot order (cancelled left out) with counts per status."""
        params = {
            "page": page,
            "page_size": page_size,
            "date": day.isoformat() if day else None,
            "doctor": doctor,
        }
        return QueuePage.from_json(
            self._client.get("/api/appointments/queue/", params), Appointment.from_json, page
        )

    def summary(self, *, day: date | None = None, doctor: str | None = None) -> dict[str, int]:
        return self.queue(page_size=1, day=day, doctor=doctor).summary

    def get(self, appointment_id: str) -> Appointment:
        return Appointment.from_json(self._client.get(f"/api/appointments/{appointment_id}/"))

    def book(
        self, *, patient: str, doctor: str, day: date, slot: time, reason: str = ""
    ) -> Appointment:
        """Raises ApiError 409 `slot_taken` / `patient_double_booked` (see booking_conflict)."""
        body = {
            "patient": patient,
            "doctor": doctor,
            "date": day.isoformat(),
            "slot": slot.strftime("%H:%M"),
            "reason": reason,
        }
        return Appointment.from_json(self._client.post("/api/appointments/", body))

    def reschedule(self, appointment_id: str, *, day: date, slot: time) -> Appointment:
        body = {"date": day.isoformat(), "slot": slot.strftime("%H:%M")}
        return Appointment.from_json(
            self._client.patch(f"/api/appointments/{appointment_id}/", body)
        )

    def cancel(self, appointment_id: str, *, reason: str) -> Appointment:
        """Cancelled, never deleted: the slot is freed and the reason kept."""
        return Appointment.from_json(
            self._client.delete(f"/api/appointments/{appointment_id}/", {"reason": reason})
        )

    def _action(self, appointment_id: str, action: str) -> Appointment:
        return Appointment.from_json(
            self._client.post(f"/api/appointments/{appointment_id}/{action}/")
        )

    def check_in(self, appointment_id: str) -> Appointment:
        return self._action(appointment_id, "check-in")

    def no_show(self, appointment_id: str) -> Appointment:
        return self._action(appointment_id, "no-show")

    def start(self, appointment_id: str) -> Appointment:
        return self._action(appointment_id, "start")

    def complete(self, appointment_id: str) -> Appointment:
        return self._action(appointment_id, "complete")


class PharmacyApi:
    """The formulary, stock and its ledger, the prescription worklist and dispensing."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    # --- prescriptions ---

    def worklist(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> SummaryPage[Prescription]:
        """Prescriptions to fill, oldest first, with the counts per open status."""
        params = {"page": page, "page_size": page_size, **filters}
        return SummaryPage.from_json(
            self._client.get("/api/pharmacy/", params), Prescription.from_json, page
        )

    def prescriptions(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Prescription]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/pharmacy/prescriptions/", params), Prescription.from_json, page
        )

    def prescription(self, prescription_id: str) -> Prescription:
        """With its dispenses (lots and expiry dates given out)."""
        return Prescription.from_json(
            self._client.get(f"/api/pharmacy/prescriptions/{prescription_id}/")
        )

    def prescribe(self, **fields: Any) -> Prescription:
        """A doctor prescribes: `patient`, `items: [{drug, dose, frequency, ...}]`, `note`.
        Severe safety warnings answer 409 `safety_override_required` unless
        `override_reason` is given."""
        return Prescription.from_json(self._client.post("/api/pharmacy/prescriptions/", fields))

    def dispense(
        self, prescription_id: str, *, quantities: dict[str, int] | None = None, note: str = ""
    ) -> DispenseResult:
        """First-expiry-first-out; everything left, or `{item id: units}`."""
        body: dict[str, Any] = {"note": note}
        if quantities is not None:
            body["items"] = [{"item": k, "quantity": v} for k, v in quantities.items()]
        return DispenseResult.from_json(
            self._client.post(f"/api/pharmacy/prescriptions/{prescription_id}/dispense/", body)
        )

    # --- formulary and stock ---

    def drugs(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Drug]:
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(
            self._client.get("/api/pharmacy/drugs/", params), Drug.from_json, page
        )

    def drug(self, drug_id: str) -> Drug:
        return Drug.from_json(self._client.get(f"/api/pharmacy/drugs/{drug_id}/"))

    def create_drug(self, **fields: Any) -> Drug:
        return Drug.from_json(self._client.post("/api/pharmacy/drugs/", fields))

    def batches(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[StockBatch]:
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(
            self._client.get("/api/pharmacy/batches/", params), StockBatch.from_json, page
        )

    def ledger(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[StockMovement]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/pharmacy/ledger/", params), StockMovement.from_json, page
        )

    def receive(self, **fields: Any) -> StockMovement:
        """A delivery: `drug`, `lot_number`, `expiry_date`, `quantity`, `unit_cost`, ..."""
        return StockMovement.from_json(self._client.post("/api/pharmacy/batches/", fields))

    def adjust(self, batch_id: str, *, quantity: int, reason: str) -> StockMovement:
        """A signed correction of a batch (stock-take, damage, loss) with its reason."""
        return StockMovement.from_json(
            self._client.post(
                f"/api/pharmacy/batches/{batch_id}/adjust/",
                {"quantity": quantity, "reason": reason},
            )
        )

    def write_off(self, batch_id: str, *, reason: str = "") -> StockMovement:
        return StockMovement.from_json(
            self._client.post(f"/api/pharmacy/batches/{batch_id}/write-off/", {"reason": reason})
        )

    def alerts(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> SummaryPage[StockAlert]:
        """Low stock, then batches expiring (or expired with stock left)."""
        params = {"page": page, "page_size": page_size, **filters}
        return SummaryPage.from_json(
            self._client.get("/api/pharmacy/alerts/", params), StockAlert.from_json, page
        )


class LabApi:
    """The laboratory: catalogue, the technician's worklist, collection, results, verification."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def worklist(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[LabOrder]:
        """Every order, STAT first then oldest; `open`, `status`, `priority`, `critical`, `q`."""
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(self._client.get("/api/lab/", params), LabOrder.from_json, page)

    def count(self, **filters: Any) -> int:
        return self.worklist(page_size=1, **filters).count

    def order(self, order_id: str) -> LabOrder:
        return LabOrder.from_json(self._client.get(f"/api/lab/orders/{order_id}/"))

    def tests(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[LabTest]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/lab/tests/", params), LabTest.from_json, page)

    def test(self, ref: str) -> LabTest:
        """By local code, LOINC code or id."""
        return LabTest.from_json(self._client.get(f"/api/lab/tests/{ref}/"))

    def analytes(self, ref: str) -> list[LabTest]:
        """What results an order of this test needs: the test, or a panel's components."""
        test = self.test(ref)
        if not test.components:
            return [test]
        return [self.test(code) for code in test.components]

    def request(self, **fields: Any) -> list[LabOrder]:
        """Order tests: `patient`, `tests`, `priority`, `ordering_doctor`, `clinical_notes`."""
        data = self._client.post("/api/lab/request/", fields)
        return [LabOrder.from_json(order) for order in data.get("orders") or []]

    def _action(self, order_id: str, action: str, body: Any = None) -> LabOrder:
        return LabOrder.from_json(
            self._client.post(f"/api/lab/orders/{order_id}/{action}/", body or {})
        )

    def collect(self, order_id: str) -> LabOrder:
        return self._action(order_id, "collect")

    def start(self, order_id: str) -> LabOrder:
        return self._action(order_id, "start")

    def verify(self, order_id: str) -> LabOrder:
        """A second person verifies (403 `second_person_required` for the one who entered)."""
        return self._action(order_id, "verify")

    def cancel(self, order_id: str, *, reason: str) -> LabOrder:
        return self._action(order_id, "cancel", {"reason": reason})

    def enter_results(self, order_id: str, results: list[dict[str, str]]) -> LabOrder:
        """`[{test, value, unit, comment}]`; the server flags each value (authoritative)."""
        return LabOrder.from_json(
            self._client.put(f"/api/lab/orders/{order_id}/results/", {"results": results})
        )


class InpatientApi:
    """Wards and beds, admissions, transfers, discharges, the ICU and its observation chart."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def wards(self, *, page: int = 1, page_size: int = 100, **filters: Any) -> Page[Ward]:
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(self._client.get("/api/wards/", params), Ward.from_json, page)

    def create_ward(self, **fields: Any) -> Ward:
        """`name`, `code`, `type` (admin)."""
        return Ward.from_json(self._client.post("/api/wards/", fields))

    def rooms(self, ward_id: str) -> list[Room]:
        data = self._client.get(f"/api/wards/{ward_id}/rooms/", {"page_size": 100})
        return [Room.from_json(r) for r in data.get("results", [])]

    def add_room(self, ward_id: str, *, name: str) -> Room:
        return Room.from_json(self._client.post(f"/api/wards/{ward_id}/rooms/", {"name": name}))

    def add_bed(self, *, room: str, label: str) -> Bed:
        """409 when the room already has a bed with this label."""
        return Bed.from_json(self._client.post("/api/beds/", {"room": room, "label": label}))

    def ward_nurses(self, ward_id: str) -> list[NurseAssignment]:
        data = self._client.get(f"/api/wards/{ward_id}/nurses/", {"page_size": 100})
        return [NurseAssignment.from_json(a) for a in data.get("results", [])]

    def assign_nurse(self, ward_id: str, *, nurse: str) -> NurseAssignment:
        """From today, open-ended: the ward's patients are in the nurse's care."""
        return NurseAssignment.from_json(
            self._client.post(f"/api/wards/{ward_id}/nurses/", {"nurse": nurse})
        )

    def board(self, **filters: Any) -> list[BoardWard]:
        """Every ward with its beds and who lies in each (wards are few: one page of 100)."""
        params = {"page": 1, "page_size": 100, **filters}
        data = self._client.get("/api/beds/board/", params)
        return [BoardWard.from_json(ward) for ward in data.get("results") or []]

    def beds(self, *, page: int = 1, page_size: int = 100, **filters: Any) -> Page[Bed]:
        """`status`, `ward`, `ward_type`."""
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(self._client.get("/api/beds/", params), Bed.from_json, page)

    def free_beds(self, **filters: Any) -> list[Bed]:
        """Beds a patient can be put in now (available or reserved)."""
        beds = [
            *self.beds(status="available", **filters).results,
            *self.beds(status="reserved", **filters).results,
        ]
        return sorted(beds, key=lambda b: (b.ward.name if b.ward else "", b.room, b.label))

    def set_bed_status(self, bed_id: str, *, status: str, note: str = "") -> Bed:
        return Bed.from_json(
            self._client.post(f"/api/beds/{bed_id}/status/", {"status": status, "note": note})
        )

    def admissions(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Admission]:
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(
            self._client.get("/api/admissions/", params), Admission.from_json, page
        )

    def admission(self, admission_id: str) -> Admission:
        """With its stays (the way through the hospital) and whether a summary exists."""
        return Admission.from_json(self._client.get(f"/api/admissions/{admission_id}/"))

    def admit(self, **fields: Any) -> Admission:
        """`patient`, `bed`, `attending_doctor`, `reason`, `admission_type`. 409
        `bed_not_available` / `patient_already_admitted`."""
        return Admission.from_json(self._client.post("/api/patients/admit/", fields))

    def transfer(self, admission_id: str, **fields: Any) -> Admission:
        """`bed`, `reason`, `attending_doctor` (handover)."""
        return Admission.from_json(
            self._client.post(f"/api/admissions/{admission_id}/transfer/", fields)
        )

    def discharge(self, admission_id: str, **fields: Any) -> Admission:
        """`disposition`, `note`. 409 `discharge_summary_required` until the doctor wrote it."""
        return Admission.from_json(
            self._client.post(f"/api/admissions/{admission_id}/discharge/", fields)
        )

    def mar(self, admission_id: str, *, day: date | None = None) -> list[MarDose]:
        """The day's scheduled doses (default today) with their state. 403
        `break_glass_required` for a patient not in the user's care."""
        params = {"date": day.isoformat() if day else None}
        data = self._client.get(f"/api/admissions/{admission_id}/mar/", params)
        return [MarDose.from_json(d) for d in data.get("doses", [])]

    def record_dose(
        self,
        admission_id: str,
        *,
        prescription_item: str,
        scheduled_at: datetime,
        status: str,
        reason: str = "",
    ) -> dict[str, Any]:
        """`status` given/held/refused (a reason for held and refused). 409
        `dose_already_recorded`."""
        body = {
            "prescription_item": prescription_item,
            "scheduled_at": scheduled_at.isoformat(),
            "status": status,
            "reason": reason,
        }
        return self._client.post(f"/api/admissions/{admission_id}/mar/", body)

    def icu(self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page[Admission]:
        """Patients in intensive care now, with their latest NEWS2 and GCS."""
        params = {"page": page, "page_size": page_size}
        return Page.from_json(self._client.get("/api/icu/", params), Admission.from_json, page)

    def icu_admit(self, **fields: Any) -> Admission:
        """`patient`, `bed` (an ICU bed), `reason`, `attending_doctor` (if not on a ward)."""
        return Admission.from_json(self._client.post("/api/icu/admit/", fields))

    def icu_discharge(self, **fields: Any) -> Admission:
        """Step down to a ward: `admission`, `bed`, `reason`."""
        return Admission.from_json(self._client.post("/api/icu/discharge/", fields))

    def observations(
        self, admission_id: str, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[Observation]:
        params = {"page": page, "page_size": page_size}
        return Page.from_json(
            self._client.get(f"/api/admissions/{admission_id}/observations/", params),
            Observation.from_json,
            page,
        )

    def record_observation(self, admission_id: str, **fields: Any) -> Observation:
        """A full set of vitals; the server scores NEWS2 and alerts the doctor at 5+."""
        return Observation.from_json(
            self._client.post(f"/api/admissions/{admission_id}/observations/", fields)
        )


class RadiologyApi:
    """Imaging orders, the radiologist's worklist, DICOM images and their previews, reports."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def worklist(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[ImagingOrder]:
        """Open orders (or `status=a,b`), STAT first; `modality`, `priority`, `q`."""
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/radiology/", params), ImagingOrder.from_json, page
        )

    def count(self, **filters: Any) -> int:
        return self.worklist(page_size=1, **filters).count

    def order(self, order_id: str) -> ImagingOrder:
        """With its images and reports (drafts only for radiologists)."""
        return ImagingOrder.from_json(self._client.get(f"/api/radiology/orders/{order_id}/"))

    def procedures(self, **filters: Any) -> list[Procedure]:
        data = self._client.get("/api/radiology/procedures/", {"page_size": 100, **filters})
        return [Procedure.from_json(p) for p in data.get("results") or []]

    def request(self, **fields: Any) -> ImagingOrder:
        """`patient`, `procedure`, `clinical_indication`, `priority`, `ordering_doctor`."""
        return ImagingOrder.from_json(self._client.post("/api/radiology/request/", fields))

    def _action(self, order_id: str, action: str, body: Any = None) -> ImagingOrder:
        return ImagingOrder.from_json(
            self._client.post(f"/api/radiology/orders/{order_id}/{action}/", body or {})
        )

    def schedule(self, order_id: str, *, at: str) -> ImagingOrder:
        return self._action(order_id, "schedule", {"scheduled_at": at})

    def start(self, order_id: str) -> ImagingOrder:
        return self._action(order_id, "start")

    def complete(self, order_id: str) -> ImagingOrder:
        """Images acquired (409 `no_images` without any)."""
        return self._action(order_id, "complete")

    def cancel(self, order_id: str, *, reason: str) -> ImagingOrder:
        return self._action(order_id, "cancel", {"reason": reason})

    def upload(self, order_id: str, files: list[tuple[str, bytes]]) -> list[ImagingImage]:
        """DICOM files, checked on the server (patient, modality, duplicates): all or none."""
        parts = [("file", (name, data, "application/dicom")) for name, data in files]
        data = self._client.upload(f"/api/radiology/orders/{order_id}/images/", parts)
        return [ImagingImage.from_json(image) for image in data]

    def preview(self, image: ImagingImage) -> bytes:
        """The windowed PNG preview (served after the chart check, audited)."""
        return self._client.get_bytes(
            image.preview_url or f"/api/radiology/images/{image.id}/preview/"
        )

    def start_report(self, order_id: str, **fields: Any) -> ImagingReport:
        """`findings`, `impression`, `critical`: the draft (once the study is under way)."""
        return ImagingReport.from_json(
            self._client.post(f"/api/radiology/orders/{order_id}/reports/", fields)
        )

    def save_report(self, report_id: str, **fields: Any) -> ImagingReport:
        """Edit a draft (versions kept); a final report answers 409 `report_final`."""
        return ImagingReport.from_json(
            self._client.patch(f"/api/radiology/reports/{report_id}/", fields)
        )

    def finalize(self, report_id: str) -> ImagingReport:
        """Sign it (needs an impression); it never changes again."""
        return ImagingReport.from_json(
            self._client.post(f"/api/radiology/reports/{report_id}/finalize/")
        )

    def addendum(self, report_id: str, **fields: Any) -> ImagingReport:
        """Amend a final report: `findings`, `impression`, `critical`, `finalize`."""
        return ImagingReport.from_json(
            self._client.post(f"/api/radiology/reports/{report_id}/addenda/", fields)
        )


class BillingApi:
    """Tariffs, charges, invoices, payments and receipts (money is Decimal, one currency)."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    def tariffs(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Tariff]:
        """`category`, `code`, `q`, `valid_on` (a date: the prices of that day)."""
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/billing/tariffs/", params), Tariff.from_json, page
        )

    def create_tariff(self, **fields: Any) -> Tariff:
        """A new price version for `code` (the current one ends the day before)."""
        return Tariff.from_json(self._client.post("/api/billing/tariffs/", _decimals(fields)))

    def end_tariff(self, tariff_id: str, *, valid_until: date) -> Tariff:
        return Tariff.from_json(
            self._client.post(
                f"/api/billing/tariffs/{tariff_id}/end/", {"valid_until": valid_until.isoformat()}
            )
        )

    def charges(self, *, page: int = 1, page_size: int = 100, **filters: Any) -> Page[Charge]:
        params = {"page": page, "page_size": page_size, **filters}
        return Page.from_json(
            self._client.get("/api/billing/charges/", params), Charge.from_json, page
        )

    def add_charge(self, **fields: Any) -> Charge:
        """A manual charge: `patient`, `reason`, `tariff_code` (or `description` and
        `unit_price`), `quantity`."""
        return Charge.from_json(self._client.post("/api/billing/charges/", _decimals(fields)))

    def invoices(
        self, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> Page[Invoice]:
        params = {"page": page, "page_size": page_size, **_flags(filters)}
        return Page.from_json(
            self._client.get("/api/billing/invoices/", params), Invoice.from_json, page
        )

    def invoice(self, invoice_id: str) -> Invoice:
        """With its lines and payments."""
        return Invoice.from_json(self._client.get(f"/api/billing/invoices/{invoice_id}/"))

    def create_invoice(
        self, *, patient: str, charges: list[str] | None = None, notes: str = ""
    ) -> Invoice:
        """A draft from the patient's unbilled charges (409 `nothing_to_invoice`)."""
        body: dict[str, Any] = {"patient": patient, "notes": notes}
        if charges is not None:
            body["charges"] = charges
        return Invoice.from_json(self._client.post("/api/billing/invoices/", body))

    def issue(self, invoice_id: str) -> Invoice:
        """Numbers the invoice (no gaps)."""
        return Invoice.from_json(self._client.post(f"/api/billing/invoices/{invoice_id}/issue/"))

    def void(self, invoice_id: str, *, reason: str) -> Invoice:
        return Invoice.from_json(
            self._client.post(f"/api/billing/invoices/{invoice_id}/void/", {"reason": reason})
        )

    def pay(self, *, invoice: str, amount: Decimal, method: str, reference: str = "") -> Payment:
        """409 `overpayment` when more than the balance."""
        body = {"invoice": invoice, "amount": str(amount), "method": method, "reference": reference}
        return Payment.from_json(self._client.post("/api/billing/payments/", body))

    def refund(
        self, *, payment: str, amount: Decimal, reason: str, method: str | None = None
    ) -> Refund:
        """Give back part or all of a payment (accountant). 409 `refund_exceeds_payment` when
        more than is left of it, `insurance_payment` for an insurer's settlement."""
        body = {"payment": payment, "amount": str(amount), "reason": reason}
        if method:
            body["method"] = method
        return Refund.from_json(self._client.post("/api/billing/refunds/", body))

    def submit_claim(
        self, *, invoice: str, policy: str, copay_percent: Decimal | None = None
    ) -> ClaimSummary:
        """Claim an issued invoice from one of the patient's current policies; each line is
        split into the co-pay (the patient's) and the amount claimed."""
        body: dict[str, Any] = {"invoice": invoice, "policy": policy}
        if copay_percent is not None:
            body["copay_percent"] = str(copay_percent)
        return ClaimSummary.from_json(self._client.post("/api/billing/claims/", body))

    def approve_claim(
        self, claim_id: str, *, approved_amount: Decimal, payer_reference: str = "", note: str = ""
    ) -> ClaimSummary:
        body = {"approved_amount": str(approved_amount), "payer_reference": payer_reference}
        body["note"] = note
        return ClaimSummary.from_json(
            self._client.post(f"/api/billing/claims/{claim_id}/approve/", body)
        )

    def reject_claim(self, claim_id: str, *, reason: str) -> ClaimSummary:
        return ClaimSummary.from_json(
            self._client.post(f"/api/billing/claims/{claim_id}/reject/", {"reason": reason})
        )

    def settle_claim(self, claim_id: str, *, reference: str = "") -> ClaimSummary:
        """Posts the approved amount as an insurance payment, with its receipt."""
        return ClaimSummary.from_json(
            self._client.post(f"/api/billing/claims/{claim_id}/settle/", {"reference": reference})
        )

    def invoice_pdf(self, invoice_id: str) -> bytes:
        return self._client.get_bytes(f"/api/billing/invoices/{invoice_id}/pdf/")

    def receipt_pdf(self, payment_id: str) -> bytes:
        return self._client.get_bytes(f"/api/billing/payments/{payment_id}/receipt/")

    def daily_cash(self, day: date | None = None) -> dict[str, Any]:
        """The day's takings (a receptionist: their own)."""
        params = {"date": day.isoformat() if day else None}
        return self._client.get("/api/billing/reports/daily-cash/", params)


def _decimals(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}


def _flags(filters: dict[str, Any]) -> dict[str, Any]:
    """Booleans as the server's query strings ("true"); False/None are left out."""
    return {k: ("true" if v is True else v) for k, v in filters.items() if v is not False}


class Api:
    """Everything the desktop can ask the server, grouped by area."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.profile = ProfileApi(client)
        self.users = UsersApi(client)
        self.audit = AuditApi(client)
        self.patients = PatientsApi(client)
        self.doctors = DoctorsApi(client)
        self.appointments = AppointmentsApi(client)
        self.pharmacy = PharmacyApi(client)
        self.lab = LabApi(client)
        self.inpatient = InpatientApi(client)
        self.radiology = RadiologyApi(client)
        self.billing = BillingApi(client)
