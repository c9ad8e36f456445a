"""Warm-up at process start: a loader runs once however many callers arrive together, a caller
that arrives while the warm-up is loading waits for that load, and with the setting off
nothing loads in the background."""

import threading
import time

import pytest
from celery.signals import worker_process_init

import config.celery  # noqa: F401  (connects the worker_process_init handler)
from hms.core import warmup


class CountingLoader:
    """A slow loader that counts its calls and can be held until the test releases it."""

    def __init__(self, *, seconds: float = 0.05, gate: threading.Event | None = None) -> None:
        self.calls = 0
        self.seconds = seconds
        self.gate = gate
        self.started = threading.Event()

    def __call__(self):
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(5), "the test never released the loader"
        time.sleep(self.seconds)
        return {"table": "loaded"}


@pytest.fixture
def isolated_registry(monkeypatch):
    """An empty registry and no warm-up thread, whatever the apps registered."""
    monkeypatch.setattr(warmup, "_REGISTRY", {})
    monkeypatch.setattr(warmup, "_errors", {})
    monkeypatch.setattr(warmup, "_thread", None)
    return warmup._REGISTRY


def _call_together(fn, n: int) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_concurrent_first_calls_share_one_load():
    # given a slow loader nobody has called yet
    counting = CountingLoader(seconds=0.2)
    loader = warmup.load_once(counting)
    # when eight requests need it at the same moment
    results = _call_together(loader, 8)
    # then it loaded once and every caller got that one result
    assert counting.calls == 1
    assert all(result is results[0] for result in results)
    assert loader.loaded and loader.load_seconds >= 0.2


def test_a_failed_load_is_tried_again_on_the_next_call():
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk busy")
        return "ok"

    loader = warmup.load_once(flaky)
    with pytest.raises(OSError):
        loader()
    assert not loader.loaded
    assert loader() == "ok" and loader() == "ok"
    assert len(attempts) == 2


def test_with_the_setting_off_nothing_loads(settings, isolated_registry):
    # given the test settings' default
    settings.HMS_WARM_UP_AT_START = False
    counting = CountingLoader()
    warmup.warm_up_register("table", warmup.load_once(counting))
    # when a server process starts
    assert warmup.warm_up_start() is None
    # then nothing was loaded, and the process reports itself cold
    time.sleep(0.1)
    assert counting.calls == 0
    status = warmup.warm_up_status()
    assert status == {
        "warm": False,
        "enabled": False,
        "loaders": {"table": {"loaded": False}},
    }


def test_a_request_during_the_warm_up_waits_for_the_same_load(settings, isolated_registry):
    # given the setting on and a loader the test holds half-way
    settings.HMS_WARM_UP_AT_START = True
    gate = threading.Event()
    counting = CountingLoader(gate=gate)
    loader = warmup.load_once(counting)
    warmup.warm_up_register("table", loader)
    # when the process starts, and requests arrive while it is still loading
    thread = warmup.warm_up_start()
    assert thread is not None and warmup.warm_up_start() is thread  # one thread per process
    assert counting.started.wait(5)
    assert warmup.warm_up_status()["warm"] is False
    waiting = []
    requests = [threading.Thread(target=lambda: waiting.append(loader())) for _ in range(4)]
    for request in requests:
        request.start()
    time.sleep(0.05)
    assert waiting == []  # they wait for the load in progress
    gate.set()
    for request in requests:
        request.join(5)
    thread.join(5)
    # then the table loaded once, every request got it, and the process reports itself warm
    assert counting.calls == 1
    assert waiting == [{"table": "loaded"}] * 4
    status = warmup.warm_up_status()
    assert status["warm"] is True and status["loaders"]["table"]["loaded"] is True


def test_a_failing_warm_up_is_reported_and_left_to_the_first_use(settings, isolated_registry):
    settings.HMS_WARM_UP_AT_START = True

    def broken():
        raise RuntimeError("package data missing")

    warmup.warm_up_register("broken", warmup.load_once(broken))
    warmup.warm_up_start().join(5)
    status = warmup.warm_up_status()
    assert status["warm"] is False
    assert status["loaders"]["broken"]["error"] == "RuntimeError: package data missing"


def test_only_load_once_functions_can_be_registered(isolated_registry):
    with pytest.raises(TypeError):
        warmup.warm_up_register("plain", lambda: None)


def test_the_apps_register_the_drug_dictionary_and_the_icd10_list():
    from hms.assistant.prescription_parser import drug_recogniser
    from hms.clinical.icd10 import _assignable_codes

    assert warmup._REGISTRY["drug_recogniser"] is drug_recogniser
    assert warmup._REGISTRY["icd10_index"] is _assignable_codes


@pytest.mark.django_db
def test_health_says_whether_the_process_is_warm(client, isolated_registry):
    loader = warmup.load_once(CountingLoader(seconds=0))
    warmup.warm_up_register("table", loader)
    assert client.get("/health/").json()["warm"] is False
    loader()
    body = client.get("/health/").json()
    assert body["warm"] is True
    assert body["warm_up"]["loaders"]["table"]["loaded"] is True


def test_a_celery_worker_process_warms_up_as_it_starts(settings, isolated_registry):
    settings.HMS_WARM_UP_AT_START = True
    counting = CountingLoader(seconds=0)
    warmup.warm_up_register("table", warmup.load_once(counting))
    # when Celery starts a worker process
    worker_process_init.send(sender=None)
    # then the tables load in the background of that process
    assert warmup._thread is not None
    warmup._thread.join(5)
    assert counting.calls == 1 and warmup.warm_up_status()["warm"] is True


def test_a_preforking_master_leaves_the_loading_to_its_workers(
    settings, isolated_registry, monkeypatch
):
    # given gunicorn's configuration (the master preloads the app, then forks workers)
    settings.HMS_WARM_UP_AT_START = True
    monkeypatch.setenv(warmup.WARM_UP_IN_FORKED_WORKERS, "1")
    monkeypatch.setattr(warmup, "_forked", False)
    monkeypatch.setattr(warmup, "_requested", False)
    counting = CountingLoader(seconds=0)
    warmup.warm_up_register("table", warmup.load_once(counting))
    # when the master loads the WSGI module, nothing loads there
    assert warmup.warm_up_start() is None
    assert counting.calls == 0
    # and when it forks a worker, the worker warms up as it starts
    warmup._after_fork_in_child()
    assert warmup._thread is not None
    warmup._thread.join(5)
    assert counting.calls == 1
