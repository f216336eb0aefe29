"""What the rules need to know about one TypeScript/JavaScript file, collected
in one walk of its tree: the names openai's exports are bound to (however
imported), the Vercel AI SDK's OpenAI provider, constants, bindings (to see
a name declared twice) and comments (for noqa).

Forms of import understood (``openai`` v4+ and v3):

* ``import OpenAI from "openai"`` (the default export is the client class);
* ``import { OpenAI, AzureOpenAI as Az } from "openai"``;
* ``import * as oa from "openai"`` (``new oa.OpenAI()``, ``new oa.default()``);
* ``const OpenAI = require("openai")`` (CommonJS: the module is the class,
  with ``.OpenAI`` and ``.default`` on it), ``require("openai").OpenAI``,
  ``const { OpenAI: O } = require("openai")``;
* ``import OpenAI = require("openai")`` (TypeScript).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codemods.typescript.scopes import BLOCK_SCOPES, FUNCTION_SCOPES, Binding, Scopes, build

Node = Any  # tree_sitter.Node

OPENAI = "openai"
AI_SDK = "@ai-sdk/openai"
#: what ``openai`` exports, by the meaning the rules give it
CLIENT_CLASSES = frozenset({"OpenAI", "default"})
AZURE_CLASSES = frozenset({"AzureOpenAI"})
LEGACY_CLASSES = frozenset({"Configuration", "OpenAIApi"})


#: the package's own entry point named by its path: the same module as "openai"
_OPENAI_INDEX = frozenset({"openai/index", "openai/index.js", "openai/index.mjs"})


def is_openai_module(module: str | None) -> bool:
    """``"openai"`` (also named by its entry point, ``"openai/index"``,
    ``"openai/index.js"``, ``"openai/index.mjs"``), and Deno's
    ``"npm:openai"`` / ``"npm:openai@4"`` / ``"jsr:@openai/openai"``."""
    if module is None:
        return False
    return (
        module == OPENAI
        or module in _OPENAI_INDEX
        or module == "npm:openai"
        or module.startswith("npm:openai@")
        or module == "jsr:@openai/openai"
        or module.startswith("jsr:@openai/openai@")
    )


def openai_socket_module(module: str | None) -> str | None:
    """What a module of the openai package that opens a WebSocket with a
    client serves: "realtime" (``openai/realtime/ws``,
    ``openai/beta/realtime/websocket``...) or "responses" (``ResponsesWS``
    of ``openai/resources/responses/ws``); None: another module."""
    if module is None or not module.startswith("openai/"):
        return None
    parts = [p.rsplit(".", 1)[0] if p.endswith((".js", ".mjs")) else p for p in module.split("/")]
    if "realtime" in parts:
        return "realtime"
    if "responses" in parts and parts[-1] in ("ws", "websocket", "ws-base"):
        return "responses"
    return None


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


def unwrap(node: Node | None) -> Node | None:
    """``(x)``, ``x!``, ``x as T``, ``x satisfies T``, ``<T>x`` -> ``x``."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "non_null_expression",
        "as_expression",
        "satisfies_expression",
        "type_assertion",
    ):
        inner = [c for c in node.named_children if c.type != "comment"]
        if node.type == "type_assertion":
            inner = inner[1:]
        node = inner[0] if inner else None
    return node


def string_value(node: Node | None) -> str | None:
    """The value of a string literal (or a template without substitutions)
    written without escapes; None for anything else."""
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    parts = [c for c in node.named_children]
    if not parts:
        return ""
    if len(parts) == 1 and parts[0].type == "string_fragment":
        return text(parts[0])
    return None


def string_fragment(node: Node) -> Node | None:
    node = unwrap(node)
    if node is None:
        return None
    parts = node.named_children
    return parts[0] if len(parts) == 1 and parts[0].type == "string_fragment" else None


def is_require_of(node: Node | None, module: str) -> bool:
    """``require("module")``."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type != "identifier" or text(fn) != "require" or args is None:
        return False
    named = [c for c in args.named_children if c.type != "comment"]
    if len(named) != 1:
        return False
    value = string_value(named[0])
    return value == module or (module == OPENAI and is_openai_module(value))


def _required(node: Node | None) -> str | None:
    """The specifier of ``require("x")`` (None: not such a call)."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type != "identifier" or text(fn) != "require" or args is None:
        return None
    named = [c for c in args.named_children if c.type != "comment"]
    return string_value(named[0]) if len(named) == 1 else None


