"""Typed identifiers: a row id of one table cannot be passed where another's is expected.

They are plain ints at run time (NewType), so they cost nothing and store as they always did.
"""

from __future__ import annotations

from typing import NewType

PersonId = NewType("PersonId", int)
ProgrammeId = NewType("ProgrammeId", int)
IntroductionId = NewType("IntroductionId", int)
OutboxId = NewType("OutboxId", int)
CircleTopicId = NewType("CircleTopicId", int)
CircleId = NewType("CircleId", int)
