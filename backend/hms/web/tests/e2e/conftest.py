"""Browser tests: Playwright on Debian's Chromium against pytest-django's live server.

Run them in their own pytest process (`make test` does): Playwright's sync API runs an event
loop that breaks pytest-asyncio tests run after it in the same process.
"""

import os
from datetime import date, datetime, time
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

CHROMIUM = Path(os.environ.get("HMS_E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTHS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 375, "height": 760}}
MONDAY = date(2027, 3, 1)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
    if not CHROMIUM.exists():
        skip = pytest.mark.skip(
            reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
        for item in items:
            if here in Path(item.fspath).parents:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_under_playwright():
    """Playwright's sync API runs an event loop; Django must allow sync ORM calls there. Set
    only for the browser tests (make test also exports it for their process)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """Django's live server wraps the app in a media-files handler that needs a MEDIA_URL;
    HMS has none (uploads are served only by authorised views). Give it a path nothing
    links to, before the live server starts."""
    from django.conf import settings

    if not settings.MEDIA_URL:
        settings.MEDIA_URL = "/__live-server-media-unused__/"


@pytest.fixture
def monday_morning():
    """The server's clock set to 08:30 on a Monday in the hospital's time zone, and ticking.

    For tests that need a time of day: today's queue, free slots later today. Without it such
    a test fails when the suite runs late in the evening or across midnight (the slot it picked
    has started, "today" is another day by the time the page loads). The live server runs in
    this process, so it reads the same clock; the browser keeps the machine's clock, which the
    pages do not use. Yields the moment the clock was set to."""
    start = timezone.make_aware(datetime.combine(MONDAY, time(8, 30)))
    with time_machine.travel(start, tick=True):
        yield start


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": WIDTHS["desktop"], "locale": "en-GB"}


class OriginGuard:
    """Records every request that leaves the live server and every CSP violation."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.outside: list[str] = []
        self.csp_errors: list[str] = []

    def on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if not (url == self.origin or url.startswith(self.origin + "/")):
            self.outside.append(url)

    def on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_errors.append(text)

    def check(self) -> None:
        assert self.outside == [], f"requests left the server: {self.outside}"
        assert self.csp_errors == [], f"CSP violations: {self.csp_errors}"


@pytest.fixture
def origin_guard(live_server, context):
    guard = OriginGuard(live_server.url)
    context.on("request", guard.on_request)
    context.on("console", guard.on_console)
    yield guard
    guard.check()


@pytest.fixture
def portal(page, live_server, origin_guard):
    """The browser page, with every request checked to stay on the live server."""
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return page


@pytest.fixture
def shoot():
    """shoot(page, "name"): full-page screenshots at desktop and phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        original = page.viewport_size
        for label, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.wait_for_timeout(100)
            # Nothing may be wider than the screen (no sideways scrolling on a phone). Charts
            # follow the new width when the browser reports the resize, a moment later on a
            # busy machine: give the layout up to 3 s to settle, then measure.
            # (polled from here: the page's CSP forbids the string evaluation wait_for_function
            # would use)
            measure = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            for _ in range(30):
                if page.evaluate(measure) <= 0:
                    break
                page.wait_for_timeout(100)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {size['width']} px by {overflow}px"
        page.set_viewport_size(original)

    return take


@pytest.fixture(scope="session")
def _asgi_server(_live_server_media_url):
    from .asgi_server import AsgiTestServer

    server = AsgiTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def asgi_portal(page, _asgi_server, transactional_db, context):
    """The browser page against the full ASGI application (WebSockets too), with every request
    checked to stay on that server."""
    guard = OriginGuard(_asgi_server.url)
    context.on("request", guard.on_request)
    context.on("console", guard.on_console)
    page.set_default_timeout(15_000)
    page.base_url = _asgi_server.url
    yield page
    guard.check()


# Chromium's stand-ins for a camera and a microphone (a test pattern and a tone), granted
# without the permission prompt: two browser contexts can then hold a real WebRTC call.
FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
# getUserMedia refused, as when the user blocks the camera and microphone.
REFUSE_MEDIA_SCRIPT = """
(() => {
  const refuse = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
  if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = refuse;
})();
"""


@pytest.fixture(scope="session")
def media_browser(browser_type, browser_type_launch_args):
    """A second Chromium, with the fake camera and microphone (the shared one has none)."""
    args = [*browser_type_launch_args.get("args", []), *FAKE_MEDIA_ARGS]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.fixture
def call_page(media_browser, _asgi_server, transactional_db):
    """call_page(media=True): a page in a browser context of its own (one per person in the
    call) against the full ASGI application, with every request checked to stay on it. With
    media=False the page's getUserMedia is refused."""
    opened = []

    def make(*, media: bool = True):
        context = media_browser.new_context(
            base_url=_asgi_server.url,
            viewport=WIDTHS["desktop"],
            locale="en-GB",
            permissions=["camera", "microphone"] if media else [],
        )
        if not media:
            context.add_init_script(REFUSE_MEDIA_SCRIPT)
        guard = OriginGuard(_asgi_server.url)
        context.on("request", guard.on_request)
        context.on("console", guard.on_console)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = _asgi_server.url
        opened.append((context, guard))
        return page

    yield make
    for context, _guard in opened:
        context.close()
    _wait_for_sockets_to_close()
    for _context, guard in opened:
        guard.check()


def _wait_for_sockets_to_close(timeout: float = 10.0) -> None:
    """Until the server has handled every conversation socket's closing (presence, waiting
    room): the next test's database flush must not run into that work."""
    import time as clock

    from hms.telemedicine.models import ConsultRoom, Conversation
    from hms.telemedicine.presence import presence_online

    def busy() -> bool:
        for conversation in Conversation.objects.select_related("patient"):
            users = [conversation.doctor_id, conversation.patient.user_id]
            if presence_online(conversation_public_id=conversation.public_id, user_ids=users):
                return True
        return ConsultRoom.objects.filter(
            ended_at__isnull=True, patient_waiting_since__isnull=False
        ).exists()

    deadline = clock.monotonic() + timeout
    while busy() and clock.monotonic() < deadline:
        clock.sleep(0.1)
