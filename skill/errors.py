"""Every way the service refuses a request, as one tree. Each carries the HTTP status the client
gets and a short reason that is safe to log and to return: a fixed string, never request content.

    Rejected(status, reason)
    ├── BadRequest                  400
    │   ├── EnvelopeError           the body is not an Alexa request envelope: not JSON, wrong
    │   │                           JSON types, nested too deeply, a string too long
    │   └── VerificationError       a check Amazon requires failed (signature, timestamp, skill id)
    │       └── CertificateError    the signing certificate URL or chain is unacceptable
    ├── TooSlow                     408  the body did not arrive within the body timeout
    ├── TooLarge                    413  the body is over the size limit
    ├── ClientGone                  499  the client closed the connection before its answer
    ├── InternalError               500  a bug of ours (the trace goes to the operator log only)
    └── Busy                        503  a new connection over the connection cap

`REASONS` holds the reason for a status the service answers without a Rejected of its own
(aiohttp's parser errors, and 404/405 answers), so those too say only fixed words.

Standard library only: the Lambda entry point raises VerificationError too.
"""

from __future__ import annotations


class Rejected(Exception):
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadRequest(Rejected):
    status = 400


class EnvelopeError(BadRequest):
    """The body is not JSON, or not shaped like an Alexa request envelope."""


class VerificationError(BadRequest):
    """A request failed one of the checks Amazon requires of a web-service skill."""


class CertificateError(VerificationError):
    """The signing certificate URL or chain is unacceptable."""


class TooSlow(Rejected):
    status = 408


class TooLarge(Rejected):
    status = 413


class ClientGone(Rejected):
    """Not an answer anyone receives: the status the request log records (nginx's 499)."""

    status = 499


class InternalError(Rejected):
    status = 500


class Busy(Rejected):
    status = 503


REASONS = {
    400: "bad HTTP request",
    404: "not found",
    405: "use POST",
    408: "request too slow",
    413: "request body too large",
    431: "request headers too large",
    499: "client closed the connection",
    500: "internal error",
    503: "server busy",
}


def reason_for(status: int) -> str:
    """The fixed reason for an answer the service gave without a Rejected of its own."""
    return REASONS.get(status) or ("bad HTTP request" if status < 500 else "internal error")
