"""Find the files to work on: walk the given paths like ruff would.

* Directories are walked in sorted order (deterministic output), looking for
  ``.py``, ``.pyi``, (optionally) ``.ipynb`` files, TypeScript/JavaScript
  files (``.ts``, ``.tsx``, ``.js``...: ``node_modules`` is never walked
  into, see :data:`SKIP_DIRS`), and for executable
  files without an extension whose shebang runs Python (``bin/run-report``
  with ``#!/usr/bin/env python3``): pre-commit's ``identify`` tags those
  ``python`` and passes them to the hooks, so ``check .`` must see them too.
* Well-known tool/VCS/virtualenv directories are skipped (:data:`SKIP_DIRS`,
  and any directory holding a ``pyvenv.cfg``), and so is whatever ``.gitignore``
  files (plus the repository's ``info/exclude``) ignore. Each gitignore line
  is compiled by pathspec (``GitIgnoreSpec``, as black does); which file and
  which line wins is decided here; git is never called.
* Files named on the command line are always taken, whatever their extension,
  unless ``force_exclude`` is set and they are excluded or ignored (that is
  what pre-commit, which passes every staged file, needs).
* Symbolic links are followed only when their target lies inside one of the
  directories being walked: the tool never edits files outside the tree it
  was pointed at. A file reached twice is reported once.
* Problems (missing path, broken link, link loop, unreadable directory) are
  returned as :class:`DiscoveryError` values; the walk goes on.

Gitignore support covers: one ``.gitignore`` per directory (patterns relative
to it, deeper files win, the last matching line wins), ``!`` negation,
trailing ``/`` (directories only), leading or inner ``/`` (anchored), ``**``,
``*``, ``?``, ``[...]`` (with ``!`` / ``^`` negation, ranges, ``[:class:]``;
an unclosed ``[`` matches nothing, as in git), comments, ``\\#`` / ``\\!`` /
``\\ `` escapes, and ``info/exclude`` of the enclosing repository (also for
``git worktree`` checkouts, where ``.git`` is a file). Not covered: the global
``core.excludesFile``. Outside a git repository, ``.gitignore`` files from the
walked directory downwards still apply (ancestors are only consulted up to
the repository root, so none are outside a repository).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from codemods.core.frontends import extensions

__all__ = [
    "DEFAULT_EXTENSIONS",
    "SKIP_DIRS",
    "Discovered",
    "DiscoveryError",
    "discover",
]

#: every front-end's files (codemods/core/frontends.py): .py, .pyi, .ipynb,
#: then TypeScript/JavaScript's
DEFAULT_EXTENSIONS: tuple[str, ...] = extensions()

#: Directory names never walked into (unless named on the command line).
#: ``build`` and ``dist`` are deliberately absent: they may hold source code.
SKIP_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".venv",
        "venv",
        ".direnv",
        "site-packages",
        "__pypackages__",
        "node_modules",
        "__pycache__",
        ".eggs",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".pytype",
        ".ipynb_checkpoints",
        ".openrouter-migrate-cache",
    }
)


class Discovered:
    """A file to process. ``path`` is for display (as given, or under the
    directory as given); ``real`` is the resolved path, used to dedupe.

    Kept as strings (``display``, ``real_path``): building two ``Path``
    objects per file was half the cost of walking a 10,000-file tree. The
    ``Path`` views are built on demand."""

    __slots__ = ("display", "real_path")

    def __init__(self, path: str | os.PathLike[str], real: str | os.PathLike[str]) -> None:
        self.display = os.fspath(path)
        self.real_path = os.fspath(real)

    @property
    def path(self) -> Path:
        return Path(self.display)

    @property
    def real(self) -> Path:
        return Path(self.real_path)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Discovered):
            return NotImplemented
        return (self.display, self.real_path) == (other.display, other.real_path)

    def __hash__(self) -> int:
        return hash((self.display, self.real_path))

    def __repr__(self) -> str:
        return f"Discovered(path={self.display!r}, real={self.real_path!r})"


@dataclass
class DiscoveryError:
    """A path that could not be walked or taken, and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --------------------------------------------------------------------------
# gitignore


class _Regex:
    """``fullmatch`` of one gitignore line, with git's meaning (kept for the
    pattern tests): a directory-only line matches the directory itself."""

    def __init__(self, rule: _Rule) -> None:
        self.rule = rule

    def fullmatch(self, path: str) -> bool:
        return self.rule.matches(path, is_dir=self.rule.dir_only)


