"""Shared Services Map: which UK councils share services with whom, and what it saves."""

__version__ = "0.1.0"
