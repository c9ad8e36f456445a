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


@pytest.mark.django_db
def test_a_history_row_holds_what_the_live_row_holds():
    # given a user changed by another user
    actor = UserFactory()
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    user.first_name = "Augusta"
    user._history_user = actor
    user.save()
    # then the history row reads back with the live row's values, who did it and when
    row = user.history.first()
    assert (row.first_name, row.last_name, row.username, row.role) == (
        "Augusta",
        "Lovelace",
        user.username,
        user.role,
    )
    assert row.history_type == "~" and row.history_user == actor
    assert row.public_id == user.public_id and row.id == user.pk
    assert row.history_date is not None and row.updated_at == user.updated_at


@pytest.mark.django_db
def test_history_rows_saved_with_other_options_go_through_the_orm():
    user = UserFactory()
    row = user.history.first()
    row.history_change_reason = "corrected"
    row.save(update_fields=["history_change_reason"])  # an update, not a new row
    assert user.history.get(pk=row.pk).history_change_reason == "corrected"
