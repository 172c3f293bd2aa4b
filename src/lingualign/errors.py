"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""

from __future__ import annotations


class LingualignError(Exception):
    """An error caused by input, params or environment, not by a bug: printed without traceback."""

    exit_code = 2


class InputError(LingualignError):
    """A bad record in an input file, located by file, row and field."""

    def __init__(self, path: object, row: int | None, field: str | None, message: str, kind: str):
        self.path, self.row, self.field, self.kind = str(path), row, field, kind
        where = [self.path]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{': '.join(where)}: {message}")


class SettingsError(LingualignError):
    """A params.yaml section that does not validate; the message names the key."""
