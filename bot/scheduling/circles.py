"""The due-work scan's circle step: form every topic whose forming time has come.

Each topic forms in its own transaction under its row lock (bot.usecases.circle_forming), so
the step is safe to run from any process at any interval: a topic forms once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.db.session import Database
from bot.templates import Prompts
from bot.usecases.circle_forming import due_topics, form_topic

log = logging.getLogger(__name__)


def form_due_circles(
    db: Database, now: datetime, prompts: Prompts, *, actor: str = "scheduler"
) -> int:
    """Form the due topics; returns how many messages were queued."""
    with db.session() as session:
        due = due_topics(session, now)
    queued = 0
    for topic_id in due:
        queued += form_one_topic(db, now, prompts, topic_id, actor=actor)
    return queued


def form_one_topic(
    db: Database, now: datetime, prompts: Prompts, topic_id: int, *, actor: str = "scheduler"
) -> int:
    """Form one topic (by id); a failure is logged and leaves the topic open for next time."""
    try:
        with db.session() as session:
            formed = form_topic(session, now, prompts, topic_id, actor=actor)
    except Exception:
        log.exception("could not form the circles of topic %s", topic_id)
        return 0
    if not formed.already:
        log.info(
            "topic %s formed %d circles (%d unplaced)",
            topic_id,
            len(formed.circles),
            len(formed.unplaced),
        )
    return formed.queued
