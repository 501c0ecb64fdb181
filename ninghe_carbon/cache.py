"""A Redis cache that degrades to "no cache" when Redis is unreachable.

The cache only saves work (the overview's rendered content), so an outage must cost speed, not pages: every
read answers a miss and every write is dropped, with one warning per outage rather than one per request. After
a failure the backend leaves Redis alone for RETRY_AFTER seconds, so pages do not each wait for a connection
timeout while Redis is down; the first call after that tries again.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("ninghe.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 10.0


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def _guarded(self, name: str, fallback, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except OUTAGE as exc:
            if not ResilientRedisCache._down_until:
                log.warning("cache.unavailable", extra={"operation": name, "error": str(exc)})
            ResilientRedisCache._down_until = time.monotonic() + RETRY_AFTER
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def set(self, key, value, timeout=None, version=None):
        self._guarded("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guarded("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._guarded("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guarded("incr", None, key, delta, version)

    def clear(self):
        return self._guarded("clear", False)
