"""ASR overhead and decode memory (run on demand: ``python bench/asr.py``).

1. The same recording and settings through bare faster-whisper and through callytics'
   ``SpeechRecognizer`` (decode included on both sides), alternating, best of N.
   Target: callytics / bare <= 1.05.
2. Peak memory to decode a 3-hour mono call (target about 1 GB), in a fresh process.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.asr import AsrOptions, SpeechRecognizer, resolve_device, resolve_model  # noqa: E402
from transcription.audio import load_audio  # noqa: E402

SAMPLE = Path(__import__("pyannote.audio").audio.__file__).parent / "sample" / "sample.wav"


def bare_faster_whisper(path: Path, options: AsrOptions):
    from faster_whisper import BatchedInferencePipeline, WhisperModel, decode_audio

    device, compute_type = resolve_device(options.device, options.compute_type)
    model = WhisperModel(resolve_model(options.model), device=device, compute_type=compute_type)
    runner = BatchedInferencePipeline(model) if options.batch_size > 1 else model
    extra = {"batch_size": options.batch_size, "without_timestamps": False} if options.batch_size > 1 else {}

    def run():
        segments, _ = runner.transcribe(
            decode_audio(str(path)), beam_size=options.beam_size, word_timestamps=True,
            vad_filter=True, condition_on_previous_text=False, **extra)
        return sum(len(s.words or ()) for s in segments)

    return run


def ours(path: Path, options: AsrOptions):
    recognizer = SpeechRecognizer(options)
    return lambda: len(recognizer.transcribe(load_audio(path).mono()).words)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def decode_peak_mb(hours: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.opus"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
             f"anoisesrc=d={hours * 3600}:c=pink:r=16000:a=0.1", "-ac", "1", "-c:a", "libopus",
             "-b:a", "8k", str(path)], check=True)
        code = ("import resource,sys; sys.path.insert(0, %r); from transcription.audio import "
                "load_audio; a = load_audio(%r); print(a.duration); "
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)" % (str(ROOT), str(path)))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        return int(out[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("audio", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--decode-hours", type=float, default=3.0)
    args = parser.parse_args()
    options = AsrOptions(batch_size=args.batch_size)
    duration = load_audio(args.audio).duration
    runners = {"faster-whisper": bare_faster_whisper(args.audio, options),
               "callytics": ours(args.audio, options)}
    for run in runners.values():
        run()  # warm-up: first call pays for lazy initialisation
    best = {name: float("inf") for name in runners}
    for _ in range(args.repeats):
        for name, run in runners.items():
            best[name] = min(best[name], timed(run))
    print(f"audio: {args.audio.name}, {duration:.1f} s, batch_size={args.batch_size}")
    for name, seconds in best.items():
        print(f"  {name:15s} {seconds:6.2f} s  ({duration / seconds:5.1f}x real time)")
    print(f"  ratio callytics / faster-whisper: {best['callytics'] / best['faster-whisper']:.3f}")
    if args.decode_hours > 0:
        peak = decode_peak_mb(args.decode_hours)
        print(f"decode {args.decode_hours:g} h mono opus: peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
