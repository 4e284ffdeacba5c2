"""Frame labels to speaker segments: the last step every frame-based backend shares."""
from __future__ import annotations

from typing import Sequence

Segment = tuple[float, float, int]


def frame_runs(labels: Sequence[int], active: Sequence[bool], frame_s: float) -> list[Segment]:
    """(start_s, end_s, label) for each run of active frames with one label."""
    runs: list[Segment] = []
    t, n = 0, len(labels)
    while t < n:
        if not active[t]:
            t += 1
            continue
        u = t
        while u < n and active[u] and labels[u] == labels[t]:
            u += 1
        runs.append((t * frame_s, u * frame_s, int(labels[t])))
        t = u
    return runs


def merge_close(segments: Sequence[Segment], max_gap_s: float) -> list[Segment]:
    """Join consecutive segments of one label separated by less than ``max_gap_s``."""
    out: list[Segment] = []
    for start, end, who in segments:
        if out and out[-1][2] == who and start - out[-1][1] < max_gap_s:
            out[-1] = (out[-1][0], end, who)
        else:
            out.append((start, end, who))
    return out
