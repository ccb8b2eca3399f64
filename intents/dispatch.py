"""Which handler answers a request: ask-sdk's dispatch, as a loop.

ask-sdk-runtime's GenericRequestDispatcher goes through request mappers, handler chains, handler
adapters and interceptors; this skill registers none but its handlers and one exception handler,
so what it does comes down to the loop here, with the same semantics: the first request handler
whose `can_handle` is true handles the request; when none can, DispatchException; any exception
on the way goes to the first exception handler whose `can_handle` accepts it, and is raised
again when none does.

A handler may also say which requests it could ever take, from their type and intent name alone:
`serves(request_type, intent)`. Given a request's type and intent, the loop then tries only those
handlers, in the same order (a handler without `serves` is tried on everything); their
`can_handle` still decides. Which handlers a (type, intent) gets is worked out on its first
request and kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response
from ask_sdk_runtime.exceptions import DispatchException

# Far more than the request types and intents this skill knows; a bound all the same, because
# what is kept must never grow with what callers send.
KEPT = 1024


@runtime_checkable
class Serving(Protocol):
    def serves(self, request_type: str, intent: str | None) -> bool: ...


class Dispatcher:
    def __init__(
        self,
        request_handlers: Sequence[AbstractRequestHandler],
        exception_handlers: Sequence[AbstractExceptionHandler] = (),
    ) -> None:
        self.request_handlers = tuple(request_handlers)
        self.exception_handlers = tuple(exception_handlers)
        self._tried: dict[tuple[str, str | None], tuple[AbstractRequestHandler, ...]] = {}

    def tried(self, request_type: str, intent: str | None) -> tuple[AbstractRequestHandler, ...]:
        """The handlers that may take a request of this type and intent, in order."""
        key = (request_type, intent)
        handlers = self._tried.get(key)
        if handlers is None:
            handlers = tuple(
                handler
                for handler in self.request_handlers
                if not isinstance(handler, Serving) or handler.serves(request_type, intent)
            )
            if len(self._tried) >= KEPT:
                self._tried.clear()
            self._tried[key] = handlers
        return handlers

    def dispatch(
        self, handler_input: HandlerInput, request: tuple[str, str | None] | None = None
    ) -> Response | None:
        """The first handler's answer that can handle `handler_input`; `request`, its request
        type and intent when known, leaves out the handlers that never serve them."""
        handlers = self.request_handlers if request is None else self.tried(*request)
        try:
            for handler in handlers:
                if handler.can_handle(handler_input):
                    response: Response | None = handler.handle(handler_input)
                    return response
            raise DispatchException("Unable to find a suitable request handler")
        except Exception as error:
            for exception_handler in self.exception_handlers:
                if exception_handler.can_handle(handler_input, error):
                    answer: Response | None = exception_handler.handle(handler_input, error)
                    return answer
            raise
