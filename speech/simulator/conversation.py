"""One person talking to the skill: what Alexa does around it, without Amazon's cloud.

A line of text is resolved to an intent, wrapped in a real request envelope with the session the
skill returned last turn, sent to the skill through a transport, and the answer is reported as a
listener hears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intents.names import LAUNCH_REQUEST
from speech.simulator.envelopes import DEV_SKILL_ID, USER_INITIATED, Caller, Reply, Session
from speech.simulator.nlu.resolver import Resolution, Resolver, resolver_for
from speech.simulator.transports import Transport
from speech.ssml import to_text


@dataclass(frozen=True, slots=True)
class TurnResult:
    utterance: str
    intent: str
    slots: Mapping[str, str]
    reply: Reply | None  # None for a turn that only ended the session
    confidence: float = 1.0  # how sure the resolver was of the intent

    def to_json(self) -> dict[str, Any]:
        reply = self.reply
        return {
            "utterance": self.utterance,
            "intent": self.intent,
            "slots": dict(self.slots),
            "confidence": round(self.confidence, 3),
            "speech": reply.speech if reply else "",
            "ssml": reply.ssml if reply else "",
            "reprompt": to_text(reply.reprompt) if reply and reply.reprompt else None,
            "end_session": reply.end_session if reply else True,
            "card": reply.card if reply else None,
        }


@dataclass
class Conversation:
    """One person talking to the skill; sessions start and end as they would on a speaker."""

    transport: Transport
    locale: str = "en-US"
    skill_id: str = DEV_SKILL_ID
    session: Session | None = None
    # The same person from one session to the next, as on a real speaker, so the skill can
    # recognise a caller who comes back; None: a new caller every session.
    caller: Caller | None = None

    @property
    def resolver(self) -> Resolver:
        return resolver_for(self.locale)  # built once per locale

    async def say(self, utterance: str) -> TurnResult:
        resolution = self.resolver.resolve(utterance)
        session = self.session
        if resolution.launch or session is None:
            await self.end_session()
            session = self.session = self.new_session()
        reply = await self.send(session, self.envelope_for(session, resolution))
        return TurnResult(
            utterance, resolution.intent, resolution.slots, reply, resolution.confidence
        )

    async def launch(self) -> TurnResult:
        """The caller opens the skill ("Alexa, open Heroin Help"): a new session."""
        await self.end_session()
        session = self.session = self.new_session()
        reply = await self.send(session, session.launch())
        return TurnResult("", LAUNCH_REQUEST, {}, reply)

    def new_session(self) -> Session:
        caller = self.caller or Caller()
        return Session(
            skill_id=self.skill_id,
            locale=self.locale,
            user_id=caller.user_id,
            device_id=caller.device_id,
        )

    async def send(self, session: Session, envelope: dict[str, Any]) -> Reply:
        answer = await self.transport.send(envelope)
        reply = Reply.of(answer)
        if reply.end_session:
            self.session = None
        else:
            session.absorb(answer)
        return reply

    def envelope_for(self, session: Session, resolution: Resolution) -> dict[str, Any]:
        if resolution.intent == LAUNCH_REQUEST:
            return session.launch()
        declared = self.resolver.intent_slots.get(resolution.intent, {})
        slots: dict[str, str | None] = {name: None for name in declared}
        slots.update(resolution.slots)
        types = {name: slot_type.name for name, slot_type in declared.items()}
        return session.intent(resolution.intent, slots or None, slot_types=types)

    async def end_session(self, reason: str = USER_INITIATED) -> None:
        """The user walked away: Alexa tells the skill with a SessionEndedRequest."""
        if self.session is not None:
            await self.transport.send(self.session.end(reason))
            self.session = None
