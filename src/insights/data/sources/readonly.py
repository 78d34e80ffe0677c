"""Whether a ``--query`` is one SELECT, decided before any database sees it.

A query is run as written on a DuckDB file or a database URL, and reading survey data must not
change either: ``DROP TABLE``, ``ATTACH`` (which creates files) or DuckDB's ``COPY ... TO`` would all
run.  The readers also open every database read-only (:mod:`~insights.data.sources.sql`,
:mod:`~insights.data.sources.duckdb_file`); this check is the lock that explains itself, in one line,
before anything is opened.

The query is split into tokens as SQL dialects split it, comments and quoted text set aside, and
accepted only as a single statement that starts with SELECT, WITH, VALUES or FROM (DuckDB's
FROM-first SELECT) and holds none of :data:`REFUSED_WORDS` outside quotes and comments.  Dialects
read some characters differently (a backslash before a quote, MySQL's ``#`` comments, SQLite's
``[names]``, PostgreSQL's nested comments and dollar quotes, ...): the tokens follow the reading that
sees the most code, and the query is refused when another dialect would end a comment, string or name
inside one of those tokens, since that dialect could then see statements the check did not.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from insights.core.errors import SurveyDataError

STATEMENT_STARTS = frozenset({"SELECT", "WITH", "VALUES", "FROM"})
REFUSED_WORDS = frozenset(
    {
        # statements that change data or settings, or open, create or run files and extensions
        "ALTER", "ANALYZE", "ATTACH", "CALL", "CHECKPOINT", "COPY", "CREATE", "DELETE", "DETACH", "DROP",
        "EXEC", "EXECUTE", "EXPORT", "GRANT", "IMPORT", "INSERT", "INSTALL", "INTO", "LOAD", "MERGE",
        "PRAGMA", "REVOKE", "SET", "TRUNCATE", "UPDATE", "UPSERT", "VACUUM",
        # functions that write files or change settings from inside a SELECT
        "DBLINK_EXEC", "LOAD_EXTENSION", "LO_EXPORT", "LO_IMPORT", "PG_FILE_WRITE", "SET_CONFIG", "WRITEFILE",
    }
)  # fmt: skip

_WORD = re.compile(r"[^\W\d][\w$]*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_Q_QUOTE_CLOSERS = {"[": "]", "(": ")", "{": "}", "<": ">"}


def check_select(query: str, source: str) -> None:
    """Refuse ``query`` unless it is a single SELECT statement.

    Parameters
    ----------
    query : str
        The SQL given with ``--query`` (or ``query=``).
    source : str
        The name messages use for the database (the file name or the masked URL).

    Raises
    ------
    SurveyDataError
        ``"<source>: --query: only a single SELECT statement is accepted (found DROP)"``, naming
        what was found instead (another statement, a second statement, a refused word, or text
        that SQL dialects read differently).
    """
    found = refusal(query)
    if found is not None:
        raise not_a_select(found, source)


def not_a_select(found: str, source: str) -> SurveyDataError:
    """The one-line error for a query that is not a single SELECT, saying what was ``found``."""
    return SurveyDataError(
        f"--query: only a single SELECT statement is accepted (found {found})", source=source
    )


def refusal(query: str) -> str | None:
    """What keeps ``query`` from being a single SELECT statement (``"DROP"``, ``"2 statements"``), or None."""
    scan = _Scanner(query).run()
    problem = scan.ambiguity() or scan.unclosed()
    if problem:
        return problem
    statements = scan.statements()
    if len(statements) != 1:
        return f"{len(statements)} statements" if statements else "no statement"
    (statement,) = statements
    first = next((t for t in statement if t.text != "("), statement[0])
    if first.kind != "word" or first.text.upper() not in STATEMENT_STARTS:
        return first.text.upper() if first.kind == "word" else first.text[:20]
    refused = [t.text.upper() for t in statement if t.kind == "word" and t.text.upper() in REFUSED_WORDS]
    return refused[0] if refused else None


def _harmless_as_code(text: str) -> bool:
    """Whether ``text`` read as code ends every string and comment it opens, holding no ``;`` or refused word."""
    scan = _Scanner(text).run()
    return not (
        scan.ambiguity()
        or scan.unclosed()
        or any(t.kind == "symbol" and t.text == ";" for t in scan.tokens)
        or any(t.kind == "word" and t.text.upper() in REFUSED_WORDS for t in scan.tokens)
    )


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "number", "symbol", "quoted" (a string or a quoted name) or "comment"
    text: str
    start: int
    end: int
    closed: bool = True


@dataclass
class _Scanner:
    """The tokens of one query, and where other dialects' readings of it end a comment, string or name."""

    sql: str
    tokens: list[_Token] = field(default_factory=list)
    # (position where another reading is back in code, what that reading saw); positions in order of finding
    other_readings: list[tuple[int, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def run(self) -> _Scanner:
        position = 0
        while position < len(self.sql):
            position = self._token_at(position)
        return self

    # --- the checks ----------------------------------------------------------------------------

    def ambiguity(self) -> str | None:
        """The first construct another dialect reads differently enough to see other statements."""
        if self.refused:
            return self.refused[0]
        starts = [t.start for t in self.tokens]
        for position, what in self.other_readings:
            index = bisect.bisect_left(starts, position) - 1
            if index >= 0 and self.tokens[index].end > position:
                return f"{what}, which databases read differently"
        return None

    def unclosed(self) -> str | None:
        for token in self.tokens:
            if not token.closed:
                return "an unclosed comment" if token.kind == "comment" else "an unclosed quote"
        return None

    def statements(self) -> list[list[_Token]]:
        """The non-empty statements, each as its tokens without comments."""
        statements: list[list[_Token]] = [[]]
        for token in self.tokens:
            if token.kind == "symbol" and token.text == ";":
                statements.append([])
            elif token.kind != "comment":
                statements[-1].append(token)
        return [s for s in statements if s]

    # --- the tokens ----------------------------------------------------------------------------

    def _token_at(self, i: int) -> int:
        """Read the token at ``i`` (noting other readings of it); return where the next one may start."""
        sql, char = self.sql, self.sql[i]
        if char.isspace():
            return i + 1
        if sql.startswith("--", i):
            return self._dashes(i)
        if sql.startswith("/*", i):
            return self._block_comment(i)
        if char in "'\"":
            return self._quoted(i, char)
        if char == "#":  # MySQL: a comment to the end of the line; PostgreSQL: an operator
            self._other_comment_ends(i, "'#'")
        elif char == "[":  # SQLite and SQL Server: a quoted name
            self._note(sql.find("]", i + 1), 1, "'['")
            self._note(self._doubled_quote_end(i, "]"), 1, "'['")
        elif char == "`":  # MySQL and SQLite: a quoted name
            self._note(self._doubled_quote_end(i, "`"), 1, "'`'")
        elif char == "$":  # PostgreSQL and DuckDB: $$dollar-quoted strings$$
            self._dollar_quote(i)
        for pattern, kind in ((_WORD, "word"), (_NUMBER, "number")):
            match = pattern.match(sql, i)
            if match:
                self._add(kind, i, match.end())
                if kind == "word":
                    self._q_quote(match)
                return match.end()
        return self._add("symbol", i, i + 1)

    def _add(self, kind: str, start: int, end: int, closed: bool = True) -> int:
        self.tokens.append(_Token(kind, self.sql[start:end], start, end, closed))
        return end

    def _note(self, end: int, past: int, what: str) -> None:
        """Another reading is back in code at ``end + past`` (nothing to note when it never ends)."""
        if end >= 0:
            self.other_readings.append((end + past, what))

    def _line_end(self, i: int, ends: str) -> int:
        found = [p for p in (self.sql.find(c, i) for c in ends) if p >= 0]
        return min(found) if found else len(self.sql)

    def _other_comment_ends(self, i: int, what: str) -> None:
        # Line comments end at a line feed, and in PostgreSQL and DuckDB at a carriage return too.
        self._note(self._line_end(i, "\n"), 0, what)
        self._note(self._line_end(i, "\r\n"), 0, what)

    def _dashes(self, i: int) -> int:
        end = self._line_end(i, "\r\n")
        if i + 2 < end and not self.sql[i + 2].isspace() and not _harmless_as_code(self.sql[i + 2 : end]):
            # MySQL reads "--x" as two minus signs and goes on reading code
            self.refused.append("'--' with no space after it, which MySQL reads as code")
        self._other_comment_ends(i, "a carriage return in a '--' comment")
        return self._add("comment", i, end)

    def _block_comment(self, i: int) -> int:
        if self.sql.startswith(("/*!", "/*M!"), i):
            self.refused.append("a MySQL '/*!' comment, which MySQL runs as code")
        close = self.sql.find("*/", i + 2)
        # PostgreSQL, DuckDB and SQL Server nest comments: /* /* */ is still open there.
        depth, position = 1, i + 2
        while depth and position < len(self.sql):
            if self.sql.startswith("/*", position):
                depth, position = depth + 1, position + 2
            elif self.sql.startswith("*/", position):
                depth, position = depth - 1, position + 2
            else:
                position += 1
        if depth == 0:
            self._note(position, 0, "a nested '/*' comment")
        if close < 0:
            return self._add("comment", i, len(self.sql), closed=False)
        return self._add("comment", i, close + 2)

    def _quoted(self, i: int, quote: str) -> int:
        end = self._doubled_quote_end(i, quote)
        # MySQL (and PostgreSQL's E'...' strings) also end a quote after a backslash escape
        position = i + 1
        while position < len(self.sql):
            if self.sql[position] == "\\":
                position += 2
            elif self.sql.startswith(quote * 2, position):
                position += 2
            elif self.sql[position] == quote:
                self._note(position, 1, "a backslash in quotes")
                break
            else:
                position += 1
        if end < 0:
            return self._add("quoted", i, len(self.sql), closed=False)
        return self._add("quoted", i, end + 1)

    def _doubled_quote_end(self, i: int, quote: str) -> int:
        """Where a quote opened at ``i`` closes, a doubled quote standing for itself; -1 if never."""
        position = i + 1
        while True:
            position = self.sql.find(quote, position)
            if position < 0 or not self.sql.startswith(quote * 2, position):
                return position
            position += 2

    def _dollar_quote(self, i: int) -> None:
        tag = _DOLLAR_TAG.match(self.sql, i)
        if tag:
            close = self.sql.find(tag.group(), tag.end())
            self._note(close, len(tag.group()), "a dollar-quoted string")

    def _q_quote(self, word: re.Match) -> None:
        """Oracle's q'[...]' strings, which end at the closing bracket and a quote."""
        end = word.end()
        if word.group().lower() in ("q", "nq") and self.sql.startswith("'", end) and end + 1 < len(self.sql):
            opener = self.sql[end + 1]
            closer = _Q_QUOTE_CLOSERS.get(opener, opener) + "'"
            self._note(self.sql.find(closer, end + 2), 2, "an Oracle q'...' string")
