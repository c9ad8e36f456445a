"""Demo accounts: one per role, named after the role, all with the same password."""

from hms.core.roles import Role

DEMO_PASSWORD = "hms-demo-pass"

DEMO_USERS = [
    # username, role, first name, last name
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("doctor", Role.DOCTOR, "Grace", "Okafor"),
    ("nurse", Role.NURSE, "Florence", "Mwangi"),
    ("receptionist", Role.RECEPTIONIST, "Rita", "Desai"),
    ("pharmacist", Role.PHARMACIST, "Paul", "Kowalski"),
    ("lab_technician", Role.LAB_TECHNICIAN, "Lena", "Haddad"),
    ("radiologist", Role.RADIOLOGIST, "Ravi", "Menon"),
    ("accountant", Role.ACCOUNTANT, "Amir", "Nasser"),
    ("patient", Role.PATIENT, "Pat", "Example"),
]
