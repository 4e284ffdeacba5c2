"""Personal and payment data out of transcripts before anything is analysed or stored.

Card numbers, security codes and expiry dates (in payment context), bank account and IBAN
numbers, national id numbers, phone numbers and email addresses, written or spoken, become
typed placeholders such as ``[CARD]`` and ``[EMAIL]``. Names are not redacted. Audio is never
touched. What is and is not caught: ``docs/privacy.md``.
"""
from transcription.redaction.detect import KINDS
from transcription.redaction.redact import placeholder, redact_transcript, redact_utterances

__all__ = ["KINDS", "placeholder", "redact_transcript", "redact_utterances"]
