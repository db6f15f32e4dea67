"""Room ``transcription``: speech-to-text engine adapter and jobs.

Today it holds the Transcription Configuration body; the transcription issue (#6) fills the rest.
"""

from phonograph.transcription.configuration import TranscriptionConfiguration

__all__ = ["TranscriptionConfiguration"]
