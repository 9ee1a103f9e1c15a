"""``statusbot demo``: one full reporting cycle on the built-in sample data,
acted out through the real bot against the fake Slack (see :mod:`bot.demo.runner`)."""
