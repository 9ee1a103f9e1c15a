"""Sharing files exactly once from a job (drafts to a coordinator, the
published report to a channel).

``files_upload_v2`` is three steps: reserve a file id
(``files.getUploadURLExternal``), send the bytes to the upload URL, and share
the files in a message (``files.completeUploadExternal``). Only the last one
is visible. So the job records the file ids *before* sharing; a re-run that
finds ids recorded but no "shared" mark asks ``files.info`` (scope
``files:read``) whether Slack already shared them in that channel — the
process may have died between Slack's answer and the commit — and adopts them
instead of sharing a second copy. Staged but never shared files are not
visible to anyone (Slack discards them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.blocks.text import slack_text
from bot.slack_client import slack_error_code
from storage.models import Document

log = logging.getLogger(__name__)

Save = Callable[[dict[str, Any]], None]
# A staged file that Slack no longer knows (expired): stage the documents again.
_STALE = {"file_not_found", "file_upload_not_completed", "file_upload_size_mismatch"}


def stage(client: WebClient, document: Document) -> dict[str, str]:
    """Steps 1 and 2: a file id with the bytes uploaded, not shared anywhere."""
    data = document.content
    reserved = client.files_getUploadURLExternal(filename=document.filename, length=len(data))
    # slack_sdk's own upload helper (what files_upload_v2 uses for step 2).
    result = client._upload_file(
        url=str(reserved["upload_url"]),
        data=data,
        logger=client._logger,
        timeout=client.timeout,
        proxy=client.proxy,
        ssl=client.ssl,
    )
    if result.status != 200:
        raise SlackRequestError(f"uploading {document.filename} failed (HTTP {result.status})")
    return {"id": str(reserved["file_id"]), "title": document.filename}


def shared_in(client: WebClient, file_id: str, channel: str) -> bool:
    """Whether Slack shows ``file_id`` shared in ``channel``. Transient errors
    raise (the job is retried); anything else counts as "not shared"."""
    try:
        info = client.files_info(file=file_id).get("file") or {}
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        if status == 429 or status >= 500:
            raise
        log.warning("files.info for %s failed (%s): sharing it", file_id, slack_error_code(exc))
        return False
    shares = info.get("shares") or {}
    places = {c for scope in shares.values() if isinstance(scope, dict) for c in scope}
    for field in ("channels", "groups", "ims"):
        places.update(info.get(field) or [])
    return channel in places


def share_once(
    client: WebClient,
    channel: str,
    documents: Sequence[Document],
    comment: str | None,
    *,
    done: dict[str, Any],
    save: Save,
    recover: bool,
) -> list[str]:
    """Share ``documents`` in one message in ``channel``; returns the file ids.

    ``done`` is what earlier attempts recorded (``staged``, ``files``) and
    ``save`` commits progress; ``recover``: an earlier attempt may have shared.
    """
    if "files" in done:
        return list(done["files"])
    if not documents:
        save({"files": []})
        return []
    staged: list[dict[str, str]] = list(done.get("staged") or [])
    if staged and recover and shared_in(client, staged[0]["id"], channel):
        log.info("adopting files %s, shared by an earlier attempt", [f["id"] for f in staged])
        ids = [f["id"] for f in staged]
        save({"files": ids})
        return ids
    if not staged:
        staged = [stage(client, d) for d in documents]
        save({"staged": staged})
    try:
        response = client.files_completeUploadExternal(
            files=staged,
            channel_id=channel,
            initial_comment=slack_text(comment) if comment else None,
        )
    except SlackApiError as exc:
        if slack_error_code(exc) in _STALE:
            save({"staged": None})
        raise
    ids = [str(f.get("id")) for f in response.get("files") or [] if isinstance(f, dict)]
    save({"files": ids})
    return ids
