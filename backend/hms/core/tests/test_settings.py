"""The environments: prod refuses unsafe configuration and passes `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[3]
GOOD_PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "k3J9x!pQ2z" * 6,
    "ALLOWED_HOSTS": "hms.example.org",
    "DEBUG": "0",
    "DATABASE_URL": "sqlite:////tmp/hms-prod-check.sqlite3",
    "FIELD_ENCRYPTION_KEY": "3q2-7wEjHhUJ0kS8iVb2bBv0k6n3x1Yt8mWcQe5ZrL4=",
}


# A browser-test session allows sync ORM calls under its event loop; a deployment never does,
# and `check --deploy` reports that setting as an error.
NOT_INHERITED = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prod_check_deploy_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=GOOD_PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": ""}, "Set SECRET_KEY"),
        (
            {"SECRET_KEY": "django-insecure-hms-development-only-do-not-use-in-production"},
            "Set SECRET_KEY",
        ),
        ({"ALLOWED_HOSTS": ""}, "Set ALLOWED_HOSTS"),
        ({"FIELD_ENCRYPTION_KEY": ""}, "Set FIELD_ENCRYPTION_KEY"),
    ],
)
def test_prod_refuses_unsafe_configuration(override, message):
    env = {**GOOD_PROD_ENV, **override}
    if override.get("SECRET_KEY") == "":
        env.pop("SECRET_KEY")
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("z8!Qm2pL0x" * 6 + "\n")
    env = {**GOOD_PROD_ENV, "SECRET_KEY_FILE": str(secret_file)}
    env.pop("SECRET_KEY")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode == 0, result.stderr


def test_seed_demo_refuses_production_settings():
    result = run_manage("seed_demo", env_overrides=GOOD_PROD_ENV)
    assert result.returncode != 0
    assert "refuses to run with production settings" in result.stderr


def settings_printed(code: str, env: dict) -> str:
    """What `code` prints after Django set itself up in a new process with `env`."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


SERVICES = (
    "from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
    " s.CELERY_TASK_ALWAYS_EAGER, s.CHANNEL_LAYERS['default']['BACKEND'])"
)


def test_embedded_defaults_without_configuration():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    assert settings_printed(SERVICES, env).split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.db.DatabaseCache",  # shared by every worker
        "True",
        "channels.layers.InMemoryChannelLayer",
    ]


def test_real_services_from_urls():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    }
    assert settings_printed(SERVICES, env).split() == [
        "hms.core.postgresql",
        "django_redis.cache.RedisCache",
        "False",
        "channels_redis.core.RedisChannelLayer",
    ]


def _postgres_options(**env_overrides) -> dict:
    code = (
        "import json; from django.conf import settings as s;"
        " print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        **env_overrides,
    }
    return json.loads(settings_printed(code, env))


def test_production_keeps_database_connections():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DB_CONN_MAX_AGE")}
    env.update(GOOD_PROD_ENV)
    assert settings_printed(code, env).split() == ["60", "True"]


def test_postgresql_prepares_statements_unless_turned_off():
    assert _postgres_options() == {"server_side_binding": True, "prepare_threshold": 1}
    assert _postgres_options(DB_PREPARED_STATEMENTS="false") == {}


@pytest.mark.django_db
def test_repeated_statements_are_prepared_on_postgresql():
    from django.db import connection

    from hms.accounts.tests.factories import UserFactory
    from hms.appointments import selectors

    if connection.vendor != "postgresql":
        pytest.skip(f"prepared statements are PostgreSQL's; this run is on {connection.vendor}")
    if not connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold"):
        pytest.skip("DB_PREPARED_STATEMENTS is off for this run")
    doctor = UserFactory(role="doctor")
    # psycopg forgets its prepared statements at a ROLLBACK (a refused double booking is
    # one); the next two runs of a statement prepare it again.
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT before_refusal")
        cursor.execute("ROLLBACK TO SAVEPOINT before_refusal")
    for _ in range(2):
        assert selectors.doctor_get(public_id=doctor.public_id) == doctor
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "accounts_user"."id"%'],
        )
        assert cursor.fetchone()[0] >= 1


def test_files_stored_by_tests_stay_out_of_the_working_tree(db):
    """Uploads and rendered images (radiology previews, the demo data's) go to the session's
    temporary directory; a run leaves nothing in the checkout."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("probe/stored-by-a-test.txt", ContentFile(b"probe"))
    stored = Path(default_storage.path(name)).resolve()
    assert stored.is_file()
    assert not stored.is_relative_to(settings.REPO_DIR.resolve()), stored
    assert not Path(settings.STATIC_ROOT).resolve().is_relative_to(settings.REPO_DIR.resolve())
