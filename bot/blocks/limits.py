"""Slack's documented Block Kit limits (docs.slack.dev, Block Kit reference)."""

from __future__ import annotations

MESSAGE_MAX_BLOCKS = 50  # blocks per message
MESSAGE_TEXT_MAX = 40_000  # a message's text (Slack shows no more)
VIEW_MAX_BLOCKS = 100  # blocks per modal or Home tab
SECTION_TEXT_MAX = 3000  # section block text
HEADER_TEXT_MAX = 150  # header block text (plain_text)
CONTEXT_MAX_ELEMENTS = 10
ACTIONS_MAX_ELEMENTS = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
INPUT_MAX_CHARS = 3000  # plain_text_input max_length (1..3000)
MODAL_TITLE_MAX = 24  # also the submit and close labels
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
OPTION_TEXT_MAX = 75
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000

# Our own choices.
ABRIDGED_CHARS = 280  # previous status shown in a prompt
TITLE_CHARS = 2900  # an initiative title in a section (verbatim unless absurdly long)
MODAL_MAX_BOXES = 90  # status text boxes in the update modal (100 blocks in all)
# Slack documents no maximum for a rich_text_input; longer statuses get the plain boxes.
RICH_INPUT_MAX_CHARS = 12_000
