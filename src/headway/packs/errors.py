"""What is wrong with a pack, where: one line per problem, with its file and line number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from headway.errors import HeadwayError


@dataclass(frozen=True, order=True)
class PackError:
    """One problem in one file of a pack.

    `file` is the pack-relative name (pack.yaml, measures/x.sql) or the zip/folder when the
    pack could not be read at all; `line` and `column` count from 1; `path` is where in
    pack.yaml, e.g. requirements[2].items[0].
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sort_errors(errors: Sequence[PackError]) -> list[PackError]:
    """pack.yaml first, then the SQL files; by line within a file; duplicates dropped."""

    def key(e: PackError) -> tuple[int, str, int, int, str, str]:
        return (e.file != "pack.yaml", e.file, e.line or 0, e.column or 0, e.path, e.message)

    return sorted(set(errors), key=key)


class PackInvalid(HeadwayError):
    """A pack that does not validate; `errors` holds every problem, line by line."""

    def __init__(self, ref: str, errors: Sequence[PackError]) -> None:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(
            f"The pack {ref} is not valid: {errors[0]}{more}.",
            f"Run `headway pack validate {ref}` to see every problem with its line.",
        )
        self.ref = ref
        self.errors = list(errors)

    def __reduce__(self) -> tuple[type[PackInvalid], tuple[str, list[PackError]]]:
        return (PackInvalid, (self.ref, self.errors))
