"""One call end to end, in whatever process runs it: decode, transcribe, diarize, analyse.

Models are loaded once per process (``processor_for`` caches by settings), so a Dask worker or
the flow's own process pays for them on its first call only.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib.metadata import version

from analysis import AnalysisConfig, AnalysisError, CallAnalysis, analyze_call
from flows.archive import CallSource
from flows.config import Settings, parse_channel
from transcription.asr import AsrOptions
from transcription.audio import load_audio
from transcription.enrollment import SellerEnrollment
from transcription.errors import TranscriptionError
from transcription.pipeline import CallTranscriber
from transcription.runtime import set_cpu_threads
from transcription.types import Word
from warehouse import CallRecord

logger = logging.getLogger(__name__)

CALLYTICS_VERSION = version("callytics")
CHANNEL_NAMES = {0: "left", 1: "right"}


@dataclass(frozen=True)
class CallOutcome:
    """What a worker hands back to the single warehouse writer."""

    record: CallRecord
    analysis: CallAnalysis | None
    words: tuple[Word, ...]

    @property
    def ok(self) -> bool:
        return self.record.status == "ok"


def pipeline_version(settings: Settings) -> str:
    """Results are comparable only under the same code, ASR model and diarization choice."""
    return f"{CALLYTICS_VERSION}+{settings.asr_model.removeprefix('bundled:')}.{settings.diarization}"


class CallProcessor:
    """Holds the loaded models for one process and turns a ``CallSource`` into a ``CallOutcome``."""

    def __init__(self, settings: Settings):
        self.settings = settings
        threads = settings.cpu_threads or _fair_share_of_cores(settings.workers)
        set_cpu_threads(threads)
        self.transcriber = CallTranscriber(
            AsrOptions(
                model=settings.asr_model,
                device=settings.device,
                cpu_threads=threads,
                beam_size=settings.asr_beam_size,
                batch_size=settings.asr_batch_size,
                language=settings.language,
            ),
            diarization=settings.diarization,
            pyannote_pipeline=settings.pyannote_pipeline,
            hf_token=settings.hf_token,
            device=settings.device,
        )
        self.enrollment = (
            SellerEnrollment(settings.voices_dir) if settings.voices_dir else None
        )
        self.analysis_config = AnalysisConfig(
            company_names=settings.company_names,
            product_names=settings.product_names,
            feature_words=settings.feature_words,
            seller_names=settings.seller_names,
        )

    def process(self, source: CallSource, sha256: str, run_id: str) -> CallOutcome:
        base = record_fields(source, sha256, run_id, self.settings)
        try:
            audio = load_audio(source.path)
            base.update(duration_s=audio.duration, channels=audio.channels,
                        sample_rate=audio.original_sample_rate)
            seller_channel = source.seller_channel
            if seller_channel is None and audio.channels == 2:
                seller_channel = parse_channel(self.settings.seller_channel)
            speech = self.transcriber.process(
                audio, num_speakers=source.num_speakers, seller_channel=seller_channel
            )
            if not speech.utterances:
                return failed_outcome(base, "no speech detected in the recording")
            similarity = None
            if self.enrollment is not None and source.seller_id and speech.seller_speaker is None:
                similarity = self.enrollment.voice_similarity(audio, speech.turns, source.seller_id)
            analysis = analyze_call(
                speech.utterances,
                duration_s=audio.duration,
                config=self._config_for(source),
                seller_speaker=speech.seller_speaker,
                voice_similarity=similarity or None,
            )
        except (TranscriptionError, AnalysisError) as exc:
            return failed_outcome(base, str(exc))
        except Exception as exc:  # a decoder or model crash on one file must not stop the batch
            logger.warning("call %s crashed", source.call_id, exc_info=True)
            return failed_outcome(base, f"internal error: {type(exc).__name__}: {exc}")
        record = CallRecord(
            **base,
            status="ok",
            error=None,
            language=speech.language,
            asr_model=speech.asr_model,
            diarization_backend=speech.diarization_backend,
            role_method=analysis.roles.method,
            role_confidence=analysis.roles.confidence,
        )
        return CallOutcome(record=record, analysis=analysis, words=tuple(speech.words))


    def _config_for(self, source: CallSource) -> AnalysisConfig:
        """The manifest's seller name is the best evidence of who introduces themselves."""
        if not source.seller_name:
            return self.analysis_config
        first_name = source.seller_name.split()[0]
        names = tuple(dict.fromkeys((*self.analysis_config.seller_names, first_name)))
        return replace(self.analysis_config, seller_names=names)


def failed_outcome(base: dict, error: str) -> CallOutcome:
    return CallOutcome(
        record=CallRecord(**base, status="failed", error=" ".join(error.split())),
        analysis=None,
        words=(),
    )


def _fair_share_of_cores(workers: int) -> int:
    """Worker processes on one machine split its cores instead of each taking all of them;
    0 (one worker) leaves the libraries' own defaults."""
    return max(1, (os.cpu_count() or 1) // workers) if workers > 1 else 0


_loading = threading.Lock()


def processor_for(settings: Settings) -> CallProcessor:
    """This process's models for ``settings``, loaded on first use (thread-safe)."""
    with _loading:
        return _cached_processor(settings)


@functools.lru_cache(maxsize=2)
def _cached_processor(settings: Settings) -> CallProcessor:
    return CallProcessor(settings)


def record_fields(source: CallSource, sha256: str, run_id: str, settings: Settings) -> dict:
    return dict(
        call_id=source.call_id,
        source_path=str(source.path),
        sha256=sha256,
        recorded_at=source.recorded_at,
        seller_id=source.seller_id,
        seller_name=source.seller_name,
        account=source.account,
        opportunity_id=source.opportunity_id,
        outcome=source.outcome,
        seller_channel=CHANNEL_NAMES.get(source.seller_channel),
        num_speakers=source.num_speakers,
        pipeline_version=pipeline_version(settings),
        processed_at=datetime.now(timezone.utc),
        run_id=run_id,
    )
