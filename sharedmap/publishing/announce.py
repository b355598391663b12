"""Telling the rest of the system that a version was published, without knowing who listens.

Publishing returns once the version is committed; whatever follows a publish (the static site's rebuild) is a
listener that a higher layer registers (``sharedmap.site.build.follow_publishing``), run in the background so a
reviewer's request never waits for it. ``wait`` lets a command that exits straight after publishing (the CLI)
finish what it started.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

Listener = Callable[[Any, int], object]  # (store, version number)
_listeners: list[Listener] = []
_running: list[threading.Thread] = []
_lock = threading.Lock()
log = logging.getLogger(__name__)


def listen(listener: Listener) -> None:
    """Call ``listener(store, number)`` after every publish or rollback (once, however often registered)."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)


def announce(store: Any, number: int) -> None:
    """A version was committed: start each listener in the background and return at once."""
    for listener in list(_listeners):
        thread = threading.Thread(target=_run, args=(listener, store, number), name=f"after-publish-{number}")
        with _lock:
            _running.append(thread)
        thread.start()


def _run(listener: Listener, store: Any, number: int) -> None:
    try:
        listener(store, number)
    except Exception:  # a listener's failure never reaches the publish, which is already committed
        log.exception("a listener of version %s failed", number)


def wait(timeout: float | None = None) -> None:
    """Wait for the listeners started so far (a command about to exit; tests)."""
    with _lock:
        pending, _running[:] = list(_running), []
    for thread in pending:
        thread.join(timeout)
