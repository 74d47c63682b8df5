"""Schemas shared by several resources."""

from __future__ import annotations

import base64
import re
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from riskshare.api.fields import EffectiveOn, Integer

# Characters no file name needs and some file systems or download headers misread.
_UNSAFE_IN_FILENAME = re.compile(r'[<>:"|?*;]')


def safe_filename(name: str) -> str:
    """The base name of what a client sent as a file name: no directories (``../../x``,
    ``C:\\x``), no leading dots, no characters a download header would misread."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE_IN_FILENAME.sub("_", base).strip().lstrip(".").strip()
    return base[:255] or "document"


class DocumentIn(ma.Schema):
    kind = ma.fields.String(
        required=True, validate=validate.Length(1, 40), metadata={"example": "credit_report"}
    )
    filename = ma.fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "kept as its base name: directories are dropped"},
    )
    content_type = ma.fields.String(load_default="application/octet-stream")
    content_base64 = ma.fields.String(
        required=True,
        metadata={"description": "at most RISKSHARE_MAX_DOCUMENT_BYTES once decoded"},
    )

    @ma.validates("content_base64")
    def _within_the_limit(self, value: str, **_: Any) -> None:
        limit = current_app.config["RISKSHARE_MAX_DOCUMENT_BYTES"]
        # Four base64 characters carry three bytes; padding aside, this is the decoded size.
        if len(value) * 3 // 4 - value.count("=") > limit:
            raise ma.ValidationError(
                f"A document holds at most {limit} bytes (RISKSHARE_MAX_DOCUMENT_BYTES)."
            )

    @ma.post_load
    def _base_name(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["filename"] = safe_filename(data["filename"])
        return data


class DocumentOut(ma.Schema):
    id = Integer()
    kind = ma.fields.String()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.String()
    created_at = ma.fields.DateTime()


class DocumentContentOut(DocumentOut):
    content_base64 = ma.fields.Method("encode")

    def encode(self, doc):
        return base64.b64encode(doc.content).decode()


class ReviewDecisionIn(ma.Schema):
    """A reviewer's opinion: approve or reject, with reasons."""

    decision = ma.fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 5000))
    effective_on = EffectiveOn()


class DatedActionIn(ma.Schema):
    """The body of an action that needs nothing but, optionally, its business date."""

    effective_on = EffectiveOn()