@dataclass(frozen=True)
class _Rule:
    """One gitignore line, compiled by pathspec (``GitIgnoreSpec``, the
    matcher black uses)."""

    pattern: re.Pattern[str]  # pathspec's regex for the line
    negate: bool
    dir_only: bool

    @property
    def regex(self) -> _Regex:
        return _Regex(self)

    def matches(self, rel: str, is_dir: bool) -> bool:
        """Does the line match the entry at ``rel`` (posix, relative to the
        ignore file's directory)? pathspec matches files, and a file inside
        a matching directory: a directory itself matches as ``rel/`` only
        when the line's match ends at that directory (the ``ps_d`` mark), so
        ``foo/**`` ignores what is in ``foo`` but not ``foo`` (as git)."""
        # a match through a directory *above* the entry (pathspec's ``ps_d``
        # group, ending before ``rel`` does) is that directory's business: the
        # walk never enters an ignored directory, and a directory named on the
        # command line below an ignored one is walked (as git add <dir> -f
        # would not, but as black and ruff do)
        if not self.dir_only:
            m = self.pattern.match(rel)
            if m is not None and m.groupdict().get("ps_d") is None:
                return True
        if is_dir:
            m = self.pattern.match(rel + "/")
            return (
                m is not None
                and m.groupdict().get("ps_d") is not None
                and m.end("ps_d") == len(rel) + 1
            )
        return False


# POSIX character classes inside brackets: pathspec passes them to ``re``
# as they are, where they mean something else
_POSIX_CLASSES = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \t",
    "digit": "0-9",
    "lower": "a-z",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}
_POSIX_CLASS = re.compile(r"\[:([a-z]+):\]")


def _posix_classes(line: str) -> str:
    """``[[:digit:]]`` -> ``[0-9]`` (the classes a file name can use)."""
    if "[:" not in line:
        return line
    return _POSIX_CLASS.sub(lambda m: _POSIX_CLASSES.get(m.group(1), m.group(0)), line)


def _unclosed_bracket(line: str) -> bool:
    """Does ``line`` hold a ``[`` that no ``]`` closes? git's wildmatch then
    matches nothing (pathspec before 1.1 took the ``[`` literally)."""
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and line[j] in "!^":
                j += 1
            if j < n and line[j] == "]":  # a leading "]" is a member
                j += 1
            close = line.find("]", j)
            if close < 0:
                return True
            i = close
        i += 1
    return False


#: a segment of a plain gitignore line: a name, or ``*`` and a suffix
_PLAIN_SEGMENT = re.compile(r"\*?[A-Za-z0-9_.-]+")


def _plain_rule(line: str) -> _Rule | None:
    """The rule of a plain line (``build/``, ``*.pyc``, ``/dist``,
    ``!keep.py``, ``docs/_build/``: names and ``*``-suffix segments, no other
    wildcard, escape or space), built as pathspec builds it (the same regex:
    ``tests/test_discovery.py`` compares them) without importing pathspec
    (~15 ms of every run in a repository). None: not plain."""
    negate = line.startswith("!")
    body = line[1:] if negate else line
    dir_only = body.endswith("/")
    if dir_only:
        body = body[:-1]
    anchored = body.startswith("/")
    if anchored:
        body = body[1:]
    segments = body.split("/")
    for seg in segments:
        if not _PLAIN_SEGMENT.fullmatch(seg) or not seg.strip("."):
            return None
    parts = [
        "[^/]*" + re.escape(seg[1:]) if seg.startswith("*") else re.escape(seg) for seg in segments
    ]
    regex = (
        ("^" if anchored or len(segments) > 1 else "^(?:.+/)?")
        + "/".join(parts)
        + ("(?P<ps_d>/)" if dir_only else "(?:(?P<ps_d>/)|$)")
    )
    return _Rule(re.compile(regex), negate=negate, dir_only=dir_only)


def _compile_gitignore_line(line: str) -> _Rule | None:
    """One line of a gitignore file, or None (blank, comment, or a pattern
    git never matches, such as an unclosed ``[``)."""
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        return None
    plain = _plain_rule(line)
    if plain is not None:
        return plain
    return _pathspec_rule(line)


