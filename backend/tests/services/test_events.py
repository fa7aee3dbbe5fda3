"""The Redis event subscriber lives exactly as long as its app."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from app.services.events import RedisBroker, close_broker, get_broker

from ..redis_server import RedisServer


def test_the_redis_subscriber_stops_with_its_app_and_logs_nothing_after(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        application = make_app(REDIS_URL=redis.url)
        broker = get_broker(application)
        assert isinstance(broker, RedisBroker)
        received: list[dict[str, Any]] = []
        arrived = threading.Event()
        broker.subscribe("user:7", lambda message: (received.append(message), arrived.set()))
        thread = broker.thread
        assert thread is not None and thread.is_alive()
        broker.publish("user:7", {"type": "ping"})
        assert arrived.wait(5)
        assert received == [{"type": "ping"}]

        started = time.monotonic()
        close_broker(application)
        assert not thread.is_alive()
        assert time.monotonic() - started < 2  # the subscriber hears the stop within its half-second wait
    finally:
        redis.stop()
    # With Redis gone, a subscriber still running would log a failed reconnection every few tenths of a second.
    with caplog.at_level(logging.DEBUG, logger="app.services.events"):
        time.sleep(1.0)
        broker.subscribe("user:8", lambda message: None)  # a subscription after the stop starts nothing
    assert broker.thread is thread
    assert not thread.is_alive()
    assert [record.getMessage() for record in caplog.records if record.name == "app.services.events"] == []
    assert [t.name for t in threading.enumerate() if t.name == "meterbook-redis-events"] == []
