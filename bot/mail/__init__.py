"""The e-mail surface: prompts and reminders for owners outside Slack.

``smtp_url`` parses the setting, ``render`` turns a surface-free
:mod:`bot.delivery.message` into text and HTML, ``compose`` builds the
message's bytes (:class:`bot.mail.compose.OutgoingMail`), ``transport`` sends it, ``jobs`` is the
outbox handler that does all of it exactly once.
"""
