"""Which addresses an action may reach with a URL taken from a definition or event data (SSRF).

Refused unless the operator allows them (``RELAY_HTTP_ALLOW``: host names or CIDRs): loopback,
private, link-local, unique-local, multicast, unspecified, shared (CGNAT) and other non-global
addresses, and the cloud metadata endpoints. The check runs at connect time, on the address
the socket actually connects to, so a host name that resolves to a refused address, a redirect
to one and a DNS answer that changes between a check and the connection (rebinding) are all
refused the same way. URLs the operator configures (``RELAY_SLACK_API_URL``, the SMTP host) do
not go through here.

Reuse: ``guarded_client(rule)`` is an ``httpx.AsyncClient`` that refuses what ``rule`` refuses,
redirects included; ``await rule.check_url(url)`` answers the same question ahead of time (at
save time, say) for a message without a connection.
"""

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_SETTING = "RELAY_HTTP_ALLOW"

# Instance metadata services hand out cloud credentials: the most valuable SSRF target.
# AWS/GCP/Azure/OCI/DigitalOcean 169.254.169.254, AWS ECS task metadata 169.254.170.2,
# AWS IPv6 fd00:ec2::254, Alibaba 100.100.100.200, Azure's wire server 168.63.129.16 (a
# public-looking address).
METADATA: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.169.254/32",
        "169.254.170.2/32",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "168.63.129.16/32",
    )
)
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)

_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # connecting to 0.x reaches this host on Linux
_PRIVATE_V4 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """A URL's host is, or resolves to, an address the rule refuses; the message names the rule."""

    def __init__(self, host: str, address: str, rule: str) -> None:
        self.host, self.address, self.rule = host, address, rule
        where = address if host == address else f"{host} ({address})"
        super().__init__(
            f"{where} is a {rule} address: refused, as actions may not reach internal networks "
            f"unless the operator lists the host or range in {ALLOW_SETTING}"
        )


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ``::ffff:a.b.c.d``, 6to4, NAT64), if any:
    connecting to it may reach that IPv4 address."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify(address: IPAddress) -> str | None:
    """The kind of non-public address ``address`` is ("loopback", "cloud metadata", ...), or
    None for a public one."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return classify(inner)
    if any(address in net for net in METADATA):
        return "cloud metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified or address in _THIS_NETWORK:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address in _UNIQUE_LOCAL:
        return "unique-local"
    if any(address in net for net in _PRIVATE_V4):
        return "private"
    if address in _SHARED_V4:
        return "shared (carrier-grade NAT)"
    if not address.is_global:
        return "reserved (non-global)"
    return None


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


class AddressRule:
    """The rule with the operator's exceptions: host names (exact) and IP ranges (CIDR)."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.networks: list[IPNetwork] = []
        self.hosts: set[str] = set()
        for entry in allow:
            entry = entry.strip()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            host = _normal_host(entry)
            if not host or any(c in host for c in "/:@ ") or host.startswith("*"):
                raise ValueError(
                    f"{ALLOW_SETTING} entry {entry!r} is neither a host name nor an IP address or CIDR"
                )
            self.hosts.add(host)

    def allows_host(self, host: str) -> bool:
        """Whether the operator listed this host name (every address it resolves to is allowed)."""
        return _normal_host(host) in self.hosts

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why ``address`` (which ``host`` resolved to) is refused, or None when it may be reached."""
        if self.allows_host(host):
            return None
        candidates = [address] + [a for a in (embedded_ipv4(address),) if a is not None]
        if any(a in net for a in candidates for net in self.networks if a.version == net.version):
            return None
        if _normal_host(host) in METADATA_NAMES:
            return "cloud metadata"
        return classify(address)

    async def permitted(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to that may be reached, in resolver order; raises
        ``AddressRefused`` (naming the first refused address) when there are none, and
        ``httpcore.ConnectError`` when the name does not resolve."""
        literal = _parse_ip(host)
        if literal is not None:
            addresses = [literal]
        else:
            if _normal_host(host) in METADATA_NAMES and not self.allows_host(host):
                raise AddressRefused(host, host, "cloud metadata")
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
                )
            except socket.gaierror as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from None
            addresses = list(dict.fromkeys(a for a in (_parse_ip(str(i[4][0])) for i in infos) if a))
        allowed, first_refused = [], None
        for address in addresses:
            rule = self.refusal(host, address)
            if rule is None:
                allowed.append(str(address))
            elif first_refused is None:
                first_refused = (str(address), rule)
        if not allowed:
            if first_refused is None:
                raise httpcore.ConnectError(f"{host} resolves to no address")
            raise AddressRefused(host, *first_refused)
        return allowed

    async def check_url(self, url: str) -> None:
        """Raise ``AddressRefused`` when ``url``'s host is, or resolves to, a refused address
        (``httpcore.ConnectError`` when it does not resolve). For an early, connection-free
        answer; the connection itself is checked again by ``guarded_client``."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError(f"{url!r} has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        await self.permitted(parts.hostname, port)


class GuardedBackend(AsyncNetworkBackend):
    """httpcore's network backend with the rule applied to every TCP connection it opens: it
    resolves the host itself and connects only to the addresses it checked (TLS still
    verifies the certificate against the host name)."""

    def __init__(self, rule: AddressRule, inner: AsyncNetworkBackend | None = None) -> None:
        self._rule = rule
        self._inner = inner or AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        if self._rule.allows_host(host):
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        failure: Exception | None = None
        for address in await self._rule.permitted(host, port):
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        raise AddressRefused(path, path, "unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connection pool opens connections through
    ``GuardedBackend``. No proxy from the environment: the rule must see the real target."""

    def __init__(self, rule: AddressRule, *, verify: ssl.SSLContext | bool = True) -> None:
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=GuardedBackend(rule)
        )


def guarded_client(
    rule: AddressRule, *, verify: ssl.SSLContext | bool = True, **options: Any
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that refuses (``AddressRefused``) what ``rule`` refuses, on the
    first request and on every redirect. Pass a prebuilt ``ssl.SSLContext`` as ``verify`` when
    creating many: building one loads the CA bundle."""
    return httpx.AsyncClient(transport=GuardedTransport(rule, verify=verify), trust_env=False, **options)
