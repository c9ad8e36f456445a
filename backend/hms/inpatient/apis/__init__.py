"""Thin API views for wards, beds, admissions, charts and the medication administration record,
one module per sub-domain (the routes the product brief names are in hms.inpatient.compat).

Access, besides the role table:
- Admitting (also into ICU) finds the patient in the registry (`patients_visible_to`), like
  registering or assigning a doctor: it is the act that puts the patient on a ward, so it cannot
  require a care relationship that only exists afterwards. The admission is audited.
- Everything else about one admission opens the patient's chart through
  `hms.patients.access.patient_get_for_user`: demographics for the admission itself (where the
  patient lies), clinical for the charts and the discharge summary, medications for the MAR,
  billing for bed-days. Doctors and nurses need the patient in their care (attending doctor,
  ward nurse) or break-the-glass; another patient's admission answers 404.
"""
