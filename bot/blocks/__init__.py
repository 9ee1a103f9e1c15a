"""Block Kit builders: pure functions from plain data to Slack JSON (dicts).

No Slack SDK and no database here; loaders in :mod:`bot.delivery` and the
listeners in :mod:`handlers` fill :mod:`bot.blocks.model` and call these.
Texts are translated by the caller's gettext function (``slack`` domain).
"""
