"""The rules. Importing this package registers every rule and checker."""

from codemods.rules import client, models, module_client, noqa, streams, unsupported  # noqa: F401
from codemods.rules.base import CHECKERS, RULES, RuleContext, RuleInfo

__all__ = ["CHECKERS", "RULES", "RuleContext", "RuleInfo"]
