from datetime import UTC, datetime, timedelta

import pytest

from hms.clinical import timeline
from hms.clinical.timeline import TimelineEntry, register_timeline_source, timeline_collect

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def only_fake_sources(monkeypatch):
    """An empty registry for the test; the app's real sources come back afterwards."""
    monkeypatch.setattr(timeline, "_SOURCES", {})


def entry(kind, hours, **kwargs):
    return TimelineEntry(
        occurred_at=T0 + timedelta(hours=hours),
        type=kind,
        id=f"{kind}-{hours}",
        title=kind,
        **kwargs,
    )


def test_sources_are_merged_newest_first(only_fake_sources):
    register_timeline_source("a", lambda p, u, s, e: [entry("a", 1), entry("a", 5)])
    register_timeline_source("b", lambda p, u, s, e: [entry("b", 3), entry("b", 7)])
    result = timeline_collect(patient=None, user=None)
    assert [item.id for item in result] == ["b-7", "a-5", "b-3", "a-1"]
    assert {item.source for item in result} == {"a", "b"}


def test_type_filter_skips_sources_that_cannot_contribute(only_fake_sources):
    called = []

    def lab(patient, user, since, until):
        called.append("lab")
        return [entry("lab_result", 2)]

    register_timeline_source("labs", lab, types={"lab_result"})
    register_timeline_source("a", lambda p, u, s, e: [entry("a", 1)])
    assert [item.type for item in timeline_collect(patient=None, user=None, types={"a"})] == ["a"]
    assert called == []


def test_voided_hidden_unless_asked_and_bounds_applied(only_fake_sources):
    register_timeline_source(
        "a", lambda p, u, s, e: [entry("a", 1), entry("a", 2, voided=True), entry("a", 9)]
    )
    assert [i.id for i in timeline_collect(patient=None, user=None)] == ["a-9", "a-1"]
    shown = timeline_collect(patient=None, user=None, include_voided=True)
    assert [i.voided for i in shown] == [False, True, False]
    bounded = timeline_collect(
        patient=None, user=None, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=9)
    )
    assert [i.id for i in bounded] == ["a-1"]
