"""The coordinators' review workflow: compile, send back, edit, approve, reopen,
publish, area settings. No Slack imports; services flush but never commit.

Every service takes an :class:`~bot.workflow.actor.Actor`, checks that it is a
coordinator of the cycle's area (or an admin, or the CLI operator), raises a
:mod:`bot.errors` subclass with a message in ``locale`` (default: the actor's
language, else the bot's), and records what it did in the audit log.
"""

from bot.review.approve import ApproveResult, approvals_needed, approve
from bot.review.area_settings import AreaSettings, read_settings, update_settings
from bot.review.compile import CompileResult, Summary, Tally, compile_draft, is_draft_stale
from bot.review.edit import EditResult, coordinator_edit
from bot.review.errors import MissingAnswers, StaleDraft
from bot.review.publish import PUBLISH_JOB, Publication, PublishResult, publication, publish
from bot.review.reopen import reopen
from bot.review.sendback import SendBackResult, send_back

__all__ = [
    "PUBLISH_JOB",
    "ApproveResult",
    "AreaSettings",
    "CompileResult",
    "EditResult",
    "MissingAnswers",
    "Publication",
    "PublishResult",
    "SendBackResult",
    "StaleDraft",
    "Summary",
    "Tally",
    "approvals_needed",
    "approve",
    "compile_draft",
    "coordinator_edit",
    "is_draft_stale",
    "publication",
    "publish",
    "read_settings",
    "reopen",
    "send_back",
    "update_settings",
]
