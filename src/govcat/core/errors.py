"""The one exception a user may see: a problem with how govcat was called or configured."""

from __future__ import annotations


class UsageError(Exception):
    """A problem with how govcat was called or configured: exit code 2, a clear message."""
