"""A local HTTP server speaking the chat-completions API (Groq's /openai/v1/... and any
OpenAI-compatible /v1/...), started by the tests: nothing reaches the internet. It records
every request so a test can check what left the hospital."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubProvider:
    def __init__(self):
        self.requests: list[dict] = []
        self.reply: dict = {"drugs": [], "explanation": ""}
        self.status = 200
        self.delay = 0.0
        self.raw_content: str | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                stub.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if stub.delay:
                    time.sleep(stub.delay)
                if stub.status != 200:
                    self._send(stub.status, {"error": {"message": "upstream trouble"}})
                    return
                content = stub.raw_content
                if content is None:
                    content = json.dumps(stub.reply)
                self._send(
                    200,
                    {
                        "id": "chatcmpl-stub",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": "stub-model",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def everything_sent(self) -> str:
        return "\n".join(f"{r['path']} {r['headers']} {r['body']}" for r in self.requests)
