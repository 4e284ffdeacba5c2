"""Offline speaker diarization for mono calls from models that ship inside PyPI packages.

Steps: Silero voice activity (bundled with faster-whisper) finds speech; resemblyzer's
pretrained speaker encoder embeds overlapping windows inside speech only; spectral clustering
with an eigengap picks the speaker count (a separate test decides one speaker versus several:
is a two-way split both weak and flickering from window to window, as one voice's split is?);
a Viterbi pass over 0.1 s frames then places the speaker changes inside speech regions (a
phone call's voice-activity regions often hold several turns) with a penalty per change.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from transcription.audio import Waveform
from transcription.diarization.base import SpeakerCountHints, speaker_range
from transcription.diarization.encoder import MEL_HOP as _MEL_HOP
from transcription.diarization.encoder import RATE as _RATE
from transcription.diarization.encoder import SpeakerEncoder
from transcription.diarization.frames import frame_runs, merge_close
from transcription.diarization.result import Diarization

__all__ = ["EmbeddedDiarizer", "EmbeddedOptions"]

logger = logging.getLogger(__name__)

_FRAME = 10  # mel frames per resegmentation frame (0.1 s)


@dataclass(frozen=True)
class EmbeddedOptions:
    window_s: float = 1.2
    hop_s: float = 0.3
    vad_threshold: float = 0.5
    vad_min_silence_s: float = 0.3
    vad_pad_s: float = 0.1
    affinity_percentile: float = 0.9
    one_speaker_separation: float = 0.6
    one_speaker_flicker: float = 0.12
    """One voice split in two gives centroids closer than ``one_speaker_separation`` times the
    windows' mean distance to their own centroid, and labels that flicker: at least this share
    of overlapping neighbour windows land on different sides. Two voices, even similar ones,
    give runs that follow the turns."""
    change_penalty: float = 1.0
    """Viterbi cost of a speaker change, in standard deviations of the frame scores."""
    fill_gap_s: float = 0.5
    """Pauses shorter than this inside one speaker's speech stay part of the turn."""
    max_speakers: int = 6
    min_extra_speaker_s: float = 5.0
    min_extra_speaker_share: float = 0.15
    min_extra_speaker_separation: float = 1.5
    """A call is two parties unless the evidence for more is strong: with three or more
    speakers, each holds at least ``min_extra_speaker_s`` seconds and ``min_extra_speaker_share``
    of the speech, and the two closest voices are clearly apart: the cosine distance between
    their centroids is at least ``min_extra_speaker_separation`` times their windows' mean
    distance to their own centroid (one voice split in two stays below about 1.5; measured on
    real voices in docs/diarization.md)."""
    max_cluster_windows: int = 1200
    """Longer calls cluster an even subsample of windows, then assign every window."""


