"""The skill: what Heroin Help says to each request, on ask-sdk-core's handler API.

    names      every intent and request-type name, once
    skill      `Skill`: parsed request JSON in, response JSON out
    routes     which handler answers which request
    handlers   one function per kind of answer
    turn       one request's view: intent, slots, the caller's position, how to answer
    guide      walking a step-by-step guide
    topic      walking a topic's parts, the one that answers the question first
    asksdk/    where the skill meets ask-sdk-core's internals

It imports only the content below it (`speech.content`, `speech.ssml`), never the web service.
"""
