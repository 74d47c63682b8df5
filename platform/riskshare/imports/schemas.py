"""The imports API's schemas."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from riskshare.api.fields import Integer
from riskshare.imports.models import FORMATS, MODES, VALID_ROWS


class ImportUpload(ma.Schema):
    """multipart/form-data: the file and the fields beside it."""

    file = Upload(
        required=True,
        metadata={"description": "xlsx or CSV (UTF-8 or GBK) with the columns of the template"},
    )
    program_id = Integer(required=True, metadata={"description": "the program the loans join"})
    mode = ma.fields.String(
        load_default=VALID_ROWS,
        validate=validate.OneOf(MODES),
        metadata={
            "description": "valid_rows: register the good rows and report the bad;"
            " all_or_nothing: register nothing if one row is bad"
        },
    )


class TemplateQuery(ma.Schema):
    format = ma.fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))


class RowError(ma.Schema):
    row = Integer(metadata={"description": "the spreadsheet's row number (the header is row 1)"})
    column = ma.fields.String(allow_none=True, metadata={"description": "the column's key"})
    column_zh = ma.fields.String(allow_none=True)
    value = ma.fields.String(allow_none=True)
    zh = ma.fields.String()
    en = ma.fields.String()


class ImportOut(ma.Schema):
    id = Integer()
    program_id = Integer()
    kind = ma.fields.String()
    mode = ma.fields.String()
    format = ma.fields.String()
    filename = ma.fields.String()
    size = Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.String()
    institution_id = Integer(allow_none=True)
    state = ma.fields.String(metadata={"description": "queued, running or done"})
    percent = Integer(metadata={"description": "percent of the rows processed"})
    total_rows = Integer()
    rows_processed = Integer()
    created_count = Integer(metadata={"description": "loans registered by this import"})
    existing_count = Integer(
        metadata={"description": "rows whose loan (lender and reference) was registered already"}
    )
    error_count = Integer(metadata={"description": "rows not registered, each in errors"})
    errors = ma.fields.List(ma.fields.Nested(RowError))
    outbox_id = Integer(allow_none=True)
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


class ImportListOut(ImportOut):
    class Meta:
        exclude = ("errors",)
