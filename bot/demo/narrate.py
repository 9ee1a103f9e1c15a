"""What happened in chat, told from the record: the jobs the scheduler
delivered, the messages the fake Slack accepted, the revisions and the audit
log. Nothing here is scripted; if the bot had not sent a reminder, the story
would not mention one."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import ids
from bot.sample import SampleData
from bot.testing.fakeslack import Call
from bot.testing.harness import SlackHarness
from storage.models import (
    AuditEvent,
    Cycle,
    Entry,
    EntrySource,
    Initiative,
    Job,
    JobState,
    Person,
    Revision,
    RevisionReason,
)

ZONE = ZoneInfo("Europe/Copenhagen")
# Answers less than this far apart form one sitting in the story.
_SITTING = timedelta(minutes=45)


@dataclass(frozen=True)
class Line:
    when: datetime  # local time
    kind: str  # open, prompt, delegate, answer, reminder, digest, compile, send_back, …
    text: str

    def format(self) -> str:
        return f"{self.when:%a %d %b %H:%M}  {self.text}"


@dataclass
class Narration:
    lines: list[Line] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def of(self, kind: str) -> list[Line]:
        return [line for line in self.lines if line.kind == kind]

    @property
    def text(self) -> str:
        return "\n".join(line.format() for line in self.lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote(title: str, limit: int = 48) -> str:
    return f"“{_clip(title, limit)}”"


def _items(titles: list[str]) -> str:
    return ", ".join(_quote(t) for t in titles)


class _Story:
    def __init__(self, slack: SlackHarness, session: Session, sample: SampleData, cycle_id: int):
        self.slack = slack
        self.session = session
        self.sample = sample
        self.cycle = session.get(Cycle, cycle_id)
        assert self.cycle is not None
        self.narration = Narration()
        self._seq: list[tuple[datetime, int, Line]] = []
        self.people = {p.id: p for p in session.scalars(select(Person))}
        rows = session.execute(
            select(Entry, Initiative)
            .join(Initiative, Initiative.id == Entry.initiative_id)
            .where(Entry.cycle_id == cycle_id)
        ).all()
        self.entries = {entry.id: (entry, initiative) for entry, initiative in rows}
        # What the fake Slack accepted, by the ts it answered with.
        self.posted: dict[str, Call] = {}
        for call in slack.calls("chat.postMessage", ok=True):
            assert call.response is not None
            self.posted[str(call.response.get("ts"))] = call

    def name(self, person_id: int | None) -> str:
        person = self.people.get(person_id or -1)
        return person.label if person is not None else "?"

    def add(self, moment: datetime, kind: str, text: str) -> None:
        line = Line(moment.astimezone(ZONE), kind, text)
        self._seq.append((moment, len(self._seq), line))
        self.narration.counts[kind] += 1

    def jobs(self, kind: str) -> list[Job]:
        return list(
            self.session.scalars(
                select(Job)
                .where(Job.cycle_id == self.cycle.id, Job.kind == kind, Job.state == JobState.DONE)
                .order_by(Job.done_at, Job.id)
            )
        )

    def delivered(self, ts: str | None) -> Call | None:
        return self.posted.get(str(ts)) if ts else None

    @staticmethod
    def buttons(call: Call, kind: str) -> int:
        """How many distinct entries the message has a ``kind`` button for."""
        found = set()
        for block in call.params.get("blocks") or []:
            for element in [*block.get("elements", []), block.get("accessory") or {}]:
                action = str(element.get("action_id") or "")
                if action.startswith(kind + ":"):
                    found.add(action)
        return len(found)

    # ----------------------------------------------------------------- parts

    def opened(self) -> None:
        for event in self.audit("cycle.open"):
            d = event.detail
            deadline = datetime.fromisoformat(str(d["deadline"])).astimezone(ZONE)
            self.add(
                event.created_at,
                "open",
                f"Cycle {self.cycle.id} opened from the command line: status as of {d['as_of']}, "
                f"deadline {deadline:%a %d %b %H:%M}, reminders {d.get('remind') or 'none'} "
                "before it.",
            )

    def prompts(self) -> None:
        by_time: dict[datetime, list[str]] = defaultdict(list)
        for job in self.jobs("prompt"):
            payload, result = job.payload or {}, job.result or {}
            if "delegated_entry_id" in payload:
                continue  # told with the delegation
            if result.get("mail_sent") and job.done_at is not None:
                self.add(
                    job.done_at,
                    "prompt",
                    f"The bot e-mailed {self.name(payload['person_id'])} (not in Slack) the same"
                    " prompt, with a personal link to the web form.",
                )
                self.narration.counts["prompted"] += 1
                continue
            parts = result.get("parts") or {"0": result.get("ts")}
            calls = [c for c in (self.delivered(ts) for ts in parts.values()) if c is not None]
            if not calls or job.done_at is None:
                continue
            count = sum(self.buttons(c, ids.UPDATE) for c in calls)
            by_time[job.done_at].append(f"{self.name(payload['person_id'])} ({count})")
            self.narration.counts["prompted"] += 1
        for moment, names in sorted(by_time.items()):
            self.add(
                moment,
                "prompt",
                f"The bot asked {len(names)} managers in a direct message, each listing their "
                f"initiatives with last time's text and Update / No change / Delegate "
                f"buttons: {', '.join(names)}.",
            )

    def delegations(self) -> None:
        prompts = {
            (job.payload or {}).get("delegated_entry_id"): job
            for job in self.jobs("prompt")
            if "delegated_entry_id" in (job.payload or {})
        }
        for event in self.audit("initiative.delegate"):
            initiative = self.session.get(Initiative, event.detail["initiative_id"])
            delegate = next(
                (p for p in self.people.values() if p.slack_user_id == event.detail["delegate"]),
                None,
            )
            title = initiative.title if initiative else "?"
            told = any(
                (self.entries.get(entry_id) or (None, None))[1] is initiative
                for entry_id in prompts
            )
            self.add(
                event.created_at,
                "delegate",
                f"{event.actor_label} pressed Delegate on {_quote(title)} and chose "
                f"{delegate.label if delegate else event.detail['delegate']}"
                + (", who got a prompt of their own for it." if told else "."),
            )

    def answers(self) -> None:
        reminded: dict[int, datetime] = {}
        for job in self.jobs("reminder"):
            person_id = int((job.payload or {})["person_id"])
            if job.done_at is not None:
                reminded.setdefault(person_id, job.done_at)
        sent_back = {
            entry_id: event.created_at
            for event in self.audit("review.send_back")
            for entry_id in event.detail.get("entry_ids", [])
        }
        in_form = {  # answered through the e-mailed link's web form (bot.web)
            entry_id
            for event in self.audit("entry.answer")
            for entry_id in event.detail.get("entry_ids", [])
        }
        revisions = self.session.scalars(
            select(Revision)
            .where(Revision.entry_id.in_(self.entries))
            .order_by(Revision.created_at, Revision.id)
        ).all()
        sittings: list[list[Revision]] = []
        for revision in revisions:
            last = sittings[-1][-1] if sittings else None
            if (
                last is not None
                and last.author_id == revision.author_id
                and revision.created_at - last.created_at <= _SITTING
                and revision.entry_id not in sent_back
            ):
                sittings[-1].append(revision)
            else:
                sittings.append([revision])
        for sitting in sittings:
            first = sitting[0]
            titles = {r.id: self.entries[r.entry_id][1].title for r in sitting}
            updated = [titles[r.id] for r in sitting if r.reason == RevisionReason.ANSWER]
            kept = [titles[r.id] for r in sitting if r.reason == RevisionReason.CARRY_FORWARD]
            edited = [titles[r.id] for r in sitting if r.reason == RevisionReason.COORDINATOR_EDIT]
            who = first.author_label or self.name(first.author_id)
            back = sent_back.get(first.entry_id)
            if back is not None and first.created_at > back:
                self.add(
                    first.created_at,
                    "revision",
                    f"{who} opened Update from the send-back message and saved a revised "
                    f"text for {_items(updated)}.",
                )
                self.narration.counts["items revised"] += len(updated)
                continue
            parts = []
            form = first.entry_id in in_form
            if updated:
                how = "in the web form of the e-mailed link" if form else "(Update → modal)"
                parts.append(f"updated {_items(updated)} {how}")
            if kept:
                parts.append(f"{'chose' if form else 'pressed'} No change on {_items(kept)}")
            if edited:
                parts.append(f"edited {_items(edited)} as coordinator")
            late = first.author_id in reminded and first.created_at > reminded[first.author_id]
            self.add(
                first.created_at,
                "answer",
                f"{who} " + "; ".join(parts) + (", after the reminder." if late else "."),
            )
            self.narration.counts["items answered"] += len(updated) + len(kept)
            if late:
                self.narration.counts["items answered after reminder"] += len(updated) + len(kept)

    def reminders(self) -> None:
        by_time: dict[datetime, list[str]] = defaultdict(list)
        for job in self.jobs("reminder"):
            payload, result = job.payload or {}, job.result or {}
            calls = [self.delivered(ts) for ts in (result.get("parts") or {}).values()]
            calls = [c for c in calls if c is not None]
            if not calls or job.done_at is None:
                continue
            missing = sum(self.buttons(c, ids.UPDATE) for c in calls)
            by_time[job.done_at].append(f"{self.name(payload['person_id'])} ({missing} missing)")
            self.narration.counts["reminded"] += 1
        for moment, names in sorted(by_time.items()):
            self.add(
                moment,
                "reminder",
                f"Reminder ({moment.astimezone(ZONE):%H:%M}, inside working hours) only to "
                f"those with unanswered items, listing just those: {', '.join(names)}. "
                "Nobody else was disturbed.",
            )

    def digest(self) -> None:
        for job in self.jobs("digest"):
            sent = (job.result or {}).get("sent") or {}
            names = [self.name(int(pid)) for pid, ts in sent.items() if self.delivered(ts)]
            if not names or job.done_at is None:
                continue
            answered = sum(
                1
                for entry_id in self.entries
                if self.session.scalar(
                    select(Revision.id).where(
                        Revision.entry_id == entry_id, Revision.created_at <= job.done_at
                    )
                )
            )
            self.add(
                job.done_at,
                "digest",
                f"Deadline passed. Digest to the coordinators {', '.join(names)}: {answered} of "
                f"{len(self.entries)} answered, who is missing, and a Remind now button.",
            )

    def review(self) -> None:
        for event in self.audit("review.", prefix=True):
            d, who = event.detail, event.actor_label
            if event.action == "review.compile":
                text = (
                    f"{who} typed /status compile. Draft {d['draft_number']} (Word + HTML) "
                    f"came to the coordinator's DM: {d['answered']} answered, "
                    f"{d['carried_forward']} carried forward, {d['missing']} missing, "
                    f"{d['changed']} changed since last report."
                )
            elif event.action == "review.send_back":
                owners = ", ".join(sorted(self._answerers(d.get("entry_ids", []))))
                text = (
                    f"{who} pressed Send back… on {_items(d['initiatives'])} with the comment "
                    f"“{_clip(d['comment'], 90)}” — {owners} got it with an Update button."
                )
            elif event.action == "review.approve":
                if d.get("final"):
                    formats = ", ".join(f.upper() for f in d.get("documents", {}))
                    text = (
                        f"{who} approved ({d['approvals']} of {d['needed']}): the report is "
                        f"frozen and stored as the approved snapshot ({formats})."
                    )
                else:
                    text = (
                        f"{who} approved draft {d['draft_number']} ({d['approvals']} of "
                        f"{d['needed']} approvals); the second coordinator was asked."
                    )
            elif event.action == "review.publish":
                text = self._published(event)
            else:
                continue
            self.add(event.created_at, event.action.removeprefix("review."), text)

    def _published(self, event: AuditEvent) -> str:
        channel = str(event.detail.get("channel"))
        files = [
            c
            for c in self.slack.calls("files.completeUploadExternal", ok=True)
            if c.params.get("channel_id") == channel
        ]
        names = [str(f.get("title") or "") for c in files for f in c.params.get("files") or []]
        thanked = 0
        for job in self.jobs("publish"):
            thanked = len((job.result or {}).get("thanked") or [])
        self.narration.counts["published files"] = len(names)
        return (
            f"{event.actor_label} pressed Publish: the approved "
            f"{' + '.join(sorted({n.rsplit('.', 1)[-1].upper() for n in names}))} went to "
            f"channel {channel} with a summary, and {thanked} managers were thanked."
        )

    def silent(self) -> None:
        by_owner: dict[int | None, list[str]] = defaultdict(list)
        for entry, initiative in self.entries.values():
            if entry.source == EntrySource.PENDING:
                by_owner[initiative.owner_id].append(initiative.title)
        if not by_owner:
            return
        moment = self.cycle.published_at or self.cycle.approved_at or self.cycle.deadline
        for owner, titles in by_owner.items():
            self.add(
                moment,
                "no answer",
                f"{self.name(owner)} never answered: {_items(titles)} keep last report's text, "
                "marked in the document as no answer received.",
            )
            self.narration.counts["items without answer"] += len(titles)

    def _answerers(self, entry_ids: list[int]) -> set[str]:
        names = set()
        for entry_id in entry_ids:
            entry, initiative = self.entries[entry_id]
            names.add(self.name(entry.answered_by_id or initiative.owner_id))
        return names

    def audit(self, action: str, *, prefix: bool = False) -> list[AuditEvent]:
        condition = AuditEvent.action.startswith(action) if prefix else AuditEvent.action == action
        return list(
            self.session.scalars(
                select(AuditEvent)
                .where(condition, AuditEvent.cycle_id == self.cycle.id)
                .order_by(AuditEvent.created_at, AuditEvent.id)
            )
        )

    def tell(self) -> Narration:
        for part in (
            self.opened,
            self.prompts,
            self.delegations,
            self.answers,
            self.reminders,
            self.digest,
            self.review,
        ):
            part()
        self._seq.sort(key=lambda item: (item[0], item[1]))
        told = [line for _m, _i, line in self._seq]
        self._seq = []
        self.silent()  # the conclusion, after the story
        self.narration.lines = told + [line for _m, _i, line in self._seq]
        return self.narration


def narrate(
    slack: SlackHarness, factory: sessionmaker[Session], sample: SampleData, cycle_id: int
) -> Narration:
    with factory() as session:
        return _Story(slack, session, sample, cycle_id).tell()


__all__ = ["Line", "Narration", "narrate"]
