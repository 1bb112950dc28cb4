"""The bot core's one front door: a typed event in, a `Reply` (messages and a view) out.

Adapters translate platform input into `bot.events` and call `handle`; they never open a
database session or call a use case. Work runs in a worker thread, in one transaction per
event; the handlers (bot/handlers/, by audience) check rights and run the use cases.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot import accounts, actions
from bot import circle_commands as cc
from bot import commands as c
from bot.clock import Clock
from bot.db.session import Database
from bot.events import (
    ActionInvoked,
    AnotherQuestionAsked,
    CheckInAnswered,
    CircleCheckInAnswered,
    CircleJoinRequested,
    CircleProposalDecided,
    CircleStepAnswered,
    CommandReceived,
    ConversationRef,
    FormOpened,
    FormSubmitted,
    HomeOpened,
    InboundEvent,
    MemberJoined,
    MembersListed,
    Message,
    NextRoundChosen,
    PauseRequested,
    PreviewPageAsked,
    ReachChanged,
    ReportShared,
    StepAnswered,
    TimeChosen,
    TimesRequested,
    UserRef,
)
from bot.handlers import checkins as checkin_answers
from bot.handlers import (
    circles,
    coordinators,
    introductions,
    leads,
    next_steps,
    pressure,
    staff,
)
from bot.handlers.turn import Turn
from bot.observe import UNWATCHED, Observer
from bot.templates import Prompts
from bot.usecases import home, people
from bot.usecases.common import UseCaseError, first_request, person_for
from bot.views import Reply

__all__ = ["Crossties", "Reply"]

log = logging.getLogger(__name__)
NAMED_AT_MOST = 20_000  # accounts remembered as known by name, per process
# Where the platform cannot say who administers a workspace, only coordinators create.
DENIED_WITHOUT_ADMINS = "teams_denied_create_programme"


class Crossties:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        prompts: Prompts,
        *,
        report_min_count: int = 5,
        concurrency: int = 1,
        observer: Observer = UNWATCHED,
    ) -> None:
        self.db = db
        self.observer = observer
        self.concurrency = concurrency
        self._turns: asyncio.Semaphore | None = None
        self.clock = clock
        self.prompts = prompts
        self.report_min_count = report_min_count
        self._on_queued: list[Callable[[], Awaitable[None]]] = []
        self._on_forgotten: list[Callable[[tuple[UserRef, ...]], None]] = []
        self._named: OrderedDict[UserRef, None] = OrderedDict()  # see known_by_name

    def on_queued(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Register a wake-up for the delivery worker."""
        self._on_queued.append(callback)

    def on_forgotten(self, callback: Callable[[tuple[UserRef, ...]], None]) -> None:
        """Register an eraser for what an adapter keeps outside the core's tables (called in a
        worker thread, after the erasure is committed, with the person's former accounts)."""
        self._on_forgotten.append(callback)

    async def handle(self, event: InboundEvent) -> Reply:
        """Handle one event in a worker thread, at most `concurrency` at once: the adapters
        acknowledge before this, so a flood of requests queues here instead of crowding out
        the acknowledgements (which share the event loop and the cores with this work)."""
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.concurrency)
        async with self._turns:
            reply = await asyncio.to_thread(self.handle_sync, event)
        if reply.queued:
            await self.wake_delivery()
        return reply

    async def known_by_name(self, user: UserRef) -> bool:
        """Whether the person behind an account already has a name here, so an adapter need
        not ask its platform who they are (a rate-limited call) before building an event."""
        if user in self._named:
            return True

        def known() -> bool:
            with self.db.session() as session:
                person = person_for(session, user)
                return bool(person is not None and person.name)

        try:
            named = await asyncio.to_thread(known)
        except SQLAlchemyError:  # the database is down: the handling will say so
            return False
        if named:  # a name is only ever removed by erasure, which drops it from here
            self._named[user] = None
            while len(self._named) > NAMED_AT_MOST:
                self._named.popitem(last=False)
        return named

    async def stored(self, user: UserRef) -> accounts.Stored:
        """What is kept for reaching an account (its proactive address, the bot's direct chat
        with it), so an adapter can tell whether it must learn them (platform calls) first."""

        def read() -> accounts.Stored:
            with self.db.session() as session:
                return accounts.stored(session, user)

        return await asyncio.to_thread(read)

    async def wake_delivery(self) -> None:
        """Tell the delivery worker that messages were queued (also outside `handle`)."""
        for callback in self._on_queued:
            await callback()

    def say(self, prompt: str, /, **context: object) -> Message:
        return Message.text(self.prompts.render(prompt, **context), ephemeral=True)

    # ------------------------------------------------------------ dispatch

    def handle_sync(self, event: InboundEvent) -> Reply:
        started = time.perf_counter()
        reply, outcome = self._handle_once(event)
        seconds = time.perf_counter() - started
        self.observer.handled(event.user.platform, type(event).__name__, outcome, seconds)
        return reply

    def _handle_once(self, event: InboundEvent) -> tuple[Reply, str]:
        """The reply and its outcome for the metrics: ok, duplicate, refused or error."""
        try:
            with self.db.session() as session:
                key = event.request_key
                if key and not first_request(session, key, self.clock.now()):
                    return Reply((), duplicate=True), "duplicate"
                reply = self._dispatch(session, event)
        except UseCaseError as error:
            prompt = error.prompt
            if prompt == "denied_create_programme" and not getattr(event, "admin_known", True):
                prompt = DENIED_WITHOUT_ADMINS
            return Reply((self.say(prompt, **error.context),), refused=error.prompt), "refused"
        except Exception as error:
            log.exception("could not handle %s", type(event).__name__)
            if isinstance(error, SQLAlchemyError):
                self.observer.database_error("handle")
            return Reply((self.say("error_internal"),)), "error"
        finally:
            self._note_dm(event)
        for user in reply.forgotten:
            self._named.pop(user, None)
        for erase in self._on_forgotten if reply.forgotten else ():
            try:
                erase(reply.forgotten)
            except Exception:
                log.exception("an adapter could not erase a forgotten person's data")
        return reply, "refused" if reply.refused else "ok"

    def _note_dm(self, event: InboundEvent) -> None:
        """Keep the bot's direct chat with the person when the platform showed it, so later
        messages need not open one; only a shortcut, so a failure here is not the answer's."""
        channel = getattr(event, "dm_channel", None)
        if not channel:
            return
        try:
            with self.db.session() as session:
                accounts.remember_dm(session, event.user, channel)
        except SQLAlchemyError as error:
            log.warning("could not keep a DM channel: %s", type(error).__name__)

    def _dispatch(self, session: Session, event: InboundEvent) -> Reply:
        now = self.clock.now()
        if isinstance(event, ActionInvoked):
            decoded = actions.decode(event)
            if decoded is None:
                raise UseCaseError("error_bad_action")
            event = decoded
        if isinstance(event, ReachChanged):
            if event.reachable is not None:
                accounts.set_reachable(session, event.user, event.reachable)
            return Reply(())  # a direct chat it names is kept after the turn (_note_dm)
        if isinstance(event, HomeOpened) and event.refresh:  # reads only
            return self._home(session, event)
        person = people.ensure_person(
            session,
            event.user,
            now,
            display_name=event.display_name,
            email=getattr(event, "email", None),
            address=getattr(event, "address", None),
        )
        turn = Turn(session, now, self.prompts, event.user, person, self.report_min_count)
        match event:
            case MemberJoined():
                return staff.welcome(turn)
            case HomeOpened():
                return self._home(session, event)
            case CheckInAnswered():
                return next_steps.offer(turn, staff.answer_checkin(turn, event))
            case NextRoundChosen():
                return checkin_answers.choose(turn, event)
            case StepAnswered():
                return next_steps.answer(turn, event)
            case PauseRequested():
                return staff.pause(turn, event)
            case AnotherQuestionAsked():
                return introductions.another_question(turn, event)
            case TimesRequested():
                return introductions.suggest_times(turn, event)
            case TimeChosen():
                return introductions.time_chosen(turn, event)
            case FormOpened():
                return coordinators.open_form(turn, event)
            case FormSubmitted():
                return coordinators.save_form(turn, event)
            case MembersListed():
                return coordinators.invite_members(turn, event)
            case CommandReceived():
                parsed = c.parse(event.text, event.mentions)
                return self._command(turn, parsed, event.conversation)
            case ReportShared():
                return leads.share(turn, event)
            case PreviewPageAsked():
                return coordinators.preview_page(turn, event)
            case CircleJoinRequested():
                return circles.join_pressed(turn, event)
            case CircleCheckInAnswered():
                return next_steps.offer_to_circle(turn, circles.answer_checkin(turn, event), event)
            case CircleStepAnswered():
                return next_steps.answer_circle(turn, event)
            case CircleProposalDecided():
                return circles.decide_pressed(turn, event)
        raise UseCaseError("error_bad_action")

    def _home(self, session: Session, event: HomeOpened) -> Reply:
        admin = event.workspace_admin
        view = home.home_view(
            session, event.user, self.prompts, workspace_admin=admin, now=self.clock.now()
        )
        return Reply((), view=view)

    def _command(
        self,
        turn: Turn,
        parsed: c.Parsed | cc.CircleCommand | c.ParseError,
        asked_in: ConversationRef | None = None,
    ) -> Reply:
        match parsed:
            case c.ParseError(prompt=prompt, word=word, detail=detail):
                return Reply((turn.say(prompt, word=word, detail=detail),))
            case c.Report():
                return leads.report(turn, parsed, asked_in)
            case c.RoundPreview() | c.RoundRun() | c.Exclude() | c.Programmes() | c.CheckinsSend():
                return coordinators.command(turn, parsed)
            case c.PauseOrganisation() | c.ResumeOrganisation():
                return pressure.command(turn, parsed)
            case c.ProfileCadence() | c.ProfileDays():
                return pressure.command(turn, parsed)
            case c.NextStep() | c.StepDone():
                return next_steps.command(turn, parsed)
            case (
                cc.CirclesList()
                | cc.CircleJoin()
                | cc.CircleLeave()
                | cc.CircleOpen()
                | cc.CircleForm()
                | cc.CirclePropose()
                | cc.CircleDecide()
                | cc.CircleProposals()
            ):
                return circles.command(turn, parsed)
        return staff.command(turn, parsed)
