"""The demo cycle, acted out through the real bot.

Everything a person does here is a signed HTTP request to the running Bolt app
(slash commands, button clicks, modal submissions), exactly as the end-to-end
tests send them; everything the bot does is its own listeners and scheduler
jobs, delivered to the fake Slack Web API. Time is a manual clock: between
steps the scheduler ticks through whatever became due (prompts, reminders,
the digest, compiles, the publish job).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import review as rb
from bot.demo.slackui import (
    DemoError,
    click,
    command,
    dm,
    opened_view,
    submit,
    update_values,
)
from bot.demo.webform import FormAnswer, answer_in_form
from bot.sample import (
    CarryForwardAction,
    DelegateAction,
    EditAction,
    InitiativeKey,
    NoAnswerAction,
    SampleData,
)
from bot.testing.harness import SlackHarness
from bot.testing.mailsink import MailSink
from storage.models import Cycle, CycleState, Entry, Initiative, Track

Step = Callable[[str], None]

# When the managers sit down to answer (local time), day by day from the opening.
_SITTINGS = (time(10, 15), time(13, 40), time(15, 55))
_MINUTES_PER_ITEM = 4


@dataclass
class Captured:
    """Block Kit the bot produced, kept for the README's pictures."""

    prompts: dict[str, dict[str, Any]] = field(default_factory=dict)  # user → first prompt
    update_modal: dict[str, Any] | None = None
    draft_summary: dict[str, Any] | None = None
    forms: list[FormAnswer] = field(default_factory=list)  # answers through the web form


