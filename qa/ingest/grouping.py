"""Balanced groups of consecutive sentences: how a long paragraph becomes passages of about
the target size, none a tiny remainder."""

from __future__ import annotations

import math


def group_sentences(counts: list[int], target: int, maximum: int) -> list[tuple[int, int]]:
    """Split consecutive sentences (given their word counts) into balanced groups.

    A paragraph up to ``maximum`` words stays whole. A longer one gets the fewest groups near
    ``target`` words, balanced by dynamic programming so no group is a tiny remainder, and no group
    exceeds ``maximum`` unless a single sentence does.

    Example: group_sentences([50, 50, 50], target=90, maximum=130) -> [(0, 1), (1, 3)]
    """
    total = sum(counts)
    if not counts:
        return []
    if total <= maximum:
        return [(0, len(counts))]
    prefix = [0]
    for c in counts:
        prefix.append(prefix[-1] + c)
    n = len(counts)
    for n_groups in range(max(2, math.ceil(total / target)), n + 1):
        share = total / n_groups
        best = _balanced_split(prefix, n_groups, share, maximum)
        if best is not None:
            return best
    return [(i, i + 1) for i in range(n)]


def _balanced_split(
    prefix: list[int], n_groups: int, share: float, maximum: int
) -> list[tuple[int, int]] | None:
    """Breakpoints minimising the squared distance of each group's size to ``share``."""
    n = len(prefix) - 1
    inf = float("inf")
    # cost[g][j]: best cost of cutting the first j sentences into g groups
    cost = [[inf] * (n + 1) for _ in range(n_groups + 1)]
    back = [[0] * (n + 1) for _ in range(n_groups + 1)]
    cost[0][0] = 0.0
    for g in range(1, n_groups + 1):
        for j in range(g, n + 1):
            for i in range(g - 1, j):
                size = prefix[j] - prefix[i]
                if size > maximum and j - i > 1:
                    continue
                c = cost[g - 1][i] + (size - share) ** 2
                if c < cost[g][j]:
                    cost[g][j], back[g][j] = c, i
    if cost[n_groups][n] == inf:
        return None
    groups, j = [], n
    for g in range(n_groups, 0, -1):
        i = back[g][j]
        groups.append((i, j))
        j = i
    return groups[::-1]
