"""The whole ASGI application (HTTP and WebSockets) served by daphne in a thread of the test
process, for browser tests of live updates: pytest-django's live server speaks WSGI only.

In this process, so it uses the test database (an in-memory SQLite one included) like the live
server does. Twisted's reactor cannot be restarted, so one server serves the whole session.
"""

import socket
import threading
import time


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AsgiTestServer:
    def __init__(self):
        # daphne installs Twisted's asyncio reactor on import: import it only when needed.
        from channels.routing import get_default_application
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        application = get_default_application()  # settings.ASGI_APPLICATION

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = Server(
            application=application,
            endpoints=build_endpoint_description_strings(host="127.0.0.1", port=self.port),
            signal_handlers=False,
            verbosity=0,
        )
        self.thread = threading.Thread(target=self.server.run, name="asgi-test-server", daemon=True)

    def start(self, timeout: float = 20.0) -> "AsgiTestServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the ASGI test server did not listen on port {self.port}")

    def stop(self) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        self.thread.join(timeout=10)
