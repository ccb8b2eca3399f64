"""Prometheus metrics, counted in plain Python on the hot path and exported once a second.

    TALLY           this process's counts: requests by route, type, intent and outcome, their
                    latency, the certificate cache, connections, store errors
    store_error()   what a guide store backend calls when a load, save or forget fails
    Exporter        copies TALLY into prometheus_client's multiprocess files every second, so
                    /metrics answers for every worker, and renders the Prometheus text format
    metrics_app()   the /metrics endpoint, for a port of its own (never the public endpoint)

A prometheus_client update takes microseconds (a lock, and a write to a memory-mapped file in
multiprocess mode); a dict increment takes a tenth of that, which is what a request pays here.
prometheus_client is imported only when metrics are served, and only after the server has set
PROMETHEUS_MULTIPROC_DIR, which prometheus_client reads when it is first imported.
"""

from __future__ import annotations

import asyncio
import threading
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from aiohttp import web

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
EXPORT_SECONDS = 1.0
CERTIFICATE_EVENTS = ("hit", "miss", "download")
# Why the service closed a connection on its own: no complete request head in time; the oldest
# idle one, to make room under the cap; a new one over the cap, with nothing idle to close.
CLOSED_BECAUSE = ("header_timeout", "evicted", "refused")
NAMESPACE = "heroin_help"


class Tally:
    """Plain counters. Only the event loop's thread writes them, except `store_errors`."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str, str], int] = {}
        # route -> counts per LATENCY_BUCKETS bound (the last one is +Inf), and their sum
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = {}
        self.certificate_hits = 0
        self.certificate_misses = 0
        self.certificate_downloads = 0
        self.connections_open = 0
        # The Listener's own count, read at export: idle connections are the ones the cap may
        # close to make room, so an operator near the cap wants to see how many there are.
        self.connections_idle: Callable[[], int] = lambda: 0
        self.connections_closed: dict[str, int] = {why: 0 for why in CLOSED_BECAUSE}
        self.store_errors = 0

    def request(
        self, route: str, request_type: str, intent: str | None, outcome: str, seconds: float
    ) -> None:
        key = (route, request_type, intent or "none", outcome)
        self.requests[key] = self.requests.get(key, 0) + 1
        buckets = self.latency.get(route)
        if buckets is None:
            buckets = self.latency[route] = [0] * (len(LATENCY_BUCKETS) + 1)
            self.latency_sum[route] = 0.0
        buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum[route] += seconds

    def connection_closed(self, why: str) -> None:
        self.connections_closed[why] = self.connections_closed.get(why, 0) + 1


TALLY = Tally()
_store_lock = threading.Lock()  # stores may run in worker threads


def store_error() -> None:
    """Count one failed guide-store operation (heroin_help_store_errors_total)."""
    with _store_lock:
        TALLY.store_errors += 1


class Exporter:
    """TALLY as prometheus_client metrics, in the multiprocess directory `directory`."""

    def __init__(self, directory: str, tally: Tally = TALLY) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.directory = directory
        self.tally = tally
        own = CollectorRegistry()  # metrics live in the files; this registry is never scraped
        self.requests = Counter(
            "requests", "Requests answered, by route, request type, intent and outcome.",
            ["route", "type", "intent", "outcome"], namespace=NAMESPACE, registry=own,
        )  # fmt: skip
        self.latency = Histogram(
            "request_duration_seconds", "Time from request head to answer sent.", ["route"],
            buckets=LATENCY_BUCKETS, namespace=NAMESPACE, registry=own,
        )  # fmt: skip
        self.certificates = Counter(
            "certificate_cache", "Signing-certificate lookups: hit, miss, and download.",
            ["event"], namespace=NAMESPACE, registry=own,
        )  # fmt: skip
        self.closed = Counter(
            "connections_closed", "Connections the service closed on its own, by why.",
            ["why"], namespace=NAMESPACE, registry=own,
        )  # fmt: skip
        self.open = Gauge(
            "connections_open", "Open client connections.", namespace=NAMESPACE, registry=own,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.idle = Gauge(
            "connections_idle", "Open client connections waiting for their next request.",
            namespace=NAMESPACE, registry=own, multiprocess_mode="livesum",
        )  # fmt: skip
        self.store_errors = Counter(
            "store_errors", "Guide store operations that failed.", namespace=NAMESPACE,
            registry=own,
        )  # fmt: skip
        self._sent: dict[Any, float] = {}
        for event in CERTIFICATE_EVENTS:  # present from the start, at 0
            self.certificates.labels(event)
        for why in CLOSED_BECAUSE:
            self.closed.labels(why)

    def _delta(self, key: Any, value: float) -> float:
        delta = value - self._sent.get(key, 0)
        self._sent[key] = value
        return delta

    def export(self) -> None:
        """Hand prometheus_client what was counted since the last export."""
        tally = self.tally
        for key, count in list(tally.requests.items()):
            if delta := self._delta(key, count):
                self.requests.labels(*key).inc(delta)
        for route, buckets in list(tally.latency.items()):
            child = self.latency.labels(route)
            # prometheus_client has no call to add many observations at once; its histogram
            # child keeps one value per bucket and one for the sum, which we add to directly.
            for index, count in enumerate(buckets):
                if delta := self._delta(("latency", route, index), count):
                    child._buckets[index].inc(delta)
            if delta := self._delta(("latency_sum", route), tally.latency_sum[route]):
                child._sum.inc(delta)
        counts = (tally.certificate_hits, tally.certificate_misses, tally.certificate_downloads)
        for event, count in zip(CERTIFICATE_EVENTS, counts, strict=True):
            if delta := self._delta(("certificate", event), count):
                self.certificates.labels(event).inc(delta)
        for why, count in list(tally.connections_closed.items()):
            if delta := self._delta(("closed", why), count):
                self.closed.labels(why).inc(delta)
        self.open.set(tally.connections_open)
        self.idle.set(tally.connections_idle())
        if delta := self._delta("store_errors", tally.store_errors):
            self.store_errors.inc(delta)

    def render(self) -> tuple[bytes, str]:
        """Every worker's metrics in Prometheus text format, and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        self.export()
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST

    async def run(self) -> None:
        """Export every EXPORT_SECONDS until cancelled, and once more then."""
        try:
            while True:
                await asyncio.sleep(EXPORT_SECONDS)
                self.export()
        finally:
            self.export()


def metrics_app(exporter: Exporter) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        body, content_type = exporter.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app
