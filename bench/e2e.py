"""End-to-end batch cost (run on demand: ``python bench/e2e.py``).

Builds an archive of synthetic calls (the example calls, repeated until there are at least
``--minutes`` of audio), then times, in the same run:

1. bare faster-whisper, sequential (beam 5, word timestamps, VAD), decode included;
2. bare faster-whisper ``BatchedInferencePipeline`` (batch 8), same options;
3. ``callytics run`` on the archive into a fresh database (process start, Prefect, model loads,
   ASR, diarization, analysis and warehouse writes included).

Targets: (3)/(1) <= 0.7 and (3)/(2) <= 1.2 on 10 minutes of calls (<= 1.3 run/sequential on three
short calls, where the fixed cost weighs most). Also reports calls per hour per core and the peak
memory of ``callytics run`` on one long mono call (targets: 1.2 GB for 60 minutes, 1.5 GB for 3 hours).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.asr import AsrOptions, resolve_device, resolve_model  # noqa: E402
from transcription.cuda import load_cublas  # noqa: E402

EXAMPLES = ROOT / "examples" / "archive"
AUDIO_SUFFIXES = {".ogg", ".mp3", ".wav", ".flac", ".m4a"}


def build_archive(target: Path, minutes: float) -> tuple[list[Path], float]:
    from transcription.audio import load_audio

    sources = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in AUDIO_SUFFIXES)
    durations = {p: load_audio(p).duration for p in sources}
    files, total, copy = [], 0.0, 0
    while total < minutes * 60:
        for src in sources:
            dst = target / f"copy{copy:02d}" / src.name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
            files.append(dst)
            total += durations[src]
        copy += 1
    return files, total


def bare_whisper_seconds(files: list[Path], batch_size: int) -> float:
    from faster_whisper import BatchedInferencePipeline, WhisperModel, decode_audio

    options = AsrOptions()
    device, compute_type = resolve_device(options.device, options.compute_type)
    if device == "cuda":
        load_cublas()
    start = time.perf_counter()
    model = WhisperModel(resolve_model(options.model), device=device, compute_type=compute_type)
    runner = BatchedInferencePipeline(model) if batch_size > 1 else model
    extra = {"batch_size": batch_size} if batch_size > 1 else {}
    for path in files:
        segments, _ = runner.transcribe(decode_audio(str(path)), beam_size=5, word_timestamps=True,
                                        vad_filter=True, condition_on_previous_text=False, **extra)
        list(segments)
    return time.perf_counter() - start


def callytics_run(archive: Path, db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``callytics run`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    launcher = (
        "import resource, subprocess, sys; "
        "subprocess.run([sys.executable, '-m', 'flows', 'run', %r, '--db', %r], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" % (str(archive), str(db))
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", launcher], check=True, env=env,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    return wall, int(out.split()[-1]) / 1024


def long_call(target: Path, minutes: float) -> Path:
    """One mono call of ``minutes``, made by repeating the example calls' audio."""
    import wave

    import numpy as np

    from transcription.audio import SAMPLE_RATE, load_audio

    calls = [np.asarray(load_audio(p).mono()) for p in sorted(EXAMPLES.rglob("*")) if p.suffix in AUDIO_SUFFIXES]
    needed = int(minutes * 60 * SAMPLE_RATE)
    repeats = needed // sum(len(c) for c in calls) + 1
    samples = np.concatenate(calls * repeats)[:needed]
    out = target / "archive" / "long.wav"
    out.parent.mkdir(parents=True)
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--long-minutes", type=float, default=60.0)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.minutes > 0:
            files, audio_s = build_archive(tmp / "archive", args.minutes)
            print(f"archive: {len(files)} calls, {audio_s / 60:.1f} min of audio, {cores} cores")
            sequential = bare_whisper_seconds(files, batch_size=1)
            batched = bare_whisper_seconds(files, batch_size=8)
            ours, _ = callytics_run(tmp / "archive", tmp / "calls.duckdb")
            for name, seconds in (("faster-whisper sequential", sequential),
                                  ("faster-whisper batched (8)", batched),
                                  ("callytics run", ours)):
                print(f"  {name:28s} {seconds:7.1f} s  ({audio_s / seconds:5.1f}x real time)")
            print(f"  ratio run / sequential: {ours / sequential:.2f} (target <= 0.7)")
            print(f"  ratio run / batched:    {ours / batched:.2f} (target <= 1.2)")
            print(f"  calls per hour per core: {len(files) / (ours / 3600) / cores:.0f}")
        if args.long_minutes > 0:
            archive = long_call(tmp / "long", args.long_minutes)
            wall, peak = callytics_run(archive, tmp / "long.duckdb")
            target = 1229 if args.long_minutes <= 60 else 1536
            print(f"{args.long_minutes:g}-minute call: {wall:.0f} s wall, peak RSS {peak:.0f} MB "
                  f"(target <= {target})")

if __name__ == "__main__":
    main()
