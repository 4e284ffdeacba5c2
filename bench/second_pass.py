"""What the ASR's second pass costs and recovers (run on demand: ``python bench/second_pass.py``).

The batched pass leaves some speech without words; the second, sequential pass decodes those
regions again. For the example archive's calls and pyannote's ``sample.wav`` this transcribes
each call with the default ``SpeechRecognizer`` and reports, per call and in total, the words
the second pass recovered, its CPU and wall seconds, and the whole ASR's, so a change to the
second pass can be compared with another checkout (``PYTHONPATH=OTHER python bench/second_pass.py``
runs that checkout's code with this script).
"""
from __future__ import annotations

import json
import os
import sys
import time
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = sorted(p for p in (ROOT / "examples" / "archive").rglob("*") if p.suffix in {".ogg", ".mp3", ".wav", ".flac", ".m4a"})
SAMPLE = Path(distribution("pyannote.audio").locate_file("pyannote/audio/sample/sample.wav"))


def main() -> None:
    from transcription.asr import SpeechRecognizer
    from transcription.audio import load_audio

    recognizer = SpeechRecognizer()
    sequential = recognizer._model.transcribe  # the second pass is the only sequential decode
    second = {"cpu_s": 0.0, "wall_s": 0.0, "words": []}

    def timed(audio, **options):
        cpu, wall = time.process_time(), time.perf_counter()
        segments, info = sequential(audio, **options)
        segments = list(segments)
        second["cpu_s"] += time.process_time() - cpu
        second["wall_s"] += time.perf_counter() - wall
        second["words"] += [w.word for s in segments for w in (s.words or ()) if w.word.strip()]
        return segments, info

    recognizer._model.transcribe = timed
    rows, totals = [], {"asr_cpu_s": 0.0, "second_cpu_s": 0.0, "second_wall_s": 0.0, "words": 0, "recovered": 0}
    for path in [*CALLS, SAMPLE]:
        samples = load_audio(path).mono()
        second.update(cpu_s=0.0, wall_s=0.0, words=[])
        cpu = time.process_time()
        transcript = recognizer.transcribe(samples)
        asr_cpu = time.process_time() - cpu
        words = len(transcript.words)
        rows.append({"call": path.name, "words": words, "recovered": len(second["words"]),
                     "second_cpu_s": round(second["cpu_s"], 2), "asr_cpu_s": round(asr_cpu, 2),
                     "recovered_text": " ".join(second["words"])})
        for key, value in (("asr_cpu_s", asr_cpu), ("second_cpu_s", second["cpu_s"]),
                           ("second_wall_s", second["wall_s"]), ("words", words),
                           ("recovered", len(second["words"]))):
            totals[key] += value
    totals = {k: round(v, 2) for k, v in totals.items()}
    totals["second_share_of_asr_cpu"] = round(totals["second_cpu_s"] / max(totals["asr_cpu_s"], 1e-9), 3)
    print(json.dumps({"checkout": os.environ.get("PYTHONPATH", str(ROOT)), "calls": rows,
                      "total": totals, "load_average_1m": round(os.getloadavg()[0], 2)}, indent=2))


if __name__ == "__main__":
    sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout's code can be measured
    main()
