"""What a file tells the cross-module pass, and what it is told back: the
data every front-end shares (the Python pass: :mod:`codemods.python.project`;
the TypeScript/JavaScript pass: :mod:`codemods.typescript.project`), and
their form in the result cache (:func:`summary_to_dict`, :func:`fingerprint`).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModuleSummary:
    """What one file tells the project pass (computed by the engine)."""

    # local name -> (module as written, imported name), for ``from M import N``
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    # a field of an imported class read here: "Config.MODEL" -> (module as
    # written, "Config.MODEL" as named there); its reads are counted in
    # sink_uses/other_uses/certain/safe under the same key (Python)
    field_imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    # the upper-case attribute names this file reads (``x.MODEL``): a class
    # field of another module read here through an instance (Python)
    constant_attributes: list[str] = field(default_factory=list)
    # attribute names this file reads an SDK resource off (``h.client`` of
    # ``h.client.chat.completions.create``): a client a class of another
    # module holds in ``self.client``, read off its instance here (Python)
    sdk_attribute_reads: list[str] = field(default_factory=list)
    sink_uses: dict[str, int] = field(default_factory=dict)  # reads reaching model=
    other_uses: dict[str, int] = field(default_factory=dict)  # every other read
    certain: set[str] = field(default_factory=set)  # reach an SDK call that is surely openai's
    # every read reaching model= reaches it on a receiver resolved to openai's
    # client: a fix of the definition is safe (see codemods/python/rules/dataflow.py)
    safe: set[str] = field(default_factory=set)
    module_imports: list[str] = field(default_factory=list)  # ``import M``; star imports
    handled: set[str] = field(default_factory=set)  # exports this file followed itself
    # TypeScript: the names the module exports of its own (not re-exported;
    # "*": some it does not name, a destructuring export): an ``export *
    # from`` chain ends where one is (codemods/typescript/project.py)
    declared_exports: set[str] = field(default_factory=set)
    # module-level functions whose parameter reaches model= (and is read for
    # nothing else): function -> parameter -> positional index (None: keyword only)
    sink_params: dict[str, dict[str, int | None]] = field(default_factory=dict)
    sink_params_certain: set[str] = field(default_factory=set)
    # module-level names bound to a client, or functions returning one,
    # with the decision for them (codemods/python/clients.py: ClientIndex.exports)
    clients: dict[str, str] = field(default_factory=dict)
    # a receiver resolves through the calls of a public function of this
    # file: which of its names other modules import would settle it
    wants_importers: bool = False
    # public functions whose parameter is used as a client here: function ->
    # parameter -> positional index (codemods/python/clients.py)
    client_params: dict[str, dict[str, int | None]] = field(default_factory=dict)
    # calls of imported functions: local name -> per call, argument key
    # ("0", "1"..., a keyword, "*") -> the client state it passes
    client_args: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # the same calls (in order), when an argument may be a client another
    # module builds: local name -> per call, (line, argument key -> the
    # keys of client_uses it may be)
    client_arg_keys: dict[str, list[tuple[int, dict[str, list[str]]]]] = field(default_factory=dict)
    # the module-level client (rules/module_client.py: module_client_summary)
    module_client: dict[str, Any] = field(default_factory=dict)
    # API keys (codemods/python/rules/keyflow.py): reads of an imported name that are
    # the api_key= of a client this file would migrate if the name were
    # followed; and the key names of this module whose definition it rewrote
    key_uses: dict[str, int] = field(default_factory=dict)
    key_handled: set[str] = field(default_factory=set)
    sink_params_safe: set[str] = field(default_factory=set)  # every such sink is safe
    # SDK calls made through a client another module builds: imported local
    # name (or "fixture:<name>", a conftest fixture) -> (served by
    # OpenRouter, line, resource path) per call (ClientIndex.external_uses)
    client_uses: dict[str, list[tuple[bool, int, str]]] = field(default_factory=dict)
    # what this file does to such a client that decides its move where it is
    # built: key as in client_uses -> (kind, line, detail) per place
    # (codemods/python/clients.py: FACT_MODE, FACT_SETTING, FACT_BLOCK)
    client_facts: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    # (OpenAI clients of this file on OpenRouter after the run, those that
    # are not); a parameter annotated ``OpenAI`` asks the run's total
    # keys of client_uses (also with no use here) whose client this file
    # passes on: as an argument, a return value, another module-level name
    client_escapes: set[str] = field(default_factory=set)
    # module-level names bound to such a client (``c = client``) -> its keys
    client_aliases: dict[str, list[str]] = field(default_factory=dict)
    # modules imported whole: ``import M`` (no star imports), ``import M as
    # local`` (local -> M), and the module expressions read other than as
    # ``module.name`` (codemods/python/clients.py: bare_module_reads)
    whole_imports: list[str] = field(default_factory=list)
    module_aliases: dict[str, str] = field(default_factory=dict)
    bare_module_reads: set[str] = field(default_factory=set)
    client_sites: tuple[int, int] = (0, 0)
    wants_all_migrated: bool = False
    # this file assigns LiteLLM's process-wide settings (``litellm.api_key
    # = ...``, OR444), and it has LiteLLM/DSPy calls
    litellm_globals: bool = False
    litellm_calls: bool = False
    # public module-level functions ("f") and methods of public module-level
    # classes ("Class.method") that return a chat-completion stream of a
    # client this run moves: -> [events (a ``.stream()``), why a guard on it
    # is unsafe ("" : safe)] (codemods/python/rules/streams.py)
    stream_returns: dict[str, list[Any]] = field(default_factory=dict)
    # the Agents SDK (codemods/python/rules/agents.py), one default client per
    # process: this module gives it a client this run moves ([the client's
    # module-level name or "", line]); the settings it makes
    # ("chat_completions", "tracing_off"); whether it builds ``Agent(...)``
    agents_default: list[Any] = field(default_factory=list)
    agents_settings: set[str] = field(default_factory=set)
    agents_built: bool = False
    # how it gives the SDK a client ("default": ``set_default_openai_client``;
    # "model": a model object or provider with a client, ``RunConfig(model_provider=...)``;
    # ""), and whether it runs agents (or builds a provider) that need one (OR434)
    agents_configured: str = ""
    agents_unconfigured: bool = False
    # imported names read directly as the model of a LiteLLM/DSPy call that
    # moves by its model string alone (codemods/python/rules/litellm_dspy.py) -> reads
    litellm_uses: dict[str, int] = field(default_factory=dict)
    litellm_handled: set[str] = field(default_factory=set)  # litellm_exports rewritten here
    # module-level names bound to a LangChain OpenAI model this file builds,
    # with the decision for it ("migrate", "unknown": an unsafe fix, "left";
    # codemods/python/rules/langchain.py: exported_models): what other modules do
    # to it (``llm.bind(model=...)``) reaches it as client_facts
    langchain_exports: dict[str, str] = field(default_factory=dict)
    # something in this file moves to OpenRouter or is rewritten for it (a
    # client decided "migrate"/"openrouter", a fix): model IDs the run sends
    # carry the provider prefix; and this file compares model names with bare
    # IDs, or sets/requires OPENAI_API_KEY, while nothing of its own moves:
    # whether anything of the run does decides OR208 and OR123
    # (codemods/python/rules/comparisons.py, client.py)
    moves: bool = False
    wants_run_moves: bool = False
    # a client of this file stays on OpenAI (or where it points) and may
    # read $OPENAI_API_KEY: an SDK client left (OR103, OR104...), a
    # LangChain model left (OR413) (codemods/python/rules/client.py: keeps_openai)
    keeps_openai: bool = False
    # OR123 has findings here unless a module it imports keeps a client on
    # OpenAI (ProjectInput.openai_kept_in)
    wants_kept_openai: bool = False
    # escapes across modules (codemods/python/escapes.py: project_summary):
    # imported functions a client of this file is passed to -> argument keys;
    # for the functions other modules ask about (ProjectInput.escape_params):
    # function -> parameter -> [line, what, why] where it escapes here, and
    # -> [callee, argument key, whether the callee is of this module] where
    # it is passed on; their parameters ([positional], [keyword-only], variadic)
    client_callees: dict[str, list[str]] = field(default_factory=dict)
    param_escapes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    param_forwards: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    escape_functions: dict[str, list[Any]] = field(default_factory=dict)
    # TypeScript (codemods/typescript/project.py): the SDK calls an exported
    # function makes through a parameter: function -> parameter -> (served
    # by OpenRouter, line, resource path) per call (with param_escapes and
    # client_params, the parameters a caller's client can be followed into)
    param_uses: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    # TypeScript: the names this file re-exports (exported name ->
    # [specifier, name there]) and the specifiers of its ``export * from``:
    # the project pass follows an imported client through them to the
    # module that builds it
    reexports: dict[str, list[str]] = field(default_factory=dict)
    star_reexports: list[str] = field(default_factory=list)
    # Python: what ``from this import *`` binds that this file binds by an
    # import (certainly, and only those that name openai's or a library's
    # OpenAI class): name -> the fully qualified name it is bound to
    star_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SinkFunction:
    """A function of another module whose parameter reaches ``model=``."""

    module: str
    name: str
    params: tuple[tuple[str, int | None], ...]
    path: str  # the file that defines it
    certain: bool
    safe: bool = False  # the fix of an argument passed to it is safe


@dataclass(frozen=True)
class Export:
    """A module-level name of this file that other files pass to ``model=``."""

    name: str
    used_in: tuple[str, ...]  # the files that pass it to model=
    other_uses: int  # reads elsewhere that are not model=
    other_files: tuple[str, ...]  # where those are
    certain: bool
    safe: bool = False  # every model= it reaches is on openai's client: its fix is safe


@dataclass(frozen=True)
class ProjectInput:
    """What the other files of the run say about one file (engine input)."""

    exports: tuple[Export, ...] = ()
    # imported local names whose definition is followed in its own module
    followed: frozenset[str] = frozenset()
    # of those, the ones their module keeps as they are (a model ID that
    # cannot move there: OR204, OR206...): (local name, what and where,
    # "'o1-mini' at settings.py:1 (OR204)"): the clients this file sends
    # them through cannot move with them (codemods/python/rules/models.py)
    followed_kept: tuple[tuple[str, str], ...] = ()
    # this file's module name (and whether it is a package's __init__)
    module: tuple[str, bool] | None = None
    # functions of other modules whose parameter reaches model=
    sink_functions: tuple[SinkFunction, ...] = ()
    # imported local name -> the decision the defining module took for the
    # client it is bound to (codemods/python/clients.py: "migrate", "openrouter", "left")
    clients: tuple[tuple[str, str], ...] = ()
    # the module-level names of this file other modules import (with
    # ``module`` set: a name not listed here is imported nowhere in the run)
    imported_names: frozenset[str] = frozenset()
    imported_whole: bool = False  # ``import this`` somewhere: any name may be read
    # the attribute names the importers of this file read an SDK resource
    # off (``ModuleSummary.sdk_attribute_reads``; "*": an importer the tool
    # has no summary for): ``Holder().client.chat...`` of an imported class
    imported_attributes: frozenset[str] = frozenset()
    # (public function, parameter) -> what every call in the other modules
    # of the run passes there (codemods/python/clients.py: _callers_elsewhere)
    param_clients: tuple[tuple[tuple[str, str], str], ...] = ()
    # the module-level client is one per process: the SDK generation the
    # run's other modules show, and what became of the configuration other
    # modules of the run set ("migrate", "openrouter", "left"; where)
    module_client_version: str | None = None
    module_client_state: str | None = None
    module_client_files: tuple[str, ...] = ()
    # names this file's ``from M import *`` of modules of the run bind, as
    # those modules import them (their ``star_names``): name -> fully
    # qualified name (``ChatOpenAI`` -> ``langchain_openai.ChatOpenAI``)
    star_names: tuple[tuple[str, str], ...] = ()

    # module-level names of this file that other files pass to api_key= of
    # the clients they migrate, and read for nothing else anywhere
    key_exports: tuple[str, ...] = ()
    # imported names whose key definition was rewritten in its own module
    followed_keys: frozenset[str] = frozenset()
    # the calls the other modules of the run make through a client this one
    # exports: (exported name or "fixture:<name>", served by OpenRouter,
    # "path:line" relative to this file's directory, resource path)
    client_uses: tuple[tuple[str, bool, str, str], ...] = ()
    # exported clients whose uses are not all known (their module is imported
    # whole where its attributes cannot be followed) while a known use in
    # another module is one OpenRouter does not serve: (exported name, the
    # importing file relative to this file's directory); their move is unsafe
    client_uses_unknown: tuple[tuple[str, str], ...] = ()
    # what the other modules of the run do to a client this one exports that
    # decides its move: (exported name or "fixture:<name>", kind, "path:line"
    # relative to this file's directory, detail) (ModuleSummary.client_facts)
    client_facts: tuple[tuple[str, str, str, str], ...] = ()
    # every OpenAI client of the run is migrated (and there is one): a
    # parameter annotated ``OpenAI`` is one of them
    all_clients_migrated: bool = False
    # the other modules of the run that set LiteLLM's process-wide settings
    # (``litellm.api_key``...: paths relative to this file's directory)
    litellm_configured: tuple[str, ...] = ()
    # streams other modules of the run hand out: (module, function or
    # class, the method or "", events, why a guard on them is unsafe)
    stream_functions: tuple[tuple[str, str, str, bool, str], ...] = ()
    # the Agents SDK's default client is set in another module of the
    # process: (where, "path:line" from this file's directory; the module
    # of the client; its name there, "" when it is not a module-level name;
    # whether the two surely share a process)
    agents_default: tuple[tuple[str, str, str, bool], ...] = ()
    # the Agents SDK settings other modules of the process make
    # ("chat_completions", "tracing_off") -> where
    agents_settings: tuple[tuple[str, str], ...] = ()
    # other modules of the process that build agents (paths from here)
    agents_built: tuple[str, ...] = ()
    # modules of the run that give the Agents SDK a client, for a module whose
    # agents need one: (its path from this file's directory, the kind
    # ("default", "model"; ModuleSummary.agents_configured; "local": the run
    # has its own module ``agents``, which may be what this file imports),
    # whether the two surely share a process)
    agents_configured: tuple[tuple[str, str, bool], ...] = ()
    # module-level names of this file that other files pass only to
    # LiteLLM/DSPy calls: (name, the files that do) -> rewritten here
    litellm_exports: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # imported names rewritten for LiteLLM in their own module
    litellm_followed: frozenset[str] = frozenset()
    # imported names also sent to an OpenAI SDK call elsewhere: (local name,
    # the files with the SDK call): the two need different strings
    litellm_shared: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # imported LangChain models (local name, ``llms.llm``) -> the decision the
    # defining module took for it (ModuleSummary.langchain_exports): a model
    # bound here (``llm.bind(model=...)``) moves with it
    langchain_models: tuple[tuple[str, str], ...] = ()
    # something in another file of the run moves to OpenRouter (ModuleSummary.moves)
    run_moves: bool = False
    # the modules this file imports that keep a client on OpenAI
    # (ModuleSummary.keeps_openai): their paths
    openai_kept_in: tuple[str, ...] = ()
    # escapes across modules (codemods/python/escapes.py): the module-level
    # functions of this file whose parameters other modules pass a client to
    # (where they escape goes in the summary); and, for the functions this
    # file imports and passes a client to (once the project pass has looked:
    # callees_told), those that are functions of the run it follows, and
    # where what is passed to them escapes: (local name, argument key,
    # "path:line" relative to this file's directory, what, why)
    escape_params: frozenset[str] = frozenset()
    # the clients of other modules this file passes on (keys as in
    # client_uses) whose escapes it is to report to the modules that build them
    escape_keys: frozenset[str] = frozenset()
    callees_told: bool = False
    callees_known: frozenset[str] = frozenset()
    callee_escapes: tuple[tuple[str, str, str, str, str], ...] = ()
    # TypeScript: the SDK calls those functions make through the client
    # passed to them: (local name, argument key, served by OpenRouter,
    # "path:line" relative to this file's directory, resource path)
    callee_uses: tuple[tuple[str, str, bool, str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.exports
            or self.followed
            or self.followed_kept
            or self.sink_functions
            or self.key_exports
            or self.followed_keys
            or self.clients
            or self.param_clients
            or self.module_client_version
            or self.module_client_state
            or self.client_uses
            or self.client_uses_unknown
            or self.client_facts
            or self.all_clients_migrated
            or self.litellm_configured
            or self.stream_functions
            or self.agents_default
            or self.agents_settings
            or self.agents_built
            or self.agents_configured
            or self.litellm_exports
            or self.litellm_followed
            or self.litellm_shared
            or self.langchain_models
            or self.run_moves
            or self.escape_params
            or self.escape_keys
            or self.callees_told
        )

    def param_client_state(self, function: str, param: str) -> str | None:
        for (fn, p), state in self.param_clients:
            if fn == function and p == param:
                return state
        return None

    def client_state(self, name: str) -> str | None:
        for local, state in self.clients:
            if local == name:
                return state
        return None


def canonical(value: Any) -> Any:
    """A form of a project-pass value whose ``repr`` is the same in every
    process (sets sorted; dataclasses by class and fields): what a cached
    second-round result is keyed by. Generic, so fields added to the
    summaries and inputs are covered."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, canonical(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((canonical(v) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((canonical(k), canonical(v)) for k, v in value.items()),
                                     key=repr)))  # fmt: skip
    if isinstance(value, (list, tuple)):
        return tuple(canonical(v) for v in value)
    return value


