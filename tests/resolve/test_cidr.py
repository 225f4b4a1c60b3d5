from __future__ import annotations

import pytest

from mlplat.resolve.cidr import PoolExhausted, Request, allocate, overlaps


def test_allocates_lowest_free_blocks_in_order() -> None:
    result = allocate("10.0.0.0/20", 22, [Request("a", None), Request("b", None), Request("c", None)])
    assert result == {"a": "10.0.0.0/22", "b": "10.0.4.0/22", "c": "10.0.8.0/22"}


def test_skips_pinned_blocks_inside_and_outside_the_pool() -> None:
    requests = [Request("a", None), Request("pinned", "10.0.4.0/23"), Request("b", None), Request("far", "192.168.0.0/24")]
    result = allocate("10.0.0.0/20", 22, requests)
    assert result == {"a": "10.0.0.0/22", "pinned": "10.0.4.0/23", "b": "10.0.8.0/22", "far": "192.168.0.0/24"}


def test_fails_when_the_pool_runs_out() -> None:
    with pytest.raises(PoolExhausted) as error:
        allocate("10.0.0.0/21", 22, [Request(k, None) for k in "abc"])
    assert error.value.missing == ["c"]


def test_overlaps_are_reported_once_per_pair() -> None:
    found = overlaps([("a", "10.0.0.0/16"), ("b", "10.1.0.0/16"), ("c", "10.0.128.0/24"), ("d", "10.0.0.0/24")])
    assert sorted((x, y) for x, _, y, _ in found) == [("a", "c"), ("a", "d")]
