"""Every way the service refuses a request, as one tree. Each carries the HTTP status the client
gets and a short reason that is safe to log and to return: a fixed string, never request content.

    Rejected(status, reason)
    ├── BadRequest                  400
    │   ├── EnvelopeError           the body is not an Alexa request envelope
    │   └── VerificationError       a check Amazon requires failed (signature, timestamp, skill id)
    │       └── CertificateError    the signing certificate URL or chain is unacceptable
    └── TooLarge                    413  the body is over the size limit

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


class TooLarge(Rejected):
    status = 413
