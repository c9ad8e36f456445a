"""The role permission table: who may do what, per resource. Deny by default.

Every API view names its `permission_resource`; the action comes from `permission_actions`
(keyed by viewset action or HTTP method) or the method defaults below. A view whose
(resource, action) is not in PERMISSIONS answers 403 to everyone, and the permission-matrix
test (hms/core/tests/test_permission_matrix.py) fails, so nothing ships unlisted.

Patient-level scope (a patient sees only their own chart, a doctor the patients in their care)
is the job of each app's selectors; this table decides only whether a role may try at all.
"""

from collections.abc import Collection

from rest_framework.permissions import BasePermission

from hms.core.roles import ALL_ROLES, Role

PUBLIC = "public"  # anyone, signed in or not
AUTHENTICATED = "authenticated"  # any active signed-in user, whatever the role

Rule = str | Collection[Role]

ADMIN = frozenset({Role.ADMIN})

PERMISSIONS: dict[str, dict[str, Rule]] = {
    # Authentication and the signed-in user's own account.
    "auth": {
        "login": PUBLIC,
        "refresh": PUBLIC,
        "register": PUBLIC,
        "logout": AUTHENTICATED,
    },
    "profile": {
        "read": AUTHENTICATED,
        "update": AUTHENTICATED,
        "change_password": AUTHENTICATED,
        "capabilities": AUTHENTICATED,  # what the user may do, and the clinical rules
    },
    # Staff administration: only an admin creates, edits and deactivates accounts.
    "users": {
        "list": ADMIN,
        "read": ADMIN,
        "create": ADMIN,
        "update": ADMIN,
        "deactivate": ADMIN,
        "activate": ADMIN,
        "reset_password": ADMIN,
    },
    # The audit log is read by admins only and never written through the API.
    "audit": {"list": ADMIN},
    # Everyone reads and acknowledges their own notifications.
    "notifications": {
        "list": AUTHENTICATED,
        "mark_read": AUTHENTICATED,
        "acknowledge": AUTHENTICATED,
    },
    # --- patients and doctors (hms.patients) ---
    # Chart sections: which roles may read/write which part of a chart, checked by
    # hms.patients.access.patient_get_for_user for every module. On top of this, doctors and
    # nurses need the patient in their care (or break-the-glass); patients only their own chart.
    # Receptionists also see billing because they take payments at the desk (product brief).
    # Admins handle registration data only (demographics, contacts, insurance).
    "patient_section:demographics": {
        "read": frozenset(Role),
        "write": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "patient_section:contacts": {
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "write": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "patient_section:insurance": {
        "read": frozenset(
            {Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT, Role.NURSE, Role.DOCTOR, Role.PATIENT}
        ),
        "write": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT}),
    },
    "patient_section:allergies": {
        "read": frozenset(
            {
                Role.DOCTOR,
                Role.NURSE,
                Role.PHARMACIST,
                Role.LAB_TECHNICIAN,
                Role.RADIOLOGIST,
                Role.PATIENT,
            }
        ),
        "write": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
    },
    "patient_section:appointments": {
        "read": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "write": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
    },
    "patient_section:clinical": {
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "write": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "patient_section:documents": {
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        # Lab and imaging staff upload results; the front desk scans referral letters.
        "write": frozenset(
            {Role.DOCTOR, Role.NURSE, Role.LAB_TECHNICIAN, Role.RADIOLOGIST, Role.RECEPTIONIST}
        ),
    },
    "patient_section:orders": {
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        # product brief: the front desk requests lab tests and scans too.
        "write": frozenset({Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST}),
    },
    "patient_section:medications": {
        # Pharmacists read prescriptions to dispense them (product brief).
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        "write": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "patient_section:billing": {
        "read": frozenset(
            {Role.ACCOUNTANT, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}
        ),
        "write": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
    },
    # Views. Chart views list the same roles as the section they serve (a test checks it);
    # the patient scope itself is applied by hms.patients.access.
    "patients": {
        "list": frozenset(Role),  # scoped: a patient finds only themself
        "read": frozenset(Role),
        "me": frozenset({Role.PATIENT}),
        "create": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        "update": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        # Not doctors: assigning themselves would bypass break-the-glass.
        "assign_doctor": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        "break_glass": frozenset({Role.DOCTOR, Role.NURSE}),
        # The wristband is printed where patients are registered and admitted.
        "wristband": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "patient_contacts": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "create": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        "update": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        "void": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "patient_insurance": {
        "list": frozenset(
            {Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT, Role.NURSE, Role.DOCTOR, Role.PATIENT}
        ),
        "create": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT}),
        "update": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT}),
        "void": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.ACCOUNTANT}),
    },
    "patient_allergies": {
        "list": frozenset(
            {
                Role.DOCTOR,
                Role.NURSE,
                Role.PHARMACIST,
                Role.LAB_TECHNICIAN,
                Role.RADIOLOGIST,
                Role.PATIENT,
            }
        ),
        "create": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
        "update": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
        "void": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
        # A patient reports an allergy on their own chart; a doctor or nurse confirms it.
        "report": frozenset({Role.PATIENT}),
        "confirm": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "care_assignments": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "end": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "doctors": {
        "list": AUTHENTICATED,  # patients need the directory to book
        "read": AUTHENTICATED,
        "create": ADMIN,
        "update": frozenset({Role.ADMIN, Role.DOCTOR}),  # a doctor: only their own profile
        "assign_patient": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
        "my_patients": frozenset({Role.DOCTOR}),
    },
    "break_glass_review": {"list": ADMIN, "review": ADMIN},
    # --- end patients ---
    # --- medical record and documents (hms.clinical) ---
    # Reads follow the chart's "clinical"/"documents" sections (hms.patients.access then
    # decides which patients: own chart, care relationship or break-the-glass). Doctors write
    # the record; nurses record vital signs and documents. Nothing is deleted: "void" keeps it.
    "encounters": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR}),
        "update": frozenset({Role.DOCTOR}),
        "close": frozenset({Role.DOCTOR}),
        "void": frozenset({Role.DOCTOR}),
        "pdf": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
    },
    "visitnotes": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR}),
        "update": frozenset({Role.DOCTOR}),
        "void": frozenset({Role.DOCTOR}),
    },
    "vitals": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR, Role.NURSE}),
        "update": frozenset({Role.DOCTOR, Role.NURSE}),
        "void": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "diagnoses": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR}),
        "update": frozenset({Role.DOCTOR}),
        "void": frozenset({Role.DOCTOR}),
    },
    "problems": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR}),
        "update": frozenset({Role.DOCTOR}),
        "void": frozenset({Role.DOCTOR}),
    },
    "timeline": {"read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT})},
    "icd10": {"list": frozenset({Role.DOCTOR, Role.NURSE})},
    "documents": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "download": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        # Lab and imaging staff upload results, the front desk scans letters, patients add
        # their own papers; only clinicians (and a patient, for their own upload) void.
        "create": frozenset(
            {
                Role.DOCTOR,
                Role.NURSE,
                Role.LAB_TECHNICIAN,
                Role.RADIOLOGIST,
                Role.RECEPTIONIST,
                Role.PATIENT,
            }
        ),
        "update": frozenset({Role.DOCTOR, Role.NURSE}),
        "void": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
    },
    # --- end clinical ---
    # --- appointments and scheduling (hms.appointments) ---
    # Schedules: the front desk and admins manage every doctor's; a doctor their own (checked
    # in the service). Availability is open to every signed-in user (patients book from it).
    "doctor_schedules": {
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "update": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.DOCTOR}),
    },
    "schedule_exceptions": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "create": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.DOCTOR}),
        "cancel": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.DOCTOR}),
    },
    "availability": {"read": AUTHENTICATED},
    # Appointments: scoped by hms.appointments.selectors (patients their own, doctors theirs)
    # and by the chart's appointments section.
    "appointments": {
        "list": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "read": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "create": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "update": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "cancel": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "check_in": frozenset({Role.RECEPTIONIST, Role.NURSE}),
        "no_show": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "start": frozenset({Role.DOCTOR}),
        "complete": frozenset({Role.DOCTOR}),
        "pdf": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
    },
    "appointment_queue": {"list": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR})},
    "calendar": {
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.DOCTOR}),
        "link": frozenset({Role.DOCTOR}),
    },
    # --- end appointments ---
    # --- telemedicine (hms.telemedicine) ---
    # Chat and consults are scoped to their participants by hms.telemedicine.selectors: a
    # doctor and their patient, plus any staff member a doctor invites into a consult (an
    # interpreter may hold any staff role), so every signed-in role may try. Only doctors and
    # patients start a chart conversation; only the consult's doctor invites and ends it.
    "conversations": {
        "list": AUTHENTICATED,
        "read": AUTHENTICATED,
        "create": frozenset({Role.DOCTOR, Role.PATIENT}),
        "send": AUTHENTICATED,
        "attach": AUTHENTICATED,
        "download": AUTHENTICATED,
        "mark_read": AUTHENTICATED,
    },
    "consults": {
        "read": AUTHENTICATED,
        "join": AUTHENTICATED,
        "invite": frozenset({Role.DOCTOR}),
        "end": frozenset({Role.DOCTOR}),
    },
    # --- end telemedicine ---
    # --- laboratory (hms.laboratory) ---
    # Ordering follows the chart's "orders" section (doctor, nurse, front desk, per product brief);
    # the lab works on its worklist and every order. Only lab technicians enter, verify
    # (a second person, or a self-verification grant an admin gives) and amend results;
    # doctors and patients see results once verified (applied by hms.laboratory.selectors).
    "lab_tests": {
        "list": frozenset(
            {Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.LAB_TECHNICIAN}
        ),
        "read": frozenset(
            {Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.LAB_TECHNICIAN}
        ),
    },
    "lab_orders": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT, Role.LAB_TECHNICIAN}),
        "create": frozenset({Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST}),
        "collect": frozenset({Role.NURSE, Role.LAB_TECHNICIAN}),
        "start": frozenset({Role.LAB_TECHNICIAN}),
        "enter_results": frozenset({Role.LAB_TECHNICIAN}),
        "verify": frozenset({Role.LAB_TECHNICIAN}),
        "amend": frozenset({Role.LAB_TECHNICIAN}),
        "cancel": frozenset({Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.LAB_TECHNICIAN}),
        "pdf": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT, Role.LAB_TECHNICIAN}),
    },
    "lab_worklist": {"list": frozenset({Role.LAB_TECHNICIAN})},
    # Analyser/LIS interfaces sign in with a lab technician account.
    "lab_hl7": {"import": frozenset({Role.LAB_TECHNICIAN})},
    "lab_verifier_grants": {"list": ADMIN, "create": ADMIN, "revoke": ADMIN},
    # --- end laboratory ---
    # --- radiology (hms.radiology) ---
    # product brief: doctors and the front desk (receptionists, nurses) request scans; radiologists
    # work the worklist, add the images and write the reports. Order, image and report reads
    # follow the chart's "orders" section (own chart, care relationship or break-the-glass,
    # via hms.radiology.selectors), plus radiologists, who see every imaging order.
    "imaging_procedures": {
        "list": frozenset(
            {Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.RADIOLOGIST}
        ),
        "create": frozenset({Role.ADMIN, Role.RADIOLOGIST}),
        "update": frozenset({Role.ADMIN, Role.RADIOLOGIST}),
    },
    "imaging_orders": {
        "list": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST}),
        "schedule": frozenset({Role.RADIOLOGIST, Role.RECEPTIONIST, Role.NURSE}),
        "start": frozenset({Role.RADIOLOGIST}),
        "complete": frozenset({Role.RADIOLOGIST}),
        "cancel": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST}),
    },
    "radiology_worklist": {
        "list": frozenset({Role.RADIOLOGIST}),
        "update_result": frozenset({Role.RADIOLOGIST}),
    },
    "imaging_images": {
        "list": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.RADIOLOGIST}),
    },
    "imaging_reports": {
        "list": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "read": frozenset({Role.RADIOLOGIST, Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "create": frozenset({Role.RADIOLOGIST}),
        "update": frozenset({Role.RADIOLOGIST}),
        "finalize": frozenset({Role.RADIOLOGIST}),
        "addendum": frozenset({Role.RADIOLOGIST}),
    },
    # --- end radiology ---
    # --- pharmacy and prescription analysis (hms.pharmacy, hms.assistant) ---
    # The formulary is read by everyone who prescribes, gives or dispenses medicines; the
    # pharmacist (and an admin) maintains it. Stock and its ledger are the pharmacist's.
    "pharmacy_drugs": {
        "list": frozenset({Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
        "read": frozenset({Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.PHARMACIST}),
        "create": frozenset({Role.ADMIN, Role.PHARMACIST}),
        "update": frozenset({Role.ADMIN, Role.PHARMACIST}),
    },
    "pharmacy_stock": {
        "list": frozenset({Role.ADMIN, Role.PHARMACIST}),
        "read": frozenset({Role.ADMIN, Role.PHARMACIST}),
        "ledger": frozenset({Role.ADMIN, Role.PHARMACIST}),
        "update": frozenset({Role.PHARMACIST}),
        "receive": frozenset({Role.PHARMACIST}),
        "adjust": frozenset({Role.PHARMACIST}),
        "write_off": frozenset({Role.PHARMACIST}),
        "transfer": frozenset({Role.PHARMACIST}),
        "return": frozenset({Role.PHARMACIST}),
    },
    "pharmacy_alerts": {"list": frozenset({Role.ADMIN, Role.PHARMACIST})},
    # product brief: doctors prescribe, pharmacists view prescriptions and dispense. Reads are
    # scoped by hms.pharmacy.selectors and the chart's medications section (pharmacists read
    # through the pharmacy's own audited path: they are not in that section).
    "pharmacy_worklist": {"list": frozenset({Role.PHARMACIST})},
    "prescriptions": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        "create": frozenset({Role.DOCTOR}),
        "check": frozenset({Role.DOCTOR}),
        "cancel": frozenset({Role.DOCTOR}),
        "dispense": frozenset({Role.PHARMACIST}),
        "pdf": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
    },
    "patient_medications": {
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        # A medicine is stopped or renewed from the chart by a doctor (renewal prescribes).
        "stop": frozenset({Role.DOCTOR}),
        "renew": frozenset({Role.DOCTOR}),
    },
    # AI prescription analysis (product brief): clinicians, pharmacists and patients (own chart).
    "prescription_analysis": {
        "create": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        "list": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PHARMACIST, Role.PATIENT}),
    },
    # --- end pharmacy ---
    # --- wards, beds and ICU (hms.inpatient) ---
    # Admins configure wards, rooms, beds and which nurses work where; the front desk, nurses
    # and doctors see them and the bed board. product brief: receptionists and nurses admit,
    # transfer and discharge and run the ICU; the doctor writes the discharge summary and sets
    # the NEWS2 SpO2 scale; nurses (and doctors) keep the charts and the MAR. Pharmacists have
    # no inpatient access. Per-admission reads and writes also open the chart through
    # hms.patients.access (sections: demographics for the admission, clinical for charts and
    # the discharge summary, medications for the MAR, billing for bed-days).
    "wards": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "create": ADMIN,
        "update": ADMIN,
    },
    "rooms": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "create": ADMIN,
        "update": ADMIN,
    },
    "beds": {
        "list": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "read": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "board": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "create": ADMIN,
        "update": ADMIN,
        # Housekeeping: cleaning -> available, maintenance, reserved.
        "set_status": frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.NURSE}),
    },
    "nurse_ward_assignments": {
        "list": frozenset({Role.ADMIN, Role.NURSE}),
        "create": ADMIN,
        "end": ADMIN,
    },
    "admissions": {
        "list": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "read": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR, Role.PATIENT}),
        "admit": frozenset({Role.RECEPTIONIST, Role.NURSE}),
        "transfer": frozenset({Role.RECEPTIONIST, Role.NURSE}),
        "discharge": frozenset({Role.RECEPTIONIST, Role.NURSE}),
        "spo2_scale": frozenset({Role.DOCTOR}),
    },
    "icu": {
        "list": frozenset({Role.RECEPTIONIST, Role.NURSE, Role.DOCTOR}),
        "admit": frozenset({Role.RECEPTIONIST, Role.NURSE}),
        "discharge": frozenset({Role.RECEPTIONIST, Role.NURSE}),
    },
    "discharge_summaries": {
        "read": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
        "write": frozenset({Role.DOCTOR}),
        "pdf": frozenset({Role.DOCTOR, Role.NURSE, Role.PATIENT}),
    },
    "inpatient_charts": {
        "read": frozenset({Role.DOCTOR, Role.NURSE}),
        "create": frozenset({Role.DOCTOR, Role.NURSE}),
        "void": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "mar": {
        "read": frozenset({Role.DOCTOR, Role.NURSE}),
        "record": frozenset({Role.DOCTOR, Role.NURSE}),
        "overdue": frozenset({Role.DOCTOR, Role.NURSE}),
    },
    "bed_days": {"read": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST})},
    # --- end inpatient ---
    # --- billing and insurance (hms.billing) ---
    # The billing desk (accountant, receptionist) bills and takes payments (product brief); only an
    # accountant voids invoices and charges, refunds, and records payers' decisions. Patients
    # read their own invoices, payments and receipts (scoped by hms.billing.selectors and the
    # chart's billing section). Prices are public to signed-in users; admin and accountant
    # manage them. Reports: accountant and admin; a receptionist sees their own day's takings.
    "billing_tariffs": {
        "list": AUTHENTICATED,
        "read": AUTHENTICATED,
        "create": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "update": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    },
    "billing_charges": {
        "list": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "read": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "create": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "void": frozenset({Role.ACCOUNTANT}),
    },
    "billing_invoices": {
        "list": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "read": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "pdf": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "create": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "update": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "issue": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "void": frozenset({Role.ACCOUNTANT}),
    },
    "billing_payments": {
        "list": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "read": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "receipt": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST, Role.PATIENT}),
        "create": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
    },
    "billing_refunds": {
        "list": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "create": frozenset({Role.ACCOUNTANT}),
    },
    "billing_claims": {
        "list": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "read": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "create": frozenset({Role.ACCOUNTANT, Role.RECEPTIONIST}),
        "decide": frozenset({Role.ACCOUNTANT}),
        "settle": frozenset({Role.ACCOUNTANT}),
    },
    "billing_reports": {
        "daily_cash": frozenset({Role.ACCOUNTANT, Role.ADMIN, Role.RECEPTIONIST}),
        "ar_ageing": frozenset({Role.ACCOUNTANT, Role.ADMIN}),
    },
    # --- end billing ---
    # --- reporting and analytics (hms.reporting) ---
    # A report's family is its action here. Management (admin) and the books (accountant) read
    # the hospital-wide reports; clinical governance (named readers, audit trails) is admin
    # only. The doctor's dashboard shows the signed-in doctor's own patients. Schedules mail
    # reports out, so only admins manage them.
    "reports": {
        "catalogue": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "inpatient": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "outpatient": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "diagnostics": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "clinical": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "pharmacy": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "finance": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "governance": ADMIN,
        "management_dashboard": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
        "doctor_dashboard": frozenset({Role.DOCTOR}),
        "schedules_list": ADMIN,
        "schedules_create": ADMIN,
        "schedules_read": ADMIN,
        "schedules_update": ADMIN,
        "schedules_delete": ADMIN,
    },
    # --- end reporting ---
    # API documentation.
    "schema": {"read": PUBLIC},
}

