"""Editing comma-separated lists (call arguments, dict elements) in place.

The hard part of adding or removing a keyword argument is not the argument,
it is the commas and the whitespace around them: a multi-line call with a
trailing comma must stay multi-line with a trailing comma, a hanging indent
must stay aligned, and a comment at the end of an argument's line must stay
on that argument's line. Everything here works on the separators the user
already wrote and never invents a layout when one can be copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

E = TypeVar("E", cst.Arg, cst.DictElement, cst.Element)

INLINE_SEP = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _plain(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """``ws`` without its comment and blank lines; the line break it used stays
    (a CRLF line in a mixed file begets a CRLF line)."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(
            first_line=cst.TrailingWhitespace(newline=ws.first_line.newline), empty_lines=[]
        )
    return ws


def _sanitized(comma: cst.Comma) -> cst.Comma:
    """A copy of ``comma`` without the comments or blank lines around it."""
    return comma.with_changes(
        whitespace_before=_plain(comma.whitespace_before),
        whitespace_after=_plain(comma.whitespace_after),
    )


def _has_comment(comma: cst.Comma) -> bool:
    return any(
        isinstance(ws, cst.ParenthesizedWhitespace)
        and (ws.first_line.comment is not None or any(e.comment for e in ws.empty_lines))
        for ws in (comma.whitespace_before, comma.whitespace_after)
    )


def _multiline_sep(ws: cst.BaseParenthesizableWhitespace) -> cst.Comma | None:
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_plain(ws))
    return None


def separator(elements: Sequence[E], before_first: cst.BaseParenthesizableWhitespace) -> cst.Comma:
    """The comma (with its whitespace) that separates elements in this list."""
    for el in elements[:-1]:
        if isinstance(el.comma, cst.Comma):
            return _sanitized(el.comma)
    return _multiline_sep(before_first) or INLINE_SEP


def _merge_trailing(own: cst.Comma, trailing: cst.Comma) -> cst.Comma:
    """``own`` keeps its comment; ``trailing`` gives the whitespace before ``)``."""
    ows, tws = own.whitespace_after, trailing.whitespace_after
    if isinstance(ows, cst.ParenthesizedWhitespace) and isinstance(
        tws, cst.ParenthesizedWhitespace
    ):
        # comment lines above the removed tail go with it
        return own.with_changes(whitespace_after=tws.with_changes(first_line=ows.first_line))
    return trailing


def _before_next_kept(
    original: Sequence[E], kept: list[int], idx: int, comma: cst.Comma
) -> cst.Comma:
    """When elements after ``idx`` were removed, the comment lines above them
    go with them, and the comment lines above the next kept element (which
    sat after the last removed one) come here."""
    later = [k for k in kept if k > idx]
    nxt = later[0] if later else len(original)
    if nxt == idx + 1 or nxt >= len(original):
        return comma
    donor = original[nxt - 1].comma
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace) and isinstance(donor, cst.Comma):
        dws = donor.whitespace_after
        lines = dws.empty_lines if isinstance(dws, cst.ParenthesizedWhitespace) else []
        return comma.with_changes(whitespace_after=ws.with_changes(empty_lines=lines))
    return comma


