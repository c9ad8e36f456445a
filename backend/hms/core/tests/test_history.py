import pytest
from django.apps import apps
from simple_history.manager import HistoryDescriptor

from hms.accounts.tests.factories import UserFactory
from hms.core.history import CachedHistoryDescriptor


def test_every_history_model_uses_the_cached_descriptor():
    # given every model registered with simple-history
    tracked = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]
    assert len(tracked) > 10
    # then each one's history attribute builds its manager class only once
    for model in tracked:
        descriptor = model.__dict__[model._meta.simple_history_manager_attribute]
        assert type(descriptor) is CachedHistoryDescriptor, model
        assert isinstance(descriptor, HistoryDescriptor)


@pytest.mark.django_db
def test_history_manager_is_per_instance_and_its_class_is_reused():
    # given two users, one changed once
    first, second = UserFactory(), UserFactory()
    first.first_name = "Changed"
    first.save()
    # when their history managers are read
    first_history, second_history = first.history, second.history
    # then each lists only its own rows, newest first, from one shared manager class
    assert [h.history_type for h in first_history.all()] == ["~", "+"]
    assert first_history.first().first_name == "Changed"
    assert second_history.count() == 1
    assert type(first_history) is type(second_history)
    assert type(first.history) is type(first_history)
    assert first_history.instance is first and second_history.instance is second
    # and the model-level manager lists every row
    assert type(first).history.count() == 3
