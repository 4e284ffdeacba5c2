"""Diarization accuracy and speed (run on demand: ``python bench/diarization.py``).

For every backend that runs offline: DER (pyannote.metrics, collar 0 and 0.25 s, overlap
scored) and seconds per audio minute, on pyannote.audio's ``sample.wav`` (a real two-speaker
phone call) and the example archive (scripted two-voice calls with exact truth; with
``--render-stereo`` every script is also rendered as a stereo dialer call). The ASR time of
the same audio (bundled tiny.en, CPU) is measured in the same run, since the target is
diarization <= 0.5 x ASR. ``--pyannote-pipeline`` adds the pyannote backend.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcription.audio import load_audio  # noqa: E402
from transcription.diarization import make_diarizer  # noqa: E402

SAMPLE_DIR = Path(__import__("pyannote.audio").audio.__file__).parent / "sample"
TRUTH_DIR = ROOT / "examples" / "truth"


@dataclass
class Case:
    name: str
    audio_path: Path
    reference: list[tuple[float, float, str]]


def sample_case() -> Case:
    turns = []
    for line in (SAMPLE_DIR / "sample.rttm").read_text().splitlines():
        f = line.split()
        turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return Case("pyannote sample.wav", SAMPLE_DIR / "sample.wav", turns)


def truth_case(truth_path: Path, name: str | None = None) -> Case:
    data = json.loads(truth_path.read_text())
    turns = [(t["start"], t["end"], t["speaker"]) for t in data["turns"]]
    return Case(name or data["call_id"], (truth_path.parent / data["audio"]).resolve(), turns)


def stereo_cases(out_dir: Path) -> list[Case]:
    from examples.render_calls import load_script, render_call

    cases = []
    for script_path in sorted((ROOT / "examples" / "scripts").glob("*.json")):
        script = load_script(script_path)
        truth = render_call(script, out_dir, fmt="wav", stereo=True, name=script_path.stem + "-stereo")
        cases.append(truth_case(truth, script_path.stem + " (stereo render)"))
    return cases


def der(reference, hypothesis_turns) -> tuple[float, float]:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for start, end, who in reference:
        ref[Segment(start, end)] = who
    for turn in hypothesis_turns:
        hyp[Segment(turn.start, turn.end)] = turn.speaker
    return DiarizationErrorRate(collar=0.0)(ref, hyp), DiarizationErrorRate(collar=0.25)(ref, hyp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render-stereo", action="store_true", help="also render every script as a stereo call")
    parser.add_argument("--pyannote-pipeline", help="pyannote pipeline folder or hub id")
    parser.add_argument("--no-asr", action="store_true", help="skip the ASR timing")
    args = parser.parse_args()

    cases = [sample_case()] + [truth_case(p) for p in sorted(TRUTH_DIR.glob("*.truth.json"))]
    tmp = tempfile.TemporaryDirectory(prefix="callytics-bench-")
    if args.render_stereo:
        cases += stereo_cases(Path(tmp.name))
    diarizers = {"embedded": make_diarizer("embedded", device="cpu"), "channels": make_diarizer("channels")}
    if args.pyannote_pipeline:
        diarizers["pyannote"] = make_diarizer("pyannote", pyannote_pipeline=args.pyannote_pipeline, device="auto")
    warm = load_audio(SAMPLE_DIR / "sample.wav")
    for name, diarizer in diarizers.items():
        if name != "channels":
            diarizer.diarize(warm)  # first call pays for lazy initialisation
    recognizer = None
    if not args.no_asr:
        from transcription.asr import AsrOptions, SpeechRecognizer

        recognizer = SpeechRecognizer(AsrOptions(device="cpu"))

    print(f"{'file':42s} {'backend':9s} {'spk':>7s} {'DER c0':>7s} {'DER c.25':>8s} {'s/min':>6s} {'ASR s/min':>9s} {'ratio':>6s}")
    totals: dict[str, list[float]] = {}
    for case in cases:
        audio = load_audio(case.audio_path)
        minutes = audio.duration / 60
        asr_rate = None
        if recognizer is not None:
            recognizer.transcribe(audio.mono()[: 16000 * 5])  # warm-up
            start = time.perf_counter()
            recognizer.transcribe(audio.mono())
            asr_rate = (time.perf_counter() - start) / minutes
        for name, diarizer in diarizers.items():
            if name == "channels" and audio.channels < 2:
                continue
            start = time.perf_counter()
            result = diarizer.diarize(audio)
            rate = (time.perf_counter() - start) / minutes
            d0, d25 = der(case.reference, result.turns)
            n_ref = len({who for _, _, who in case.reference})
            totals.setdefault(name, []).append(rate)
            ratio = f"{rate / asr_rate:6.2f}" if asr_rate else "     -"
            asr = f"{asr_rate:9.2f}" if asr_rate else "        -"
            print(f"{case.name[:42]:42s} {name:9s} {len(result.speakers):>3d}/{n_ref:<3d} {d0:7.3f} {d25:8.3f} {rate:6.2f} {asr} {ratio}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
