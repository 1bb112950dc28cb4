"""The bot core: takes a neutral event, runs the use case, answers with neutral messages.

Platform adapters call `handle`; nothing here knows Slack or Teams. Database work runs in a
worker thread so the event loop stays free. Rights are checked in the use cases' callers here.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot import commands as c
from bot.clock import Clock
from bot.compose import CHECKIN_ACTION, PAUSE_ACTION, PAUSE_WEEKS
from bot.db.models import Answer, Person, Programme, ProgrammeRoleKind
from bot.db.session import Database
from bot.events import (
    ActionInvoked,
    Button,
    Card,
    Fact,
    InboundEvent,
    MemberJoined,
    Message,
    Text,
    UserRef,
)
from bot.templates import Prompts
from bot.usecases import checkins, coordination, people, programmes, rounds, ties
from bot.usecases.common import (
    UseCaseError,
    audit,
    first_request,
    has_role,
    person_for,
    require_role,
    resolve_programme,
    visible_programmes,
)

log = logging.getLogger(__name__)
NAMED_AT_MOST = 20_000  # accounts remembered as known by name, per process


@dataclass(frozen=True)
class Reply:
    """What the core answers to one event: messages for the sender, and whether messages
    were queued for others (so the delivery worker can be woken)."""

    messages: tuple[Message, ...]
    queued: bool = False
    forgotten: tuple[UserRef, ...] = ()  # accounts of a person who was just erased
    duplicate: bool = False  # the request was handled before: nothing was done or said


class Crossties:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        prompts: Prompts,
        *,
        report_min_count: int = 5,
        concurrency: int = 1,
    ) -> None:
        self.db = db
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
        not ask its platform who they are (a rate-limited call) before handling them."""

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

    async def wake_delivery(self) -> None:
        """Tell the delivery worker that messages were queued (also outside `handle`)."""
        for callback in self._on_queued:
            await callback()

    def say(self, prompt: str, /, **context: object) -> Message:
        return Message.text(self.prompts.render(prompt, **context), ephemeral=True)

    # ------------------------------------------------------------ dispatch

    def handle_sync(self, event: InboundEvent) -> Reply:
        try:
            with self.db.session() as session:
                key = event.request_key
                if key and not first_request(session, key, self.clock.now()):
                    return Reply((), duplicate=True)
                reply = self._dispatch(session, event)
        except UseCaseError as error:
            return Reply((self.say(error.prompt, **error.context),))
        except Exception:
            log.exception("could not handle %s", type(event).__name__)
            return Reply((self.say("error_internal"),))
        for user in reply.forgotten:
            self._named.pop(user, None)
        for erase in self._on_forgotten if reply.forgotten else ():
            try:
                erase(reply.forgotten)
            except Exception:
                log.exception("an adapter could not erase a forgotten person's data")
        return reply

    def _dispatch(self, session: Session, event: InboundEvent) -> Reply:
        now = self.clock.now()
        if isinstance(event, MemberJoined):
            person = people.ensure_person(
                session,
                event.user,
                now,
                display_name=event.display_name,
                email=event.email,
                address=event.address,
            )
            names = [p.name for p in visible_programmes(session, event.user)]
            return Reply((self.say("welcome", name=person.name, programmes=names),))
        person = people.ensure_person(
            session,
            event.user,
            now,
            display_name=event.display_name,
            email=getattr(event, "email", None),
        )
        if isinstance(event, ActionInvoked):
            return self._action(session, event, person)
        parsed = c.parse(event.text)
        if isinstance(parsed, c.ParseError):
            return Reply((self.say(parsed.prompt, word=parsed.word, detail=parsed.detail),))
        return self._command(session, event.user, person, parsed)

    def _programme(self, session: Session, user: UserRef, name: str | None) -> Programme:
        return resolve_programme(session, name, user)

    def _command(self, session: Session, user: UserRef, person: Person, command: c.Parsed) -> Reply:
        now = self.clock.now()
        today = self._today(person)
        match command:
            case c.Help():
                roles = self._roles(session, user, person)
                return Reply(
                    (self.say("help", coordinator="coordinator" in roles, lead="lead" in roles),)
                )
            case c.Join(organisation=organisation):
                programme = self._programme(session, user, command.programme)
                result = people.join(session, now, person, programme, organisation)
                return Reply(
                    (
                        self.say(
                            "joined",
                            programme=result.programme,
                            organisation=result.organisation,
                            rejoined=result.rejoined,
                        ),
                    )
                )
            case c.Leave():
                programme = self._programme(session, user, command.programme)
                people.leave(session, now, person, programme)
                return Reply((self.say("left", programme=programme.name),))
            case c.Pause(until=until, weeks=weeks):
                programme = self._programme(session, user, command.programme)
                until = people.pause(
                    session, today, now, person, programme, until=until, weeks=weeks
                )
                return Reply((self.say("paused", programme=programme.name, until=until),))
            case c.Resume():
                programme = self._programme(session, user, command.programme)
                was = people.resume(session, now, person, programme)
                return Reply((self.say("resumed", programme=programme.name, was_paused=was),))
            case c.Profile(field_name=None):
                view = people.profile(session, person)
                return Reply((self._profile_message(view),))
            case c.Profile(field_name=field_name, value=value):
                scope = None
                if field_name == "organisation":
                    scope = self._programme(session, user, command.programme)
                assert field_name is not None and value is not None
                people.update_profile(session, now, person, field_name, value, scope)
                return Reply((self.say("profile_updated", field=field_name),))
            case c.ShowMatch():
                return Reply((self._current_match(session, user, person, command.programme),))
            case c.Met(answer=answer):
                maybe = self._programme_or_none(session, user, command.programme)
                intro = checkins.latest_introduction(session, person, maybe)
                if intro is None or intro.id is None:
                    raise UseCaseError("error_no_introduction")
                answered = checkins.record_answer(session, now, person, intro.id, answer)
                return Reply((self._answered(answered),))
            case c.Log(person=mention, note=note, tags=tags):
                programme = self._programme(session, user, command.programme)
                people.require_membership(session, person, programme)
                other = ties.resolve_mention(session, user, mention, programme)
                ties.log_collaboration(session, now, person, other, programme, note, tags)
                return Reply((self.say("logged", name=other.name or "them", tags=list(tags)),))
            case c.Ties():
                views = ties.my_ties(session, person)
                return Reply((self._ties_message(views),))
            case c.ForgetMe(confirmed=False):
                card = Card(
                    title=self.prompts.render("forget_title"),
                    sections=(self.prompts.render("forget_confirm"),),
                    buttons=(
                        Button(self.prompts.render("button_forget"), "forget", "confirm", "danger"),
                    ),
                )
                return Reply((Message((card,), ephemeral=True),))
            case c.ForgetMe(confirmed=True):
                gone = people.accounts_of(session, person)
                people.forget(session, now, person)
                return Reply((self.say("forgotten"),), forgotten=gone)
            case c.MyData():
                data = people.my_data(session, person)
                return Reply(
                    (Message((Text(self.prompts.render("my_data")), Text(data)), ephemeral=True),)
                )
            case c.Report():
                programme = self._programme(session, user, command.programme)
                require_role(session, person, programme, ProgrammeRoleKind.LEAD)
                audit(session, now, f"person:{person.id}", "report", programme.id)
                return Reply((self.report_message(session, programme),))
            case c.RoundPreview():
                programme = self._programme(session, user, command.programme)
                require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
                plan = rounds.plan_round(session, now, programme)
                audit(session, now, f"person:{person.id}", "round_preview", programme.id)
                return Reply((self._preview_message(plan),))
            case c.RoundRun():
                programme = self._programme(session, user, command.programme)
                require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
                summary = rounds.run_round(
                    session, now, programme, self.prompts, actor=f"person:{person.id}"
                )
                return Reply(
                    (self.say("round_done", summary=summary, plan=summary.plan),),
                    queued=summary.messages_queued > 0,
                )
            case c.Exclude(a=a, b=b):
                programme = self._programme(session, user, command.programme)
                require_role(session, person, programme, ProgrammeRoleKind.COORDINATOR)
                first = ties.resolve_mention(session, user, a, programme)
                second = ties.resolve_mention(session, user, b, programme)
                added = programmes.add_exclusion(
                    session, now, programme, first, second, actor=f"person:{person.id}", by=person
                )
                return Reply((self.say("excluded", added=added, a=first.name, b=second.name),))
            case c.Programmes():
                return Reply((self._programmes_message(session, user, person),))
        raise UseCaseError("error_unknown_command", word="")

    def _action(self, session: Session, event: ActionInvoked, person: Person) -> Reply:
        now = self.clock.now()
        if event.action == CHECKIN_ACTION:
            intro_text, _, answer_text = event.value.partition(":")
            try:
                intro_id = int(intro_text)
                answer = Answer(answer_text)
            except ValueError:
                raise UseCaseError("error_bad_action") from None
            answered = checkins.record_answer(session, now, person, intro_id, answer)
            return Reply((self._answered(answered),))
        if event.action == PAUSE_ACTION:
            weeks_text, named, programme_text = event.value.partition(":")
            weeks_text = weeks_text or str(PAUSE_WEEKS)
            if not (weeks_text.isascii() and weeks_text.isdigit() and len(weeks_text) <= 2):
                raise UseCaseError("error_bad_action")
            weeks = max(1, min(52, int(weeks_text)))
            if named:  # "weeks:programme id"; a bare "weeks" from older cards
                programme = self._programme_by_id(session, event.user, programme_text)
            else:
                programme = self._programme(session, event.user, None)
            until = people.pause(session, self._today(person), now, person, programme, weeks=weeks)
            return Reply((self.say("paused", programme=programme.name, until=until),))
        if event.action == coordination.PROGRAMME_FORM_ACTION:
            # Slack and Teams open their form before the core sees this; elsewhere say where.
            coordination.open_form(session, event.user, event.value, workspace_admin=False)
            return Reply((self.say("programme_form_elsewhere"),))
        if event.action == "forget" and event.value == "confirm":
            gone = people.accounts_of(session, person)
            people.forget(session, now, person)
            return Reply((self.say("forgotten"),), forgotten=gone)
        if event.action in {
            "join",
            "resume",
            "leave",
            "help",
            "ties",
            "match",
            "report",
            "round preview",
            "round run",
            "profile",
        }:
            text = event.action + (f" {event.value}" if event.value else "")
            parsed = c.parse(text)
            if isinstance(parsed, c.ParseError):
                return Reply((self.say(parsed.prompt, word=parsed.word, detail=parsed.detail),))
            return self._command(session, event.user, person, parsed)
        raise UseCaseError("error_bad_action")

    # ------------------------------------------------------------ helpers

    def _today(self, person: Person) -> date:
        from zoneinfo import ZoneInfo

        try:
            return self.clock.now().astimezone(ZoneInfo(person.timezone)).date()
        except Exception:
            return self.clock.now().date()

    def _programme_or_none(
        self, session: Session, user: UserRef, name: str | None
    ) -> Programme | None:
        try:
            return self._programme(session, user, name)
        except UseCaseError:
            if name:
                raise
            return None

    def _programme_by_id(self, session: Session, user: UserRef, text: str) -> Programme:
        """A programme named by id on a button: only one visible to this person."""
        if text.isdigit():
            for programme in visible_programmes(session, user):
                if programme.id == int(text):
                    return programme
        raise UseCaseError("error_bad_action")

    def _programmes_message(self, session: Session, user: UserRef, person: Person) -> Message:
        """The programmes here; for coordinators a card with a form button per programme they
        coordinate and one for a new programme (platform admins are not known here)."""
        listed = visible_programmes(session, user)
        text = self.prompts.render("programmes", programmes=[p.name for p in listed])
        mine = [p for p in listed if has_role(session, person, p, ProgrammeRoleKind.COORDINATOR)]
        creates = coordination.may_create(session, user, workspace_admin=False)
        if not mine and not creates:
            return Message.text(text, ephemeral=True)
        buttons = [
            Button(
                self.prompts.render("button_edit_programme", programme=p.name),
                coordination.PROGRAMME_FORM_ACTION,
                str(p.id),
            )
            for p in mine
        ]
        if creates:
            buttons.append(
                Button(
                    self.prompts.render("button_new_programme"),
                    coordination.PROGRAMME_FORM_ACTION,
                    coordination.NEW_PROGRAMME,
                    "primary",
                )
            )
        card = Card(
            title=self.prompts.render("programmes_title"),
            sections=(text,),
            buttons=tuple(buttons),
        )
        return Message((card,), ephemeral=True)

    def _roles(self, session: Session, user: UserRef, person: Person) -> set[str]:
        found: set[str] = set()
        for programme in visible_programmes(session, user):
            for role in ProgrammeRoleKind:
                if has_role(session, person, programme, role):
                    found.add(role.value)
        return found

    def _answered(self, result: checkins.AnswerResult) -> Message:
        return self.say("answer_recorded", answer=result.answer.value, answers=result.answers)

    def _profile_message(self, view: people.ProfileView) -> Message:
        facts = (
            Fact(self.prompts.render("label_name"), view.name or "—"),
            Fact(self.prompts.render("label_organisation"), view.organisation or "—"),
            Fact(self.prompts.render("label_role"), view.role or "—"),
            Fact(self.prompts.render("label_timezone"), view.timezone),
            Fact(self.prompts.render("label_share_email"), "yes" if view.share_email else "no"),
            *tuple(
                Fact(name, status + (f" until {until}" if until else ""))
                for name, status, until in view.memberships
            ),
        )
        card = Card(
            title=self.prompts.render("profile_title"),
            facts=facts,
            footer=self.prompts.render("profile_footer"),
        )
        return Message((card,), ephemeral=True)

    def _current_match(
        self, session: Session, user: UserRef, person: Person, name: str | None
    ) -> Message:
        programme = self._programme_or_none(session, user, name)
        intro = checkins.latest_introduction(session, person, programme)
        if intro is None:
            return self.say("no_match")
        info = checkins.describe(session, intro, person, self.prompts)
        from bot.compose import checkin_buttons

        card = Card(
            title=self.prompts.render(
                "match_title", round=info.round_number, programme=info.programme
            ),
            facts=tuple(
                Fact(n, self.prompts.render("intro_person", role=r, organisation=o))
                for n, o, r in info.partners
            ),
            sections=(
                self.prompts.render("intro_starter", starter=info.starter),
                self.prompts.render("match_answer", answer=info.my_answer),
            ),
            buttons=checkin_buttons(self.prompts, info.introduction_id),
        )
        return Message((card,), ephemeral=True)

    def _ties_message(self, views: list[ties.TieView]) -> Message:
        if not views:
            return self.say("no_ties")
        card = Card(
            title=self.prompts.render("ties_title", count=len(views)),
            facts=tuple(
                Fact(
                    v.name,
                    self.prompts.render(
                        "tie_line",
                        organisation=v.organisation,
                        stage=v.stage,
                        since=v.since,
                        collaborations=v.collaborations,
                    ),
                )
                for v in views
            ),
        )
        return Message((card,), ephemeral=True)

    def _preview_message(self, plan: rounds.RoundPlan) -> Message:
        lines = tuple(
            " + ".join(f"{n} ({o})" for n, o in zip(g.names, g.organisations, strict=True))
            for g in plan.groups[:50]
        )
        card = Card(
            title=self.prompts.render("preview_title", plan=plan),
            sections=(self.prompts.render("preview_summary", plan=plan), *lines),
            buttons=(Button(self.prompts.render("button_run_round"), "round run", "", "primary"),),
        )
        return Message((card,), ephemeral=True)

    def report_message(self, session: Session, programme: Programme) -> Message:
        """A lead's report: Message(Card summary, Image chart), small numbers suppressed."""
        from bot.reports.chat import report_message

        return report_message(session, programme, self.prompts, self.report_min_count)