def loads_openai(node: Node | None) -> Node | None:
    """The ``require("openai")`` / ``import("openai")`` call a value is
    openai's module from (``require("openai")``, ``await import("openai")``,
    through parentheses; not the promise ``import()`` returns): None for
    anything else."""
    node = unwrap(node)
    awaited = node is not None and node.type == "await_expression"
    if awaited:
        inner = [c for c in node.named_children if c.type != "comment"]
        node = unwrap(inner[0]) if inner else None
    call = openai_load_call(node)
    if call is None or (text(call.child_by_field_name("function")) == "import" and not awaited):
        return None
    return call


def openai_load_call(node: Node | None) -> Node | None:
    """``node`` when it is a ``require("openai")`` or ``import("openai")``
    call; None for anything else."""
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if fn is None or fn.type not in ("import", "identifier") or args is None:
        return None
    if text(fn) not in ("import", "require"):
        return None
    named = [c for c in args.named_children if c.type != "comment"]
    if len(named) != 1 or not is_openai_module(string_value(named[0])):
        return None
    return node


def in_type(node: Node) -> bool:
    """Is ``node`` part of a type (``typeof import("openai")``)?"""
    parent = node.parent
    while parent is not None:
        if parent.type in ("type_query", "type_annotation", "type_alias_declaration"):
            return True
        if parent.type in ("statement_block", "program"):
            return False
        parent = parent.parent
    return False


