"""The one place the application reads the time, so tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    # Read through time.time (not datetime.now) so that moving either clock moves both.
    return datetime.fromtimestamp(time.time(), UTC)
