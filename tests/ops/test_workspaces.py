"""Two workspaces in one database never see each other's areas."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.testing.harness import SlackHarness
from bot.workflow.permissions import coordinated_area_ids, is_coordinator
from storage.models import Area, Person, Role, RoleGrant


def two_teams(session: Session) -> tuple[Person, Person, Area, Area]:
    area_a = Area(team_id="", name="Kultur", key="kultur")
    area_b = Area(team_id="TB", name="Teknik", key="teknik")
    admin_a = Person(team_id="", slack_user_id="UC", display_name="A admin")
    coord_b = Person(team_id="TB", slack_user_id="UC", display_name="B coordinator")
    session.add_all([area_a, area_b, admin_a, coord_b])
    session.flush()
    session.add_all(
        [
            RoleGrant(person_id=admin_a.id, role=Role.ADMIN),
            RoleGrant(person_id=coord_b.id, role=Role.COORDINATOR, area_id=area_b.id),
            # A forged or mistaken grant across workspaces grants nothing.
            RoleGrant(person_id=coord_b.id, role=Role.COORDINATOR, area_id=area_a.id),
        ]
    )
    session.flush()
    return admin_a, coord_b, area_a, area_b


def test_permissions_stop_at_the_workspace(session: Session) -> None:
    admin_a, coord_b, area_a, area_b = two_teams(session)
    assert is_coordinator(session, admin_a, area_a.id)
    assert not is_coordinator(session, admin_a, area_b.id)  # admin of A, not of B
    assert coordinated_area_ids(session, admin_a) == [area_a.id]
    assert is_coordinator(session, coord_b, area_b.id)
    assert not is_coordinator(session, coord_b, area_a.id)
    assert coordinated_area_ids(session, coord_b) == [area_b.id]
    assert not is_coordinator(session, admin_a, 999_999)


def test_commands_do_not_reach_another_workspaces_area(slack: SlackHarness) -> None:
    slack.user("UC", name="Kim")
    with slack.session_factory() as session:
        kim = session.query(Person).filter_by(team_id="", slack_user_id="UC").one()
        session.add(RoleGrant(person_id=kim.id, role=Role.ADMIN))
        session.add(Area(team_id="TB", name="Teknik", key="teknik"))
        session.commit()
    for command in ("progress Teknik", "compile Teknik", 'open "Teknik" 2024-03-01 2024-03-08'):
        response = slack.command(command, user="UC")
        assert response.status == 200
        assert "There is no area called “Teknik”" in response.text, command
    with slack.session_factory() as session:
        area_b = session.query(Area).filter_by(team_id="TB").one()
        assert area_b.cycles == []
