"""Storing evidence files with their SHA-256, and finding them by the record they belong to.

A record names its files by ``owner_type`` (``"claim"``, ``"write_off"``, a plugin's own
record type) and its id; who may read them is the owning record's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sqlalchemy import select

from riskshare.audit.events import record_event
from riskshare.context import Context
from riskshare.documents.models import Document
from riskshare.errors import Invalid
from riskshare.services import not_found

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def attach_documents(
    ctx: Context, owner_type: str, owner_id: int, documents: list[dict[str, Any]]
) -> list[Document]:
    stored = []
    for index, doc in enumerate(documents):
        try:
            content = base64.b64decode(doc["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid(
                "A document's content is not valid base64.",
                errors=[
                    {"pointer": f"/documents/{index}/content_base64", "detail": "invalid base64"}
                ],
            ) from exc
        if not content or len(content) > MAX_DOCUMENT_BYTES:
            raise Invalid(
                "A document must hold 1 byte to 20 MiB.",
                errors=[
                    {
                        "pointer": f"/documents/{index}/content_base64",
                        "detail": "empty or too large",
                    }
                ],
            )
        stored.append(
            _document(
                ctx,
                owner_type,
                owner_id,
                doc["kind"],
                doc["filename"],
                doc.get("content_type") or "application/octet-stream",
                content,
            )
        )
    ctx.session.flush()
    for document in stored:
        record_event(ctx, "document.attach", document)
    return stored


def store_document(
    ctx: Context,
    owner_type: str,
    owner_id: int,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
) -> Document:
    """Keep a file the platform made itself (a stored report), as an attached one is kept."""
    document = _document(ctx, owner_type, owner_id, kind, filename, content_type, content)
    ctx.session.flush()
    record_event(ctx, "document.attach", document)
    return document


def _document(
    ctx: Context,
    owner_type: str,
    owner_id: int,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
) -> Document:
    document = Document(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=ctx.actor,
        content=content,
    )
    ctx.session.add(document)
    return document


def document_kinds(ctx: Context, owner_type: str, owner_id: int) -> frozenset[str]:
    return frozenset(
        ctx.session.scalars(
            select(Document.kind).where(
                Document.owner_type == owner_type, Document.owner_id == owner_id
            )
        )
    )


def documents_of(ctx: Context, owner_type: str, owner_id: int) -> list[Document]:
    """The files of one record, oldest first (without their content)."""
    return list(
        ctx.session.scalars(
            select(Document)
            .where(Document.owner_type == owner_type, Document.owner_id == owner_id)
            .order_by(Document.id)
        )
    )


def document_of(ctx: Context, owner_type: str, owner_id: int, document_id: int) -> Document:
    """One file of a record, or 404 when the record has no such file."""
    doc = ctx.session.scalar(
        select(Document).where(
            Document.id == document_id,
            Document.owner_type == owner_type,
            Document.owner_id == owner_id,
        )
    )
    if doc is None:
        raise not_found("document", document_id)
    return doc
