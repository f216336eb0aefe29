"""A recording HTTP server on 127.0.0.1 that answers like OpenRouter's API.

Used by the end-to-end tests (``tests/test_e2e_apps.py``): migrated apps are
run with the real ``openai`` SDK against it, and the test asserts on what it
recorded. It serves, under ``/api/v1``:

- ``POST /chat/completions``: JSON, or SSE when ``stream`` is true; a
  request that forces a function (``tool_choice`` naming it, as instructor's
  TOOLS mode does) gets a tool call with arguments made from its schema. Like
  OpenRouter, every stream ends with one usage chunk whose ``choices`` is an
  empty list, then ``data: [DONE]``.
- ``POST /completions`` (JSON or SSE, same ending), ``POST /embeddings``,
  ``POST /responses`` (stateless: ``store: true`` or a ``previous_response_id``
  get 400, as on OpenRouter), ``GET /models``.
- 404 for every other path (``/v1/chat/completions``,
  ``/api/v1chat/completions``...), and for requests sent to it as an HTTP
  proxy (``HTTP_PROXY``/``HTTPS_PROXY`` point here in the tests, so a call to a
  real host fails fast: ``CONNECT`` gets 403).

Like OpenRouter it answers 401 without a ``Bearer`` key that looks like an
OpenRouter key (``sk-or-...``) and 400 for a model ID without a provider
prefix (``gpt-4o``). Every request is recorded (method, path, headers, JSON
body, status) before it is answered. The server runs in a daemon thread and
is stopped by :meth:`FakeOpenRouter.stop` (use it as a context manager).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/api/v1"
REPLY = "Hello from the fake OpenRouter."


@dataclass
class Recorded:
    method: str
    path: str  # as sent: "/api/v1/chat/completions", or an absolute URL / host:port via proxy
    headers: dict[str, str]  # names lower-cased
    body: Any  # parsed JSON, or None
    status: int = 0
    proxied: bool = False  # sent to this server as a proxy for another host
    raw: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet

    # -- plumbing -------------------------------------------------------------

    def _record(self) -> Recorded:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        proxied = self.command == "CONNECT" or not self.path.startswith("/")
        rec = Recorded(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            proxied=proxied,
            raw=raw,
        )
        with self.server.lock:
            self.server.requests.append(rec)
        return rec

    def _send_json(self, rec: Recorded, status: int, payload: Any) -> None:
        rec.status = status
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, rec: Recorded, status: int, message: str) -> None:
        self._send_json(rec, status, {"error": {"code": status, "message": message}})

    def _send_sse(self, rec: Recorded, events: list[Any]) -> None:
        rec.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    # -- verbs ----------------------------------------------------------------

    def do_CONNECT(self) -> None:  # noqa: N802 (a tunnel to a real host: refused)
        rec = self._record()
        rec.status = 403
        self.send_response(403, "e2e: no network")
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        rec = self._record()
        if rec.proxied:
            return self._error(rec, 404, "e2e: no network (proxied request)")
        if rec.path.split("?")[0] != f"{PREFIX}/models":
            return self._error(rec, 404, "Not Found")
        if not self._authorized(rec):
            return None
        self._send_json(
            rec,
            200,
            {
                "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "openai"}
                    for m in ("openai/gpt-4o", "openai/gpt-4o-mini", "openai/o4-mini")
                ]
            },
        )
        return None

    def do_POST(self) -> None:  # noqa: N802
        rec = self._record()
        if rec.proxied:
            return self._error(rec, 404, "e2e: no network (proxied request)")
        route = {
            f"{PREFIX}/chat/completions": self._chat,
            f"{PREFIX}/completions": self._completions,
            f"{PREFIX}/embeddings": self._embeddings,
            f"{PREFIX}/responses": self._responses,
        }.get(rec.path.split("?")[0])
        if route is None:
            return self._error(rec, 404, "Not Found")
        if not self._authorized(rec):
            return None
        body = rec.body if isinstance(rec.body, dict) else None
        if body is None:
            return self._error(rec, 400, "body must be a JSON object")
        model = body.get("model")
        if not isinstance(model, str) or "/" not in model:
            return self._error(rec, 400, f"{model!r} is not a valid model ID")
        route(rec, body, model)
        return None

    def _authorized(self, rec: Recorded) -> bool:
        auth = rec.header("authorization") or ""
        if not auth.startswith("Bearer sk-or-"):
            self._error(rec, 401, "No auth credentials found")
            return False
        return True

    # -- endpoints ------------------------------------------------------------

    def _usage(self) -> dict[str, int]:
        return {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}

    def _chat(self, rec: Recorded, body: dict[str, Any], model: str) -> None:
        created = int(time.time())
        content = REPLY
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
            content = json.dumps({"answer": REPLY})
        base = {"id": "gen-e2e-1", "created": created, "model": model, "provider": "OpenAI"}
        call = _forced_tool_call(body)
        if call is not None and not body.get("stream"):
            # instructor's TOOLS mode names the function it wants called
            self._send_json(
                rec,
                200,
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                            "finish_reason": "tool_calls",
                            "logprobs": None,
                        }
                    ],
                    "usage": self._usage(),
                },
            )
            return
        if not body.get("stream"):
            self._send_json(
                rec,
                200,
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                            "logprobs": None,
                        }
                    ],
                    "usage": self._usage(),
                },
            )
            return
        chunk = {**base, "object": "chat.completion.chunk"}
        words = content.split(" ")
        events: list[Any] = [
            {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
        ]
        for i, w in enumerate(words):
            piece = w if i == 0 else " " + w
            events.append({**chunk, "choices": [{"index": 0, "delta": {"content": piece}}]})
        events.append({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        events.append({**chunk, "choices": [], "usage": self._usage()})  # OpenRouter's last chunk
        self._send_sse(rec, events)

    def _completions(self, rec: Recorded, body: dict[str, Any], model: str) -> None:
        base = {"id": "gen-e2e-2", "created": int(time.time()), "model": model}
        base["object"] = "text_completion"
        if not body.get("stream"):
            self._send_json(
                rec,
                200,
                {
                    **base,
                    "choices": [
                        {"index": 0, "text": REPLY, "finish_reason": "stop", "logprobs": None}
                    ],
                    "usage": self._usage(),
                },
            )
            return
        events: list[Any] = [
            {**base, "choices": [{"index": 0, "text": REPLY, "finish_reason": None}]},
            {**base, "choices": [{"index": 0, "text": "", "finish_reason": "stop"}]},
            {**base, "choices": [], "usage": self._usage()},
        ]
        self._send_sse(rec, events)

    def _embeddings(self, rec: Recorded, body: dict[str, Any], model: str) -> None:
        inputs = body.get("input")
        items = inputs if isinstance(inputs, list) else [inputs]
        data = [
            {"object": "embedding", "index": i, "embedding": [0.1 * (i + 1), 0.2, 0.3]}
            for i in range(len(items))
        ]
        self._send_json(
            rec,
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": 3, "total_tokens": 3},
            },
        )

    def _responses(self, rec: Recorded, body: dict[str, Any], model: str) -> None:
        if body.get("store") is True or body.get("previous_response_id"):
            return self._error(rec, 400, "the Responses API is stateless on OpenRouter")
        self._send_json(
            rec,
            200,
            {
                "id": "resp_e2e_1",
                "object": "response",
                "created_at": int(time.time()),
                "model": model,
                "status": "completed",
                "output": [
                    {
                        "type": "message",
                        "id": "msg_e2e_1",
                        "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "output_text", "text": REPLY, "annotations": []}],
                    }
                ],
                "parallel_tool_calls": False,
                "tool_choice": "auto",
                "tools": [],
                "usage": {
                    "input_tokens": 5,
                    "output_tokens": 7,
                    "total_tokens": 12,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens_details": {"reasoning_tokens": 0},
                },
            },
        )
        return None


def _forced_tool_call(body: dict[str, Any]) -> dict[str, Any] | None:
    """A tool call answering ``tool_choice: {"type": "function", "function":
    {"name": N}}`` (instructor's TOOLS mode): arguments made from the
    function's JSON schema (every required property a value of its type)."""
    choice = body.get("tool_choice")
    tools = body.get("tools")
    if not (isinstance(choice, dict) and isinstance(tools, list)):
        return None
    name = (choice.get("function") or {}).get("name")
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and function.get("name") == name:
            arguments = _example(function.get("parameters") or {})
            return {
                "id": "call_e2e_1",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
    return None


def _example(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {k: _example(v) for k, v in props.items() if k in schema.get("required", props)}
    return {"string": REPLY, "integer": 1, "number": 1.0, "boolean": True, "array": []}.get(
        kind, REPLY
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []


class FakeOpenRouter:
    """``with FakeOpenRouter() as server: ... server.url, server.requests``."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no path)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenRouter-like base URL: ``http://127.0.0.1:PORT/api/v1``."""
        return self.url + PREFIX

    @property
    def requests(self) -> list[Recorded]:
        with self._server.lock:
            return list(self._server.requests)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
