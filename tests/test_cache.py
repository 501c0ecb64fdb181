"""The cache only saves work: with Redis down, the overview is computed and every page answers."""

import logging
import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from ninghe_carbon.cache import ResilientRedisCache
from results import services

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on: connections are refused at once, as when Redis is stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings, monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "_down_until", 0.0)
    settings.CACHES = {
        "default": {
            "BACKEND": "ninghe_carbon.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/12",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    caches["default"].close()


def test_the_overview_is_computed_when_redis_is_down(plan, period, office_client, redis_down, caplog):
    services.recompute_plan(plan)
    url = reverse("dashboard:overview", args=[plan.code])

    with caplog.at_level(logging.WARNING, logger="ninghe.cache"):
        first, second = office_client.get(url), office_client.get(url)

    assert first.status_code == second.status_code == 200
    assert "产业绿色低碳提升行动" in second.content.decode()
    assert [r.message for r in caplog.records if r.name == "ninghe.cache"] == ["cache.unavailable"]  # once


def test_the_backend_answers_misses_and_drops_writes_while_redis_is_down(redis_down):
    cache = caches["default"]
    cache.set("k", "v")
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k"]) == {} and cache.add("k", "v") is False and cache.delete("k") is False


def test_after_the_pause_the_backend_tries_redis_again(redis_down, monkeypatch):
    cache = caches["default"]
    calls = []
    monkeypatch.setattr("django.core.cache.backends.redis.RedisCache.get", lambda *a, **k: calls.append(a) or "v")
    monkeypatch.setattr(ResilientRedisCache, "_down_until", 1e18)
    assert cache.get("k") is None and calls == []
    monkeypatch.setattr(ResilientRedisCache, "_down_until", 0.0)
    assert cache.get("k") == "v" and len(calls) == 1
