"""The rules. Importing this package registers every rule and checker."""

from codemods.rules import client, models, module_client, noqa, unsupported  # noqa: F401
from codemods.rules.base import CHECKERS, RULES, RuleContext, RuleInfo

# the TypeScript/JavaScript front-end's own rules (OR5xx) and its examples of
# the shared codes (its checks run only on .ts/.js files: codemods/typescript/)
from codemods.typescript import rules as _typescript_rules  # noqa: E402,F401

__all__ = ["CHECKERS", "RULES", "RuleContext", "RuleInfo"]
