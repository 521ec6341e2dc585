"""Whether a member is 流动 (mobile): a fact of the transfers app — an open outflow of the member, or an open inflow
with the member's ID number — which sits a layer above the members. It declares how to read and record that fact
here (`register`, from `sqdj.transfers.apps`), as apps declare panels and roles to core; the members services
derive the stored category from it (`services.derive_category`).

Without a declared provider (an installation without the transfers app) nobody is mobile."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Protocol


class Provider(Protocol):
    def mobile_indexes(self, indexes: Iterable[str], members: Mapping[str, int] | None = None) -> set[str]:
        """The ID-number blind indexes, among `indexes`, of people with an open outflow or inflow. `members`, when
        the caller has looked them up already: {index: member pk} of every one of `indexes` on the roll (the others
        are nobody's outflow)."""

    def record_unknown_outflows(self, member_ids: Iterable[int], *, acting_user, on: datetime.date) -> int:
        """An open outflow marked incomplete (destination unknown) for each member: a finding to complete.
        Returns how many were recorded."""


_provider: Provider | None = None


def register(provider: Provider) -> None:
    global _provider
    _provider = provider


def mobile_indexes(indexes: Iterable[str], members: Mapping[str, int] | None = None) -> set[str]:
    return _provider.mobile_indexes(indexes, members) if _provider is not None else set()


def record_unknown_outflows(member_ids: Iterable[int], *, acting_user, on: datetime.date) -> int:
    member_ids = list(member_ids)
    if not member_ids:
        return 0
    if _provider is None:
        raise RuntimeError("no provider of mobile members' records is installed")
    return _provider.record_unknown_outflows(member_ids, acting_user=acting_user, on=on)
