"""The one way a Python rule speaks: ``ctx.report``.

What a rule is (its code, summary, severity, documentation and examples) is
the same for every front-end: :mod:`codemods.core.rules`.

Rules never read files, print, or know about the CLI: a *checker* is a
function that receives a :class:`RuleContext` (the parsed module, the facts
collected once for it, the settings and the model table) and calls
``ctx.report``. A report may carry a fix: a function from the (already
updated) node to its replacement. Fixes compose: a fix on a node receives the
node with its children's fixes already applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import libcst as cst

from codemods.core.findings import Settings
from codemods.core.rules import RuleInfo
from codemods.python.analysis import ModuleFacts

if TYPE_CHECKING:
    from codemods.core.mapping import ModelTable
    from codemods.python.project import ModuleSummary, ProjectInput

Fix = Callable[[cst.CSTNode], cst.CSTNode]


@dataclass
class Report:
    node: cst.CSTNode
    rule: RuleInfo
    message: str
    fix: Fix | None = None
    # the node whose replacement text the fix produces (defaults to ``node``)
    fix_node: cst.CSTNode | None = None
    # reports this one cannot stand without: a model ID sent through a
    # client moves with the client. When one of them is not kept (suppressed
    # by a noqa comment, its rule deselected), this report is dropped too
    requires: list[Report] = field(default_factory=list)
    # the fix may change what the program does (the tool could not prove it
    # right): applied only with ``--unsafe-fixes``, with its support edits
    unsafe: bool = False
    # other places the message names: the engine replaces :data:`REFS` in
    # ``message`` with their ``path:line`` (positions are known only then)
    refs: tuple[cst.CSTNode, ...] = ()
    # constructor sites (``id()`` of the call) whose client this finding
    # keeps from moving: a model ID sent through it that cannot move (OR202,
    # OR203, OR204, OR307). Unless this finding is suppressed (a noqa
    # comment: the user accepts the ID as it is), the engine runs the rules
    # again with them in ``RuleContext.blocked_clients``: their fix is unsafe
    # Also (str) the keys of clients of other modules it is sent through
    # (``clients.external_uses``): the engine tells the module that builds
    # them (``ModuleSummary.client_facts``), whose fix is then unsafe too
    blocks: list[int | str] = field(default_factory=list)
    # its rule is not selected (``--ignore``, ``--select``): never emitted
    unselected: bool = False
    # the fix is known to break the program (a client that would send
    # OpenRouter a model ID it does not serve, and what moves only with it):
    # shown as a display-only fix, never applied, not even with
    # ``--unsafe-fixes``; always also ``unsafe``
    display_only: bool = False


#: Placeholder in a report's message for the positions of its ``refs``.
REFS = "\x00refs\x00"


@dataclass
class RuleContext:
    module: cst.Module
    facts: ModuleFacts
    settings: Settings
    table: ModelTable
    reports: list[Report] = field(default_factory=list)
    # edits that belong to no finding of their own (e.g. ``import os``),
    # keyed by the finding that needs them: dropped with it when suppressed
    support_edits: dict[int, list[tuple[cst.CSTNode, Fix]]] = field(default_factory=dict)
    # constructor calls the client rules left pointing away from OpenRouter
    # (custom base_url, **kwargs, ...): model IDs sent through those clients
    # must stay as they are
    unmigrated_clients: set[int] = field(default_factory=set)
    # constructor call id -> what the client rule decided for it
    # (codemods/python/clients.py: "migrate", "openrouter", "left") and, for the
    # migrated ones, the report whose fix moves it
    client_decisions: dict[int, str] = field(default_factory=dict)
    client_reports: dict[int, Report] = field(default_factory=dict)
    # cross-module data flow (codemods/python/project.py): what the other files of
    # the run say about this one (input), and what this one says (output)
    project: ProjectInput | None = None
    summary: ModuleSummary | None = None
    # what several rules compute alike (``models.sdk_calls``), once
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    # constructor call id -> the findings (of the first pass) of model IDs
    # sent through that client which cannot move to OpenRouter (engine: a
    # second pass): the client's fix is unsafe, and so is every fix that
    # moves with it
    blocked_clients: dict[int, list[Report]] = field(default_factory=dict)
    # constructor call ids whose client finding (OR101, OR411, OR412) a noqa
    # comment suppresses (engine: a second pass): the client stays where it
    # points, so its key variable is not renamed and other modules are told
    # it is left
    held_clients: set[int] = field(default_factory=set)
    # the bytes ``module`` was parsed from, when the engine has them: a
    # rule's quick "is this text in the file" test reads them, since
    # ``module.code`` prints the whole tree again (a third of a parse)
    source: bytes | None = field(default=None, repr=False)

    def data(self) -> bytes:
        """The module's bytes (LibCST reproduces its source exactly)."""
        return self.module.bytes if self.source is None else self.source

    def mentions(self, text: str) -> bool:
        """Whether ``text`` (ASCII) occurs in the module's source."""
        encoding = self.module.encoding.lower().replace("_", "-")
        if self.source is not None and not encoding.startswith(("utf-16", "utf-32")):
            try:
                return text.encode(encoding) in self.source
            except (LookupError, UnicodeError):
                pass
        return text in self.module.code

    def report(
        self,
        node: cst.CSTNode,
        rule: RuleInfo,
        message: str,
        fix: Fix | None = None,
        fix_node: cst.CSTNode | None = None,
        unsafe: bool = False,
        refs: tuple[cst.CSTNode, ...] = (),
        display_only: bool = False,
    ) -> Report:
        """Report ``node``; ``fix`` (if any) is applied by ``migrate``, or,
        with ``unsafe=True``, only by ``migrate --unsafe-fixes``, or, with
        ``display_only=True``, never (it is shown only)."""
        if not self.settings.rule_enabled(rule.code):
            # still returned so callers can attach support edits; never emitted
            return Report(node, rule, message, None, unselected=True)
        r = Report(
            node,
            rule,
            message,
            fix if rule.fixable else None,
            fix_node,
            unsafe=unsafe or display_only,
            refs=refs,
            display_only=display_only and rule.fixable and fix is not None,
        )
        self.reports.append(r)
        return r

    def needs(self, report: Report, node: cst.CSTNode, fix: Fix) -> None:
        """``report``'s fix also needs ``fix`` applied to ``node`` (applied
        when, and only when, ``report``'s fix is: same applicability)."""
        self.support_edits.setdefault(id(report), []).append((node, fix))


Checker = Callable[[RuleContext], None]
CHECKERS: list[Checker] = []


def checker(fn: Checker) -> Checker:
    CHECKERS.append(fn)
    return fn