def member_parts(node: Node | None) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"] (identifiers, ``this``, properties);
    None for anything else (calls, subscripts...)."""
    out: list[str] = []
    node = unwrap(node)
    while node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        if prop is None or prop.type not in ("property_identifier", "private_property_identifier"):
            return None
        out.append(text(prop))
        node = unwrap(node.child_by_field_name("object"))
    if node is None or node.type not in ("identifier", "this"):
        return None
    out.append(text(node))
    out.reverse()
    return out


#: the nodes of functions (declared, expressions, arrows)
FUNCTION_NODES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "arrow_function",
    }
)

# what a ``let``/``const`` and a ``var`` are scoped to: codemods/typescript/scopes.py
_BLOCK_SCOPES = BLOCK_SCOPES
_FUNCTION_SCOPES = FUNCTION_SCOPES


def declaration_scope(declarator: Node | None) -> Node | None:
    """The node a ``variable_declarator``'s name is scoped to: the nearest
    block (``let``/``const``) or function (``var``) around it."""
    if declarator is None:
        return None
    statement = declarator.parent
    scopes = (
        _FUNCTION_SCOPES
        if statement is not None and statement.type == "variable_declaration"
        else _BLOCK_SCOPES
    )
    node = statement
    while node is not None and node.type not in scopes:
        node = node.parent
    return node


def visible(declarator: Node | None, use: Node) -> bool:
    """Is the declaration ``declarator`` (a ``variable_declarator``) in
    scope where ``use`` is?"""
    scope = declaration_scope(declarator)
    if scope is None:
        return False
    node: Node | None = use
    while node is not None:
        if node.id == scope.id:
            return True
        node = node.parent
    return False


@dataclass
class Facts:
    # local name -> what it is bound to from openai: "client", "azure",
    # "Configuration", "OpenAIApi", "namespace" (import * as / require)
    openai_names: dict[str, str] = field(default_factory=dict)
    # the identifiers that declare those names (an import, a require)
    openai_idents: set[int] = field(default_factory=set)
    # local names of "@ai-sdk/openai"'s ``createOpenAI`` and ``openai``
    ai_sdk_create: set[str] = field(default_factory=set)
    ai_sdk_provider: set[str] = field(default_factory=set)
    imports_openai: bool = False
    # name -> the value of its one ``const``/``let``/``var`` declarator
    declared_values: dict[str, Node] = field(default_factory=dict)
    # names declared with ``export``
    exported: set[str] = field(default_factory=set)
    # name -> identifier nodes that read it
    reads: dict[str, list[Node]] = field(default_factory=dict)
    # name -> the values of its plain assignments (``client = new OpenAI()``)
    assigned: dict[str, list[Node]] = field(default_factory=dict)
    # ``this.x`` / class field ``x`` -> the values assigned to it
    members: dict[str, list[Node]] = field(default_factory=dict)
    comments: list[Node] = field(default_factory=list)
    new_expressions: list[Node] = field(default_factory=list)
    calls: list[Node] = field(default_factory=list)
    # the quote the file's imports use, for new string literals
    quote: str = '"'
    uses_deno: bool = False
    root: Node | None = None
    # modules of the project (relative specifiers, ``./lib/openai``): local
    # name -> (specifier, imported name; "default" for a default import),
    # from ``import ... from``, ``const { x } = require(...)``
    local_imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    # local name -> specifier: imported whole (``import * as lib``,
    # ``const lib = require("./lib")``, ``import lib = require("./lib")``)
    whole_imports: dict[str, str] = field(default_factory=dict)
    # re-exports: (specifier, name; None for ``export * from``), and
    # specifiers of dynamic ``import("./x")`` (their names' uses are unknown)
    reexports: list[tuple[str, str | None]] = field(default_factory=list)
    dynamic_imports: list[str] = field(default_factory=list)
    # the names re-exported: exported name -> (specifier, its name there)
    # (``export { a as b } from "./x"``); the specifiers of ``export * from``
    # (not ``export * as ns from``)
    reexport_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    star_reexports: list[str] = field(default_factory=list)
    # local name -> what the openai module it is imported from opens a
    # WebSocket for with the client it is given ("realtime", "responses":
    # :func:`openai_socket_module`)
    socket_names: dict[str, str] = field(default_factory=dict)
    # which declaration each name read refers to (codemods/typescript/scopes.py)
    scopes: Scopes = field(default_factory=Scopes)
    # ``require("openai")`` / ``import("openai")`` calls outside types, and
    # the ids of those the file's openai names are bound from (a declarator,
    # ``new (require("openai"))()``); the others are reported (OR120)
    openai_loads: list[Node] = field(default_factory=list)
    followed_loads: set[int] = field(default_factory=set)

    def binding(self, ident: Node | None) -> Binding | None:
        """The one declaration a read (an identifier, a shorthand property)
        refers to, by lexical scope; None: a global, or declared more than
        once in the scope that decides."""
        return self.scopes.lookup(ident)

    def module_binding(self, name: str) -> Binding | None:
        """The one declaration of ``name`` at the top of the file (an
        import, a module constant); None: none, or more than one."""
        if self.root is None:
            return None
        found = self.scopes.table.get(self.root.id, {}).get(name, [])
        return found[0] if len(found) == 1 else None

    def reads_of(self, binding: Binding) -> list[Node]:
        """The reads of ``binding``'s name that refer to it (not to another
        variable of the same name in another scope)."""
        return [r for r in self.reads.get(binding.name, []) if self.scopes.lookup(r) is binding]

    def function_of(self, callee: Node | None) -> Node | None:
        """The function of this file a callee (an identifier) refers to by
        scope: a function declaration, or a variable declared with a
        function and never written again; None: anything else."""
        b = self.binding(unwrap(callee))
        if b is None:
            return None
        if b.kind == "function":
            fn = b.ident.parent
            return fn if fn is not None and fn.type in FUNCTION_NODES else None
        if b.declarator is None or b.reassigned or b.assigned:
            return None
        value = unwrap(b.value)
        return value if value is not None and value.type in FUNCTION_NODES else None

    def value_of(self, ident: Node | None) -> Node | None:
        """The value an identifier certainly holds: the initialiser of the
        ``const``/``let``/``var`` declaration the read refers to by scope (a
        ``params`` declared in another function is another variable), never
        written again. None: not certain."""
        if ident is None or ident.type not in ("identifier", "shorthand_property_identifier"):
            return None
        b = self.binding(ident)
        if b is None or b.declarator is None or b.reassigned or b.assigned:
            return None
        return b.value

    def meaning(self, node: Node | None) -> str | None:
        """What a constructor expression names: "client", "azure",
        "Configuration", "OpenAIApi" or None."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            name = text(node)
            kind = self.openai_names.get(name)
            if kind is None or not self._is_openai_binding(node):
                return None
            return "client" if kind == "namespace+client" else kind
        parts = member_parts(node)
        if parts is not None and len(parts) == 2:
            kind = self.openai_names.get(parts[0])
            if kind in ("namespace", "namespace+client") and self._is_openai_binding(
                _member_root(node)
            ):
                return _export_meaning(parts[1])
        obj = node.child_by_field_name("object") if node.type == "member_expression" else None
        prop = node.child_by_field_name("property") if node.type == "member_expression" else None
        if obj is not None and prop is not None and is_require_of(obj, OPENAI):
            return _export_meaning(text(prop))
        if is_require_of(node, OPENAI):  # new (require("openai"))(): the class itself
            return "client"
        return None

    def shadowed_openai_name(self, node: Node | None) -> str | None:
        """An openai name the file declares more than once (``OpenAI`` also a
        local class): the tool cannot pin it down."""
        node = unwrap(node)
        if node is None:
            return None
        ident = node if node.type == "identifier" else None
        if ident is None and member_parts(node):
            ident = _member_root(node)
        name = text(ident) if ident is not None else None
        if name is not None and name in self.openai_names and not self._is_openai_binding(ident):
            return name
        return None

    def _is_openai_binding(self, ident: Node | None) -> bool:
        """Does the read ``ident`` refer (by scope) to the one declaration
        that binds it to openai's export (an import, a require)?"""
        b = self.binding(ident)
        return (
            b is not None and b.ident.id in self.openai_idents and not (b.reassigned or b.assigned)
        )