def fingerprint(value: Any) -> str:
    """``repr(canonical(value))``: stable across processes."""
    return repr(canonical(value))


def summary_to_dict(s: ModuleSummary) -> dict[str, Any]:
    """A JSON-able form of a summary (for the result cache). Generic: every
    field is kept, whatever it holds (str, int, float, bool, None, lists,
    tuples, sets, dicts and dataclasses of this module, nested). A field
    that holds its default (most are empty) is left out: the summaries of a
    warm run are read back from the cache, and decoding is per field."""
    out = {}
    for f, default in _summary_defaults():
        value = getattr(s, f)
        if type(value) is type(default) and value == default:
            continue
        out[f] = _encode(value)
    return out


@functools.lru_cache(maxsize=1)
def _summary_defaults() -> tuple[tuple[str, Any], ...]:
    """Each field of :class:`ModuleSummary` and its default value."""
    fields = []
    for f in dataclasses.fields(ModuleSummary):
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = f.default
        fields.append((f.name, default))
    return tuple(fields)


def summary_from_dict(d: dict[str, Any]) -> ModuleSummary:
    """The summary :func:`summary_to_dict` wrote (unknown fields: an error,
    so a cache entry from other code is never half-read)."""
    known = {f.name for f in dataclasses.fields(ModuleSummary)}
    if not isinstance(d, dict) or set(d) - known:
        raise ValueError("not a summary of this version")
    return ModuleSummary(**{k: _decode(v) for k, v in d.items()})


