"""Several gunicorn workers, no Redis: a sign-in rate of 30 lets exactly 30 attempts through.

Each worker is its own process, so a count kept in process memory gives every worker a budget
of its own (3 workers let 90 through). The server runs with the settings a deployment without
REDIS_URL gets and the real throttle class, counting in the database every worker shares.

The rate is 30 per hour rather than per minute: the window opens with the first attempt, and
an hour leaves a slow machine all the time it needs to send the 90 attempts inside it. The
count is the same whatever the period.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.db import connection

from hms.core.models import RateLimitWindow

BACKEND = Path(__file__).resolve().parents[3]
WORKERS = 3
RATE = 30
ATTEMPTS = 3 * RATE

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path) -> str:
    """The test database when it is a server the workers can reach; on SQLite (an in-memory
    test database) a new file, migrated."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'hms.sqlite3'}"
    RateLimitWindow.objects.all().delete()  # counts left by an earlier run of a kept database
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[connection.vendor]
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or ''}".rstrip(":")
    return f"{scheme}://{user}{password}@{host}/{settings['NAME']}"


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="0",
        DATABASE_URL=_database_url(tmp_path),
        HMS_DATA_DIR=str(tmp_path),
        THROTTLE_LOGIN=f"{RATE}/hour",
        HMS_WARM_UP_AT_START="0",  # sign-ins need no drug dictionary: keep the CPU for them
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_BIND=f"127.0.0.1:{_free_port()}",
    )
    if connection.vendor == "sqlite":
        migrate = [sys.executable, "manage.py", "migrate", "--noinput"]
        done = subprocess.run(
            migrate, cwd=BACKEND, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi"],
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{env['GUNICORN_BIND']}"
    try:
        for _ in range(600):  # up to a minute for the workers to start
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{url}/health/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not come up:\n{log_path.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_login_rate_holds_across_workers(server):
    def attempt(_):
        # A new unknown name each time: the per-account lockout stays out of the way.
        body = {"username": f"nobody-{uuid.uuid4().hex[:12]}", "password": "wrong-password"}
        with httpx.Client(timeout=60) as client:  # a new connection: any worker may answer
            response = client.post(f"{server}/api/login/", json=body)
        return response.status_code, response.json().get("code")

    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        answers = Counter(pool.map(attempt, range(ATTEMPTS)))

    assert answers == {
        (401, "invalid_credentials"): RATE,
        (429, "throttled"): ATTEMPTS - RATE,
    }
