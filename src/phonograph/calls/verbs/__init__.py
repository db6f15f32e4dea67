"""One runner class per TwiML verb; importing this package registers them all."""

from phonograph.calls.verbs import (
    dial,
    gather,
    hangup,
    pause,
    play,
    record,
    redirect,
    reject,
    say,
    start,
    stop,
)

__all__ = [
    "dial",
    "gather",
    "hangup",
    "pause",
    "play",
    "record",
    "redirect",
    "reject",
    "say",
    "start",
    "stop",
]
