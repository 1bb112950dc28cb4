"""Teams activities → neutral events.

A Teams person is `UserRef("teams", tenant id, Entra object id)`, or the Bot Framework user id
(`29:…`) when the object id is not in the payload. Mentions of other people become mention
marks in the words and typed accounts in the event; the bot's own mention is dropped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount

from bot.events import (
    MENTION_MARK,
    ActionInvoked,
    CommandReceived,
    ConversationRef,
    MemberJoined,
    UserRef,
)

_AT_TAG = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")


def tenant_of(activity: Activity) -> str:
    """The Entra tenant: the workspace of every Teams UserRef."""
    if activity.conversation is not None and activity.conversation.tenant_id:
        return str(activity.conversation.tenant_id)
    data = activity.channel_data if isinstance(activity.channel_data, Mapping) else {}
    tenant = data.get("tenant") or {}
    return str(tenant.get("id") or "unknown")


def team_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, Mapping) else {}
    team = data.get("team") or {}
    return str(team["id"]) if team.get("id") else None


def user_id(account: ChannelAccount | Mapping[str, Any]) -> str:
    """The id a Teams person is known by: Entra object id when known, else the channel id."""
    if isinstance(account, Mapping):
        return str(account.get("aadObjectId") or account.get("id") or "")
    return str(getattr(account, "aad_object_id", None) or account.id or "")


def user_ref(activity: Activity, account: ChannelAccount | None = None) -> UserRef:
    return UserRef("teams", tenant_of(activity), user_id(account or activity.from_property))


def conversation_ref(activity: Activity) -> ConversationRef:
    return ConversationRef("teams", tenant_of(activity), str(activity.conversation.id))


def conversation_kind(activity: Activity) -> str:
    """ "personal", "groupChat" or "channel"."""
    return str(getattr(activity.conversation, "conversation_type", None) or "personal")


@dataclass(frozen=True)
class Address:
    """Everything needed to message a person later, kept in PlatformAccount.address as JSON.

    `reference` is a 1:1 conversation reference when the person has talked to the bot;
    without it, `service_url` and `member_id` let the bot open the 1:1 chat itself (the app
    must be installed for the person or in a team they belong to).
    """

    service_url: str
    member_id: str
    tenant_id: str
    bot_id: str
    reference: Mapping[str, Any] | None = None
    team_id: str | None = None
    upn: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "service_url": self.service_url,
                "member_id": self.member_id,
                "tenant_id": self.tenant_id,
                "bot_id": self.bot_id,
                "reference": dict(self.reference) if self.reference else None,
                "team_id": self.team_id,
                "upn": self.upn,
            },
            sort_keys=True,
        )

    @staticmethod
    def from_json(text: str | None) -> Address | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            return Address(
                service_url=str(data["service_url"]),
                member_id=str(data["member_id"]),
                tenant_id=str(data["tenant_id"]),
                bot_id=str(data.get("bot_id") or ""),
                reference=data.get("reference"),
                team_id=data.get("team_id"),
                upn=data.get("upn"),
            )
        except (ValueError, KeyError, TypeError):
            return None


def personal_address(activity: Activity, upn: str | None = None) -> Address:
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)  # later messages start afresh, they answer nothing
    return Address(
        service_url=str(activity.service_url),
        member_id=str(activity.from_property.id),
        tenant_id=tenant_of(activity),
        bot_id=str(activity.recipient.id),
        reference=reference,
        upn=upn,
    )


def conversation_address(activity: Activity, conversation_id: str) -> Address:
    """For posting, from this turn, into another conversation of the same tenant (a channel
    or group chat the bot is in): this turn's reference, pointed at that conversation."""
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)
    reference["conversation"] = {"id": conversation_id, "tenantId": tenant_of(activity)}
    return Address(
        service_url=str(activity.service_url),
        member_id=str(activity.from_property.id),
        tenant_id=tenant_of(activity),
        bot_id=str(activity.recipient.id),
        reference=reference,
    )


def member_address(
    activity: Activity, member_id: str, *, team_id: str | None, upn: str | None
) -> Address:
    return Address(
        service_url=str(activity.service_url),
        member_id=member_id,
        tenant_id=tenant_of(activity),
        bot_id=str(activity.recipient.id),
        team_id=team_id,
        upn=upn,
    )


