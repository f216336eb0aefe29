"""The rules. Importing this package registers every rule and checker."""

# (agents and instructor import the client rules first: they read their decisions)
from codemods.rules import (  # noqa: F401
    agents,
    client,
    instructor,
    langchain,
    litellm_dspy,
    llamaindex,
    models,
    module_client,
    noqa,
    streams,
    unsupported,
)
from codemods.rules.base import CHECKERS, RULES, RuleContext, RuleInfo

__all__ = ["CHECKERS", "RULES", "RuleContext", "RuleInfo"]