def _member_root(node: Node | None) -> Node | None:
    """The identifier a member chain starts from (``oa`` of ``oa.OpenAI``)."""
    node = unwrap(node)
    while node is not None and node.type == "member_expression":
        node = unwrap(node.child_by_field_name("object"))
    return node if node is not None and node.type == "identifier" else None


def _export_meaning(name: str) -> str | None:
    if name in CLIENT_CLASSES:
        return "client"
    if name in AZURE_CLASSES:
        return "azure"
    if name in LEGACY_CLASSES:
        return name
    return None


def _kind_of_export(name: str) -> str | None:
    return _export_meaning(name)


def collect(root: Node, source: bytes) -> Facts:
    facts = Facts(root=root)
    facts.uses_deno = b"Deno." in source
    stack = [root]
    first_quote = None
    while stack:
        node = stack.pop()
        t = node.type
        if t == "comment":
            facts.comments.append(node)
            continue
        if t == "import_statement":
            src = node.child_by_field_name("source")
            module = string_value(src)
            if src is not None and first_quote is None and src.text[:1] in (b"'", b'"'):
                first_quote = src.text[:1].decode()
            _collect_import(node, module, facts)
            # import OpenAI = require("openai")
            for c in node.named_children:
                if c.type == "import_require_clause":
                    ident = c.named_children[0] if c.named_children else None
                    req_src = c.child_by_field_name("source")
                    if ident is not None and is_openai_module(string_value(req_src)):
                        facts.imports_openai = True
                        facts.openai_names[text(ident)] = "namespace+client"
                        facts.openai_idents.add(ident.id)
                    elif ident is not None and is_project_specifier(string_value(req_src)):
                        facts.whole_imports[text(ident)] = string_value(req_src) or ""
            continue
        if t == "variable_declarator":
            _collect_declarator(node, facts)
        elif t == "export_statement":
            src = node.child_by_field_name("source")
            module = string_value(src) if src is not None else None
            if module is not None and is_project_specifier(module):
                clauses = [c for c in node.named_children if c.type == "export_clause"]
                if not clauses:  # ``export * from``, ``export * as ns from``
                    facts.reexports.append((module, None))
                    if not any(c.type == "namespace_export" for c in node.named_children):
                        facts.star_reexports.append(module)
                for c in clauses:
                    for spec in c.named_children:
                        nm = spec.child_by_field_name("name")
                        if nm is not None:
                            facts.reexports.append((module, text(nm)))
                            alias = spec.child_by_field_name("alias") or nm
                            facts.reexport_names[text(alias)] = (module, text(nm))
                stack.extend(reversed(node.children))
                continue
            decl = node.child_by_field_name("declaration")
            if decl is not None:
                for d in decl.named_children:
                    if d.type == "variable_declarator":
                        name = d.child_by_field_name("name")
                        if name is not None and name.type == "identifier":
                            facts.exported.add(text(name))
                name = decl.child_by_field_name("name")
                if name is not None:
                    facts.exported.add(text(name))
            value = node.child_by_field_name("value")  # ``export default client``
            if value is not None and value.type == "identifier":
                facts.exported.add(text(value))
            for c in node.named_children:
                if c.type == "export_clause":
                    for spec in c.named_children:
                        nm = spec.child_by_field_name("name")
                        if nm is not None:
                            facts.exported.add(text(nm))
        elif t == "new_expression":
            facts.new_expressions.append(node)
            # new (require("openai"))(), new (require("openai").OpenAI)()
            ctor = unwrap(node.child_by_field_name("constructor"))
            if ctor is not None and ctor.type == "member_expression":
                ctor = ctor.child_by_field_name("object")
            if is_require_of(ctor, OPENAI):
                facts.followed_loads.add(unwrap(ctor).id)
        elif t == "call_expression":
            facts.calls.append(node)
            fn = node.child_by_field_name("function")
            if (
                fn is not None
                and fn.type in ("import", "identifier")
                and text(fn)
                in (
                    "import",
                    "require",
                )
            ):
                args = node.child_by_field_name("arguments")
                named = [c for c in args.named_children if c.type != "comment"] if args else []
                spec = string_value(named[0]) if len(named) == 1 else None
                if spec is not None and is_project_specifier(spec):
                    parent = node.parent
                    declared = parent is not None and parent.type == "variable_declarator"
                    if not declared or text(fn) == "import":
                        facts.dynamic_imports.append(spec)
            if openai_load_call(node) is not None and not in_type(node):
                facts.imports_openai = True
                facts.openai_loads.append(node)
            elif is_require_of(node, AI_SDK):
                pass
        elif t in ("identifier", "shorthand_property_identifier"):
            facts.reads.setdefault(text(node), []).append(node)
        elif t == "public_field_definition":
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is not None and value is not None:
                facts.members.setdefault(text(name), []).append(value)
        elif t == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                facts.assigned.setdefault(text(left), []).append(right)
            parts = member_parts(left)
            if parts is not None and len(parts) == 2 and parts[0] == "this" and right is not None:
                facts.members.setdefault(parts[1], []).append(right)
            if (
                parts is not None
                and right is not None
                and (parts[:2] == ["module", "exports"] or parts[0] == "exports")
            ):
                # CommonJS exports: ``module.exports = { client }``,
                # ``exports.client = client``
                values = [right]
                if right.type == "object":
                    values = [
                        m
                        if m.type == "shorthand_property_identifier"
                        else m.child_by_field_name("value")
                        for m in right.named_children
                        if m.type in ("shorthand_property_identifier", "pair")
                    ]
                for v in values:
                    if v is not None and v.type in ("identifier", "shorthand_property_identifier"):
                        facts.exported.add(text(v))
        stack.extend(reversed(node.children))
    if first_quote is not None:
        facts.quote = first_quote
    facts.scopes = build(root)
    return facts


