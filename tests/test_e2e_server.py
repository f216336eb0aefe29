"""The imitation of OpenRouter used by the end-to-end tests answers and
records like the real API does (no SDK needed here)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from tests.e2e_server import FakeOpenRouter

KEY = "sk-or-v1-test"


def _post(url: str, body: object, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        | (headers or {}),
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_chat_json_and_recording() -> None:
    with FakeOpenRouter() as s:
        status, data = _post(
            s.base_url + "/chat/completions",
            {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
            {"HTTP-Referer": "https://example.test", "X-Title": "T"},
        )
        assert status == 200
        assert json.loads(data)["choices"][0]["message"]["content"]
        (r,) = s.requests
        assert (r.method, r.path, r.status) == ("POST", "/api/v1/chat/completions", 200)
        assert r.header("Authorization") == f"Bearer {KEY}"
        assert r.header("x-title") == "T"
        assert r.body["model"] == "openai/gpt-4o"


def test_stream_ends_with_a_usage_chunk_without_choices_then_done() -> None:
    with FakeOpenRouter() as s:
        for path in ("/chat/completions", "/completions"):
            status, data = _post(
                s.base_url + path, {"model": "openai/gpt-4o", "prompt": "x", "stream": True}
            )
            assert status == 200
            events = [line[6:] for line in data.decode().split("\n\n") if line.startswith("data: ")]
            assert events[-1] == "[DONE]"
            last = json.loads(events[-2])
            assert last["choices"] == [] and last["usage"]["total_tokens"] > 0
            assert all(json.loads(e)["choices"] for e in events[:-2])


@pytest.mark.parametrize(
    "path", ["/v1/chat/completions", "/api/v1chat/completions", "/api/v1/moderations", "/"]
)
def test_everything_else_is_404(path: str) -> None:
    with FakeOpenRouter() as s:
        status, _ = _post(s.url + path, {"model": "openai/gpt-4o"})
        assert status == 404
        assert s.requests[0].path == path and s.requests[0].status == 404


def test_like_openrouter_it_rejects_bare_models_other_keys_and_stateful_responses() -> None:
    with FakeOpenRouter() as s:
        assert _post(s.base_url + "/chat/completions", {"model": "gpt-4o"})[0] == 400
        bad_key = {"Authorization": "Bearer sk-proj-openai"}
        assert _post(s.base_url + "/embeddings", {"model": "openai/x"}, bad_key)[0] == 401
        for extra in ({"store": True}, {"previous_response_id": "resp_1"}):
            body = {"model": "openai/gpt-4o", "input": "x", **extra}
            assert _post(s.base_url + "/responses", body)[0] == 400
        ok = _post(s.base_url + "/responses", {"model": "openai/gpt-4o", "input": "x"})
        assert ok[0] == 200
        emb = _post(s.base_url + "/embeddings", {"model": "openai/e", "input": ["a", "b"]})
        assert len(json.loads(emb[1])["data"]) == 2


def test_models_and_proxy_requests() -> None:
    with FakeOpenRouter() as s:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        req = urllib.request.Request(
            s.base_url + "/models", headers={"Authorization": f"Bearer {KEY}"}
        )
        with opener.open(req, timeout=10) as resp:
            assert json.loads(resp.read())["data"]
        # used as a proxy for a real host: recorded, refused
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n")
            assert b" 403 " in sock.recv(200)
        assert s.requests[-1].proxied and s.requests[-1].path == "api.openai.com:443"


def test_the_server_stops() -> None:
    s = FakeOpenRouter()
    port = s.port
    s.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_forced_function_gets_a_tool_call_following_its_schema() -> None:
    """instructor's TOOLS mode names the function in ``tool_choice``."""
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "x": {}},
        "required": ["name", "age"],
    }
    body = {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "Ann is 30"}],
        "tools": [{"type": "function", "function": {"name": "User", "parameters": schema}}],
        "tool_choice": {"type": "function", "function": {"name": "User"}},
    }
    with FakeOpenRouter() as s:
        status, data = _post(s.base_url + "/chat/completions", body)
        assert status == 200
        choice = json.loads(data)["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        (call,) = choice["message"]["tool_calls"]
        assert call["function"]["name"] == "User"
        assert json.loads(call["function"]["arguments"]) == {
            "name": "Hello from the fake OpenRouter.",
            "age": 1,
        }
        # without a forced function the answer is text, as before
        status, data = _post(s.base_url + "/chat/completions", {**body, "tool_choice": "auto"})
        assert json.loads(data)["choices"][0]["message"]["content"]
