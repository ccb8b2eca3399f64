"""Walking a topic's parts: which part the caller heard, and which comes next or before.

A topic is said in an order that starts with its lead part (the first answer, or a follow-up that
answers the question asked) and goes on through the others. The position travels in the session
attributes, so it is plain JSON-friendly data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from speech.content.model import Topic


class TopicPosition(NamedTuple):
    # A named tuple, not a frozen dataclass: as immutable, and built on every topic request at a
    # third of the cost.
    topic: Topic
    part: int  # the part just said: 0 is the first answer, k the k-th follow-up
    lead: int = 0  # the part said first

    @classmethod
    def first(cls, topic: Topic, lead: int = 0) -> TopicPosition:
        return cls(topic, lead, lead)

    def _moved(self, step: int) -> TopicPosition | None:
        order = self.topic.order(self.lead)
        index = order.index(self.part) + step
        if not 0 <= index < len(order):
            return None
        return TopicPosition(self.topic, order[index], self.lead)

    def next(self) -> TopicPosition | None:
        """The part offered after this one, or None after the last."""
        return self._moved(1)

    def previous(self) -> TopicPosition:
        """The part before this one; the lead stays where it is."""
        return self._moved(-1) or self

    def to_session(self) -> dict[str, Any]:
        return {"key": self.topic.key, "part": self.part, "lead": self.lead}

    @classmethod
    def from_session(
        cls, data: Any, topics: Mapping[str, Topic], medications: Mapping[str, Topic]
    ) -> TopicPosition | None:
        """The saved position, or None when it is missing or no longer matches the content."""
        if not isinstance(data, dict):
            return None
        key = str(data.get("key", ""))
        # Topic keys are intent names, medicine keys are medicine names: they never collide.
        topic = topics.get(key) or medications.get(key)
        part, lead = data.get("part"), data.get("lead", 0)
        if topic is None or not isinstance(part, int) or not isinstance(lead, int):
            return None
        if not (0 <= part < topic.parts and 0 <= lead < topic.parts):
            return None
        return cls(topic, part, lead)
