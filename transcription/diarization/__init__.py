"""Who speaks when: one interface (``diarize(audio, *, num_speakers, min_speakers, max_speakers)``)
and three backends: ``channels`` (stereo, one party per channel), ``pyannote`` (a pyannote.audio
pipeline) and ``embedded`` (offline default for mono); ``choose_backend`` applies the ``auto`` rule
per call. Names load on first use, so settings can check a backend name without numpy."""
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "base": ["Diarizer", "SpeakerCountHints"],
        "channels": ["ChannelDiarizer"],
        "embedded": ["EmbeddedDiarizer", "EmbeddedOptions"],
        "factory": ["BACKENDS", "backends_to_load", "check_backend", "choose_backend", "make_diarizer"],
        "pyannote_backend": ["PyannoteDiarizer"],
        "result": ["Diarization", "speaker_label"],
    },
)