def _pattern_names(node: Node | None) -> list[str]:
    if node is None:
        return []
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(node)]
    out: list[str] = []
    if node.type == "assignment_pattern":
        return _pattern_names(node.child_by_field_name("left"))
    if node.type == "pair_pattern":
        return _pattern_names(node.child_by_field_name("value"))
    if node.type in ("object_pattern", "array_pattern", "rest_pattern"):
        for c in node.named_children:
            out += _pattern_names(c)
    return out


def is_project_specifier(module: str | None) -> bool:
    """A specifier that may name a file of the project: relative (``./x``,
    ``../lib/x.js``), or a path alias of the forms tsconfig ``paths`` are
    written in (``@/lib/openai``, ``~/lib``, ``$lib/x``, ``#lib``), which the
    project pass resolves (codemods/typescript/project.py). Package names
    (``openai``, ``@scope/pkg``, ``next/server``) are not."""
    return module is not None and (
        module.startswith(("./", "../", "@/", "~/", "$", "#")) or module in (".", "..")
    )


def _collect_relative_import(clause: Node, module: str, facts: Facts) -> None:
    for c in clause.named_children:
        if c.type == "identifier":
            facts.local_imports[text(c)] = (module, "default")
        elif c.type == "namespace_import":
            ident = next((i for i in c.named_children if i.type == "identifier"), None)
            if ident is not None:
                facts.whole_imports[text(ident)] = module
        elif c.type == "named_imports":
            for spec in c.named_children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                if name is None or alias is None:
                    continue
                imported = string_value(name) if name.type == "string" else text(name)
                if imported is not None:
                    facts.local_imports[text(alias)] = (module, imported)


