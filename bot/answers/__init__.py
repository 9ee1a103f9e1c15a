"""Answers that arrive outside Slack: one entered by a coordinator
(``statusbot entry set``) and a spreadsheet of a round's answers
(``statusbot answers export/import``). No Slack here: the owner's notice is
queued as a job (:mod:`bot.delivery.entered`)."""