def _pathspec_rule(line: str) -> _Rule | None:
    """:func:`_compile_gitignore_line` of a line that is not blank or a
    comment, through pathspec."""
    import pathspec

    # the line's own trailing "/" (after unescaped trailing spaces): dir only
    body = line
    while body.endswith(" ") and not body.endswith("\\ "):
        body = body[:-1]
    dir_only = body.endswith("/")
    if "[" in line and _unclosed_bracket(line):
        return None
    try:
        spec = pathspec.GitIgnoreSpec.from_lines([_posix_classes(line)])
    except (ValueError, re.error):
        return None  # "!" alone, or a pattern pathspec cannot use
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            return None
        return _Rule(regex, negate=not pattern.include, dir_only=dir_only)
    return None


def _read_rules(path: str) -> list[_Rule]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return []
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    rules = []
    for line in text.split("\n"):
        rule = _compile_gitignore_line(line)
        if rule is not None:
            rules.append(rule)
    return rules


@dataclass
class _Frame:
    """The rules of one ignore file and the path, relative to its directory,
    of the directory currently being walked ("" for that directory itself)."""

    prefix: str
    rules: list[_Rule]

    def child(self, name: str) -> _Frame:
        return _Frame(self.prefix + name + "/", self.rules)


def _ignored(frames: Sequence[_Frame], name: str, is_dir: bool) -> bool:
    """Is entry ``name`` of the current directory ignored? Last match wins;
    deeper files come later in ``frames``. A file is only compared with the
    lines that can match a file (a ``dir/`` line never does)."""
    for frame in reversed(frames):
        rules = frame.rules if is_dir else _file_rules(frame.rules)
        if not rules:
            continue
        rel = frame.prefix + name
        for rule in reversed(rules):
            if rule.matches(rel, is_dir):
                return not rule.negate
    return False


#: id(rules) -> (rules, its lines that are not directory-only); the lists
#: are the walker's (one per ignore file), kept alive here with their ids
_FILE_RULES: dict[int, tuple[list[_Rule], list[_Rule]]] = {}


def _file_rules(rules: list[_Rule]) -> list[_Rule]:
    if not rules:
        return rules
    known = _FILE_RULES.get(id(rules))
    if known is None or known[0] is not rules:
        if len(_FILE_RULES) > 1024:
            _FILE_RULES.clear()
        known = _FILE_RULES[id(rules)] = (rules, [r for r in rules if not r.dir_only])
    return known[1]