class CycleDriver:
    def __init__(
        self,
        slack: SlackHarness,
        sample: SampleData,
        cycle_id: int,
        *,
        step: Step,
        mail: MailSink | None = None,
    ) -> None:
        self.slack = slack
        self.mail = mail  # the SMTP server the owners outside Slack are mailed through
        self.sample = sample
        self.cycle_id = cycle_id
        self.step = step
        self.zone = ZoneInfo("Europe/Copenhagen")
        self.captured = Captured()
        self._entries = self._entry_ids()

    # ------------------------------------------------------------ helpers

    def _entry_ids(self) -> dict[InitiativeKey, int]:
        with self.slack.session_factory() as session:
            rows = session.execute(
                select(Track.name, Initiative.title, Entry.id)
                .join(Initiative, Initiative.id == Entry.initiative_id)
                .join(Track, Track.id == Initiative.track_id)
                .where(Entry.cycle_id == self.cycle_id)
            ).all()
        return {InitiativeKey(track, title): entry_id for track, title, entry_id in rows}

    def local(self, day: int, at: time) -> datetime:
        """``day`` working days after the cycle opened, at local time ``at``."""
        start = self.sample.script.opens_at.astimezone(self.zone).date()
        current = start
        remaining = day
        while remaining > 0:
            current += timedelta(days=1)
            if current.weekday() < 5:
                remaining -= 1
        return datetime.combine(current, at, tzinfo=self.zone)

    def wait_until(self, moment: datetime) -> None:
        """Let the bot work through everything due until ``moment``, then be there."""
        now = self.slack.clock.now()
        if moment > now:
            self.slack.drain(within=moment - now)
            if self.slack.clock.now() < moment:
                self.slack.clock.set(moment)
        self.slack.drain()

    def after(self, minutes: int) -> None:
        self.wait_until(self.slack.clock.now() + timedelta(minutes=minutes))

    def user_of(self, key: InitiativeKey) -> str:
        return self.sample.owner(key).slack_user_id

    def state(self) -> str:
        with self.slack.session_factory() as session:
            cycle = session.get(Cycle, self.cycle_id)
            assert cycle is not None
            return cycle.state

    # ------------------------------------------------------------ actions

    def answer(self, user: str, key: InitiativeKey, markup: str, phase: str | None) -> None:
        """Update (or Edit) → the modal prefilled with last time's text → submit."""
        entry_id = self._entries[key]
        try:
            click(self.slack, user, ids.action_id(ids.UPDATE, entry_id), exact=True)
        except DemoError:
            click(self.slack, user, ids.action_id(ids.EDIT, entry_id), exact=True)
        view = opened_view(self.slack, ids.UPDATE_VIEW)
        if self.captured.update_modal is None:
            self.captured.update_modal = view
        submit(self.slack, view, user=user, values=update_values(view, markup, phase))

    def carry_forward(self, user: str, key: InitiativeKey) -> None:
        click(self.slack, user, ids.action_id(ids.CARRY, self._entries[key]), exact=True)

    def delegate(self, user: str, key: InitiativeKey, to: str) -> None:
        click(self.slack, user, ids.action_id(ids.DELEGATE, self._entries[key]), exact=True)
        view = opened_view(self.slack, ids.DELEGATE_VIEW)
        values = {
            ids.DELEGATE_BLOCK: {ids.DELEGATE_ACTION: {"type": "users_select", "selected_user": to}}
        }
        submit(self.slack, view, user=user, values=values)

    def act(self, user: str, key: InitiativeKey, *, late: bool = False) -> list[tuple[str, Any]]:
        """One initiative's scripted action; returns follow-ups (delegate answers)."""
        action = self.sample.action(key)
        if isinstance(action, EditAction):
            self.answer(user, key, action.status.to_markup(), action.phase.value)
        elif isinstance(action, CarryForwardAction):
            self.carry_forward(user, key)
        elif isinstance(action, DelegateAction):
            self.delegate(user, key, action.delegate_to)
            return [(action.delegate_to, action)]
        return []

    # -------------------------------------------------------------- phases

    def run(self) -> None:
        script = self.sample.script
        self.step("prompts")
        self.wait_until(script.opens_at)
        self._capture_prompts()

        self.step("answers")
        self._sittings(late=False)

        self.step("reminders")
        deadline = script.deadline.astimezone(self.zone)
        first_reminder = deadline - timedelta(days=3)
        self.wait_until(first_reminder + timedelta(minutes=1))

        self.step("late answers")
        self._sittings(late=True, start=first_reminder + timedelta(hours=1))

        self.step("deadline")
        self.wait_until(deadline + timedelta(minutes=5))

        self.step("compile")
        self.review(deadline)

    def _sittings(self, *, late: bool, start: datetime | None = None) -> None:
        """Each manager sits down once and handles their initiatives in turn."""
        followups: list[tuple[str, Any]] = []
        slots = self._slots(start)
        for manager in self.sample.managers:
            keys = [
                row.key
                for row in self.sample.registry
                if row.owner_email == manager.email
                and not isinstance(self.sample.action(row.key), NoAnswerAction)
                and getattr(self.sample.action(row.key), "after_reminder", False) == late
            ]
            if not keys:
                continue
            self.wait_until(next(slots))
            if manager.channel == "email" and self.mail is not None:
                self.answer_by_mail(manager.email, keys)
                continue
            for key in keys:
                followups += self.act(manager.slack_user_id, key, late=late)
                self.after(_MINUTES_PER_ITEM)
        for delegate, action in followups:
            self.wait_until(next(slots))
            self.answer(delegate, action.key, action.status.to_markup(), action.phase.value)

    def answer_by_mail(self, email: str, keys: list[InitiativeKey]) -> None:
        """The owner outside Slack opens the link in their prompt's mail and
        answers everything in the web form at once."""
        assert self.mail is not None
        mails = self.mail.to(email)
        if not mails:
            raise DemoError(f"no prompt was mailed to {email}")
        answers: dict[int, tuple[str, str | None] | None] = {}
        for key in keys:
            action = self.sample.action(key)
            if isinstance(action, EditAction):
                answers[self._entries[key]] = (action.status.to_markup(), action.phase.value)
            elif isinstance(action, CarryForwardAction):
                answers[self._entries[key]] = None
        self.captured.forms.append(answer_in_form(self.slack.server.url, mails[0], answers))
        self.slack.drain()

    def _slots(self, start: datetime | None) -> Iterator[datetime]:
        begin = start or self.sample.script.opens_at
        for day in range(0, 30):
            for at in _SITTINGS:
                moment = self.local(day, at)
                if moment > begin:
                    yield moment

    def _capture_prompts(self) -> None:
        for call in self.slack.calls("chat.postMessage", ok=True):
            channel = str(call.params.get("channel", ""))
            user = "U" + channel[1:] if channel.startswith("D") else channel
            blocks = call.params.get("blocks")
            if blocks and user not in self.captured.prompts:
                self.captured.prompts[user] = {"text": call.params.get("text"), "blocks": blocks}

    # -------------------------------------------------------------- review

    def review(self, deadline: datetime) -> None:
        """Compile, send one item back, revise, recompile, approve, publish."""
        send_back = self.sample.script.send_back
        coordinator = send_back.by
        self.wait_until(deadline + timedelta(hours=1, minutes=5))
        command(self.slack, "compile", user=coordinator)
        self.after(2)
        self.captured.draft_summary = dm(self.slack, coordinator)[-1]

        self.after(20)
        click(self.slack, coordinator, rb.SEND_BACK)
        view = opened_view(self.slack, rb.SEND_BACK_VIEW)
        values = {
            rb.ENTRIES_BLOCK: {
                rb.VALUE: {
                    "type": "multi_static_select",
                    "selected_options": [
                        {
                            "value": str(self._entries[send_back.key]),
                            "text": {"type": "plain_text", "text": send_back.initiative},
                        }
                    ],
                }
            },
            rb.COMMENT_BLOCK: {rb.VALUE: {"type": "plain_text_input", "value": send_back.comment}},
        }
        submit(self.slack, view, user=coordinator, values=values)

        self.step("revision")
        # The answerer revises the next working morning.
        answerer = self._answerer(send_back.key)
        self.wait_until(self.local(self._working_day(deadline) + 1, time(9, 20)))
        click(self.slack, answerer, rb.UPDATE)
        view = opened_view(self.slack, rb.UPDATE_VIEW)
        markup = send_back.revised_status.to_markup()
        submit(
            self.slack,
            view,
            user=answerer,
            values=update_values(view, markup, send_back.revised_phase.value),
        )

        self.step("approval")
        self.after(40)
        command(self.slack, "compile", user=coordinator)
        self.after(15)
        click(self.slack, coordinator, rb.APPROVE)
        for approver in self.sample.script.approvals:
            if self.state() == CycleState.APPROVED:
                break
            if approver != coordinator:
                self.after(35)
                click(self.slack, approver, rb.APPROVE)
        if self.state() != CycleState.APPROVED:
            raise DemoError(f"the report was not approved (state {self.state()})")

        self.step("publish")
        publisher = self.sample.script.approvals[-1]
        self.after(10)
        click(self.slack, publisher, rb.PUBLISH)
        self.after(1)
        if self.state() != CycleState.PUBLISHED:
            raise DemoError(f"the report was not published (state {self.state()})")

    def _answerer(self, key: InitiativeKey) -> str:
        action = self.sample.action(key)
        if isinstance(action, DelegateAction):
            return action.delegate_to
        return self.user_of(key)

    def _working_day(self, moment: datetime) -> int:
        day = 0
        while self.local(day, time(0)).date() < moment.date():
            day += 1
        return day
