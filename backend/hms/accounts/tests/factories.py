import factory

from hms.accounts.models import DoctorProfile, User
from hms.core.roles import Role

TEST_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = Role.RECEPTIONIST
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password")
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user


class DoctorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoctorProfile

    user = factory.SubFactory(UserFactory, role=Role.DOCTOR)
    specialization = "Cardiology"
    department = "Medicine"
    bio = "Heart doctor."
    available = True
    license_number = factory.Sequence(lambda n: f"LIC-{n:06d}")
