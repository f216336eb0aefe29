"""Editing comma-separated lists (call arguments, dict elements) in place.

The hard part of adding or removing a keyword argument is not the argument,
it is the commas and the whitespace around them: a multi-line call with a
trailing comma must stay multi-line with a trailing comma, a hanging indent
must stay aligned, and a comment at the end of an argument's line must stay
on that argument's line. Everything here works on the separators the user
already wrote and never invents a layout when one can be copied.
"""

from __future__ import annotations

from typing import Optional, Sequence, TypeVar, Union

import libcst as cst

E = TypeVar("E", cst.Arg, cst.DictElement, cst.Element)

INLINE_SEP = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _sanitized(comma: cst.Comma) -> cst.Comma:
    """A copy of ``comma`` without the comment or blank lines that follow it."""
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace):
        ws = ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=ws)


def _multiline_sep(ws: cst.BaseParenthesizableWhitespace) -> Optional[cst.Comma]:
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return cst.Comma(
            whitespace_after=ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        )
    return None


def separator(
    elements: Sequence[E], before_first: cst.BaseParenthesizableWhitespace
) -> cst.Comma:
    """The comma (with its whitespace) that separates elements in this list."""
    for el in elements[:-1]:
        if isinstance(el.comma, cst.Comma):
            return _sanitized(el.comma)
    return _multiline_sep(before_first) or INLINE_SEP


def _merge_trailing(own: cst.Comma, trailing: cst.Comma) -> cst.Comma:
    """``own`` keeps its comment; ``trailing`` gives the whitespace before ``)``."""
    ows, tws = own.whitespace_after, trailing.whitespace_after
    if isinstance(ows, cst.ParenthesizedWhitespace) and isinstance(tws, cst.ParenthesizedWhitespace):
        return own.with_changes(
            whitespace_after=tws.with_changes(first_line=ows.first_line, empty_lines=ows.empty_lines)
        )
    return trailing


def rebuild(
    original: Sequence[E],
    new: Sequence[Union[E, tuple[int, E]]],
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
    trailing: Union[cst.Comma, cst.MaybeSentinel] = (
        original[-1].comma if n else cst.MaybeSentinel.DEFAULT
    )
    last_ws = getattr(original[-1], "whitespace_after_arg", None) if n else None
    out: list[E] = []
    for j, item in enumerate(new):
        idx, el = item if isinstance(item, tuple) else (None, item)
        is_last = j == len(new) - 1
        if not is_last:
            if idx is not None and idx < n - 1 and isinstance(el.comma, cst.Comma):
                comma: Union[cst.Comma, cst.MaybeSentinel] = el.comma
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
                elif isinstance(el.comma.whitespace_after, cst.ParenthesizedWhitespace) and (
                    el.comma.whitespace_after.first_line.comment is not None
                ):
                    # keep the comment: end with a trailing comma instead
                    lw = last_ws if isinstance(last_ws, cst.ParenthesizedWhitespace) else None
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
    return out


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def string_literal(value: str, like: Optional[cst.SimpleString] = None) -> cst.SimpleString:
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