class EmbeddedDiarizer:
    """Mono diarization with Silero VAD + resemblyzer embeddings, both ONNX graphs on the CPU."""

    name = "embedded"

    def __init__(self, options: EmbeddedOptions = EmbeddedOptions()):
        self.options = options
        self.encoder = SpeakerEncoder()

    def diarize(self, audio, *, num_speakers=None, min_speakers=None, max_speakers=None) -> Diarization:
        return self.diarize_samples(
            audio.mono(),
            hints=SpeakerCountHints(num_speakers, min_speakers, max_speakers),
        )

    def diarize_samples(self, samples: Waveform, hints: SpeakerCountHints = SpeakerCountHints()) -> Diarization:
        """Diarize a waveform at 16 kHz, read a block at a time."""
        opts = self.options
        lo, hi = speaker_range(hints, opts.max_speakers)
        regions = self._speech_regions(samples)
        if not regions:
            return Diarization(turns=(), backend=self.name)
        windows = _windows(regions, round(opts.window_s * 100), round(opts.hop_s * 100))
        embeddings = self.encoder.embed_speech(samples, windows)
        labels = self._cluster(embeddings, windows, lo, hi)
        n_frames = len(samples) // _MEL_HOP // _FRAME + 1
        path, speech = _resegment(windows, embeddings, labels, n_frames, opts.change_penalty)
        segments = frame_runs(path, speech, _FRAME * _MEL_HOP / _RATE)
        logger.debug("embedded diarization: %d regions, %d windows, %d speakers", len(regions), len(windows), len(set(labels)))
        return Diarization.from_labelled_segments(merge_close(segments, opts.fill_gap_s), self.name)

    def _speech_regions(self, samples: Waveform) -> list[tuple[int, int]]:
        """Speech regions as (start, end) mel-frame indices."""
        from faster_whisper.vad import VadOptions

        from transcription.vad import speech_timestamps

        opts = self.options
        if len(samples) < _RATE // 10:
            return []
        vad = VadOptions(
            threshold=opts.vad_threshold,
            min_silence_duration_ms=int(opts.vad_min_silence_s * 1000),
            speech_pad_ms=int(opts.vad_pad_s * 1000),
        )
        spans = speech_timestamps(samples, vad)
        return [(s["start"] // _MEL_HOP, s["end"] // _MEL_HOP) for s in spans if s["end"] - s["start"] >= _MEL_HOP * 10]

    def _cluster(self, embeddings: np.ndarray, windows: list[tuple[int, int]], lo: int, hi: int) -> np.ndarray:
        n = len(embeddings)
        hi = min(hi, n)
        if hi <= 1 or n < 4:
            return np.zeros(n, dtype=int)
        step = max(1, -(-n // self.options.max_cluster_windows))
        sample = embeddings[::step]
        if lo <= 1 and self._is_one_speaker(sample, embeddings, windows):
            return np.zeros(n, dtype=int)
        lo = max(lo, 2)
        k = lo if lo == hi else _eigengap_count(sample, lo, hi, self.options.affinity_percentile)
        centroids = _centroids(sample, k)
        while k > lo and not self._distinct_speakers(centroids, embeddings, windows):
            k -= 1
            centroids = _centroids(sample, k)
        # A centroid that no window is nearest to is dropped; labels stay 0..k-1.
        return np.unique(np.argmax(embeddings @ centroids.T, axis=1), return_inverse=True)[1]

    def _distinct_speakers(self, centroids: np.ndarray, embeddings: np.ndarray, windows: list[tuple[int, int]]) -> bool:
        """Strong evidence for three or more speakers (see :class:`EmbeddedOptions`)."""
        opts = self.options
        labels = np.argmax(embeddings @ centroids.T, axis=1)
        speech_s = np.bincount(labels, weights=_coverage_s(windows), minlength=len(centroids))
        if speech_s.min() < max(opts.min_extra_speaker_s, opts.min_extra_speaker_share * speech_s.sum()):
            return False
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -1.0)
        a, b = np.unravel_index(np.argmax(similarity), similarity.shape)
        in_pair = np.isin(labels, (a, b))
        spread = float(np.mean(1.0 - np.sum(embeddings * centroids[labels], axis=1)[in_pair]))
        return 1.0 - similarity[a, b] >= opts.min_extra_speaker_separation * spread

    def _is_one_speaker(self, sample: np.ndarray, embeddings: np.ndarray, windows: list[tuple[int, int]]) -> bool:
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(sample)
        if min(np.bincount(labels, minlength=2)) == 0:
            return True
        centroids = _normalise(np.stack([sample[labels == j].mean(0) for j in (0, 1)]))
        within = float(np.mean(1.0 - np.sum(sample * centroids[labels], axis=1)))
        between = 1.0 - float(centroids[0] @ centroids[1])
        side = np.argmax(embeddings @ centroids.T, axis=1)
        flicker = _flicker(side, windows)
        return between < self.options.one_speaker_separation * within and flicker >= self.options.one_speaker_flicker


def _centroids(sample: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return _normalise(KMeans(n_clusters=k, n_init=10, random_state=0).fit(sample).cluster_centers_)


def _flicker(labels: np.ndarray, windows: list[tuple[int, int]]) -> float:
    """Share of overlapping neighbour windows whose labels differ."""
    overlapping = np.array([b[0] < a[1] for a, b in zip(windows, windows[1:])], dtype=bool)
    return float((labels[1:] != labels[:-1])[overlapping].mean()) if overlapping.any() else 0.0


def _coverage_s(windows: list[tuple[int, int]]) -> np.ndarray:
    """Seconds of speech each window stands for: up to the next window's start, if they overlap."""
    ends = [min(b[0], a[1]) if b[0] < a[1] else a[1] for a, b in zip(windows, windows[1:])] + [windows[-1][1]]
    return np.array([end - a[0] for a, end in zip(windows, ends)], dtype=float) * _MEL_HOP / _RATE


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def _windows(regions: list[tuple[int, int]], size: int, hop: int) -> list[tuple[int, int]]:
    """Windows of ``size`` mel frames every ``hop`` inside each region; a short region is one window."""
    out = []
    for a, b in regions:
        if b - a <= size:
            out.append((a, b))
            continue
        count = int(np.ceil((b - a - size) / hop)) + 1
        out.extend((int(s), int(s) + size) for s in np.linspace(a, b - size, count).round())
    return out


def _eigengap_count(embeddings: np.ndarray, lo: int, hi: int, percentile: float) -> int:
    """Speaker count from the largest eigengap of a pruned cosine affinity's normalised Laplacian."""
    from scipy.linalg import eigh

    affinity = embeddings @ embeddings.T
    np.fill_diagonal(affinity, 0.0)
    np.fill_diagonal(affinity, affinity.max(axis=1))
    keep = affinity >= np.quantile(affinity, percentile, axis=1, keepdims=True)
    affinity = np.where(keep, affinity, 0.01 * affinity)
    affinity = np.maximum(affinity, affinity.T)
    degree = np.sqrt(affinity.sum(axis=1))
    laplacian = np.eye(len(affinity)) - affinity / np.outer(degree, degree)
    top = min(hi + 1, len(affinity) - 1)
    eigenvalues = eigh(laplacian, eigvals_only=True, subset_by_index=[0, top])
    gaps = np.diff(eigenvalues)  # gaps[k - 1]: between the k-th and (k+1)-th smallest
    return lo + int(np.argmax(gaps[lo - 1 : hi]))


def _resegment(windows, embeddings, labels, n_frames, penalty):
    """Best speaker path over 0.1 s frames: window-to-centroid similarity minus a cost per change."""
    k = int(labels.max()) + 1
    centroids = _normalise(np.stack([embeddings[labels == j].mean(0) for j in range(k)]))
    similarity = embeddings @ centroids.T
    score = np.zeros((n_frames, k))
    count = np.zeros(n_frames)
    for (a, b), s in zip(windows, similarity):
        fa = a // _FRAME
        fb = max(fa + 1, b // _FRAME)
        score[fa:fb] += s
        count[fa:fb] += 1
    speech = count > 0
    score[speech] /= count[speech, None]
    score -= score.mean(axis=1, keepdims=True)
    spread = score[speech].std()
    if k == 1 or spread == 0:
        return np.zeros(n_frames, dtype=int), speech
    score /= spread
    best = score[0].copy()
    back = np.zeros((n_frames, k), dtype=np.int32)
    states = np.arange(k)
    for t in range(1, n_frames):
        switch = best.max() - penalty
        back[t] = np.where(best >= switch, states, best.argmax())
        best = np.maximum(best, switch) + score[t]
    path = np.zeros(n_frames, dtype=int)
    path[-1] = best.argmax()
    for t in range(n_frames - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, speech
