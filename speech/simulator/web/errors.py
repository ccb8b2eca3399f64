"""Every way the web app answers a request with an error, as one tree. The page shows the
message as it is, so each is written for a person, and none carries a stack trace.

    PageError(status, message)      JSON {"error": message}
    ├── BadInput            400     what the page sent cannot be used (no text, not a WAV, ...)
    ├── NotFound            404     no such conversation, answer audio or page
    ├── NoEngine            501     the speech engine a request needs is not installed
    ├── EngineFailed        503     the speech engine is installed but failed this time
    └── SkillUnreachable    502     the skill's service is down, refused the request, or
                                    answered something that is not a response envelope
"""

from __future__ import annotations


class PageError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(PageError):
    status = 400


class NotFound(PageError):
    status = 404


class NoEngine(PageError):
    status = 501


class EngineFailed(PageError):
    status = 503


class SkillUnreachable(PageError):
    status = 502
