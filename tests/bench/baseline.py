"""The yardstick: bare aiohttp that json-parses the body and returns a fixed answer."""

from __future__ import annotations

import json
import socket
import sys

from aiohttp import web

ANSWER = json.dumps(
    {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "ok"}}}
).encode()


async def endpoint(request: web.Request) -> web.Response:
    json.loads(await request.read())
    return web.Response(body=ANSWER, content_type="application/json")


def main() -> None:
    app = web.Application()
    app.router.add_post("/", endpoint)
    sock = socket.socket()
    sock.bind(("127.0.0.1", int(sys.argv[1])))
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
