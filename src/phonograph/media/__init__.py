"""Room ``media``: 20 ms PCM frames, G.711, tones, DTMF, decoding, TTS, mixing, the media clock.

Filled by the calls issue (#3)."""
