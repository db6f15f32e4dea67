"""Getting a call's next TwiML: inline, or fetched from the app with its fallback.

Twilio tries the ``Url``, and when that fails (no connection 11205, HTTP error 11200, a body
that is not TwiML 12100/12300) the ``FallbackUrl``; each failure becomes a Notification. When
both fail the caller hears Twilio's application-error message and the call ends
(https://www.twilio.com/docs/voice/twiml#twilio-request-fallbacks).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from phonograph import twiml
from phonograph.calls.runtime import Problem, Runtime
from phonograph.calls.source import ProgramSource
from phonograph.core import PhonographError
from phonograph.media import Clip, decode_audio
from phonograph.webhooks import AppRequest, AppResponse, WebhookError

TWIML_CONTENT_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
AUDIO_CONTENT_TYPES = frozenset({"audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave"})
APPLICATION_ERROR_TEXT = "We are sorry, an application error has occurred. Goodbye."


class ApplicationFailure(Exception):
    """Neither the URL nor the fallback gave a usable document."""


@dataclass(frozen=True)
class Loaded:
    """A document to run, or (when the app answered with an audio file) audio to play."""

    document: twiml.Document
    url: str | None
    audio: Clip | None = None


def _content_type(response: AppResponse) -> str:
    return (response.header("content-type") or "").split(";")[0].strip().lower()


def _interpret(response: AppResponse, url: str) -> Loaded:
    content_type = _content_type(response)
    if response.truncated:
        # https://www.twilio.com/docs/api/errors/11750 (the body was read up to its cap only)
        raise PhonographError("TwiML response body too large: the answer is over 64 kB", code=11750)
    if content_type in AUDIO_CONTENT_TYPES:
        # Twilio plays an audio file returned in place of TwiML, then hangs up.
        return Loaded(twiml.Document((), ()), url, Clip(decode_audio(response.body)))
    if content_type and content_type not in TWIML_CONTENT_TYPES:
        raise PhonographError(f"Content-Type {content_type!r} is not TwiML", code=12300)
    return Loaded(twiml.parse(response.body), url)


class DocumentLoader:
    def __init__(self, runtime: Runtime, account_sid: str, call_sid: str, auth_token: str) -> None:
        self._runtime = runtime
        self._account_sid = account_sid
        self._call_sid = call_sid
        self._auth_token = auth_token

    async def load(self, source: ProgramSource) -> Loaded:
        if source.twiml is not None:
            try:
                return Loaded(twiml.parse(source.twiml), None)
            except twiml.TwimlError as error:
                await self._report(Problem(error.code, error.message))
                raise ApplicationFailure from error
        attempts = [(source.url, source.method), (source.fallback_url, source.fallback_method)]
        failure: tuple[tuple[str, str], ...] = ()
        for url, method in attempts:
            if url is None:
                continue
            # The fallback request also says what failed: ErrorCode and ErrorUrl
            # (https://www.twilio.com/docs/usage/security/availability-reliability).
            params = source.params + failure
            request = AppRequest(url=url, method="GET" if method == "GET" else "POST", params=params)
            try:
                response = await self._runtime.app.send(request, self._auth_token)
            except WebhookError as error:
                failure = await self._failed(_problem(error, request, error.response))
                continue
            try:
                return _interpret(response, response.url)
            except PhonographError as error:
                failure = await self._failed(_problem(error, request, response))
        raise ApplicationFailure

    async def _failed(self, problem: Problem) -> tuple[tuple[str, str], ...]:
        """Report ``problem``; the parameters that tell the fallback about it."""
        await self._report(problem)
        return (("ErrorCode", str(problem.code)), ("ErrorUrl", problem.request_url))

    async def _report(self, problem: Problem) -> None:
        await self._runtime.report(self._account_sid, self._call_sid, problem)


def _problem(error: PhonographError, request: AppRequest, response: AppResponse | None) -> Problem:
    return Problem(
        code=error.code,
        message=error.message,
        # A WebhookError names the hop that failed (a redirect's target, when one was followed).
        request_url=error.url if isinstance(error, WebhookError) else request.url,
        request_method=error.method if isinstance(error, WebhookError) else request.method,
        request_variables=request.variables,
        response_body="" if response is None else response.text,
        response_headers="" if response is None else urllib.parse.urlencode(response.headers),
    )
