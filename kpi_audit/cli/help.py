"""--help in the run's language.

Every ``help=`` of the commands and options is a key of the word table
(``help.*`` in kpi_audit/render/words/cli.py). When the root group has decided the run's
language (kpi_audit/cli/lang.py) and a command is built, :func:`localize` replaces each
key by its text in that language (typer rebuilds the click objects on every run, so the
replacement never leaks into the next run). :class:`HelpContext` gives every command a
formatter that also words typer's own parts: ``Usage:``, the section headings, the
``[default: …; env var: …; required]`` notes, the help option's line. Chinese text is
wrapped by display width (a CJK character takes two cells; no line starts with ，。）).
What typer and click say outside --help (usage errors such as ``No such option``) stays
English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from typing import Any

import typer
from typer._click.formatting import HelpFormatter, iter_rows, measure_table, term_len, wrap_text
from typer._click.utils import make_default_short_help

from kpi_audit.cli.lang import DEFAULT_LANG, META_KEY
from kpi_audit.cli.options import DEFAULT_ISSUES_SHOWN
from kpi_audit.render.i18n import LABELS, label
from kpi_audit.store.db import DEFAULT_WAIT_SECONDS

# the values help texts quote, so the table never repeats a default
HELP_VALUES: Mapping[str, object] = {
    "wait": f"{DEFAULT_WAIT_SECONDS:g}",
    "shown": DEFAULT_ISSUES_SHOWN,
}
# typer's options whose help typer writes itself
_TYPER_OPTIONS = ("install_completion", "show_completion")


def help_text(key: str | None, lang: str) -> str | None:
    """The text of help key ``key`` in ``lang``; anything that is no key as it is."""
    if key is None or not key.startswith("help.") or key not in LABELS:
        return key
    text = LABELS[key][1 if lang == "en" else 0]
    return text.format_map(HELP_VALUES) if "{" in text else text


def summary(text: str, lang: str, limit: int = 10_000) -> str:
    """A command's line in the list of commands: its first sentence (at most ``limit``
    cells; English as click shortens it, Chinese up to the first 。)."""
    if lang == "en":
        return make_default_short_help(text, limit)
    first = text.split("。", 1)[0]
    if display_width(first) <= limit:
        return first
    while display_width(first) > max(limit - 1, 1):
        first = first[:-1]
    return first + "…"


def localize(command: Any, lang: str, ctx: Any = None) -> None:
    """Put ``command``'s help texts (its own, its options', its subcommands') in ``lang``;
    with ``ctx`` (whose help option names the command takes), the help option's too."""
    command.context_class = HelpContext
    command.help = help_text(command.help, lang)
    if lang != "en" and command.help:
        command.short_help = summary(command.help, lang)
    for param in command.params:
        key = f"help.opt.{param.name}" if param.name in _TYPER_OPTIONS else param.help
        param.help = help_text(key, lang)
    option = command.get_help_option(ctx) if ctx is not None else None
    if option is not None:
        option.help = help_text("help.opt.help", lang)
    for sub in getattr(command, "commands", {}).values():
        localize(sub, lang, ctx)


class HelpContext(typer.Context):
    """A context whose help formatter speaks the run's language."""

    def make_formatter(self) -> HelpFormatter:
        lang = str(self.meta.get(META_KEY, DEFAULT_LANG))
        return LangFormatter(lang, width=self.terminal_width, max_width=self.max_content_width)


_NOTE = re.compile(r"(?P<help>.*?)(?P<gap>\s*)\[(?P<notes>[^\[\]]*)\]", re.S)
_NOTES = (("env var: ", "help.extra.env", "var"), ("default: ", "help.extra.default", "default"))


