"""The simulator's web app: the conversation page at `/`, the review page at `/review`, and the
JSON the pages call. A development tool: it is served on 127.0.0.1 by `heroin-help web` and
`heroin-help run`, and the production service never loads it.

    GET    /                                        the conversation page
    GET    /review                                  every answer, to read and hear
    GET    /static/...                              the pages' CSS and JavaScript
    GET    /audio/{key}.wav                         an answer's WAV (rendered on first request)
    GET    /api/info                                locales, and which speech engines are here
    POST   /api/conversations                       {"locale"}: a new caller -> {"id"}
    DELETE /api/conversations/{id}                  ends its open session
    POST   /api/conversations/{id}/say              {"text", "by"}: one turn
    POST   /api/conversations/{id}/hear             a 16 kHz WAV from the microphone: one turn
    POST   /api/conversations/{id}/come-back-later  the session times out, the caller reopens
    GET    /api/review?locale=                      every answer with its words and seconds
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from speech import content
from speech.simulator.transports import ServiceError, Transport
from speech.simulator.web.audio import (
    CACHE_DIR,
    AudioCache,
    BadAudio,
    EngineThread,
    check_recording,
    is_audio_key,
)
from speech.simulator.web.engines import NO_EARS, EngineError, Render, Transcribe
from speech.simulator.web.errors import (
    BadInput,
    EngineFailed,
    NoEngine,
    NotFound,
    PageError,
    SkillUnreachable,
)
from speech.simulator.web.review import review
from speech.simulator.web.talk import (
    HOW,
    MAX_UTTERANCE,
    Conversations,
    Heard,
    PageConversation,
    UnknownLocale,
)

STATIC = Path(__file__).parent / "static"
MAX_BODY = 2 * 1024 * 1024  # 30 s of 16 kHz 16-bit audio is under 1 MB
log = logging.getLogger("heroin_help.web")


class Web:
    """What the handlers share: the pages' conversations, the audio, and the ears."""

    def __init__(
        self,
        transport: Transport,
        audio: AudioCache,
        transcribe: Transcribe | None,
        locales: Sequence[str],
        skill_url: str | None,
    ) -> None:
        self.audio = audio
        self.transcribe = transcribe
        self.locales = list(locales)
        self.skill_url = skill_url
        self.conversations = Conversations(transport, audio, locales)
        self.ears = EngineThread("ears")


WEB = web.AppKey("web", Web)


def create_web_app(
    transport: Transport,
    *,
    state: Path,
    render: Render | None = None,
    transcribe: Transcribe | None = None,
    locales: Sequence[str] | None = None,
    skill_url: str | None = None,
) -> web.Application:
    """The app, talking to the skill through `transport` (which it closes when it stops).

    `render` and `transcribe` are the speech engines, passed in by the command line; without
    them the page shows answers without audio, and the Talk button says it cannot listen.
    """
    app = web.Application(middlewares=[page_errors], client_max_size=MAX_BODY)
    voice = EngineThread("voice")
    audio = AudioCache(state / CACHE_DIR, render, voice)
    shared = app[WEB] = Web(
        transport, audio, transcribe, locales or content.available_locales(), skill_url
    )

    async def skill_link(app: web.Application) -> AsyncIterator[None]:
        yield
        await transport.close()

    async def voice_thread(app: web.Application) -> AsyncIterator[None]:
        yield
        voice.close()

    async def ears_thread(app: web.Application) -> AsyncIterator[None]:
        yield
        shared.ears.close()

    app.cleanup_ctx.extend([skill_link, voice_thread, ears_thread])
    app.router.add_get("/", page("index.html"))
    app.router.add_get("/review", page("review.html"))
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/audio/{key}.wav", answer_audio)
    app.router.add_get("/api/info", info)
    app.router.add_post("/api/conversations", start_conversation)
    app.router.add_delete("/api/conversations/{id}", end_conversation)
    app.router.add_post("/api/conversations/{id}/say", say)
    app.router.add_post("/api/conversations/{id}/hear", hear)
    app.router.add_post("/api/conversations/{id}/come-back-later", come_back_later)
    app.router.add_get("/api/review", review_answers)
    return app


# Handlers


def page(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name)

    return handler


async def info(request: web.Request) -> web.Response:
    shared = request.app[WEB]
    return json_response(
        {
            "locales": shared.locales,
            "voice": shared.audio.available,
            "ears": shared.transcribe is not None,
            "ears_missing": None if shared.transcribe is not None else NO_EARS,
            "skill": shared.skill_url,
        }
    )


