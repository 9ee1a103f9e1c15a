"""The registry: areas, tracks and initiatives, their stable keys and history.

* :mod:`bot.registry.history` — an initiative's last known status.
* :mod:`bot.registry.identity` — finding an initiative by key, id or title.
* :mod:`bot.registry.changes` — rename, move, retire, restore (audited).
* :mod:`bot.registry.rounds` — registry changes reaching a collecting round.

Importing files (:mod:`bot.importing`) writes the registry through these rules.
"""
