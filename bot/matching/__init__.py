"""Pairing of staff across partner organisations, one round at a time."""

from .engine import match, score
from .models import MatchRequest, MatchResult, Participant, PastPair, Preferences, Score

__all__ = [
    "MatchRequest",
    "MatchResult",
    "Participant",
    "PastPair",
    "Preferences",
    "Score",
    "match",
    "score",
]
