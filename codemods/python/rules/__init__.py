"""The Python rules. Importing this package registers every Python rule and checker.

Every rule of every front-end: :func:`codemods.core.rules.all_rules`.
"""

# (agents and instructor import the client rules first: they read their decisions)
from codemods.python.rules import (  # noqa: F401
    agents,
    client,
    crewai,
    instructor,
    langchain,
    litellm_dspy,
    llamaindex,
    models,
    module_client,
    streams,
    unsupported,
)
from codemods.python.rules.base import CHECKERS, RuleContext

__all__ = ["CHECKERS", "RuleContext"]
