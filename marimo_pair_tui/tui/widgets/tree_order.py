"""Which tree nodes can stay where they are when the order of their keys changes.

Textual's `Tree` has no public way to move a node. A reorder is done with
`TreeNode.remove` and `TreeNode.add(before=...)`; so that as few nodes as
possible are rebuilt (losing nothing the user sees: expansion is carried
over by the callers), the nodes kept are a longest run of keys already in
the wanted order, and only the others are removed and added again.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Hashable, Sequence, TypeVar

K = TypeVar("K", bound=Hashable)


def in_place(shown: Sequence[K], wanted: Sequence[K]) -> set[K]:
    """The keys of `shown` that can stay: a longest subsequence already in `wanted`'s order."""
    position = {key: index for index, key in enumerate(wanted)}
    keys = [key for key in shown if key in position]
    tails: list[int] = []  # tails[n]: the smallest wanted position ending a run of n + 1 keys
    tail_at: list[int] = []  # index in `keys` of that tail
    previous: list[int] = [-1] * len(keys)
    for index, key in enumerate(keys):
        rank = position[key]
        slot = bisect_left(tails, rank)
        if slot == len(tails):
            tails.append(rank)
            tail_at.append(index)
        else:
            tails[slot] = rank
            tail_at[slot] = index
        previous[index] = tail_at[slot - 1] if slot > 0 else -1
    kept: set[K] = set()
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        kept.add(keys[index])
        index = previous[index]
    return kept
