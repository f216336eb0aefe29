"""Lexical scopes of one TypeScript/JavaScript file: which declaration a
name read refers to, so the rules follow a variable by where it is declared
and not by how many times its name appears in the file (a ``params`` in one
function is not the ``params`` of another).

What declares what, and where (ECMAScript's rules, kept small):

* ``let`` / ``const`` / ``class`` / ``function`` declarations: the nearest
  block around them (a ``{ }`` block, a function's body, a ``for`` head, a
  ``switch`` body, a class static block, the file);
* ``var``: the nearest function (its parameters' scope) or the file;
* parameters (patterns and defaults included): their function, arrow
  function or method; a named function expression's name: itself;
* ``catch (e)``: the catch clause; ``for (const x of xs)``: the loop;
* imports (``import ... from``, ``import x = require(...)``): the file.

A read resolves to the declarations of the innermost scope around it that
declares its name: none (a global such as ``process``), one (certain), or
several (``var x`` twice in one function, a function and a variable of the
same name: ambiguous, :meth:`Scopes.lookup` says None).

Each :class:`Binding` also knows how it is written after its declaration:
``x = value`` (``assigned``) and any other write (``x += 1``, ``x++``,
``[x] = pair``, ``for (x of xs)``: ``reassigned``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Node = Any  # tree_sitter.Node

#: what ``let``/``const``/``class``/``function`` declarations are scoped to
BLOCK_SCOPES = frozenset(
    {
        "statement_block",
        "program",
        "for_statement",
        "for_in_statement",
        "switch_body",
        "class_static_block",
    }
)
#: ... and ``var`` and parameters
FUNCTION_SCOPES = frozenset(
    {
        "program",
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
        "class_static_block",
    }
)
_DECLARED_NAMES = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "enum_declaration": "enum",
}
_NAMED_EXPRESSIONS = {
    "function_expression": "function",
    "function": "function",
    "generator_function": "function",
    "class": "class",
}
_WRITES = ("augmented_assignment_expression", "update_expression")


@dataclass(eq=False)
class Binding:
    """One declaration of a name."""

    name: str
    # "var" | "let" | "const" | "using" | "param" | "function" | "class" |
    # "enum" | "import" | "catch"
    kind: str
    ident: Node  # the identifier that declares it
    scope: Node  # the node it is visible in
    # the ``variable_declarator`` that declares the name alone
    # (``const x = ...``, not a pattern), and its initialiser
    declarator: Node | None = None
    value: Node | None = None
    # the values of ``name = value`` after the declaration
    assigned: list[Node] = field(default_factory=list)
    # written in another way (``x += 1``, ``x++``, ``[x] = pair``,
    # ``({ x } = o)``, ``for (x of xs)``)
    reassigned: bool = False

    @property
    def variable(self) -> bool:
        return self.kind in ("var", "let", "const", "using")

    def values(self) -> list[Node] | None:
        """Every value the variable can hold: its initialiser and each
        ``name = value``; None: written another way, or not a variable."""
        if not self.variable or self.reassigned:
            return None
        out = [self.value] if self.value is not None else []
        return out + self.assigned


class Scopes:
    """The bindings of one file (:func:`build`)."""

    def __init__(self) -> None:
        # scope node id -> name -> its declarations there
        self.table: dict[int, dict[str, list[Binding]]] = {}
        # declaring identifier id -> its binding
        self.by_ident: dict[int, Binding] = {}

    def declare(self, binding: Binding) -> None:
        self.table.setdefault(binding.scope.id, {}).setdefault(binding.name, []).append(binding)
        self.by_ident[binding.ident.id] = binding

    def candidates(self, ident: Node, name: str | None = None) -> list[Binding]:
        """The declarations a read of ``name`` (by default the text of
        ``ident``) at ``ident`` can refer to: those of the innermost scope
        around it that declares the name; [] for a global."""
        if name is None:
            name = ident.text.decode("utf-8", "replace")
        node = ident
        while node is not None:
            found = self.table.get(node.id)
            if found is not None and name in found:
                return found[name]
            node = node.parent
        return []

    def lookup(self, ident: Node | None, name: str | None = None) -> Binding | None:
        """The one declaration a read refers to; None: a global, or
        declared more than once in the scope that decides."""
        if ident is None:
            return None
        found = self.candidates(ident, name)
        return found[0] if len(found) == 1 else None


def _nearest(node: Node | None, kinds: frozenset[str]) -> Node | None:
    while node is not None and node.type not in kinds:
        node = node.parent
    return node


def pattern_idents(node: Node | None) -> list[Node]:
    """The identifiers a binding or assignment pattern declares or writes
    (``{ a, b: c, ...d }``, ``[e, f = 1]``, ``g = 2``)."""
    if node is None:
        return []
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [node]
    if node.type in ("assignment_pattern", "object_assignment_pattern"):
        return pattern_idents(node.child_by_field_name("left"))
    if node.type == "pair_pattern":
        return pattern_idents(node.child_by_field_name("value"))
    out: list[Node] = []
    if node.type in ("object_pattern", "array_pattern", "rest_pattern", "object", "array"):
        for c in node.named_children:
            out += pattern_idents(c)
    return out


def _params(fn: Node) -> list[Node]:
    single = fn.child_by_field_name("parameter")  # ``x => ...``
    if single is not None:
        return pattern_idents(single)
    params = fn.child_by_field_name("parameters")
    out: list[Node] = []
    for c in params.named_children if params is not None else ():
        if c.type in ("required_parameter", "optional_parameter"):
            out += pattern_idents(c.child_by_field_name("pattern"))
        else:  # JavaScript: the patterns themselves
            out += pattern_idents(c)
    return out


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def build(root: Node) -> Scopes:
    """Every binding of the file under ``root``, and how each is written."""
    scopes = Scopes()
    writes: list[tuple[Node, Node | None]] = []  # (target identifier, value of ``=``)

    def declare(ident: Node, kind: str, scope: Node | None, **extra: Any) -> None:
        if scope is not None:
            scopes.declare(Binding(_text(ident), kind, ident, scope, **extra))

    stack = [root]
    while stack:
        node = stack.pop()
        t = node.type
        if t == "variable_declarator":
            statement = node.parent
            kind = "var"
            if statement is not None and statement.type == "lexical_declaration":
                kind_node = statement.child_by_field_name("kind")
                kind = _text(kind_node) if kind_node is not None else "let"
            scope = _nearest(statement, FUNCTION_SCOPES if kind == "var" else BLOCK_SCOPES)
            name = node.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                declare(
                    name,
                    kind,
                    scope,
                    declarator=node,
                    value=node.child_by_field_name("value"),
                )
            else:
                for ident in pattern_idents(name):
                    declare(ident, kind, scope)
        elif t in _DECLARED_NAMES:
            name = node.child_by_field_name("name")
            if name is not None and name.type in ("identifier", "type_identifier"):
                declare(name, _DECLARED_NAMES[t], _nearest(node.parent, BLOCK_SCOPES))
        elif t in _NAMED_EXPRESSIONS:  # ``function g() {}`` as a value: g is its own
            name = node.child_by_field_name("name")
            if name is not None and name.type in ("identifier", "type_identifier"):
                declare(name, _NAMED_EXPRESSIONS[t], node)
        if t in FUNCTION_SCOPES and t not in ("program", "class_static_block"):
            for ident in _params(node):
                declare(ident, "param", node)
        elif t == "catch_clause":
            for ident in pattern_idents(node.child_by_field_name("parameter")):
                declare(ident, "catch", node)
        elif t == "for_in_statement":
            left = node.child_by_field_name("left")
            kind_node = node.child_by_field_name("kind")
            if kind_node is None:  # ``for (x of xs)`` writes x
                writes += [(i, None) for i in pattern_idents(left)]
            else:
                kind = _text(kind_node)
                scope = node if kind != "var" else _nearest(node.parent, FUNCTION_SCOPES)
                for ident in pattern_idents(left):
                    declare(ident, kind, scope)
        elif t == "import_statement":
            for ident in _import_idents(node):
                declare(ident, "import", root)
        elif t == "assignment_expression":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                writes.append((left, node.child_by_field_name("right")))
            elif left is not None:
                writes += [(i, None) for i in pattern_idents(left)]
        elif t in _WRITES:
            target = node.child_by_field_name(
                "left" if t == "augmented_assignment_expression" else "argument"
            )
            if target is not None and target.type == "identifier":
                writes.append((target, None))
        stack.extend(node.children)
    for ident, value in writes:
        if ident.type not in ("identifier", "shorthand_property_identifier_pattern"):
            continue
        for binding in scopes.candidates(ident):
            if value is None:
                binding.reassigned = True
            else:
                binding.assigned.append(value)
    return scopes


def _import_idents(node: Node) -> list[Node]:
    """The local names an ``import`` statement declares."""
    out: list[Node] = []
    for c in node.named_children:
        if c.type == "import_require_clause":  # import x = require("y")
            out += [i for i in c.named_children[:1] if i.type == "identifier"]
        if c.type != "import_clause":
            continue
        for part in c.named_children:
            if part.type == "identifier":
                out.append(part)
            elif part.type == "namespace_import":
                out += [i for i in part.named_children if i.type == "identifier"]
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type == "import_specifier":
                        alias = spec.child_by_field_name("alias") or spec.child_by_field_name(
                            "name"
                        )
                        if alias is not None and alias.type == "identifier":
                            out.append(alias)
    return out
