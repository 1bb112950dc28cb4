"""How many of people's requests one process takes on (docs/load-and-faults.md).

Both adapters acknowledge a request before doing its work, so the acknowledgement stays quick
however much work is waiting; the core then works on a few at a time (`Crossties.handle`).
A request takes a place here when it is accepted (`take`) and gives it back when its work is
done (`give_back`). At most `limit` places are taken: past that, the adapters answer a new
command at once with "busy, try again in a moment" (prompts/busy.j2) and do nothing with it.
Clicks, such as check-in answers, always get a place.
"""

from __future__ import annotations


class Backlog:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0

    def full(self) -> bool:
        return self.taken >= self.limit

    def take(self, *, even_if_full: bool = False) -> bool:
        """Take a place for a request being accepted; False (and nothing taken) if full."""
        if self.full() and not even_if_full:
            return False
        self.taken += 1
        return True

    def give_back(self) -> None:
        self.taken -= 1
