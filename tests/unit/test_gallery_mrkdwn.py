"""The gallery's Block Kit drawing converts mrkdwn as Slack does, so pictures are faithful."""

from __future__ import annotations

from adapters.slack.render import escape
from tests.gallery.slack_html import block, mrkdwn


def test_bold_italic_strike_and_code() -> None:
    assert mrkdwn("*Meet* _now_ ~later~ `help`") == (
        "<b>Meet</b> <i>now</i> <s>later</s> <code>help</code>"
    )


def test_markers_inside_words_and_code_stay_as_typed() -> None:
    assert mrkdwn("a*b*c snake_case_name") == "a*b*c snake_case_name"
    assert mrkdwn("`*not bold*`") == "<code>*not bold*</code>"


def test_links_mentions_and_line_breaks() -> None:
    html = mrkdwn("See <https://example.org/a?b=1&amp;c=2|the page>\nbye <@U123>")
    assert '<a href="https://example.org/a?b=1&amp;c=2">the page</a>' in html
    assert "<br>bye" in html and '<span class="mention">@U123</span>' in html


def test_escaped_markup_in_a_name_is_shown_not_run() -> None:
    html = mrkdwn(escape("<script>alert(1)</script> & <b>x</b>"))
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_markdown_lists_are_not_slack_lists() -> None:
    assert mrkdwn("- one\n- two") == "- one<br>- two"


def test_fields_sit_in_two_columns_and_buttons_keep_their_style() -> None:
    section = block({"type": "section", "fields": [{"type": "mrkdwn", "text": "*A*"}] * 2})
    assert section.count('class="field"') == 2 and 'class="fields"' in section
    actions = block(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Go"},
                    "style": "primary",
                },
                {"type": "button", "text": {"type": "plain_text", "text": "<Stop>"}},
            ],
        }
    )
    assert 'btn-primary">Go<' in actions and 'btn-default">&lt;Stop&gt;<' in actions
