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

from analysis import AnalysisError, CallAnalysis, analyze_call
from analysis.identity import classifier_id
from flows.archive import CallSource, fetch_recording
from flows.config import Settings
from flows.plan import plan_call
from flows.storage import RecordingChangedError
from transcription.asr import AsrOptions
from transcription.audio import Audio, load_audio
from transcription.diarization import SpeakerCountHints, backends_to_load
from transcription.enrollment import SellerEnrollment
from transcription.errors import AudioDecodeError, TranscriptionError
from transcription.pipeline import CallTranscriber
from transcription.redaction import redact_transcript
from transcription.runtime import set_cpu_threads
from transcription.types import Word
from warehouse import CallRecord

logger = logging.getLogger(__name__)

CALLYTICS_VERSION = version("callytics")
CHANNEL_NAMES = {0: "left", 1: "right"}
# Fewer recognised words than this is not a conversation: silence, noise (on which Whisper
# hallucinates a "you" or a "Thank you."), a hang-up or a voicemail beep.
MIN_USABLE_WORDS = 3


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
            backends=backends_to_load(settings.diarization,
                                      pyannote_configured=bool(settings.pyannote_pipeline)),
            pyannote_pipeline=settings.pyannote_pipeline,
            hf_token=settings.hf_token,
            device=settings.device,
        )
        self.enrollment = (
            SellerEnrollment(settings.voices_dir) if settings.voices_dir else None
        )
        self._hearing = threading.Lock()
        self._following = threading.Lock()

    def process(self, source: CallSource, sha256: str, run_id: str) -> CallOutcome:
        """``sha256`` is the fingerprint taken when the batch looked at the file; the stored one
        is the hash of the very bytes decoded here.

        Two calls may be in flight in one process: one is decoded and transcribed while the
        other is diarized and analysed. Each stage takes one call at a time, so the ASR model
        and the diarizers never serve two calls at once and at most two calls' audio is held.
        """
        record = call_record(source, sha256, run_id, self.settings)
        try:
            with self._hearing:
                audio, sha256 = decode(source)
                record = replace(record, sha256=sha256, duration_s=audio.duration, channels=audio.channels,
                                 sample_rate=audio.original_sample_rate)
                plan = plan_call(
                    self.settings,
                    channels=audio.channels,
                    seller_channel=source.seller_channel,
                    speakers=SpeakerCountHints(num_speakers=source.num_speakers),
                    seller_id=source.seller_id,
                    seller_name=source.seller_name,
                )
                self.transcriber.diarizer(plan.diarization)  # an unusable backend fails before the ASR
                transcript = self.transcriber.transcribe(audio)
            with self._following:
                speech = self.transcriber.attribute(audio, transcript, backend=plan.diarization,
                                                    seller_channel=plan.seller_channel, speakers=plan.speakers)
                del transcript
                if len(speech.words) < MIN_USABLE_WORDS:
                    heard = f"{len(speech.words)} word{'s' * (len(speech.words) != 1)}" if speech.words else "nothing"
                    return failed_outcome(record, f"no usable speech ({heard} recognised)")
                if self.settings.redact_pii:
                    speech = redact_transcript(speech)
                similarity = None
                if self.enrollment is not None and plan.enrolled_seller:
                    similarity = self.enrollment.voice_similarity(audio, speech.turns, plan.enrolled_seller)
                del audio  # the samples are the largest thing a call holds; analysis needs only text
                analysis = analyze_call(
                    speech.utterances,
                    duration_s=record.duration_s,
                    config=plan.analysis,
                    seller_speaker=speech.seller_speaker,
                    voice_similarity=similarity or None,
                )
        except (TranscriptionError, AnalysisError) as exc:
            return failed_outcome(record, str(exc))
        except OSError as exc:
            return failed_outcome(record, f"cannot read {source.location}: {exc.strerror or exc}")
        except Exception as exc:  # a decoder or model crash on one file must not stop the batch
            logger.warning("call %s crashed", source.call_id, exc_info=True)
            return failed_outcome(record, f"internal error: {type(exc).__name__}: {exc}")
        record = replace(
            record,
            language=speech.language,
            asr_model=speech.asr_model,
            diarization_backend=speech.diarization_backend,
            classifier=classifier_id(),
            role_method=analysis.roles.method,
            role_confidence=analysis.roles.confidence,
            roles_uncertain=analysis.roles.uncertain,
            pii_redacted=speech.pii_redactions is not None,
            pii_redactions=speech.pii_redactions,
        )
        return CallOutcome(record=record, analysis=analysis, words=tuple(speech.words))


def decode(source: CallSource, attempts: int = 2) -> tuple[Audio, str]:
    """Decode the recording and hash the same bytes; a file replaced while it was read is read
    again (``attempts`` times in all)."""
    for _ in range(attempts):
        with fetch_recording(source) as recording:
            try:
                audio = load_audio(recording.path)
            except AudioDecodeError as exc:
                raise AudioDecodeError(source.location, exc.reason) from None
            if recording.unchanged():
                return audio, recording.sha256
        logger.info("%s changed while it was read; reading it again", source.location)
    raise RecordingChangedError("it kept changing while it was read")


def failed_outcome(record: CallRecord, error: str) -> CallOutcome:
    return CallOutcome(
        record=replace(record, status="failed", error=" ".join(error.split())),
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


def local_time(value: datetime | None, settings: Settings) -> datetime | None:
    """A manifest time without an offset is wall-clock time in ``report_timezone``."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=settings.report_zone)


def call_record(source: CallSource, sha256: str, run_id: str, settings: Settings) -> CallRecord:
    """The ``calls`` row of ``source`` before processing: manifest fields and run facts."""
    return CallRecord(
        call_id=source.call_id,
        source_path=source.relative_path,
        sha256=sha256,
        recorded_at=local_time(source.recorded_at, settings),
        seller_id=source.seller_id,
        seller_name=source.seller_name,
        team=source.team,
        account=source.account,
        opportunity_id=source.opportunity_id,
        outcome=source.outcome,
        seller_channel=CHANNEL_NAMES.get(source.seller_channel),
        num_speakers=source.num_speakers,
        pipeline_version=pipeline_version(settings),
        processed_at=datetime.now(timezone.utc),
        run_id=run_id,
    )
