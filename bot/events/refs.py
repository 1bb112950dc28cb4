"""Who and where: typed references to a platform account and a conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Platform = Literal["slack", "teams", "local"]


PLATFORMS: tuple[Platform, ...] = ("slack", "teams", "local")


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person's account on one platform: (platform, workspace or tenant, user id)."""

    platform: Platform
    workspace: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.id}"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    platform: Platform
    workspace: str
    id: str


# A mention inside typed words: the adapter's translate puts this mark where the mention was
# and the mentioned account, in order, in `CommandReceived.mentions`.
MENTION_MARK = "\ufffc"
