"""The rules. Importing this package registers every rule and checker."""

from codemods.rules import (  # noqa: F401
    client,
    langchain,
    litellm_dspy,
    llamaindex,
    models,
    module_client,
    noqa,
    unsupported,
)
from codemods.rules.base import CHECKERS, RULES, RuleContext, RuleInfo

__all__ = ["CHECKERS", "RULES", "RuleContext", "RuleInfo"]
