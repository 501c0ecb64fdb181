"""The client's address, as the lock-out and the refused-request log see it.

X-Forwarded-For is text the client can write. It is believed only when the connection comes from one of
TRUSTED_PROXY_ADDRESSES (our own nginx or load balancer): a client that reaches gunicorn directly is known
by its own address whatever header it sends, so it cannot pick a new address per password guess.
"""

import ipaddress

from django.conf import settings


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.TRUSTED_PROXY_ADDRESSES)


def client_ip(request) -> str:
    """REMOTE_ADDR, or, when it is a trusted proxy's, the address the outermost of TRUSTED_PROXY_COUNT saw.

    Each proxy appends the address it received from to X-Forwarded-For, so the n-th entry from the right is the
    one our own outermost proxy wrote; anything further left came from the client and could be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count or not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) >= count:
        return forwarded[-count]
    return remote
