"""A Streamlit visitor without a browser: Streamlit's own websocket protocol, as the browser speaks it.

The browser opens ``/_stcore/stream`` (subprotocol "streamlit"), sends a ``BackMsg`` asking for a script run with
its widget states, and receives ``ForwardMsg``s: the session, deltas (elements to draw, at a path in the page), and
"script finished". A click on the map is a rerun in which st_folium's widget holds the clicked feature, exactly
what the map's JavaScript sends. Like the browser, this client keeps large ("cacheable") messages it has seen and
tells the server their hashes, so the server sends a short reference instead of the map again.

`serve` uses it to open the app once before reporting healthy (sharedmap.app.warm); the load benchmark
(bench/load.py) and the replica and deployment tests use it as their visitors.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
TEXT_ELEMENTS = ("markdown", "heading", "alert", "text", "caption")
_UNESCAPE = re.compile(r"\\(.)")
_SHARED_CACHE: dict[str, ForwardMsg] = {}  # hash -> message, shared by every visitor of this process (immutable)


def run_sync(coroutine):
    """Run a coroutine to completion in a thread of its own, so it works even where an event loop is already
    running in this thread (pytest with Playwright's sync API, a notebook)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class VisitorError(Exception):
    """The app answered with an exception, the connection dropped, or it did not answer in time."""


@dataclass
class Element:
    path: tuple[int, ...]
    kind: str
    widget_id: str
    text: str
    proto: object


@dataclass
class Page:
    """What one script run drew: its elements by delta path (later runs replace earlier ones at a path)."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [e.text for _, e in sorted(self.elements.items()) if e.text]

    def has_text(self, needle: str) -> bool:
        return any(needle in t for t in self.texts())

    def widget(self, kind: str, key_suffix: str = "") -> Element:
        for element in self.elements.values():
            if element.kind == kind and element.widget_id.endswith(key_suffix):
                return element
        raise VisitorError(f"no {kind} widget ending {key_suffix!r} on the page")


def check_loopback(url: str) -> None:
    """The load benchmark's guard: it only ever loads this machine."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"{url}: this client only talks to this machine (127.0.0.1, localhost, ::1)")


def _text(element_kind: str, proto) -> str:
    body = getattr(proto, "body", "") if element_kind in TEXT_ELEMENTS else ""
    return _UNESCAPE.sub(r"\1", body)  # the app escapes markdown specials in data


class Visitor:
    """One browser tab: connect, then ``run`` (open the page), ``click_feature``, ``set_widget`` …"""

    def __init__(
        self, url: str, query: str = "", timeout: float = 60.0, page: str = "", wait_for_server: float = 0.0
    ) -> None:
        parts = urlsplit(url)
        self.stream_url = f"ws://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.query = query
        self.page_name = page  # a page's url_path ("statistics"); "" is the default page
        self.timeout = timeout
        self.wait_for_server = wait_for_server
        self.widget_states: dict[str, tuple[str, object]] = {}  # widget id -> (value field, value)
        self.page = Page()
        self.pages: list[tuple[str, str, bool]] = []  # the app's navigation: (section, url path, is default)
        self.session_id = ""
        self._hashes: set[str] = set()
        self._socket: websockets.ClientConnection | None = None

    async def __aenter__(self) -> Visitor:
        """Connect; while ``wait_for_server`` seconds have not passed, a refused connection is tried again (a
        server that is still binding its port)."""
        deadline = time.monotonic() + self.wait_for_server
        while True:
            try:
                self._socket = await websockets.connect(
                    self.stream_url,
                    subprotocols=[websockets.Subprotocol("streamlit")],
                    max_size=None,
                    open_timeout=self.timeout,
                    ping_interval=None,
                )
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    def _rerun_message(self) -> bytes:
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        state.page_name = self.page_name
        state.cached_message_hashes.extend(sorted(self._hashes))
        for widget_id, (value_field, value) in self.widget_states.items():
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            if value_field == "string_array_value":
                widget.string_array_value.data.extend(value)
            elif value_field == "double_array_value":
                widget.double_array_value.data.extend(value)
            else:
                setattr(widget, value_field, value)
        return back.SerializeToString()

    async def run(self, until: str | None = None) -> dict:
        """Ask for a script run with the current widget states and read until it has finished (after any
        st.rerun it triggers). Returns timings in seconds: ``first`` message, ``text`` (when ``until`` first
        appeared in a drawn text), ``finished``."""
        if self._socket is None:
            raise VisitorError("not connected")
        started = time.perf_counter()
        timings: dict[str, float] = {}
        await self._socket.send(self._rerun_message())
        while True:
            remaining = self.timeout - (time.perf_counter() - started)
            try:
                data = await asyncio.wait_for(self._socket.recv(), max(remaining, 0.01))
            except TimeoutError as exc:
                raise VisitorError(f"no answer within {self.timeout:.0f} s") from exc
            except websockets.ConnectionClosed as exc:
                raise VisitorError(f"connection closed: {exc}") from exc
            at = time.perf_counter() - started
            timings.setdefault("first", at)
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.page = Page()  # a new run redraws the page
                if message.new_session.HasField("initialize"):
                    self.session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = [(p.section_header, p.url_pathname, p.is_default) for p in message.navigation.app_pages]
            elif kind == "page_info_changed":  # the app changed the URL's query: the browser's address bar follows
                self.query = message.page_info_changed.query_string
            elif kind == "ref_hash":
                cached = _SHARED_CACHE.get(message.ref_hash)
                if cached is None:
                    raise VisitorError(f"server referred to a message this client never had ({message.ref_hash})")
                self._draw(cached, tuple(message.metadata.delta_path))
            elif kind == "delta":
                if message.metadata.cacheable and message.hash:
                    self._hashes.add(message.hash)
                    _SHARED_CACHE.setdefault(message.hash, message)
                found = self._draw(message, tuple(message.metadata.delta_path))
                if until and "text" not in timings and found and until in found:
                    timings["text"] = at
            elif kind == "script_finished" and message.script_finished == FINISHED:
                timings["finished"] = at
                if self.page.exceptions:
                    raise VisitorError("the app raised: " + " | ".join(self.page.exceptions))
                return timings

    def _draw(self, message: ForwardMsg, path: tuple[int, ...]) -> str:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return ""
        kind = delta.new_element.WhichOneof("type")
        if kind is None:
            return ""
        proto = getattr(delta.new_element, kind)
        if kind == "exception":
            self.page.exceptions.append(f"{proto.type}: {proto.message}")
        text = _text(kind, proto)
        self.page.elements[path] = Element(path, kind, getattr(proto, "id", ""), text, proto)
        self._remember_value(kind, proto)
        return text

    def _remember_value(self, kind: str, proto) -> None:
        """Like the browser: a widget's value is its default when first drawn, the server's when it sets one
        (``set_value``, e.g. from the URL or session state), and otherwise what the visitor last chose."""
        widget_id = getattr(proto, "id", "")
        if not widget_id or (widget_id in self.widget_states and not getattr(proto, "set_value", False)):
            return
        set_value = getattr(proto, "set_value", False)
        if kind in ("slider", "multiselect"):
            options = list(proto.options)
            if kind == "slider" and not options:  # a numeric slider
                self.widget_states[widget_id] = (
                    "double_array_value",
                    list(proto.value if set_value else proto.default),
                )
                return
            chosen = (
                list(proto.raw_value if kind == "slider" else proto.raw_values)
                if set_value
                else [options[int(i)] for i in proto.default]
            )
            self.widget_states[widget_id] = ("string_array_value", chosen)
        elif kind in ("radio", "selectbox"):
            options = list(proto.options)
            value = proto.raw_value if set_value else (options[proto.default] if options else "")
            self.widget_states[widget_id] = ("string_value", value)
        elif kind == "number_input":
            self.widget_states[widget_id] = ("double_value", proto.value if set_value else proto.default)
        elif kind == "text_input":
            self.widget_states[widget_id] = ("string_value", proto.value if set_value else proto.default)

    # Interactions ---------------------------------------------------------------------------------------------

    def set_widget(self, widget_id: str, value_field: str, value: object) -> None:
        self.widget_states[widget_id] = (value_field, value)

    def set_multiselect(self, key: str, values: list[str]) -> None:
        self.set_widget(self.page.widget("multiselect", key).widget_id, "string_array_value", list(values))

    def click_feature(self, properties: dict, lat: float, lng: float) -> None:
        """What st_folium's JavaScript reports when a GeoJSON feature is clicked (``last_active_drawing`` and
        ``last_object_clicked``): set as the map component's value for the next run."""
        component = self.page.widget("component_instance")
        value = {
            "last_active_drawing": {"type": "Feature", "properties": properties, "geometry": None},
            "last_object_clicked": {"lat": lat, "lng": lng},
        }
        self.set_widget(component.widget_id, "json_value", json.dumps(value))
