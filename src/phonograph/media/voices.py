"""From ``<Say>``'s ``voice`` and ``language`` attributes to an espeak-ng voice name.

Twilio's attributes are documented at https://www.twilio.com/docs/voice/twiml/say : ``language``
defaults to ``en-US``; ``voice`` is ``man``, ``woman``, ``alice`` (retired, now a female voice)
or an Amazon Polly (``Polly.Joanna``, ``Polly.Joanna-Neural``) or Google
(``Google.en-US-Neural2-F``) voice name. We cannot speak with those engines, so we keep what a
listener would notice: the language and whether the voice is female. A voice we do not know to be
female speaks with espeak-ng's default (male) voice; a language espeak-ng lacks falls back to the
same language's other region, then to US English.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEFAULT_LANGUAGE = "en-US"
DEFAULT_VOICE = "man"
FALLBACK_ESPEAK_LANGUAGE = "en-us"
FEMALE_VARIANT = "f3"
"""espeak-ng's voice variant (``espeak-ng-data/voices/!v/f3``) for every female voice."""

# Twilio language code (lower case) → espeak-ng voice file (espeak-ng-data/lang/…).
_ESPEAK_LANGUAGES: Mapping[str, str] = MappingProxyType({
    "en-us": "en-us", "en-ca": "en-us", "en-gb": "en", "en-au": "en", "en-nz": "en",
    "en-ie": "en", "en-za": "en", "en-in": "en", "en-gb-wls": "en",
    "es-es": "es", "es-mx": "es-419", "es-us": "es-419", "fr-fr": "fr", "fr-ca": "fr",
    "fr-be": "fr-be", "fr-ch": "fr-ch", "de-de": "de", "de-at": "de", "de-ch": "de",
    "it-it": "it", "pt-br": "pt-br", "pt-pt": "pt", "nl-nl": "nl", "nl-be": "nl",
    "ja-jp": "ja", "ko-kr": "ko", "zh-cn": "cmn", "cmn-cn": "cmn", "zh-tw": "cmn",
    "cmn-tw": "cmn", "zh-hk": "yue", "yue-hk": "yue", "yue-cn": "yue", "sv-se": "sv",
    "da-dk": "da", "nb-no": "nb", "no-no": "nb", "pl-pl": "pl", "ru-ru": "ru", "fi-fi": "fi",
    "ca-es": "ca", "arb": "ar", "ar-ae": "ar", "ar-xa": "ar", "cy-gb": "cy", "hi-in": "hi",
    "is-is": "is", "ro-ro": "ro", "tr-tr": "tr", "cs-cz": "cs", "el-gr": "el", "he-il": "he",
    "hu-hu": "hu", "id-id": "id", "ms-my": "ms", "uk-ua": "uk", "vi-vn": "vi", "th-th": "th",
    "bg-bg": "bg", "sk-sk": "sk", "lv-lv": "lv", "lt-lt": "lt", "sr-rs": "sr", "af-za": "af",
    "eu-es": "eu", "et-ee": "et", "hr-hr": "hr", "sl-si": "sl", "ta-in": "ta", "te-in": "te",
    "bn-in": "bn", "gu-in": "gu", "kn-in": "kn", "ml-in": "ml", "mr-in": "mr", "pa-in": "pa",
    "ur-in": "ur",
})  # fmt: skip

# espeak-ng voice files that a bare primary language subtag can name directly.
_ESPEAK_PRIMARY: frozenset[str] = frozenset({
    "af", "am", "an", "ar", "as", "az", "ba", "be", "bg", "bn", "bpy", "bs", "ca", "chr", "cmn",
    "cs", "cv", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fo", "fr", "ga",
    "gd", "gn", "grc", "gu", "hak", "haw", "he", "hi", "hr", "ht", "hu", "hy", "hyw", "ia", "id",
    "io", "is", "it", "ja", "jbo", "ka", "kaa", "kk", "kl", "kn", "ko", "kok", "ku", "ky", "la",
    "lb", "lfn", "lt", "ltg", "lv", "mi", "mk", "ml", "mr", "ms", "mt", "mto", "my", "nb", "nci",
    "ne", "nl", "nog", "om", "or", "pa", "pap", "piqd", "pl", "pt", "py", "qdb", "qu", "quc", "qya",
    "ro", "ru", "sd", "shn", "si", "sjn", "sk", "sl", "smj", "sq", "sr", "sv", "sw", "ta", "te",
    "th", "ti", "tk", "tn", "tr", "tt", "ug", "uk", "ur", "uz", "vi", "xex", "yue",
})  # fmt: skip