class LangFormatter(HelpFormatter):
    """click's help formatter with typer's words in ``lang`` and CJK-aware wrapping."""

    def __init__(self, lang: str, width: int | None = None, max_width: int | None = None) -> None:
        super().__init__(width=width, max_width=max_width)
        self.lang = lang

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        shown = label("help.usage", self.lang) if prefix is None else prefix
        super().write_usage(prog, args, shown)

    def write_heading(self, heading: str) -> None:
        key = f"help.section.{heading}"
        name = label(key, self.lang) if key in LABELS else heading
        self.write(f"{'':>{self.current_indent}}{label('help.heading', self.lang, name=name)}\n")

    def write_text(self, text: str) -> None:
        if not has_wide(text):
            super().write_text(text)
            return
        indent = " " * self.current_indent
        self.write(wrap_wide(text, self.width, indent, indent))
        self.write("\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """click's definition list (the options, the commands), each second column with
        its notes worded in ``lang`` and wrapped by display width."""
        rows = [(first, self._notes(second)) for first, second in rows]
        widths = measure_table(rows)
        first_col = min(widths[0], col_max) + col_spacing
        for first, second in iter_rows(rows, len(widths)):
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if term_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - term_len(first)))
            else:
                self.write("\n")
                self.write(" " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            if has_wide(second):
                lines = wrap_wide(second, text_width).splitlines()
            else:
                lines = wrap_text(second, text_width, preserve_paragraphs=True).splitlines()
            self.write(f"{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")

    def _notes(self, text: str) -> str:
        """``help  [env var: X; default: Y; required]`` with the notes in ``lang``."""
        match = _NOTE.fullmatch(text) if self.lang != "en" else None
        if match is None:
            return text
        notes = []
        for note in match["notes"].split("; "):
            for prefix, key, name in _NOTES:
                if note.startswith(prefix):
                    note = label(key, self.lang, **{name: note[len(prefix) :]})
                    break
            else:
                if note == "required":
                    note = label("help.extra.required", self.lang)
            notes.append(note)
        joined = label("help.extra.sep", self.lang).join(notes)
        # after a full-width stop the gap would only look like a stray space
        gap = "" if match["help"][-1:] in _CLOSING else match["gap"]
        return f"{match['help']}{gap}[{joined}]"


def is_wide(ch: str) -> bool:
    """A character that takes two cells: CJK and full-width forms (as render/format.py)."""
    return ord(ch) > 0x2E7F


def has_wide(text: str) -> bool:
    return any(is_wide(ch) for ch in text)


def display_width(text: str) -> int:
    return sum(2 if is_wide(ch) else 1 for ch in text)


# a line never starts with these (they stay with what precedes them) …
_CLOSING = frozenset("，。；：、）」』！？…》]")
# … nor ends with these
_OPENING = frozenset("（「『《[")


def _tokens(text: str) -> Iterator[str]:
    """The pieces a line may break between: a run of narrow characters without a space
    (with its trailing space), or one wide character; closing punctuation is part of
    the piece before it, opening punctuation of the piece after it."""
    pending = ""
    for piece in re.findall(r"[^\s\u2e80-\U0010ffff]+\s*|[\u2e80-\U0010ffff]\s*|\s+", text):
        if pending and (piece[0] in _CLOSING or pending.rstrip()[-1:] in _OPENING):
            pending += piece
            continue
        if pending:
            yield pending
        pending = piece
    if pending:
        yield pending


def wrap_wide(text: str, width: int, first_indent: str = "", rest_indent: str = "") -> str:
    """``text`` in lines of at most ``width`` cells (a piece longer than that alone on
    its line), spaces collapsed as textwrap does."""
    lines: list[str] = []
    current = ""
    room = width - len(first_indent)
    for token in _tokens(" ".join(text.split())):
        if current and display_width((current + token).rstrip()) > room:
            lines.append(current.rstrip())
            current = token.lstrip()
            room = width - len(rest_indent)
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    with suppress(IndexError):
        lines[0] = first_indent + lines[0]
    return "\n".join([*lines[:1], *(rest_indent + line for line in lines[1:])])
