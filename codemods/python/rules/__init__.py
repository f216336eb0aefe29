"""The rules. Importing this package registers every rule and checker."""

# (agents and instructor import the client rules first: they read their decisions)
from codemods.core import noqa as _noqa  # noqa: E402,F401 - OR900, both front-ends
from codemods.python.rules import (  # noqa: F401
    agents,
    client,
    instructor,
    langchain,
    litellm_dspy,
    llamaindex,
    models,
    module_client,
    streams,
    unsupported,
)
from codemods.python.rules.base import CHECKERS, RULES, RuleContext, RuleInfo

# the TypeScript/JavaScript front-end's own rules (OR5xx) and its examples of
# the shared codes (its checks run only on .ts/.js files: codemods/typescript/)
from codemods.typescript import rules as _typescript_rules  # noqa: E402,F401

__all__ = ["CHECKERS", "RULES", "RuleContext", "RuleInfo"]