def rebuild(
    original: Sequence[E],
    new: Sequence[E | tuple[int, E]],
    before_first: cst.BaseParenthesizableWhitespace,
) -> list[E]:
    """Lay out ``new`` using the separators of ``original``.

    ``new`` holds either fresh elements, or ``(i, element)`` pairs for the
    element at index ``i`` of ``original`` (possibly with a changed value).
    Fresh elements get the list's separator; original elements keep their
    own comma (and comment) where they can. For calls, the whitespace before
    the closing parenthesis (``Arg.whitespace_after_arg`` of the last
    argument) moves to whichever argument is last now.
    """
    if not new:
        return []
    n = len(original)
    sep = separator(original, before_first)
    trailing: cst.Comma | cst.MaybeSentinel = original[-1].comma if n else cst.MaybeSentinel.DEFAULT
    last_ws = getattr(original[-1], "whitespace_after_arg", None) if n else None
    kept = sorted(i for i, _ in (x for x in new if isinstance(x, tuple)))
    out: list[E] = []
    for j, item in enumerate(new):
        idx, el = item if isinstance(item, tuple) else (None, item)
        is_last = j == len(new) - 1
        if not is_last:
            if idx is not None and idx < n - 1 and isinstance(el.comma, cst.Comma):
                comma: cst.Comma | cst.MaybeSentinel = _before_next_kept(
                    original, kept, idx, el.comma
                )
            elif idx is not None and isinstance(el.comma, cst.Comma):
                # the old last element is followed by something now: keep its
                # comment, indent like the others
                ws = el.comma.whitespace_after
                sws = sep.whitespace_after
                if isinstance(ws, cst.ParenthesizedWhitespace) and isinstance(
                    sws, cst.ParenthesizedWhitespace
                ):
                    comma = el.comma.with_changes(
                        whitespace_after=ws.with_changes(indent=sws.indent, last_line=sws.last_line)
                    )
                else:
                    comma = sep
            else:
                comma = sep
            changes: dict[str, object] = {"comma": comma}
            if isinstance(el, cst.Arg) and (idx is None or idx == n - 1):
                changes["whitespace_after_arg"] = cst.SimpleWhitespace("")
            out.append(el.with_changes(**changes))
        else:
            if idx is not None and idx == n - 1:
                out.append(el)
                continue
            if idx is not None and isinstance(el.comma, cst.Comma):
                if isinstance(trailing, cst.Comma):
                    comma = _merge_trailing(el.comma, trailing)
                elif _has_comment(el.comma):
                    # keep the comment: end with a trailing comma instead
                    comma = el.comma
                    lw = last_ws if isinstance(last_ws, cst.ParenthesizedWhitespace) else None
                    if isinstance(el.comma.whitespace_after, cst.ParenthesizedWhitespace):
                        comma = el.comma.with_changes(
                            whitespace_after=el.comma.whitespace_after.with_changes(
                                empty_lines=[],
                                indent=lw.indent if lw else True,
                                last_line=lw.last_line if lw else cst.SimpleWhitespace(""),
                            )
                        )
                    if isinstance(el, cst.Arg):
                        out.append(
                            el.with_changes(
                                comma=comma, whitespace_after_arg=cst.SimpleWhitespace("")
                            )
                        )
                        continue
                else:
                    comma = trailing
            else:
                comma = trailing
            changes = {"comma": comma}
            if isinstance(el, cst.Arg) and last_ws is not None:
                changes["whitespace_after_arg"] = last_ws
            out.append(el.with_changes(**changes))
    # Comment lines written above a kept element sit in the comma of the
    # element before it. When that one was removed and a fresh element now
    # precedes, the fresh element's comma carries them.
    for j in range(1, len(new)):
        item, prev = new[j], new[j - 1]
        if isinstance(item, tuple) and not isinstance(prev, tuple):
            lines = lines_above(original, item[0], kept)
            pc = out[j - 1].comma
            if lines and isinstance(pc, cst.Comma):
                ws = pc.whitespace_after
                if isinstance(ws, cst.ParenthesizedWhitespace):
                    out[j - 1] = out[j - 1].with_changes(
                        comma=pc.with_changes(whitespace_after=ws.with_changes(empty_lines=lines))
                    )
    return out


def lines_above(original: Sequence[E], idx: int, kept: Sequence[int]) -> list[cst.EmptyLine]:
    """The comment lines written above ``original[idx]`` when the element
    before it is not kept (they are lost with its comma otherwise)."""
    if idx <= 0 or idx - 1 in kept:
        return []
    comma = original[idx - 1].comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return list(comma.whitespace_after.empty_lines)
    return []


def first_lines(original: Sequence[E], new: Sequence[E | tuple[int, E]]) -> list[cst.EmptyLine]:
    """Comment lines that belong above the first element of ``new``: when it
    is an original element whose predecessor was removed, the caller moves
    them after the opening bracket (``rebuild`` only lays out the elements)."""
    if not new or not isinstance(new[0], tuple):
        return []
    kept = [x[0] for x in new if isinstance(x, tuple)]
    return lines_above(original, new[0][0], kept)


def with_lines_after_open(
    ws: cst.BaseParenthesizableWhitespace, lines: list[cst.EmptyLine]
) -> cst.BaseParenthesizableWhitespace:
    """``ws`` (after an opening bracket) with comment ``lines`` added below it."""
    if lines and isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(empty_lines=[*ws.empty_lines, *lines])
    return ws


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def string_literal(value: str, like: cst.SimpleString | None = None) -> cst.SimpleString:
    """A string literal for ``value``, in the quote style of ``like`` if given."""
    quote = '"'
    prefix = ""
    if like is not None:
        prefix = like.prefix
        quote = like.quote
        if "r" in prefix.lower() and ("\\" in value or quote in value):
            prefix = prefix.replace("r", "").replace("R", "")
    body = value.replace("\\", "\\\\")
    if len(quote) == 1:
        body = body.replace(quote, "\\" + quote)
    return cst.SimpleString(f"{prefix}{quote}{body}{quote}")


def replace_string(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """``node`` with a new value: same quotes, prefix and parentheses."""
    return node.with_changes(value=string_literal(value, node).value)