def find_repo_root(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` holding ``.git``."""
    d = directory
    while True:
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _info_exclude_path(repo_root: str) -> str | None:
    dotgit = os.path.join(repo_root, ".git")
    if os.path.isdir(dotgit):
        return os.path.join(dotgit, "info", "exclude")
    # A worktree or submodule: ".git" is a file "gitdir: <path>".
    try:
        with open(dotgit, encoding="utf-8") as fh:
            content = fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not content.startswith("gitdir:"):
        return None
    gitdir = os.path.join(repo_root, content[len("gitdir:") :].strip())
    try:
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as fh:
            gitdir = os.path.join(gitdir, fh.read().strip())
    except (OSError, UnicodeDecodeError):
        pass
    return os.path.join(gitdir, "info", "exclude")


# --------------------------------------------------------------------------
# Python scripts without an extension, by their shebang

#: interpreters pre-commit's ``identify`` tags ``python`` (``python3.11`` is
#: tried as ``python3.11``, ``python3``: the part before each last dot)
_PYTHON_INTERPRETERS = frozenset({"python", "python2", "python3"})
_SHEBANG_READ = 8192  # bytes read from a candidate script


def _shebang_split(line: str) -> list[str]:
    import shlex

    try:
        return shlex.split(line)  # setuptools may quote the interpreter
    except ValueError:
        return line.split()


def _shebang_command(head: bytes) -> tuple[str, ...]:
    """The command of a ``#!`` first line, as ``identify.parse_shebang``
    reads it: printable ASCII only, ``/usr/bin/env`` (and ``env -S``)
    dropped, ``nix-shell`` followed to its ``-i INTERPRETER``."""
    import string

    if not head.startswith(b"#!"):
        return ()
    lines = head[2:].split(b"\n")

    def text(raw: bytes) -> str | None:
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return decoded if all(c in string.printable for c in decoded) else None

    first = text(lines[0])
    if first is None:
        return ()
    cmd = tuple(_shebang_split(first.strip()))
    if cmd[:2] == ("/usr/bin/env", "-S"):
        cmd = cmd[2:]
    elif cmd[:1] == ("/usr/bin/env",):
        cmd = cmd[1:]
    if cmd == ("nix-shell",):
        for raw in lines[1:]:
            if not raw.startswith(b"#!"):
                break
            line = text(raw[2:])
            if line is None:
                break
            tokens = _shebang_split(line.strip())
            for k, token in enumerate(tokens[:-1]):
                if token == "-i":
                    cmd = (tokens[k + 1],)
    return cmd


def python_shebang(head: bytes) -> bool:
    """Does a file starting with ``head`` run with Python, by its shebang
    (``#!/usr/bin/env python3``, ``#!/usr/bin/python3.11``, ``env -S``...)?
    The same answer as pre-commit's ``identify`` (``types: [python]``)."""
    cmd = _shebang_command(head)
    if not cmd:
        return False
    interpreter = cmd[0].rpartition("/")[2]
    while interpreter:
        if interpreter in _PYTHON_INTERPRETERS:
            return True
        interpreter = interpreter.rpartition(".")[0]
    return False


def is_python_script(path: str) -> bool:
    """An executable file whose shebang names Python (``identify`` looks at
    the shebang of executable files only)."""
    if not os.access(path, os.X_OK):
        return False
    try:
        with open(path, "rb") as fh:
            return python_shebang(fh.read(_SHEBANG_READ))
    except OSError:
        return False


#: shebang interpreters ``identify`` tags ``javascript`` (the TypeScript/
#: JavaScript front-end's hooks get such scripts from pre-commit)
_NODE_INTERPRETERS = frozenset({"node", "nodejs"})


def node_shebang(head: bytes) -> bool:
    """Does a file starting with ``head`` run with node, by its shebang?"""
    cmd = _shebang_command(head)
    return bool(cmd) and cmd[0].rpartition("/")[2] in _NODE_INTERPRETERS


def is_script(path: str) -> bool:
    """An executable file whose shebang names Python or node."""
    if not os.access(path, os.X_OK):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SHEBANG_READ)
    except OSError:
        return False
    return python_shebang(head) or node_shebang(head)


def may_be_script(name: str) -> bool:
    """Worth reading for a shebang: a name without an extension
    (``bin/run-report``); a name with one is typed by it."""
    return not os.path.splitext(name)[1]


# --------------------------------------------------------------------------
# the walk


class _Walker:
    def __init__(
        self,
        exts: tuple[str, ...],
        exclude: Sequence[str],
        roots: list[str],
    ) -> None:
        self.exts = exts
        self.scripts = ".py" in exts  # also extensionless Python scripts
        self.roots = roots
        self.cwd = os.getcwd()
        self.name_globs: list[str] = []
        self.path_globs: list[str] = []
        for pat in exclude:
            pat = pat.replace(os.sep, "/").rstrip("/")
            while pat.startswith("./"):
                pat = pat[2:]
            if not pat:
                continue
            (self.path_globs if "/" in pat else self.name_globs).append(pat)
        self.found: list[tuple[Discovered, bool]] = []
        self.errors: list[DiscoveryError] = []
        self.visited_dirs: set[str] = set()
        self.rules_cache: dict[str, list[_Rule]] = {}

    # -- helpers ----------------------------------------------------------

    def rules(self, path: str) -> list[_Rule]:
        cached = self.rules_cache.get(path)
        if cached is None:
            cached = self.rules_cache[path] = _read_rules(path)
        return cached

    def inside_roots(self, real: str) -> bool:
        return any(_is_within(real, root) for root in self.roots)

    def excluded(self, rel: str, name: str) -> bool:
        """``rel``: posix path relative to the cwd of the entry named ``name``."""
        for pat in self.name_globs:
            if fnmatchcase(name, pat):
                return True
        if self.path_globs:
            absolute = os.path.normpath(os.path.join(self.cwd, rel)).replace(os.sep, "/")
            for pat in self.path_globs:
                if fnmatchcase(rel, pat) or fnmatchcase(absolute, pat):
                    return True
        return False

    def excluded_explicit(self, abs_path: str) -> bool:
        """Like :meth:`excluded` for a command-line path: any ancestor counts."""
        if not (self.name_globs or self.path_globs):
            return False
        rel = os.path.relpath(abs_path, self.cwd).replace(os.sep, "/")
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        for k in range(len(parts)):
            if parts[k] == "..":
                continue
            if self.excluded("/".join(parts[: k + 1]), parts[k]):
                return True
        return False

    def ancestor_frames(self, directory: str) -> tuple[list[_Frame], bool]:
        """Ignore frames in force inside ``directory`` (absolute), and whether
        ``directory`` itself or one of its ancestors is ignored."""
        repo = find_repo_root(directory)
        frames: list[_Frame] = []
        if repo is not None:
            base = repo
            exclude_file = _info_exclude_path(repo)
            if exclude_file is not None:
                frames.append(_Frame("", self.rules(exclude_file)))
        elif _is_within(directory, self.cwd):
            base = self.cwd  # no repository: the cwd bounds the search upwards
        else:
            base = directory
        rel = os.path.relpath(directory, base)
        chain = [base]
        for part in [] if rel == "." else rel.split(os.sep):
            chain.append(os.path.join(chain[-1], part))
        ignored = False
        for k, d in enumerate(chain):
            if k > 0:
                name = os.path.basename(d)
                frames = [f.child(name) for f in frames]
                if _ignored(frames, name, is_dir=True) or name in SKIP_DIRS:
                    ignored = True
            frames.append(_Frame("", self.rules(os.path.join(d, ".gitignore"))))
        return frames, ignored

    def add(self, display: str, real: str, via_link: bool) -> None:
        self.found.append((Discovered(display, real), via_link))

    def link_problem(self, display: str, exc: OSError) -> None:
        if exc.errno == errno.ELOOP:
            self.errors.append(DiscoveryError(display, "symlink loop"))
        elif isinstance(exc, FileNotFoundError):
            target = ""
            try:
                target = f" (points to {os.readlink(display)})"
            except OSError:
                pass
            self.errors.append(DiscoveryError(display, f"broken symlink{target}"))
        else:
            self.errors.append(DiscoveryError(display, exc.strerror or str(exc)))

    def wanted_name(self, name: str) -> bool:
        return name.endswith(self.exts)

    # -- the recursive walk -------------------------------------------------

    def walk(
        self,
        display: str,
        abs_dir: str,
        rel_dir: str,
        real_dir: str,
        frames: list[_Frame],
        stack: set[str],
        via_link: bool,
        is_root: bool,
    ) -> None:
        self.visited_dirs.add(real_dir)
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.errors.append(
                DiscoveryError(display, f"cannot read directory: {exc.strerror or exc}")
            )
            return
        names = {e.name for e in entries}
        if not is_root and "pyvenv.cfg" in names:
            return  # a virtualenv
        if ".gitignore" in names and not is_root:  # the root's is in ``frames``
            frames = frames + [_Frame("", self.rules(os.path.join(abs_dir, ".gitignore")))]
        stack = stack | {real_dir}
        # (string prefixes, not os.path.join per entry: a third of the walk)
        sep = os.sep
        display_prefix = "" if display == "." else display.rstrip(sep) + sep
        rel_prefix = "" if rel_dir == "." else rel_dir + "/"
        real_prefix = real_dir.rstrip(sep) + sep
        any_rules = any(f.rules for f in frames)
        for entry in entries:
            name = entry.name
            child_display = display_prefix + name
            child_rel = rel_prefix + name
            is_link = entry.is_symlink()
            if is_link:
                try:
                    st = os.stat(entry.path)
                except OSError as exc:
                    maybe_dir = "." not in name.lstrip(".")
                    if (
                        (self.wanted_name(name) or maybe_dir)
                        and not self.excluded(child_rel, name)
                        and not _ignored(frames, name, is_dir=False)
                    ):
                        self.link_problem(child_display, exc)
                    continue
                is_dir = stat.S_ISDIR(st.st_mode)
                is_file = stat.S_ISREG(st.st_mode)
            else:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = not is_dir and entry.is_file(follow_symlinks=False)
                except OSError:
                    continue
            if is_dir:
                if name in SKIP_DIRS or self.excluded(child_rel, name):
                    continue
                if any_rules and _ignored(frames, name, is_dir=True):
                    continue
                if is_link:
                    real = os.path.realpath(entry.path)
                    if not self.inside_roots(real):
                        continue
                    if real in stack:
                        self.errors.append(DiscoveryError(child_display, "symlink loop"))
                        continue
                    if real in self.visited_dirs:
                        continue
                else:
                    real = real_prefix + name
                self.walk(
                    child_display,
                    entry.path,
                    child_rel,
                    real,
                    [f.child(name) for f in frames],
                    stack,
                    via_link or is_link,
                    False,
                )
            elif is_file:
                wanted = self.wanted_name(name)
                if not wanted and not (self.scripts and may_be_script(name)):
                    continue
                if self.excluded(child_rel, name):
                    continue
                if any_rules and _ignored(frames, name, is_dir=False):
                    continue
                if not wanted and not is_script(entry.path):
                    continue
                if is_link:
                    real = os.path.realpath(entry.path)
                    if not self.inside_roots(real):
                        continue
                else:
                    real = real_prefix + name
                self.add(child_display, real, via_link or is_link)


def discover(
    paths: Sequence[str | Path],
    *,
    include_notebooks: bool = True,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
) -> tuple[list[Discovered], list[DiscoveryError]]:
    """Expand ``paths`` (files and directories) into the files to process.

    Returns the files, each once, in a deterministic order (arguments in the
    order given, directory contents sorted by name), and the problems met.
    ``exclude`` holds fnmatch globs: a glob without ``/`` is matched against
    each file or directory name, a glob with ``/`` against the path relative
    to the current directory and against the absolute path.
    """
    exts = tuple(e for e in extensions if include_notebooks or e != ".ipynb")
    args = [os.fspath(p) for p in paths]
    roots: list[str] = []
    for arg in args:
        if os.path.isdir(arg):
            roots.append(os.path.realpath(arg))
    walker = _Walker(exts, exclude, roots)

    for arg in args:
        abs_path = os.path.abspath(arg)
        try:
            st = os.stat(arg)
        except OSError as exc:
            if os.path.islink(arg) or exc.errno == errno.ELOOP:
                walker.link_problem(arg, exc)
            elif isinstance(exc, FileNotFoundError):
                walker.errors.append(DiscoveryError(arg, "no such file or directory"))
            elif isinstance(exc, NotADirectoryError):
                walker.errors.append(DiscoveryError(arg, "not a directory"))
            else:
                walker.errors.append(DiscoveryError(arg, exc.strerror or str(exc)))
            continue
        real = os.path.realpath(arg)
        if stat.S_ISDIR(st.st_mode):
            # Ignore files are looked up where the directory really is (git
            # works on the physical tree); the display keeps the name given.
            frames, ignored = walker.ancestor_frames(real)
            if force_exclude and (ignored or walker.excluded_explicit(abs_path)):
                continue
            if force_exclude and (
                os.path.basename(abs_path) in SKIP_DIRS
                or os.path.exists(os.path.join(arg, "pyvenv.cfg"))
            ):
                continue
            rel = os.path.relpath(abs_path, walker.cwd).replace(os.sep, "/")
            walker.walk(
                os.path.normpath(arg),
                abs_path,
                rel,
                real,
                frames,
                set(),
                via_link=False,
                is_root=True,
            )
        elif stat.S_ISREG(st.st_mode):
            if force_exclude:
                parent = os.path.realpath(os.path.dirname(abs_path))
                frames, ignored = walker.ancestor_frames(parent)
                name = os.path.basename(abs_path)
                if (
                    ignored
                    or walker.excluded_explicit(abs_path)
                    or _ignored(frames, name, is_dir=False)
                ):
                    continue
            walker.add(os.path.normpath(arg), real, os.path.islink(arg))
        else:
            walker.errors.append(DiscoveryError(arg, "not a regular file or directory"))

    # Dedupe by real path: keep the first position, but prefer a path that
    # does not go through a symlink for display.
    order: dict[str, int] = {}
    result: list[Discovered] = []
    via: list[bool] = []
    for item, via_link in walker.found:
        key = item.real_path
        k = order.get(key)
        if k is None:
            order[key] = len(result)
            result.append(item)
            via.append(via_link)
        elif via[k] and not via_link:
            result[k] = item
            via[k] = False
    return result, walker.errors
