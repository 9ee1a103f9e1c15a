"""Who is doing something: a person, the CLI operator, or the system."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from storage.models import Person


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers) and no LOGNAME/USER
        return os.environ.get("USER") or str(os.getuid())


@dataclass(frozen=True)
class Actor:
    person: Person | None  # None: operator at the CLI, or the system
    label: str  # "cli:<user>", "system", or the person's label
    is_operator: bool = False  # CLI operator: may do anything

    @classmethod
    def cli(cls) -> Actor:
        return cls(person=None, label=f"cli:{_os_user()}", is_operator=True)

    @classmethod
    def system(cls) -> Actor:
        return cls(person=None, label="system", is_operator=False)

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(person=person, label=person.label, is_operator=False)

    @classmethod
    def named_at_cli(cls, person: Person) -> Actor:
        """A person named with ``--as`` at the command line: their rights, and
        a label saying who typed it ("Karin Holm (cli:alice)")."""
        return cls(person=person, label=f"{person.label} (cli:{_os_user()})", is_operator=False)

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person is not None else None
