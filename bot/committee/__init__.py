"""The political committee's part of the reporting loop (gettext domain ``committee``).

An approved cycle becomes an agenda item package for the committee
(:mod:`bot.committee.package`); the committee's decision is recorded
(:mod:`bot.committee.decisions`) and flows back into the next round
(:mod:`bot.committee.flowback`). No Slack imports; services flush, never commit.
"""
