"""The OpenAI SDK's shape, shared by the front-ends: the client's resources,
the Responses methods and OpenAI's hosted Responses tools. Written in the
Python SDK's (openai-python) snake_case names; the Node SDK (openai-node)
spells the same resources in camelCase (:func:`camel`: ``fine_tuning`` ->
``fineTuning``), and its tool types and method names as Python's.

What OpenRouter does not serve is :mod:`codemods.core.unsupported`'s table;
which calls carry a model differs between the two SDKs (``runTools`` is
Node's only) and stays with each front-end.
"""

from __future__ import annotations

#: the client's resources (``client.<resource>``): a chain such as
#: ``client.chat.completions.create`` taken as a value sends requests the
#: tool does not see (the escape analyses of both front-ends)
RESOURCES: frozenset[str] = frozenset(
    {
        "chat",
        "completions",
        "responses",
        "embeddings",
        "images",
        "audio",
        "moderations",
        "beta",
        "files",
        "batches",
        "models",
        "fine_tuning",
        "uploads",
        "vector_stores",
        "assistants",
        "threads",
        "realtime",
        "containers",
        "conversations",
        "evals",
        "videos",
    }
)

#: the methods that send a text or embedding request with ``model=``, in
#: both SDKs (each front-end adds its own: Python's images, audio and
#: moderations, Node's ``chat.completions.runTools``); a chain ending in
#: ``chat.completions.create`` also ends in ``completions.create``: the
#: longer comes first
TEXT_METHODS: tuple[tuple[str, ...], ...] = (
    ("chat", "completions", "create"),
    ("chat", "completions", "parse"),
    ("chat", "completions", "stream"),
    ("completions", "create"),
    ("responses", "create"),
    ("responses", "parse"),
    ("responses", "stream"),
    ("embeddings", "create"),
)

#: the methods that send a Responses request (``client.responses.<method>``)
RESPONSES_METHODS: frozenset[tuple[str, ...]] = frozenset(
    {("responses", "create"), ("responses", "parse"), ("responses", "stream")}
)

#: OpenAI's hosted Responses tools (``tools=[{"type": ...}]``): they run on
#: OpenAI's side
HOSTED_TOOLS: frozenset[str] = frozenset(
    {
        "file_search",
        "web_search",
        "web_search_preview",
        "image_generation",
        "code_interpreter",
        "computer_use_preview",
        "mcp",
        "local_shell",
    }
)


#: ``include=[...]`` entries that ask for a hosted tool's output
#: (``"file_search_call.results"``): the request runs that tool, even when
#: its ``tools`` come from elsewhere (a request body)
HOSTED_INCLUDES: dict[str, str] = {
    "file_search_call": "file_search",
    "web_search_call": "web_search",
    "code_interpreter_call": "code_interpreter",
    "computer_call_output": "computer_use_preview",
}


def hosted_include(entry: str) -> str | None:
    """``"file_search_call.results"`` -> ``"file_search"``; None for an entry
    that names no hosted tool (``"reasoning.encrypted_content"``)."""
    return HOSTED_INCLUDES.get(entry.split(".", 1)[0])


def camel(name: str) -> str:
    """A Python SDK name in the Node SDK's spelling: ``vector_stores`` ->
    ``vectorStores``, ``input_items`` -> ``inputItems``."""
    first, *rest = name.split("_")
    return first + "".join(r[:1].upper() + r[1:] for r in rest)