def _encode(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return {"l": [_encode(x) for x in v]}
    if isinstance(v, tuple):
        return {"t": [_encode(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        tag = "fs" if isinstance(v, frozenset) else "s"
        return {tag: sorted((_encode(x) for x in v), key=repr)}
    if isinstance(v, dict):
        return {"d": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        name = type(v).__name__
        if globals().get(name) is not type(v):
            raise TypeError(f"cannot cache a {name}")
        fields = {f.name: _encode(getattr(v, f.name)) for f in dataclasses.fields(v)}
        return {"c": name, "f": fields}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _decode(v: Any) -> Any:
    if not isinstance(v, dict):
        if isinstance(v, list):
            raise ValueError("bare list in a cached summary")
        return v
    if "l" in v:
        return [_decode(x) for x in v["l"]]
    if "t" in v:
        return tuple(_decode(x) for x in v["t"])
    if "s" in v:
        return {_decode(x) for x in v["s"]}
    if "fs" in v:
        return frozenset(_decode(x) for x in v["fs"])
    if "d" in v:
        return {_decode(k): _decode(x) for k, x in v["d"]}
    if "c" in v:
        cls = globals().get(v["c"])
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ValueError(f"unknown class {v['c']!r} in a cached summary")
        return cls(**{k: _decode(x) for k, x in v["f"].items()})
    raise ValueError("unknown value in a cached summary")
