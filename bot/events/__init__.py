"""The neutral event model: what comes in from a platform and what goes out.

Adapters translate platform payloads into these frozen objects and render the outgoing
ones natively; no SDK type crosses into `bot/`. Text is plain (never markup): renderers
escape it for their platform.

The events live in one module per audience (`inbound` for anyone, `staff`, `coordinators`,
`leads`), the references in `refs` and what goes out in `outbound`; every name is
importable from `bot.events` itself.
"""

from __future__ import annotations

from bot.events.coordinators import (
    CircleProposalDecided,
    FormOpened,
    FormSubmitted,
    ListedMember,
    MembersListed,
    PreviewPageAsked,
    ProgrammeForm,
    split_organisations,
)
from bot.events.inbound import (
    ActionInvoked,
    CommandReceived,
    HomeOpened,
    MemberJoined,
)
from bot.events.leads import (
    ReportShared,
)
from bot.events.outbound import (
    Button,
    Card,
    ChoiceList,
    Fact,
    GroupChat,
    Image,
    Message,
    Part,
    Share,
    Text,
)
from bot.events.refs import (
    MENTION_MARK,
    PLATFORMS,
    ConversationRef,
    Platform,
    UserRef,
)
from bot.events.staff import (
    AnotherQuestionAsked,
    CheckInAnswered,
    CircleCheckInAnswered,
    CircleJoinRequested,
    CircleStepAnswered,
    NextRoundChosen,
    PauseRequested,
    ReachChanged,
    StepAnswered,
    TimeChosen,
    TimesRequested,
)

InboundEvent = (
    CommandReceived
    | ActionInvoked
    | MemberJoined
    | CheckInAnswered
    | StepAnswered
    | PauseRequested
    | NextRoundChosen
    | FormOpened
    | FormSubmitted
    | MembersListed
    | HomeOpened
    | ReachChanged
    | ReportShared
    | PreviewPageAsked
    | AnotherQuestionAsked
    | TimesRequested
    | TimeChosen
    | CircleJoinRequested
    | CircleCheckInAnswered
    | CircleProposalDecided
    | CircleStepAnswered
)

__all__ = [
    "MENTION_MARK",
    "PLATFORMS",
    "ActionInvoked",
    "AnotherQuestionAsked",
    "Button",
    "Card",
    "CheckInAnswered",
    "ChoiceList",
    "CircleCheckInAnswered",
    "CircleJoinRequested",
    "CircleProposalDecided",
    "CircleStepAnswered",
    "CommandReceived",
    "ConversationRef",
    "Fact",
    "FormOpened",
    "FormSubmitted",
    "GroupChat",
    "HomeOpened",
    "Image",
    "InboundEvent",
    "ListedMember",
    "MemberJoined",
    "MembersListed",
    "Message",
    "NextRoundChosen",
    "Part",
    "PauseRequested",
    "Platform",
    "PreviewPageAsked",
    "ProgrammeForm",
    "ReachChanged",
    "ReportShared",
    "Share",
    "StepAnswered",
    "Text",
    "TimeChosen",
    "TimesRequested",
    "UserRef",
    "split_organisations",
]
