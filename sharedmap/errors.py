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
        super().__init__(f"{column}: {message} (got {value!r})")
        self.message = message


class SourceError(SharedMapError):
    """A data source could not be found or fetched, or its checksum does not match."""
