"""The TypeScript front-end's wrong rewrites and misses found by the hand
audit of real repositories (openai-node's examples, opencommit, mem0's TS
code), each pinned by a test that failed before its fix. The Python
front-end already handled the analogous cases; the TypeScript decisions and
rule codes mirror its:

* W1: ``client.beta.X`` is classified as ``client.X`` (supported or not, model
  mapping);
* W2: a client handed to code the tool does not follow moves only as an
  unsafe fix naming where (OR119/OR301 when that code is openai's realtime
  or WebSocket helpers);
* W3: bindings are followed only where the declaration is visible;
* W4: a request object the tool cannot see gets OR205;
* M2/Q3: OR301 for stored responses / chat completions, OR302 for stateful
  Responses requests;
* M3: ``"openai/index"`` is the openai package.
"""

from __future__ import annotations

import pytest

from tests.test_typescript import codes, migrated, run


def fixes(result) -> dict[str, str | None]:
    return {f.code: f.applicability for f in result.findings}


# --- M3: the package's entry point by path -------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        'import OpenAI from "openai/index";',
        'import OpenAI from "openai/index.js";',
        'import { OpenAI } from "openai/index.mjs";',
        'const OpenAI = require("openai/index.js");',
        'import OpenAI = require("openai/index");',
    ],
)
def test_openai_imported_by_its_entry_point_is_openai(header: str) -> None:
    out = migrated(f"{header}\nconst client = new OpenAI();\n")
    assert 'new OpenAI({ baseURL: "https://openrouter.ai/api/v1"' in out