def _collect_import(node: Node, module: str | None, facts: Facts) -> None:
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    socket = openai_socket_module(module)
    if socket is not None and clause is not None:
        for c in clause.named_children:
            idents = [c] if c.type == "identifier" else []
            if c.type == "namespace_import":
                idents = [i for i in c.named_children if i.type == "identifier"]
            elif c.type == "named_imports":
                for spec in c.named_children:
                    if spec.type == "import_specifier":
                        alias = spec.child_by_field_name("alias") or spec.child_by_field_name(
                            "name"
                        )
                        if alias is not None:
                            idents.append(alias)
            for ident in idents:
                facts.socket_names[text(ident)] = socket
        return
    if clause is not None and module is not None and is_project_specifier(module):
        _collect_relative_import(clause, module, facts)
    if is_openai_module(module):
        module = OPENAI
        facts.imports_openai = True
    if clause is None:
        return
    for c in clause.named_children:
        if c.type == "identifier":  # default import
            if module == OPENAI:
                facts.openai_names[text(c)] = "client"
                facts.openai_idents.add(c.id)
            elif module == AI_SDK:
                pass
        elif c.type == "namespace_import":
            ident = next((i for i in c.named_children if i.type == "identifier"), None)
            if ident is not None:
                if module == OPENAI:
                    facts.openai_names[text(ident)] = "namespace"
                    facts.openai_idents.add(ident.id)
        elif c.type == "named_imports":
            for spec in c.named_children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                if name is None or alias is None:
                    continue
                imported = string_value(name) if name.type == "string" else text(name)
                if imported is None:
                    continue
                if module == OPENAI:
                    kind = _kind_of_export(imported)
                    if kind is not None:
                        facts.openai_names[text(alias)] = kind
                        facts.openai_idents.add(alias.id)
                elif module == AI_SDK:
                    if imported == "createOpenAI":
                        facts.ai_sdk_create.add(text(alias))
                    elif imported == "openai":
                        facts.ai_sdk_provider.add(text(alias))


def _collect_declarator(node: Node, facts: Facts) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is None:
        return
    if name.type == "identifier":
        ident = text(name)
        socket = openai_socket_module(_required(value))
        if socket is not None:  # const rt = require("openai/realtime/ws")
            facts.socket_names[ident] = socket
        if value is not None:
            facts.declared_values[ident] = value
            req = _required(value)
            if req is not None and is_project_specifier(req):
                facts.whole_imports[ident] = req
            load = loads_openai(value)
            if load is not None:
                # require("openai") is the client class and its namespace;
                # await import("openai") the namespace (``mod.default``)
                required = unwrap(value).id == load.id
                facts.openai_names[ident] = "namespace+client" if required else "namespace"
                facts.openai_idents.add(name.id)
                facts.followed_loads.add(load.id)
            elif is_require_of(value, AI_SDK):
                pass
            else:
                v = unwrap(value)
                if v is not None and v.type == "member_expression":
                    # require("openai").OpenAI, (await import("openai")).default
                    load = loads_openai(v.child_by_field_name("object"))
                    prop = v.child_by_field_name("property")
                    if prop is not None and load is not None:
                        kind = _kind_of_export(text(prop))
                        if kind is not None:
                            facts.openai_names[ident] = kind
                            facts.openai_idents.add(name.id)
                            facts.followed_loads.add(load.id)
        return
    names = _pattern_names(name)
    socket = openai_socket_module(_required(value))
    if socket is not None:  # const { OpenAIRealtimeWS } = require("openai/realtime/ws")
        for ident in names:
            facts.socket_names[ident] = socket
        return
    if name.type == "object_pattern" and value is not None:
        req = _required(value)
        if req is not None and is_project_specifier(req):
            for c in name.named_children:
                if c.type == "shorthand_property_identifier_pattern":
                    facts.local_imports[text(c)] = (req, text(c))
                elif c.type == "pair_pattern":
                    key = c.child_by_field_name("key")
                    val = c.child_by_field_name("value")
                    if key is not None and val is not None and val.type == "identifier":
                        facts.local_imports[text(val)] = (req, text(key))
            return
        load = loads_openai(value)
        from_openai = load is not None
        from_ai_sdk = is_require_of(value, AI_SDK)
        if not (from_openai or from_ai_sdk):
            return
        if load is not None:
            facts.followed_loads.add(load.id)
        for c in name.named_children:
            if c.type == "shorthand_property_identifier_pattern":
                imported, local, local_node = text(c), text(c), c
            elif c.type == "pair_pattern":
                key = c.child_by_field_name("key")
                val = c.child_by_field_name("value")
                if key is None or val is None or val.type != "identifier":
                    continue
                imported, local, local_node = text(key), text(val), val
            else:
                continue
            if from_openai:
                kind = _kind_of_export(imported)
                if kind is not None:
                    facts.openai_names[local] = kind
                    facts.openai_idents.add(local_node.id)
            elif imported == "createOpenAI":
                facts.ai_sdk_create.add(local)
            elif imported == "openai":
                facts.ai_sdk_provider.add(local)
