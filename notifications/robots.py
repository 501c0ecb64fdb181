"""The two group robots' message formats and DingTalk's signature; plain functions, no Django."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

WECOM, DINGTALK = "wecom", "dingtalk"
MARKDOWN, TEXT = "markdown", "text"
# WeCom refuses markdown over 4,096 bytes; three bytes a Chinese character, with room for the title.
MAX_CHARS = 1200


def payload(kind: str, message_format: str, title: str, text: str) -> dict:
    """The JSON body each robot expects: {"msgtype": "markdown" | "text", ...}."""
    text = text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
    if message_format == TEXT:
        return {"msgtype": "text", "text": {"content": f"{title}\n{text}"}}
    if kind == DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n\n{text}"}}
    return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 of HMAC-SHA256 over "timestamp\\nsecret", keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The address with timestamp and sign appended, as DingTalk checks them (within an hour of its clock)."""
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def mask(value: str, keep: int = 4) -> str:
    """The first characters of a secret and dots: enough to tell two apart, never enough to use one."""
    if not value:
        return ""
    return value[:keep] + "••••" if len(value) > keep * 2 else "••••"


def masked_url(url: str) -> str:
    """The address with each query value masked: WeCom's key and DingTalk's access_token are the robot's password."""
    parts = urllib.parse.urlsplit(url)
    query = "&".join(f"{name}={mask(value)}" for name, value in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def scrub(message: str, *, url: str, secret: str) -> str:
    """An error message with the address's query values and the secret taken out, fit to store and show."""
    for _name, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query):
        if value:
            message = message.replace(value, mask(value)).replace(urllib.parse.quote(value), mask(value))
    if secret:
        message = message.replace(secret, mask(secret))
    return message
