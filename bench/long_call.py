"""Peak memory and time of one long mono call (run on demand: ``python bench/long_call.py``).

Builds a mono call of each ``--minutes`` length from real speech: pyannote.audio's
``sample.wav`` (a two-person phone call) and the AMI meeting clips in ``--speech-dir`` (default
``/work/data/pyannote-tests``), joined with pauses of 0.5-3 s of faint noise and looped, written
in the ``--format`` a call arrives in: ``wav`` (16-bit, 16 kHz), ``wav8k`` (16-bit, 8 kHz, as a
dialer writes it) or ``mp3`` (16 kHz, 32 kbit/s). Then runs ``callytics run`` on a one-call
archive into a fresh database, in a fresh process, and reports its peak RSS (the child's
``ru_maxrss``), wall time and CPU seconds (user + system; the machine is usually shared, so CPU seconds are the steadier number),
and a digest of the words and utterances it stored (timings, probabilities, speakers, roles,
labels): equal digests from two checkouts mean bit-identical results.

With ``--baseline DIR`` (another checkout, e.g. a main worktree) the same call is run by both,
one after the other, and the ratios are printed. Targets: 1.2 GB for 60 minutes, 1.5 GB for 3 hours.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SPEECH_DIR = Path("/work/data/pyannote-tests")
RATE = 16000
TARGET_MB = {60: 1229, 180: 1536}


def speech_clips(speech_dir: Path) -> list[np.ndarray]:
    """16 kHz int16 clips of real speech: pyannote's sample call, then the AMI clips."""
    from importlib.metadata import distribution

    from transcription.audio import load_audio

    paths = [Path(distribution("pyannote.audio").locate_file("pyannote/audio/sample/sample.wav"))]
    paths += sorted(p for p in speech_dir.glob("*.wav") if p.name != "empty.wav")
    return [(np.clip(np.asarray(load_audio(p).mono()), -1, 1) * 32767).astype("<i2") for p in paths]


FORMATS = {"wav": ("wav", 16000), "wav8k": ("wav", 8000), "mp3": ("mp3", 16000)}


def write_call(path: Path, minutes: float, clips: list[np.ndarray], fmt: str = "wav") -> Path:
    """Loop the clips, with a pause of faint noise after each, up to ``minutes``, streamed to
    ``path`` in ``fmt`` (a key of ``FORMATS``, which also gives the file's extension)."""
    rng = np.random.default_rng(0)
    needed = int(minutes * 60 * RATE)
    path = path.with_suffix("." + FORMATS[fmt][0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer(path, fmt) as write:
        written, i = 0, 0
        while written < needed:
            pause = (rng.normal(0, 30, int(rng.uniform(0.5, 3.0) * RATE))).astype("<i2")
            for part in (clips[i % len(clips)], pause):
                part = part[: needed - written]
                if len(part):
                    write(part.astype("<i2"))
                    written += len(part)
            i += 1
    return path


@contextmanager
def _writer(path: Path, fmt: str):
    """A function that appends 16 kHz int16 samples to ``path``: a WAV at 16 kHz as they are,
    otherwise encoded by PyAV (resampled to 8 kHz 16-bit PCM, or MP3)."""
    import av

    ext, rate = FORMATS[fmt]
    with av.open(str(path), "w", format=ext) as container:
        stream = container.add_stream("pcm_s16le" if ext == "wav" else "libmp3lame", rate=rate, layout="mono")
        if ext == "mp3":
            stream.bit_rate = 32000
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate,
                                      frame_size=stream.codec_context.frame_size or None)

        def encode(frames):
            for frame in frames:
                container.mux(stream.encode(frame))

        def write(samples: np.ndarray) -> None:
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            encode(resampler.resample(frame))

        yield write
        encode(resampler.resample(None))
        container.mux(stream.encode(None))


def run_call(checkout: Path, archive: Path, db: Path, prefect_home: Path) -> dict[str, float]:
    """Peak RSS (MB), wall and CPU seconds of ``callytics run`` on ``archive`` by ``checkout``."""
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(checkout), PREFECT_HOME=str(prefect_home))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "flows", "run", str(archive), "--db", str(db), "--quiet"],
                             env=env, cwd=checkout)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"callytics run by {checkout} failed with status {status}")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        ok, words = con.execute("SELECT count(*) FILTER (status = 'ok'), (SELECT count(*) FROM words) FROM calls").fetchone()
        digest = hashlib.sha256()
        for query in ("SELECT idx, start_s, end_s, word, probability, speaker FROM words ORDER BY idx",
                      "SELECT idx, speaker, role, start_s, end_s, text, label, label_confidence FROM utterances ORDER BY idx"):
            digest.update(repr(con.execute(query).fetchall()).encode())
    return {"peak_rss_mb": round(usage.ru_maxrss / 1024), "wall_s": round(wall, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "calls_ok": ok, "words": words,
            "results_sha256": digest.hexdigest()[:16]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[60.0, 180.0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--speech-dir", type=Path, default=SPEECH_DIR)
    parser.add_argument("--format", choices=sorted(FORMATS), default="wav", help="the recording's format")
    args = parser.parse_args()
    checkouts = {"this": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    clips = speech_clips(args.speech_dir)
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for minutes in args.minutes:
            archive = tmp / f"call{minutes:g}"
            write_call(archive / f"long{minutes:g}", minutes, clips, args.format)
            results = {name: run_call(checkout, archive, tmp / f"{name}.duckdb", tmp / f"prefect-{name}")
                       for name, checkout in checkouts.items()}
            if args.baseline:
                results["ratio_this_over_baseline"] = {
                    key: round(results["this"][key] / max(results["baseline"][key], 1e-9), 3)
                    for key in ("peak_rss_mb", "wall_s", "cpu_s")}
            target = TARGET_MB[60] if minutes <= 60 else TARGET_MB[180]
            report[f"{minutes:g} min"] = results | {"format": args.format, "target_peak_rss_mb": target}
            print(json.dumps({f"{minutes:g} min": report[f"{minutes:g} min"]}), flush=True)
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
