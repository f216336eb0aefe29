"""Decide from raw bytes, without parsing, whether a file can need work.

Exact in the safe direction: every rule needs either an import of ``openai``
(which contains the bytes ``openai``) or an SDK resource-method chain (whose
attribute names are whole identifiers: ``completions``, ``responses``...).
A file with neither cannot produce a finding, so it is never parsed.
"""

from __future__ import annotations

import re

_NEEDLES = re.compile(rb"openai|\b(?:completions|responses|embeddings|images|audio|moderations)\b")


def may_need_work(data: bytes) -> bool:
    return _NEEDLES.search(data) is not None
