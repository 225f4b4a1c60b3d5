"""VPC CIDR allocation from one pool.

Pinned CIDRs are reserved first; every other VPC takes the lowest free block of the spoke prefix
length, in the order the accounts are given (hub first, then core spokes, data domains, teams). The
allocation is therefore stable as long as new teams are appended; pin ``vpc_cidr`` to keep a block
whatever the order.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    key: str
    pinned: str | None


class PoolExhausted(Exception):
    def __init__(self, pool: str, prefix: int, missing: list[str]) -> None:
        self.pool, self.prefix, self.missing = pool, prefix, missing
        super().__init__(f"pool {pool} has no free /{prefix} left for {len(missing)} VPCs")


def overlaps(blocks: Iterable[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Pairs of (key, cidr) whose CIDRs overlap, in input order."""
    items = [(key, ipaddress.IPv4Network(cidr)) for key, cidr in blocks]
    found = []
    ordered = sorted(enumerate(items), key=lambda entry: (int(entry[1][1].network_address), entry[0]))
    for pos, (_, (key, net)) in enumerate(ordered):
        for _, (other_key, other) in ordered[pos + 1:]:
            if other.network_address > net.broadcast_address:
                break
            found.append((key, str(net), other_key, str(other)))
    return found


def allocate(pool: str, prefix: int, requests: list[Request]) -> dict[str, str]:
    """Map each request's key to its CIDR; raises :class:`PoolExhausted` if the pool runs out."""
    network = ipaddress.IPv4Network(pool)
    taken = sorted((ipaddress.IPv4Network(r.pinned) for r in requests if r.pinned), key=lambda n: int(n.network_address))
    result = {r.key: r.pinned for r in requests if r.pinned}
    free = _free_blocks(network, prefix, taken)
    missing = []
    for request in requests:
        if request.pinned:
            continue
        block = next(free, None)
        if block is None:
            missing.append(request.key)
        else:
            result[request.key] = str(block)
    if missing:
        raise PoolExhausted(pool, prefix, missing)
    return result


def _free_blocks(pool: ipaddress.IPv4Network, prefix: int, taken: list[ipaddress.IPv4Network]) -> Iterator[ipaddress.IPv4Network]:
    if prefix < pool.prefixlen:
        return
    size = 2 ** (32 - prefix)
    start, end = int(pool.network_address), int(pool.broadcast_address)
    address = start
    index = 0
    while address + size - 1 <= end:
        block_end = address + size - 1
        while index < len(taken) and int(taken[index].broadcast_address) < address:
            index += 1
        clash = next((t for t in taken[index:] if int(t.network_address) <= block_end
                      and int(t.broadcast_address) >= address), None)
        if clash is None:
            yield ipaddress.IPv4Network((address, prefix))
            address += size
        else:  # jump past the pinned block, aligned to the block size
            after = int(clash.broadcast_address) + 1
            address = ((after + size - 1) // size) * size
