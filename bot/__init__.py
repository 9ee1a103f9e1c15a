"""statusbot: periodic status reporting run from Slack."""

__version__ = "0.1.0"
