"""Diarization accuracy and speed (run on demand: ``python bench/diarization.py``).

Sections (``--sections speed,stereo,mono``; all by default):

- ``speed``: DER (pyannote.metrics, collar 0 and 0.25 s, overlap scored), speakers found and
  seconds per audio minute of every offline backend on pyannote.audio's ``sample.wav`` (a real
  two-speaker phone call) and the example archive (scripted calls with exact truth; with
  ``--render-stereo`` every script is also rendered as a stereo dialer call), beside the ASR time
  of the same audio (bundled tiny.en, CPU). ``--pyannote-pipeline`` adds the pyannote backend.
- ``stereo``: stereo dialer calls built from real speech (``tests/real_speech.py``: pyannote's
  sample call and two AMI clips, three line conditions each), faster-whisper's two-reader stereo
  file and the archive's dialer call: DER at collar 0.25 with overlap excluded (the two-reader
  file: overlap scored) and its parts (missed speech, false alarm, confusion), for ``channels``
  and for ``embedded`` on the downmix.
- ``mono``: speaker count of ``embedded`` on mono telephone calls in which real voices take turns
  (every pair of seven voices, and twelve three-voice calls), and boundary errors: words within
  2 s of a speaker change given to the wrong speaker, with time-overlap alignment and with the
  sentence-aware alignment, on ``sample.wav`` (words from its transcript), the archive calls
  (words from their scripts) and the two-voice calls (words from bundled tiny.en).
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.diarization_helpers import (  # noqa: E402
    boundary_errors,
    der_score,
    reference_speaker,
    rttm_turns,
    speaker_mapping,
    spoken_words,
    stm_sentences,
    truth_sentences,
)
from tests.real_speech import (  # noqa: E402
    DIALER_VARIANTS,
    ami,
    dialer_call,
    faster_whisper_stereo,
    pyannote_sample,
    real_voices,
    voice_dialogue,
)
from transcription.alignment import assign_speakers  # noqa: E402
from transcription.audio import load_audio  # noqa: E402
from transcription.diarization import make_diarizer  # noqa: E402

SAMPLE_DIR = Path(__import__("pyannote.audio").audio.__file__).parent / "sample"
TRUTH_DIR = ROOT / "examples" / "truth"
SECTIONS = ("speed", "stereo", "mono")


@dataclass
class Case:
    name: str
    audio_path: Path
    reference: list[tuple[float, float, str]]
    skip_overlap: bool = True
    """Stereo section: score without the reference's overlapped speech (the issue's measure)."""


def sample_case() -> Case:
    return Case("pyannote sample.wav", SAMPLE_DIR / "sample.wav", rttm_turns(SAMPLE_DIR / "sample.rttm"))


def truth_case(truth_path: Path, name: str | None = None) -> Case:
    data = json.loads(truth_path.read_text())
    turns = [(t["start"], t["end"], t["speaker"]) for t in data["turns"]]
    return Case(name or data["call_id"], (truth_path.parent / data["audio"]).resolve(), turns)


def stereo_renders(out_dir: Path) -> list[Case]:
    from examples.render_calls import load_script, render_call

    cases = []
    for script_path in sorted((ROOT / "examples" / "scripts").glob("*.json")):
        script = load_script(script_path)
        truth = render_call(script, out_dir, fmt="wav", stereo=True, name=script_path.stem + "-stereo")
        cases.append(truth_case(truth, script_path.stem + " (stereo render)"))
    return cases


# ---------------------------------------------------------------- speed


def speed_section(diarizers: dict, cases: list[Case], recognizer) -> None:
    print(f"{'file':42s} {'backend':9s} {'spk':>7s} {'DER c0':>7s} {'DER c.25':>8s} {'s/min':>6s} {'ASR s/min':>9s} {'ratio':>6s}")
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
            d0 = der_score(case.reference, result.turns, collar=0.0).der
            d25 = der_score(case.reference, result.turns, collar=0.25).der
            n_ref = len({who for _, _, who in case.reference})
            ratio = f"{rate / asr_rate:6.2f}" if asr_rate else "     -"
            asr = f"{asr_rate:9.2f}" if asr_rate else "        -"
            print(f"{case.name[:42]:42s} {name:9s} {len(result.speakers):>3d}/{n_ref:<3d} {d0:7.3f} {d25:8.3f} {rate:6.2f} {asr} {ratio}")


# ---------------------------------------------------------------- stereo


def stereo_cases(out_dir: Path) -> list[Case]:
    """The real-speech dialer calls, faster-whisper's stereo file and the archive's dialer call."""
    cases = []
    for source in (pyannote_sample(), ami("dev00"), ami("dev01")):
        for variant in DIALER_VARIANTS:
            path = out_dir / f"{source.name}-{variant.name}.wav".replace(" ", "_")
            cases.append(Case(f"{source.name}, {variant.name}", path, dialer_call(source, variant, path)))
    path, reference = faster_whisper_stereo()
    # Two readers talking at once most of the time: scored with the overlap, which is the point.
    cases.append(Case("faster-whisper stereo (overlap scored)", path, reference, skip_overlap=False))
    cases.append(truth_case(TRUTH_DIR / "2026-11-24_meridian.truth.json", "archive dialer call (meridian)"))
    return cases


def stereo_section(diarizers: dict, cases: list[Case]) -> None:
    """DER (collar 0.25, overlap excluded) and its parts per call and backend, then the means."""
    print(f"{'stereo call':44s} {'backend':20s} {'DER':>6s} {'missed':>6s} {'f.a.':>6s} {'conf.':>6s}")
    totals: dict[str, list] = {}
    for case in cases:
        audio = load_audio(case.audio_path)
        for name, diarizer in diarizers.items():
            result = diarizer.diarize(audio)
            score = der_score(case.reference, result.turns, skip_overlap=case.skip_overlap, duration=audio.duration)
            totals.setdefault(name, []).append(score)
            print(f"{case.name[:44]:44s} {name:20s} {score.der:6.3f} {score.missed:6.3f} "
                  f"{score.false_alarm:6.3f} {score.confusion:6.3f}")
    for name, scores in totals.items():
        mean = {k: sum(getattr(s, k) for s in scores) / len(scores) for k in ("der", "missed", "false_alarm", "confusion")}
        print(f"{'mean of ' + str(len(scores)) + ' calls':44s} {name:20s} {mean['der']:6.3f} {mean['missed']:6.3f} "
              f"{mean['false_alarm']:6.3f} {mean['confusion']:6.3f}")


# ---------------------------------------------------------------- mono


def voice_sets() -> list[tuple[str, ...]]:
    names = list(real_voices())
    return list(itertools.combinations(names, 2)) + list(itertools.combinations(names, 3))[::3]


def count_section(diarizer, out_dir: Path) -> None:
    """Speakers found on every real-voice dialogue; over- and under-splits."""
    tally = {2: [0, 0, 0], 3: [0, 0, 0]}  # right, over, under
    print(f"{'mono call (telephone)':44s} {'speakers':>8s} {'DER':>6s} {'conf.':>6s}")
    for names in voice_sets():
        dialogue = voice_dialogue(*names)
        audio = load_audio(dialogue.write(out_dir / "dialogue.wav"))
        result = diarizer.diarize(audio)
        found, true = len(result.speakers), len(names)
        tally[true][0 if found == true else 1 if found > true else 2] += 1
        score = der_score(dialogue.turns, result.turns, duration=audio.duration)
        print(f"{dialogue.name[:44]:44s} {found:>4d}/{true:<3d} {score.der:6.3f} {score.confusion:6.3f}")
    for true, (right, over, under) in tally.items():
        print(f"{true}-speaker calls: {right}/{right + over + under} right, {over} over-split, {under} under-split")


def boundary_cases(recognizer, out_dir: Path):
    """(name, audio, true words, reference turns) for the boundary-error count."""
    names = {"Diane": "speaker90", "Sheila": "speaker91"}
    sentences = [(s, e, names[who], text) for s, e, who, text in stm_sentences(SAMPLE_DIR / "sample.stm")]
    yield "pyannote sample.wav (transcript words)", load_audio(SAMPLE_DIR / "sample.wav"), spoken_words(sentences), \
        rttm_turns(SAMPLE_DIR / "sample.rttm")
    for truth in sorted(TRUTH_DIR.glob("*.truth.json")):
        case = truth_case(truth)
        yield f"{case.name} (script words)", load_audio(case.audio_path), spoken_words(truth_sentences(truth)), case.reference
    for names_ in itertools.combinations(list(real_voices()), 2):
        dialogue = voice_dialogue(*names_)
        audio = load_audio(dialogue.write(out_dir / "dialogue.wav"))
        words = recognizer.transcribe(audio.mono()).words
        truth = [replace(w, speaker=reference_speaker(dialogue.turns, 0.5 * (w.start + w.end))) for w in words]
        yield f"{dialogue.name} (tiny.en words)", audio, truth, dialogue.turns


def boundary_section(diarizer, cases) -> None:
    print(f"{'call':52s} {'by time':>9s} {'by sentence':>12s}")
    totals = [0, 0, 0]
    for name, audio, truth, reference in cases:
        turns = diarizer.diarize(audio).turns
        mapping = speaker_mapping(reference, turns)
        words = [replace(w, speaker=None) for w in truth]
        by_time = boundary_errors(truth, assign_speakers(words, turns, max_shift_s=0), mapping)
        by_sentence = boundary_errors(truth, assign_speakers(words, turns), mapping)
        totals = [totals[0] + by_time.errors, totals[1] + by_sentence.errors, totals[2] + by_time.words]
        print(f"{name[:52]:52s} {by_time.errors:>4d}/{by_time.words:<4d} {by_sentence.errors:>6d}/{by_sentence.words:<5d}")
    print(f"{'all (words given to the wrong speaker / words near a change)':52s} "
          f"{totals[0]:>4d}/{totals[2]:<4d} {totals[1]:>6d}/{totals[2]:<5d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated: speed, stereo, mono")
    parser.add_argument("--render-stereo", action="store_true", help="speed: also render every script as a stereo call")
    parser.add_argument("--pyannote-pipeline", help="speed: pyannote pipeline folder or hub id")
    parser.add_argument("--no-asr", action="store_true", help="speed: skip the ASR timing")
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")

    embedded, channels = make_diarizer("embedded", device="cpu"), make_diarizer("channels")
    embedded.diarize(load_audio(SAMPLE_DIR / "sample.wav"))  # first call pays for lazy initialisation
    recognizer = None
    if "mono" in sections or ("speed" in sections and not args.no_asr):
        from transcription.asr import AsrOptions, SpeechRecognizer

        recognizer = SpeechRecognizer(AsrOptions(device="cpu"))
    with tempfile.TemporaryDirectory(prefix="callytics-bench-") as tmp:
        out = Path(tmp)
        if "speed" in sections:
            diarizers = {"embedded": embedded, "channels": channels}
            if args.pyannote_pipeline:
                diarizers["pyannote"] = make_diarizer("pyannote", pyannote_pipeline=args.pyannote_pipeline, device="auto")
                diarizers["pyannote"].diarize(load_audio(SAMPLE_DIR / "sample.wav"))
            cases = [sample_case()] + [truth_case(p) for p in sorted(TRUTH_DIR.glob("*.truth.json"))]
            if args.render_stereo:
                cases += stereo_renders(out)
            speed_section(diarizers, cases, None if args.no_asr else recognizer)
        if "stereo" in sections:
            print()
            stereo_section({"channels": channels, "embedded (downmix)": embedded}, stereo_cases(out))  # embedded hears the mix
        if "mono" in sections:
            print()
            count_section(embedded, out)
            print()
            boundary_section(embedded, boundary_cases(recognizer, out))


if __name__ == "__main__":
    main()
