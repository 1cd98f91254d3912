"""The SSRF address rule (``activities.net_guard``) as a unit: which addresses are refused, by
which rule, and what ``RELAY_HTTP_ALLOW`` lets through. No traffic leaves 127.0.0.0/8: ranges
outside it are judged as addresses, never connected to."""

import ipaddress

import httpcore
import pytest

from activities.net_guard import AddressRefused, AddressRule, classify

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("::ffff:192.168.0.1", "private"),
    ("2002:c0a8:0001::1", "private"),  # 6to4 carrying 192.168.0.1
    ("64:ff9b::10.0.0.1", "private"),  # NAT64 carrying 10.0.0.1
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.170.2", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("168.63.129.16", "cloud metadata"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("192.0.2.1", "reserved (non-global)"),  # documentation
    ("198.18.0.1", "reserved (non-global)"),  # benchmarking
    ("240.0.0.1", "reserved (non-global)"),
    ("255.255.255.255", "reserved (non-global)"),
]

PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"]


@pytest.mark.parametrize(("address", "rule"), REFUSED)
def test_internal_addresses_are_refused_naming_the_rule(address: str, rule: str) -> None:
    assert classify(ipaddress.ip_address(address)) == rule
    assert AddressRule().refusal("example.test", ipaddress.ip_address(address)) == rule


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert classify(ipaddress.ip_address(address)) is None


def test_allow_lists_cidrs_and_exact_hosts() -> None:
    rule = AddressRule(["127.0.0.1", "10.0.0.0/8", "crm.internal", " ", "fd00::/8"])
    ip = ipaddress.ip_address
    assert rule.refusal("anything", ip("127.0.0.1")) is None
    assert rule.refusal("anything", ip("::ffff:127.0.0.1")) is None  # the mapped form too
    assert rule.refusal("anything", ip("127.0.0.2")) == "loopback"
    assert rule.refusal("anything", ip("10.9.8.7")) is None
    assert rule.refusal("anything", ip("192.168.0.1")) == "private"
    assert rule.refusal("anything", ip("fd00:ec2::254")) is None  # an allowed range wins
    # A listed host name may resolve to anything; other names are judged by their address.
    assert rule.refusal("CRM.internal.", ip("192.168.0.9")) is None
    assert rule.refusal("other.internal", ip("192.168.0.9")) == "private"
    assert rule.refusal("metadata.google.internal", ip("8.8.8.8")) == "cloud metadata"


@pytest.mark.parametrize("entry", ["http://x", "host:80", "*.example.com", "a b"])
def test_a_malformed_allow_entry_is_named(entry: str) -> None:
    with pytest.raises(ValueError, match="RELAY_HTTP_ALLOW entry"):
        AddressRule([entry])


async def test_names_are_judged_by_what_they_resolve_to() -> None:
    rule = AddressRule(["127.0.0.2"])
    # localhost resolves to 127.0.0.1 (and maybe ::1): loopback, not allowed here.
    with pytest.raises(AddressRefused, match=r"localhost \(127\.0\.0\.1\) is a loopback address"):
        await rule.check_url("http://localhost:8080/x")
    await rule.check_url("http://127.0.0.2:8080/x")  # allowed by the operator
    assert await rule.permitted("127.0.0.2", 80) == ["127.0.0.2"]
    with pytest.raises(AddressRefused, match="cloud metadata"):
        await rule.check_url("http://metadata.google.internal/computeMetadata/v1/")
    with pytest.raises(AddressRefused, match="link-local"):
        await rule.check_url("http://[fe80::1%25eth0]/")


async def test_an_unresolvable_name_is_a_connection_error_not_a_refusal() -> None:
    with pytest.raises(httpcore.ConnectError):
        await AddressRule().permitted("no-such-host.invalid", 80)
