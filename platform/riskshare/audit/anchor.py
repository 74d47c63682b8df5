"""Anchoring the audit chain outside the table it protects.

The hash chain alone proves only that the rows agree with each other: whoever can write the
table (a database superuser, a restored backup) can delete its tail, or append an event and
chain it correctly, and the chain still verifies. Two things the database does not hold
close that gap, both made with the audit key, a private key kept in the application's
environment (``RISKSHARE_AUDIT_KEY_PATH``) that the database role never sees:

* every event carries a **seal**, an HMAC of its hash under a secret derived from the key:
  an event written behind the application's back cannot carry a valid seal;
* a **checkpoint** (tenant, last sequence number, head hash, number of events), signed with
  the key as a JWS, is written periodically by the worker and can be exported to the
  auditors, who keep it: verifying against it detects a deleted tail, a truncated log and
  renumbered events, even when the checkpoints in the database were deleted too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pathlib
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from riskshare.auth.tokens import load_private_key

CHECKPOINT_TYPE = "riskshare-audit-checkpoint"


class CheckpointInvalid(ValueError):
    """A checkpoint that is not signed by this platform's audit key, or is malformed."""


@dataclass(frozen=True)
class Checkpoint:
    tenant: str
    last_seq: int
    head_hash: str
    events: int
    made_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "typ": CHECKPOINT_TYPE,
            "tenant": self.tenant,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "events": self.events,
            "made_at": self.made_at,
        }


class AuditKey:
    """The platform's audit key: seals events and signs checkpoints."""

    def __init__(self, path: pathlib.Path | str, *, create: bool) -> None:
        self.path = pathlib.Path(path)
        self._private = load_private_key(self.path, create=create, purpose="audit key")
        self.kid: str = self._private.thumbprint()
        # The sealing secret is derived from the private key, so one file holds both and
        # neither can be had from the public half that auditors are given.
        private_exponent = self._private.export(private_key=True, as_dict=True)["d"]
        self._mac_key = hashlib.sha256(
            b"riskshare-audit-seal\0" + private_exponent.encode()
        ).digest()

    def seal(self, event_hash: str) -> str:
        return hmac.new(self._mac_key, event_hash.encode(), hashlib.sha256).hexdigest()

    def sealed(self, event_hash: str, seal: str | None) -> bool:
        return seal is not None and hmac.compare_digest(self.seal(event_hash), seal)

    def sign(self, checkpoint: Checkpoint) -> str:
        payload = json.dumps(checkpoint.as_dict(), sort_keys=True, separators=(",", ":"))
        token = jws.JWS(payload.encode())
        token.add_signature(self._private, alg="RS256", protected={"alg": "RS256", "kid": self.kid})
        return str(token.serialize(compact=True))

    def public_jwk(self) -> dict[str, Any]:
        public = dict(self._private.export_public(as_dict=True))
        public.update(kid=self.kid, use="sig", alg="RS256")
        return public


def read_checkpoint(token: str, public: dict[str, Any]) -> Checkpoint:
    """The checkpoint ``token`` holds, if the audit key's public half ``public`` signed it."""
    try:
        signed = jws.JWS()
        signed.deserialize(token.strip())
        signed.verify(jwk.JWK(**public), alg="RS256")
        body = json.loads(signed.payload)
    except (JWException, ValueError, TypeError) as exc:
        raise CheckpointInvalid(f"not a checkpoint signed by this audit key: {exc}") from exc
    if not isinstance(body, dict) or body.get("typ") != CHECKPOINT_TYPE:
        raise CheckpointInvalid("not an audit checkpoint")
    try:
        return Checkpoint(
            tenant=str(body["tenant"]),
            last_seq=int(body["last_seq"]),
            head_hash=str(body["head_hash"]),
            events=int(body["events"]),
            made_at=str(body["made_at"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointInvalid(f"malformed checkpoint: {exc}") from exc
