"""The operator stream: tracebacks without request content, and a bounded number of lines."""

from __future__ import annotations

import io
import logging

from skill.operatorlog import BURST, ContentFree, RateLimit, configure


def test_a_traceback_names_types_and_places_but_not_the_message() -> None:
    stream = io.StringIO()
    handler = configure(stream)
    try:
        try:
            int("amzn1.ask.account.PLANTED")
        except ValueError:
            logging.getLogger("heroin_help.test").exception("could not read a field")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "could not read a field" in text and "ValueError" in text
    assert "test_operatorlog.py" in text  # where it happened
    assert "PLANTED" not in text


def test_a_flood_is_cut_to_a_burst_and_the_next_line_says_how_many_were_dropped() -> None:
    now = [0.0]
    limit = RateLimit(clock=lambda: now[0])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ContentFree("%(message)s"))
    handler.addFilter(limit)
    log = logging.getLogger("heroin_help.flood")
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(10_000):
            log.warning("refused")
        now[0] += 60
        log.warning("later")
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == BURST + 1
    assert lines[-1] == f"later [{10_000 - BURST} earlier lines dropped]"