_FEMALE_GENERIC = frozenset({"woman", "alice"})

# Amazon Polly voices that are female (https://docs.aws.amazon.com/polly/latest/dg/available-voices.html).
_POLLY_FEMALE = frozenset({
    "aditi", "amy", "aria", "arlet", "astrid", "ayanda", "bianca", "burcu", "camila", "carla",
    "carmen", "celine", "céline", "chantal", "conchita", "danielle", "dora", "elin", "emma", "ewa",
    "filiz", "gabrielle", "gwyneth", "hala", "hannah", "hiujin", "ida", "ines", "inês", "isabelle",
    "ivy", "jasmine", "jitka", "joanna", "kajal", "kazuha", "kendra", "kimberly", "laura", "lea",
    "léa", "lisa", "liv", "lotte", "lucia", "lupe", "maja", "marlene", "mia", "mizuki", "naja",
    "niamh", "nicole", "ola", "olivia", "penelope", "raveena", "ruth", "salli", "seoyeon", "sofie",
    "suvi", "tatyana", "tomoko", "vicki", "vitoria", "vitória", "zeina", "zhiyu",
})  # fmt: skip

# Google Cloud voices: the letter names a voice per language; these letters are female
# (https://cloud.google.com/text-to-speech/docs/voices). Chirp 3 HD voices are named after stars.
_GOOGLE_FEMALE_LETTERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "en-us": frozenset("CEFGH"), "en-gb": frozenset("ACF"), "en-au": frozenset("AC"),
    "en-in": frozenset("AD"), "fr-fr": frozenset("ACE"), "fr-ca": frozenset("AC"),
    "de-de": frozenset("ACF"), "es-es": frozenset("ACD"), "es-us": frozenset("A"),
    "it-it": frozenset("AB"), "ja-jp": frozenset("AB"), "pt-br": frozenset("AC"),
})  # fmt: skip
_GOOGLE_FEMALE_STARS = frozenset({
    "achernar", "aoede", "autonoe", "callirrhoe", "despina", "erinome", "gacrux", "kore",
    "laomedeia", "leda", "pulcherrima", "sulafat", "vindemiatrix", "zephyr",
})  # fmt: skip


def espeak_voice_name(voice: str, language: str) -> str:
    """The espeak-ng voice name (``language[+variant]``) for ``<Say voice=… language=…>``."""
    espeak_language = espeak_language_for(google_language(voice) or language)
    return f"{espeak_language}+{FEMALE_VARIANT}" if is_female(voice) else espeak_language


def espeak_language_for(language: str) -> str:
    """The espeak-ng language voice for a Twilio language code; US English when it has none."""
    code = language.strip().lower().replace("_", "-")
    if code in _ESPEAK_LANGUAGES:
        return _ESPEAK_LANGUAGES[code]
    primary = code.split("-", 1)[0]
    return primary if primary in _ESPEAK_PRIMARY else FALLBACK_ESPEAK_LANGUAGE


def is_female(voice: str) -> bool:
    """Whether Twilio's ``voice`` is a female voice (``woman``, ``alice``, or a known female
    Polly or Google voice); everything else, ``man`` included, is male."""
    name = voice.strip()
    lowered = name.lower()
    if lowered in _FEMALE_GENERIC:
        return True
    if lowered.startswith("polly."):
        # Polly.Joanna, Polly.Joanna-Neural, Polly.Joanna-Generative
        return lowered[len("polly.") :].split("-", 1)[0] in _POLLY_FEMALE
    language = google_language(name)
    if language is not None:
        last = name.rsplit("-", 1)[-1]
        if last.lower() in _GOOGLE_FEMALE_STARS:
            return True
        return len(last) == 1 and last.upper() in _GOOGLE_FEMALE_LETTERS.get(language.lower(), ())
    return False


def google_language(voice: str) -> str | None:
    """The language a Google voice name carries (``Google.en-US-Neural2-F`` → ``en-US``)."""
    if not voice.lower().startswith("google."):
        return None
    parts = voice[len("google.") :].split("-")
    return "-".join(parts[:2]) if len(parts) >= 3 else None