def entity_data(entity: Any) -> dict[str, Any]:
    """An activity entity as plain JSON (botbuilder keeps mention fields out of `serialize`)."""
    if isinstance(entity, Mapping):
        return dict(entity)
    if not hasattr(entity, "serialize"):  # a null or a bare value in `entities`
        return {}
    data = dict(getattr(entity, "additional_properties", None) or {})
    data.update({k: v for k, v in entity.serialize().items() if v is not None})
    return data


def command_text(activity: Activity, resolved: Mapping[str, str] | None = None) -> str:
    """The words typed, each mention of someone other than the bot a mention mark."""
    return words_and_mentions(activity, resolved)[0]


def words_and_mentions(
    activity: Activity, resolved: Mapping[str, str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """The words typed, with mentions turned into marks, and the ids of the people mentioned.

    `resolved` maps a mentioned channel id to the id the person is known by (from the roster)
    when the mention entity does not carry the Entra object id.
    """
    text = (activity.text or "").replace("\x00", "").replace(MENTION_MARK, "")
    bot_id = activity.recipient.id if activity.recipient is not None else None
    tokens: list[str] = []
    people: list[str] = []
    for entity in activity.entities or []:
        data = entity_data(entity)
        if data.get("type") != "mention":
            continue
        mentioned = _mapping(data.get("mentioned"))
        tag = str(data.get("text") or "")
        if not tag or tag not in text:
            continue
        if mentioned.get("id") == bot_id:
            token = ""
        else:
            known = mentioned.get("aadObjectId") or (resolved or {}).get(str(mentioned.get("id")))
            token = MENTION_MARK
            people.append(str(known or mentioned.get("id")))
        tokens.append(token)
        text = text.replace(tag, f" \x00{len(tokens) - 1}\x00 ", 1)
    text = _AT_TAG.sub(" ", text)  # any mention left without an entity
    text = html.unescape(_HTML_TAG.sub(" ", text))
    text = _PLACEHOLDER.sub(lambda m: tokens[int(m.group(1))], text)
    return " ".join(text.split()), tuple(people)


def is_addressed_to_bot(activity: Activity) -> bool:
    """Personal chats always; group chats and channels only when the bot is @mentioned."""
    if conversation_kind(activity) == "personal":
        return True
    bot_id = activity.recipient.id if activity.recipient is not None else None
    for entity in activity.entities or []:
        data = entity_data(entity)
        if data.get("type") == "mention" and _mapping(data.get("mentioned")).get("id") == bot_id:
            return True
    return False


def command(activity: Activity, resolved: Mapping[str, str] | None = None) -> CommandReceived:
    text, mentioned = words_and_mentions(activity, resolved)
    tenant = tenant_of(activity)
    return CommandReceived(
        user=user_ref(activity),
        text=text,
        mentions=tuple(UserRef("teams", tenant, person) for person in mentioned),
        display_name=activity.from_property.name,
        conversation=conversation_ref(activity),
        raw=activity.serialize(),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def card_data(activity: Activity) -> Mapping[str, Any]:
    """What an Adaptive Card button sent: its data, with the card's inputs merged in."""
    value = _mapping(activity.value)
    if activity.type == "invoke":
        return _mapping(_mapping(value.get("action")).get("data"))
    return value


def card_action(activity: Activity) -> ActionInvoked | None:
    """An Adaptive Card button: `Action.Execute` (invoke) or `Action.Submit` (message value)."""
    data = card_data(activity)
    verb = None
    if activity.type == "invoke":
        verb = _mapping(_mapping(activity.value).get("action")).get("verb")
    name = data.get("action") or verb
    if not isinstance(name, str) or not name:
        return None
    payload = data.get("value", "")
    return ActionInvoked(
        user=user_ref(activity),
        action=name,
        value=payload if isinstance(payload, str) else str(payload),
        display_name=activity.from_property.name,
        conversation=conversation_ref(activity),
        message_id=activity.reply_to_id,
        raw=activity.serialize(),
    )


def member_joined(
    activity: Activity,
    account: ChannelAccount,
    address: Address,
    *,
    email: str | None = None,
) -> MemberJoined:
    return MemberJoined(
        user=user_ref(activity, account),
        display_name=account.name,
        email=email,
        conversation=conversation_ref(activity),
        address=address.to_json(),
        raw=activity.serialize(),
    )