async def start_conversation(request: web.Request) -> web.Response:
    shared = request.app[WEB]
    body = await json_object(request)
    locale = body.get("locale", shared.locales[0])
    if not isinstance(locale, str):
        raise BadInput("locale must be a string such as en-US")
    try:
        started = shared.conversations.start(locale)
    except UnknownLocale as error:
        raise BadInput(str(error)) from None
    return json_response({"id": started.id, "locale": started.locale}, status=201)


async def end_conversation(request: web.Request) -> web.Response:
    await request.app[WEB].conversations.end(conversation(request))
    return web.Response(status=204)


async def say(request: web.Request) -> web.Response:
    body = await json_object(request)
    text, by = body.get("text"), body.get("by", "keyboard")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("say something: text must be a non-empty string")
    if len(text) > MAX_UTTERANCE:
        raise BadInput(f"that is more than {MAX_UTTERANCE} characters; say less at a time")
    if by not in HOW:
        raise BadInput(f"by must be one of {', '.join(HOW)}")
    heard = Heard(text.strip(), None, by)
    return json_response(await request.app[WEB].conversations.say(conversation(request), heard))


async def hear(request: web.Request) -> web.Response:
    shared = request.app[WEB]
    talking = conversation(request)
    transcribe = shared.transcribe
    if transcribe is None:
        raise NoEngine(NO_EARS)
    recording = await request.read()
    try:
        check_recording(recording)
    except BadAudio as error:
        raise BadInput(str(error)) from None
    try:
        transcript = await shared.ears.run(lambda: transcribe(recording, talking.locale))
    except Exception as error:  # plugged in from outside, so its failures are of its own kinds
        raise EngineFailed(f"speech recognition failed: {error}") from None
    heard = Heard(transcript.text.strip(), transcript.confidence, "microphone")
    if not heard.text:
        return json_response({"heard": {"text": "", "confidence": heard.confidence}})
    return json_response(await shared.conversations.say(talking, heard))


async def come_back_later(request: web.Request) -> web.Response:
    return json_response(
        await request.app[WEB].conversations.come_back_later(conversation(request))
    )


async def review_answers(request: web.Request) -> web.Response:
    shared = request.app[WEB]
    locale = request.query.get("locale", shared.locales[0])
    if locale not in shared.locales:
        raise BadInput(str(UnknownLocale(locale, shared.locales)))
    return json_response(await review(locale, shared.audio))


async def answer_audio(request: web.Request) -> web.StreamResponse:
    key = request.match_info["key"]
    audio = request.app[WEB].audio
    if not is_audio_key(key):
        raise NotFound("no such answer audio")
    try:
        path = await audio.path_for(key)
    except EngineError as error:
        raise EngineFailed(f"text-to-speech failed: {error}") from None
    if path is None:
        raise NotFound("no such answer audio")
    return web.FileResponse(path, headers={"Content-Type": "audio/wav"})


# Helpers


def conversation(request: web.Request) -> PageConversation:
    found = request.app[WEB].conversations.get(request.match_info["id"])
    if found is None:
        raise NotFound("this conversation has ended; start a new session")
    return found


async def json_object(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        raise BadInput("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object")
    return body


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


@web.middleware
async def page_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every failure as JSON the page can show: {"error": "what went wrong, in words"}."""
    try:
        return await handler(request)
    except PageError as error:
        return json_response({"error": error.message}, status=error.status)
    except web.HTTPException as error:  # aiohttp's own: no route, wrong method, body too large
        if error.status < 400:
            raise
        return json_response({"error": error.reason.lower()}, status=error.status)
    except ServiceError as error:
        unreachable = SkillUnreachable(refused(request.app[WEB].skill_url, error))
        return json_response({"error": unreachable.message}, status=unreachable.status)
    except (aiohttp.ClientError, TimeoutError) as error:
        where = request.app[WEB].skill_url or "the skill"
        message = (
            f"The skill's service at {where} is not answering ({describe(error)}). Is it running?"
        )
        return json_response({"error": message}, status=SkillUnreachable.status)
    except Exception:  # a bug of ours: the trace goes to the log, never to the page
        log.exception("unexpected error on %s %s", request.method, request.path)
        return json_response({"error": "the simulator failed; its log says why"}, status=500)


def refused(skill_url: str | None, error: ServiceError) -> str:
    reason = error.body.get("error") if isinstance(error.body, dict) else None
    where = skill_url or "the skill"
    if reason:
        return (
            f"The skill's service at {where} refused the request: {reason} (HTTP {error.status})."
        )
    return f"The skill's service at {where} answered HTTP {error.status}, not a skill response."


def describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "connection refused"
    return type(error).__name__
