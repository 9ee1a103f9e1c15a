"""The workflow core: plain services used by the CLI and the Slack handlers.

No Slack imports here. Services flush but never commit; the caller owns the
transaction. Every broken rule raises a :mod:`bot.errors` subclass whose
message is translated (gettext domain ``workflow``, see :mod:`.messages`).
"""
