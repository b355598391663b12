"""Council look-ups for one file, bounded: however a file is written, resolving its council names stays cheap."""

from __future__ import annotations

from sharedmap.errors import CouncilNotFoundError
from sharedmap.register import Register

FUZZY_BUDGET = 100  # fuzzy searches per file (a few ms each): past it, names must be exact
LOOKUP_BUDGET = 3000  # distinct names per file normalised (about 0.1 ms each): past it, only known spellings
MAX_COUNCIL_NAME = 200


class FileRegister:
    """The register as one file sees it: each distinct name resolved once, names too long to be a council refused
    unread, at most LOOKUP_BUDGET names normalised and FUZZY_BUDGET fuzzy searches, so no file makes checking slow."""

    def __init__(
        self, register: Register, fuzzy_budget: int = FUZZY_BUDGET, lookup_budget: int = LOOKUP_BUDGET
    ) -> None:
        self.register = register
        self.fuzzy_left = fuzzy_budget
        self.lookups_left = lookup_budget
        self.memo: dict[str, object] = {}

    def __getattr__(self, attribute: str):
        return getattr(self.register, attribute)

    def resolve(self, name: str):
        key = " ".join(str(name).split()).casefold()
        if key not in self.memo:
            self.memo[key] = self._lookup(name, key)
        found = self.memo[key]
        if isinstance(found, CouncilNotFoundError):
            raise found
        return found

    def _lookup(self, name: str, key: str):
        if len(key) > MAX_COUNCIL_NAME:
            return CouncilNotFoundError(key[:40] + "…", [], f"longer than any council name ({len(key):,} characters)")
        self.lookups_left -= 1
        try:
            return self.register.resolve(name, fuzzy=False, normalise=self.lookups_left >= 0)
        except CouncilNotFoundError as exc:
            if "not looked up" not in str(exc) or self.fuzzy_left <= 0 or self.lookups_left < 0:
                return exc
        self.fuzzy_left -= 1
        try:
            return self.register.resolve(name)
        except CouncilNotFoundError as exc:
            return exc
