"""HTML to text with the standard library's html.parser (safeguard K1).

Saved web pages are the usual source of recommendation records and some
bulletins.  Block elements become line breaks, list items become "- "
bullets and table cells are separated by tabs, which is the same shape the
Word and PDF readers produce.  Scripts, styles and the document head are not
content and are skipped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul".split()
)
SKIPPED_TAGS = frozenset({"script", "style", "head", "template", "noscript", "svg", "iframe", "object"})
_VOID_TAGS = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)


class _TextCollector(HTMLParser):
    """Collects text line by line while walking the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0

    # --- line handling -------------------------------------------------
    def _current_text(self) -> str:
        """The line being built."""
        return "".join(self.current)

    def break_line(self) -> None:
        """End the current line, unless it is only a pending bullet marker."""
        text = self._current_text()
        if text.strip() == "-":
            return
        self.lines.append(text)
        self.current = []

    # --- HTMLParser callbacks ------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Block elements start a new line; <li> starts a "- " bullet."""
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag == "br":
            self.break_line()
        elif tag == "li":
            self.break_line()
            self.current = ["- "]
        elif tag in ("td", "th"):
            pass
        elif tag in BLOCK_TAGS:
            self.break_line()
        if tag == "pre":
            self.pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Self-closing tags such as <br/>."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        """Block elements end their line; table cells end with a tab."""
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag in ("td", "th"):
            self.current.append("\t")
        elif tag == "li" and self._current_text().strip() == "-":
            self.current = []  # an empty list item: drop its marker
        elif tag in BLOCK_TAGS:
            self.break_line()
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        """Text, with HTML's whitespace collapsing (except inside <pre>)."""
        if self.skip_depth:
            return
        if self.pre_depth:
            parts = data.split("\n")
            for index, part in enumerate(parts):
                if index:
                    self.break_line()
                self.current.append(part)
            return
        self.current.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def close(self) -> None:
        """Flush the last line."""
        super().close()
        self.break_line()


def html_to_text(html: str) -> str:
    """Readable text of an HTML document, one block per line."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = []
    for line in collector.lines:
        line = re.sub(r" *\t *", "\t", line).strip(" ")
        if line.strip():
            lines.append(line.rstrip("\t "))
    return "\n".join(lines)
