"""gunicorn settings for HMS, read automatically when gunicorn starts in backend/.

    cd backend && gunicorn config.wsgi

Every value can be overridden on the command line or with GUNICORN_* environment variables
(e.g. `GUNICORN_WORKERS=8`). Sync workers: each request holds its worker while it waits on the
database, so run about two per core (default) plus one.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = None  # HMS logs every request itself (hms.request, JSON with the request id)

# Load Django once in the master, so workers start fast and share its memory pages.
preload_app = True
# The master only forks workers: it leaves the start-up warm-up (drug dictionary, ICD-10 list)
# to each worker, since a fork in the middle of the master's load would hand the worker a
# half-imported module (hms.core.warmup).
os.environ["HMS_WARM_UP_IN_FORKED_WORKERS"] = "1"


def post_fork(server, worker):
    # Everything loaded in the master (Django, every API module) lives as long as the worker:
    # moving it out of the garbage collector's view keeps collections from touching those
    # pages, so they stay shared with the master instead of being copied into each worker.
    gc.freeze()


def on_starting(server):
    # Start each run with an empty metrics directory: files of a previous run's workers would
    # otherwise be counted again (PROMETHEUS_MULTIPROC_DIR, hms.core.metrics).
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    # Metrics of a worker that exited stop counting as live (PROMETHEUS_MULTIPROC_DIR).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
