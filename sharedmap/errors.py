"""Errors raised in the data's own terms; pages and the command line show their message, never a traceback."""


class SharedMapError(Exception):
    """Base of every error the app reports to a person."""


class BoundaryDataError(SharedMapError):
    """A boundary file is missing, unreadable or lacks the columns we need."""


class RegisterError(SharedMapError):
    """The council register is missing or malformed."""


class CouncilNotFoundError(SharedMapError):
    """A council name could not be resolved with confidence; carries the best suggestions."""

    def __init__(self, name: str, suggestions: list[str] | None = None, reason: str = "") -> None:
        self.name = name
        self.suggestions = list(suggestions or [])
        detail = reason or "no council of that name in the register"
        message = f"Unknown council {name!r}: {detail}"
        if self.suggestions:
            message += ". Did you mean: " + "; ".join(self.suggestions) + "?"
        super().__init__(message)


class FileReadError(SharedMapError):
    """An uploaded or given file cannot be read at all (empty, binary, wrong format)."""


class ValidationError(SharedMapError):
    """A value in a partnership record breaks a rule; names the column and value."""

    def __init__(self, column: str, value: object, message: str, suggestions: list[str] | None = None):
        self.column = column
        self.value = value
        self.suggestions = list(suggestions or [])
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        super().__init__(f"{column}: {message} (got {shown})")
        self.message = message


class SourceError(SharedMapError):
    """A data source could not be found or fetched, or its checksum does not match."""


class AuthenticationError(SharedMapError):
    """Sign-in refused: unknown email, wrong password, or locked after too many failed attempts."""


class PermissionDeniedError(SharedMapError):
    """The signed-in user's role or council does not allow the action."""


class ConflictError(SharedMapError):
    """A submission no longer applies: what it changes was changed by another publish since it was made."""


class StoreError(SharedMapError):
    """The store cannot be opened, or holds no such user, version or submission."""


class InvalidRowsError(SharedMapError):
    """An upload has rows with errors, so none of it is staged; ``problems`` holds (row, column, message)."""

    def __init__(self, file_name: str, problems: list[tuple[int, str, str]], rows: int) -> None:
        self.file_name = file_name
        self.problems = problems
        bad_rows = sorted({row for row, _, _ in problems})
        shown = "; ".join(f"row {row}, {column}: {message}" for row, column, message in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(
            f"{file_name}: {len(bad_rows)} of {rows} rows have errors, nothing was imported: {shown}{more}"
        )


class StoreUnavailableError(StoreError):
    """The store's database cannot be reached (stopped, unreachable, refusing connections). Nothing was written;
    ``last_good``, when set, is the last published version this process saw (a ``dataset.LastGood``), which the
    public map keeps showing until the database answers again."""

    def __init__(self, message: str, last_good: object | None = None) -> None:
        super().__init__(message)
        self.last_good = last_good
