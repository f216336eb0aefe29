"""The client an OR122 names does not depend on where objects were allocated
(a set of ``id()``s, ordered by hash seed and addresses, picked it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SOURCE = """\
import os
from openai import OpenAI


class Chat:
    def __init__(self, config=None, client=None):
        if config is None and client is None:
            self.client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
            return
        if "api_key" in config:
            if "base_url" not in config:
                self.client = OpenAI(
                    api_key=config["api_key"],
                    base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
                )
            else:
                self.client = OpenAI(api_key=config["api_key"], base_url=config["base_url"])

    def ask(self, q):
        return self.client.chat.completions.create(model="qwen-plus", messages=[])
"""


def test_or122_names_the_first_client_that_stays_whatever_the_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "chat.py").write_text(SOURCE)
    root = Path(__file__).resolve().parent.parent
    named = set()
    for seed in ("1", "2", "3", "4", "5"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(root))
        out = subprocess.run(
            [sys.executable, "-m", "codemods", "check", "--no-cache", "--isolated", "chat.py"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        (line,) = [x for x in out.splitlines() if "OR122" in x]
        named.add(line.split(", which")[0].rsplit(":", 1)[-1])
    assert named == {"12"}, named  # the first of the two that stay, in source order
