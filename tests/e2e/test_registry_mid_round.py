"""Registry changes while a round collects, through the real bot and the fake
Slack (issue 11): a new owner gets the prompt and the old one is told; a
retired initiative's buttons say it was withdrawn; a rename shows at once in
the prompt and the App Home."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import ids
from bot.importing import import_file
from bot.registry.changes import rename, retire
from bot.registry.identity import find_initiative
from bot.testing.harness import SlackHarness
from bot.workflow.actor import Actor
from storage.models import Initiative, Person
from tests.e2e.managers_helpers import (
    dm_messages,
    dumped,
    entry_of,
    find_button,
    reply_text,
    seed,
)


def _open(slack: SlackHarness) -> None:
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-03-08 12:00 3d,1d', user="UC")
    assert "is open for Børn og Unge" in reply_text(response)
    slack.drain()


def test_registry_changes_while_the_round_collects(slack: SlackHarness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = seed(slack)
    _open(slack)
    i_struct, i_read, _i_health, i_intra = world.initiatives.values()
    intra = entry_of(slack.session_factory, i_intra)
    _ts, intra_value = find_button(slack, "U1", ids.UPDATE, intra.id)

    # Bo's initiative goes to Dorte by a re-import (no other change in the file).
    with slack.session_factory() as session:
        for person in (world.bo, world.carl, world.dorte):  # the file names owners by e-mail
            session.get(Person, person.id).email = f"{person.display_name.split()[0]}@k.dk".lower()
        session.flush()
        rows = ["område;udviklingsspor;tiltag;ansvarlig"]
        for initiative in session.scalars(select(Initiative).order_by(Initiative.id)):
            owner = "dorte@k.dk" if initiative.id == i_read else initiative.owner.email
            rows.append(f"Børn og Unge;{initiative.track.name};{initiative.title};{owner}")
        path = tmp_path / "registry.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        now = slack.clock.now()
        import_file(session, path, actor=Actor.cli(), now=now)
        # Anna's "Digital forældreintra" is retired, her first initiative renamed.
        retire(session, find_initiative(session, "Digital forældreintra"), actor=Actor.cli(),
               now=now)  # fmt: skip
        rename(session, session.get(Initiative, i_struct), "Ny struktur for dagtilbud",
               actor=Actor.cli(), now=now)  # fmt: skip
        session.commit()
    slack.drain()

    read = entry_of(slack.session_factory, i_read)
    find_button(slack, "U4", ids.UPDATE, read.id)  # Dorte's new prompt has it
    bo = " ".join(dumped(m) for _ts, m in dm_messages(slack, "U2"))
    assert "hører nu under <@U4>" in bo  # Bo reads Danish
    # Anna: the retired item is gone from her prompt, she is told, its old button refuses.
    anna = dm_messages(slack, "U1")
    prompt = dumped(anna[0][1])
    assert "Digital forældreintra" not in prompt and "Ny struktur for dagtilbud" in prompt
    assert any("was withdrawn from this round" in dumped(m) for _ts, m in anna)
    response = slack.action(
        ids.action_id(ids.UPDATE, intra.id),
        user="U1",
        value=intra_value,
        message={"type": "message", "ts": anna[0][0], "text": ""},
        channel_id=slack.fake.dm_channel("U1"),
    )
    assert response.status == 200
    assert any("withdrawn" in dumped(e) for e in slack.ephemerals("U1"))
    assert slack.last_view() is None or "Digital forældreintra" not in dumped(slack.last_view())
    # The App Home shows the new title at once.
    home = dumped(slack.fake.home_views[world.anna.slack_user_id])
    assert "Ny struktur for dagtilbud" in home and "Digital forældreintra" not in home


def test_an_initiative_added_before_the_first_prompt_went_out(slack: SlackHarness) -> None:
    """Added between opening and the prompts going out: one prompt, with the new item."""
    from bot.registry.rounds import reach_rounds

    world = seed(slack)
    response = slack.command('open "Børn og Unge" 2024-03-01 2024-03-08 12:00 3d,1d', user="UC")
    assert response.status == 200
    with slack.session_factory() as session:
        first = session.get(Initiative, next(iter(world.initiatives.values())))
        added = Initiative(
            area_id=first.area_id, track_id=first.track_id, title="Nyt tiltag om læsning",
            key="nyt tiltag om læsning", position=9, owner_id=world.anna.id,
        )  # fmt: skip
        session.add(added)
        session.flush()
        reach_rounds(session, {added.id: None}, actor=Actor.cli(), now=slack.clock.now())
        session.commit()
        added_id = added.id
    slack.drain()
    messages = dm_messages(slack, "U1")
    assert len(messages) == 1  # one prompt, never two
    find_button(slack, "U1", ids.UPDATE, entry_of(slack.session_factory, added_id).id)
