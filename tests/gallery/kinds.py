"""The message kinds the gallery shows, each with what it is for (who gets it, when, and what
they do next), and the kinds that are asked for but not sent today."""

from __future__ import annotations

# What each kind of message is for: (title, who gets it, when, what they do next).
PURPOSES: dict[str, tuple[str, str]] = {
    "welcome": (
        "Welcome",
        "Someone who meets the bot for the first time (installs the app or opens the chat; in "
        "Slack the Home tab greets them too). They pick their organisation from the list to "
        "join, and see when the next round is.",
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
    "introduction-another": (
        "Introduction, another question",
        "A member who pressed “Another question”: the introduction is redrawn in place with a "
        "new conversation starter (and the links that quote it).",
    ),
    "introduction-times": (
        "Suggested times",
        "The group DM of a pair or trio on Slack, after one of them pressed “Suggest a time”: "
        "three times on the next working days; the others press “Works for me”.",
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
        "check-in buttons and “Another question” (on Teams in the “…” menu).",
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
    "followup": (
        "Follow-up after “Not yet”",
        "Each person of a group that answered “Not yet”, once, a few days later (never before "
        "the check-in itself would have come), unless someone answers first. They answer "
        "with one button.",
    ),
    "answered": (
        "Answered check-in",
        "The person who pressed “We met” on their introduction: the message redrawn with the "
        "group's answer in words and every answer kept, the chosen one ticked, so it can be "
        "changed; plus the bot's thanks (Slack). Nothing more to do unless they want to log "
        "a collaboration.",
    ),
    "answered-not-yet": (
        "Answered check-in: not yet",
        "The person who pressed “Not yet” on their check-in: the card redrawn with when they "
        "will be asked again. Nobody else in the group is asked in the meantime.",
    ),
    "answered-could-not-meet": (
        "Answered check-in: couldn't meet",
        "The person who pressed “Couldn't meet”: the card redrawn, neutral, offering to keep "
        "the pair for next round or move on to someone new. They choose one.",
    ),
    "answer-notice": (
        "Told who answered",
        "The other people of a group, on their own platform, when someone answers for the "
        "group (“Helen says you met — glad it worked.”). Their own check-in is not sent; "
        "they can change the answer if it is not right.",
    ),
    "step-agreed": (
        "Next step agreed",
        "A member who met their partner and typed `step` with one short line (or pressed "
        '"We agreed a next step"). Only their group sees the step.',
    ),
    "step-check": (
        "Did it happen?",
        "Each person of a group that agreed a next step, the programme's check-in delay after "
        "agreeing it. They answer with one button.",
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
        "A lead who types `report` in their own chat with the bot: the programme's figures, "
        "the funnel from introduction to working together, and the organisation network chart "
        "(on Teams as three pictures drawn at card width).",
    ),
    "report-channel": (
        "Report asked in a channel",
        "A lead who types `report` in a channel: only they see it (Slack: a message only "
        "visible to them, the chart in their DM; Teams: their 1:1 chat, with a note in the "
        "channel). They may press Share to channel.",
    ),
    "report-shared": (
        "Report shared in a channel",
        "Everyone in the channel, after a lead pressed Share to channel: the same report, "
        "saying who shared it.",
    ),
    "setup-form": (
        "Programme set-up form",
        "A coordinator who presses New programme / Edit (Slack modal) or the programme "
        "button (Teams card). They fill it in and save.",
    ),
    "setup-saved": (
        "Programme saved",
        "A coordinator who saved the set-up form: when the next round runs (in their own time "
        "zone) and when check-ins come. From inside a Teams team the form is replaced by this "
        "note, which offers to invite the team's members.",
    ),
    "round-preview": (
        "Round preview",
        "A coordinator who types `round preview`: the groups the next round would make, with "
        "a button to run it.",
    ),
    "round-preview-long": (
        "Round preview, a page of a long one",
        "A coordinator who previews a round of 200 groups: the first 20, how many more across "
        "how many organisations, the next page, and the button to run the whole round.",
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
    "circle-proposal": (
        "Proposed problem circle",
        "Each coordinator of a programme that lets members propose circle topics, when a "
        "member proposes one (and in `circles` while it waits): what it is, who proposed it "
        "and whom it affects. Approve opens it and invites everyone; Decline tells the "
        "proposer, kindly.",
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
        "the bot (Teams, with a link that opens a group chat with the others, and an email "
        "link for anyone on Slack), at the topic's forming time: who is in the circle and how "
        "to run the hour. The first person named suggests times.",
    ),
    "circle-checkin": (
        "Problem circle check-in",
        "Each member of a circle, the programme's check-in delay after it formed. They answer "
        "with one button.",
    ),
    "circle-met": (
        "Problem circle check-in answered",
        'A member who pressed "We met" on their circle\'s check-in: thanks, and one optional '
        'button, "We agreed a next step" (until the circle has one).',
    ),
    "circle-step-check": (
        "Problem circle: did it happen?",
        "Each member who said their circle met, the programme's check-in delay after the "
        "circle agreed a next step: the step back, with two buttons.",
    ),
}
# Kinds the gallery is asked to show that the bot does not send today.
MISSING: dict[str, str] = {}
