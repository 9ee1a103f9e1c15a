"""The web surface: the answer form reached through an e-mailed personal link.

One room per surface: this package only renders pages and receives forms; the
rules (who may answer, validation, revisions, notices, draft refresh) are the
workflow's, called exactly as the Slack update modal calls them.

- :mod:`bot.web.links`: the personal links (issued, resolved, revoked);
- :mod:`bot.web.app`: the WSGI routes under ``/answer/`` (Werkzeug), mounted by
  :func:`bot.server.make_wsgi_app` next to ``/slack/events`` and ``/healthz``;
- :mod:`bot.web.form`: the posted form, read into one input per initiative;
- :mod:`bot.web.page`: what the page shows (the person's items by track,
  prefilled), and the preview rendered with the report's diff and HTML;
- :mod:`bot.web.answering`: storing the answers through the workflow;
- :mod:`bot.web.csrf`, :mod:`bot.web.ratelimit`, :mod:`bot.web.headers`: the
  guards; :mod:`bot.web.render` and ``templates/``: the pages;
  :mod:`bot.web.texts`: their words (gettext domain ``web``).
"""
