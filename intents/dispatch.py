"""Which handler answers a request: ask-sdk's dispatch, as a loop.

ask-sdk-runtime's GenericRequestDispatcher goes through request mappers, handler chains, handler
adapters and interceptors; this skill registers none but its handlers and one exception handler,
so what it does comes down to the loop here, with the same semantics: the first request handler
whose `can_handle` is true handles the request; when none can, DispatchException; any exception
on the way goes to the first exception handler whose `can_handle` accepts it, and is raised
again when none does.
"""

from __future__ import annotations

from collections.abc import Sequence

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response
from ask_sdk_runtime.exceptions import DispatchException


class Dispatcher:
    def __init__(
        self,
        request_handlers: Sequence[AbstractRequestHandler],
        exception_handlers: Sequence[AbstractExceptionHandler] = (),
    ) -> None:
        self.request_handlers = tuple(request_handlers)
        self.exception_handlers = tuple(exception_handlers)

    def dispatch(self, handler_input: HandlerInput) -> Response | None:
        try:
            for handler in self.request_handlers:
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
