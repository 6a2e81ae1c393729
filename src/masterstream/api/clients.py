"""Who is on the other end of a connection: address, loopback or not, HTTPS or not.

Behind a reverse proxy the peer is the proxy, so the client's address and scheme come
from ``X-Forwarded-For`` / ``X-Forwarded-Proto`` — but only when the peer is one of
``Settings.trusted_proxies`` (addresses or networks); otherwise those headers are
anyone's to forge and are ignored. A loopback peer that is not a trusted proxy but
forwards for someone (it sends ``X-Forwarded-For`` or ``Forwarded``) is a proxy nobody
declared: its requests are not treated as loopback, so putting masterstream behind a
local proxy never hands the world the loopback rights of a server without users.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def is_loopback(address: str) -> bool:
    ip = _ip(address)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


class TrustedProxies:
    """The proxies whose forwarding headers are believed."""

    def __init__(self, entries: tuple[str, ...] | list[str] = ()) -> None:
        self.networks: list[Network] = []
        for entry in entries:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"trusted proxy {entry!r} is not an address or network") from exc

    def __contains__(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """The client of one request, as far as the server can tell."""

    address: str
    loopback: bool
    https: bool

    @classmethod
    def of(cls, scope: dict[str, Any], trusted: TrustedProxies) -> ClientInfo:
        peer = (scope.get("client") or ("", 0))[0] or ""
        scheme = scope.get("scheme", "http")
        https = scheme in ("https", "wss")
        headers = scope.get("headers", ())
        if trusted.networks and peer in trusted:
            address, https = _forwarded(headers, trusted, peer, https)
            return cls(address, is_loopback(address), https)
        forwarded = any(name in FORWARDING_HEADERS for name, _ in headers)
        return cls(peer, is_loopback(peer) and not forwarded, https)


def _forwarded(headers: Any, trusted: TrustedProxies, peer: str, https: bool) -> tuple[str, bool]:
    """The first untrusted hop from the right of ``X-Forwarded-For`` and the scheme the
    nearest proxy saw."""
    hops: list[str] = []
    proto: str | None = None
    for name, value in headers:
        if name == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
        elif name == b"x-forwarded-proto":
            proto = value.decode("latin-1").split(",")[-1].strip().lower()
    address = peer
    for hop in reversed(hops):
        address = hop
        if hop not in trusted:
            break
    if proto is not None:
        https = proto in ("https", "wss")
    return address, https
