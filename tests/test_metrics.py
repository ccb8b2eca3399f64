"""/metrics in Prometheus text format, from a real `serve --workers 2`, on its own port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
from aiohttp import ClientSession

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import start_service
from speech.simulator.envelopes import Session
from speech.simulator.transports import SignedClient
from tests.helpers import metric_samples


async def test_metrics_count_every_worker_s_requests_on_a_port_of_their_own(
    dev_pki: DevPaths,
) -> None:
    service = start_service(dev_pki, ["--workers", "2", "--metrics-port", "0"])
    try:
        assert service.metrics_url is not None
        async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
            for _ in range(10):  # new connections: the kernel spreads them over both workers
                async with SignedClient(service.url, client.signing_key) as one:
                    await one.send(Session().intent("OverdoseSignsIntent"))
            body = orjson.dumps(Session().launch())
            unsigned = {**client.signed_headers(body), "Signature-256": "x"}
            assert (await client.post(body, unsigned))[0] == 400
        time.sleep(1.5)  # each worker hands its counts to prometheus_client once a second
        async with ClientSession() as http:
            async with http.get(service.metrics_url) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                text = await response.text()
            async with http.get(service.url + "metrics") as response:
                assert response.status == 404  # not on the public endpoint
    finally:
        service.stop()
    found = metric_samples(text)
    ok = (
        "heroin_help_requests_total",
        frozenset(
            {
                ("route", "alexa"),
                ("type", "IntentRequest"),
                ("intent", "OverdoseSignsIntent"),
                ("outcome", "ok"),
            }
        ),
    )
    assert found[ok] == 10
    rejected = [
        value
        for (name, labels), value in found.items()
        if name == "heroin_help_requests_total" and ("outcome", "rejected") in labels
    ]
    assert sum(rejected) == 1
    count = found[("heroin_help_request_duration_seconds_count", frozenset({("route", "alexa")}))]
    assert count == 11
    hits = found[("heroin_help_certificate_cache_total", frozenset({("event", "hit")}))]
    misses = found[("heroin_help_certificate_cache_total", frozenset({("event", "miss")}))]
    # The bad signature was refused before any lookup; each worker's first lookup missed.
    assert hits + misses == 10 and 1 <= misses <= 2
    assert found[("heroin_help_store_errors_total", frozenset())] == 0
    print("\n" + text)


def test_store_error_is_counted_in_the_exported_metrics(tmp_path: Path) -> None:
    """What the guide store backends call: counted, exported, and rendered."""
    code = f"""
import os
os.environ["PROMETHEUS_MULTIPROC_DIR"] = {str(tmp_path)!r}
from skill.metrics import Exporter, store_error
store_error(); store_error()
print(Exporter({str(tmp_path)!r}).render()[0].decode())
"""
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert metric_samples(output)[("heroin_help_store_errors_total", frozenset())] == 2