DEFAULT_METHOD_ACTIONS = {
    "GET": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


def view_action(view, method: str) -> str | None:
    """The table action a request to `view` with `method` performs."""
    actions = getattr(view, "permission_actions", None) or {}
    viewset_action = getattr(view, "action", None)
    if viewset_action and viewset_action in actions:
        return actions[viewset_action]
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    if method in actions:
        return actions[method]
    return DEFAULT_METHOD_ACTIONS.get(method)


def rule_for(resource: str | None, action: str | None) -> Rule | None:
    if resource is None or action is None:
        return None
    return PERMISSIONS.get(resource, {}).get(action)


def role_allowed(rule: Rule | None, user) -> bool:
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    if rule == AUTHENTICATED:
        return True
    return getattr(user, "role", None) in rule


def roles_allowed(rule: Rule | None) -> frozenset[Role]:
    """Every role the rule admits (used by tests and the permission docs)."""
    if rule is None:
        return frozenset()
    if rule in (PUBLIC, AUTHENTICATED):
        return ALL_ROLES
    return frozenset(rule)


def user_may(user, resource: str, action: str) -> bool:
    """For services and templates: may this user perform `action` on `resource`?"""
    return role_allowed(rule_for(resource, action), user)


class RolePermission(BasePermission):
    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        if request.method != "OPTIONS" and not hasattr(view, request.method.lower()):
            return True  # let DRF answer 405 Method Not Allowed rather than a misleading 403
        resource = getattr(view, "permission_resource", None)
        rule = rule_for(resource, view_action(view, request.method))
        return role_allowed(rule, request.user)
