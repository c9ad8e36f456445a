"""Demo accounts: one per role, named after the role, all with the same password."""

from hms.accounts.models import User
from hms.core.demo import register_demo_loader
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


@register_demo_loader(order=10, name="accounts")
def load_demo_users() -> str:
    created = 0
    for username, role, first_name, last_name in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.hms.local",
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
    return f"{created} user(s) created, {len(DEMO_USERS) - created} already present"
