"""The message kinds the gallery shows, each with what it is for (who gets it, when, and what
they do next), and the kinds that are asked for but not sent today."""

from __future__ import annotations

# What each kind of message is for: (title, who gets it, when, what they do next).
PURPOSES: dict[str, tuple[str, str]] = {
    "welcome": (
        "Welcome",
        "Someone who meets the bot for the first time (installs the app or opens the chat; in "
        "Slack the Home tab is the welcome). They should join a programme.",
    ),
    "team-welcome": (
        "Welcome in a team",
        "Everyone in a Teams team or group chat the app is added to. They open a 1:1 chat with "
        "the bot to take part.",
    ),
    "invitation": (
        "Invitation to join",
        "Members of a channel or team that a coordinator invited, after set-up. They pick "
        "their organisation to join.",
    ),
    "joined": (
        "Joined",
        "Someone who has just joined a programme. Nothing to do until the next round.",
    ),
    "introduction-pair": (
        "Introduction (pair)",
        "Both people of a pair, in a group DM (Slack) or each in their 1:1 chat with the bot "
        "(Teams), when a round runs. They should arrange to meet and later press a check-in "
        "button.",
    ),
    "introduction-trio": (
        "Introduction (trio)",
        "The three people of the round's one trio (odd numbers), when a round runs. Same next "
        "step as a pair.",
    ),
    "introduction-cross": (
        "Introduction (cross-platform pair)",
        "Each person of a pair whose partner is on the other platform, on their own platform; "
        "the partner is named with where to reach them. They should contact the partner "
        "outside their own chat tool.",
    ),
    "match": (
        "Current introduction",
        "A member who types `match`: who they were introduced to this round, with the "
        "check-in buttons.",
    ),
    "checkin": (
        "Check-in",
        "Each person of a group, the programme's check-in delay (7 days) after the "
        "introduction. They answer with one button.",
    ),
    "nudge": (
        "Reminder (nudge)",
        "Each person of a group where nobody has answered the check-in, a few days after it. "
        "They answer with one button.",
    ),
    "answered": (
        "Answered check-in",
        "The person who pressed a check-in button: the shared introduction updated with the "
        "answers so far (Slack) or the card redrawn with the answer (Teams), plus the bot's "
        "thanks. Nothing more to do unless they want to log a collaboration.",
    ),
    "home": (
        "Home (Slack App Home)",
        "A member who opens the app's Home tab: current introduction with its check-in "
        "buttons, their ties, their status in each programme and, for coordinators, the "
        "programmes they run.",
    ),
    "ties": (
        "Ties",
        "A member who types `ties`: the people they were introduced to and how far each "
        "relationship has gone.",
    ),
    "profile": (
        "Profile",
        "A member who types `profile`: what the bot knows about them and how to change it.",
    ),
    "paused": (
        "Paused",
        "A member who types `pause for 3 weeks` or presses Pause: when they will be back.",
    ),
    "my-data": (
        "My data",
        "A member who types `my data`: everything the bot holds about them.",
    ),
    "forget-confirm": (
        "Forget me (confirmation)",
        "A member who types `forget me`: one button to erase everything, after a warning.",
    ),
    "help": (
        "Help",
        "Anyone who types `help`. They pick a command.",
    ),
    "report": (
        "Report (text and chart)",
        "A lead who types `report`: the programme's figures and the organisation network chart.",
    ),
    "setup-form": (
        "Programme set-up form",
        "A coordinator who presses New programme / Edit (Slack modal) or the programme "
        "button (Teams card). They fill it in and save.",
    ),
    "setup-saved": (
        "Programme saved (Teams)",
        "A coordinator who saved the set-up card from inside a team: the form is replaced by "
        "this note, which offers to invite the team's members.",
    ),
    "round-preview": (
        "Round preview",
        "A coordinator who types `round preview`: the groups the next round would make, with "
        "a button to run it.",
    ),
    "round-done": (
        "Round run",
        "A coordinator who ran a round: what was sent.",
    ),
    "error-unknown-organisation": (
        "Error: unknown organisation",
        "Someone who types `join` with an organisation the programme does not have. They "
        "retry with a listed name.",
    ),
    "error-unknown-command": (
        "Error: unknown command",
        "Someone who types something the bot does not understand. They type `help`.",
    ),
    "error-denied": (
        "Error: not allowed",
        "A member who asks for the report without being a lead.",
    ),
    "circle-topic": (
        "Problem circle topic",
        "Every active member, when a coordinator opens a problem circle topic (and anyone who "
        "types `circles`): what the problem is, who it affects and when circles form. They "
        "press Join if it touches their work.",
    ),
    "circle-formed": (
        "Problem circle formed",
        "The 4–6 people of one circle, in a group DM (Slack) or each in their 1:1 chat with "
        "the bot (Teams), at the topic's forming time: who is in the circle and how to run "
        "the hour. The first person named suggests times.",
    ),
    "circle-checkin": (
        "Problem circle check-in",
        "Each member of a circle, the programme's check-in delay after it formed. They answer "
        "with one button.",
    ),
}
# Kinds the gallery is asked to show that the bot does not send today.
MISSING: dict[str, str] = {
    "follow-up": "Follow-up after “Not yet”: nobody is asked again once a person answers "
    "“Not yet”; only an unanswered check-in gets one reminder (the nudge).",
}
