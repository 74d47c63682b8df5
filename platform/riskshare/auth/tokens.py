"""Bearer access token verification, and the development signer used in embedded mode.

Why it is shaped this way:

- Every token, whether Keycloak signed it or the embedded development key did, is checked by the
  same `TokenVerifier`, which hands the work to python-keycloak's `KeycloakOpenID.decode_token`
  with an explicit key set. Only the `KeySource` differs between the modes, so embedded mode can
  never drift into a laxer verification path than production.
- Signing keys are cached. Fetching the JWKS on every request would put Keycloak on the hot path
  of every API call. A token whose `kid` is not cached is how a Keycloak key rotation shows up, so
  it forces one refresh, but that refresh is rate limited: anyone can send a token with a made-up
  `kid`, and each one must not turn into a request to Keycloak.
- The token header is attacker-controlled, so the algorithm is pinned before anything else looks
  at the token: letting the header pick `none`, or an HMAC algorithm keyed with the (public) RSA
  key, are the classic JWT forgeries.
- Failures become `InvalidToken` with a short reason that is safe to show the client (it tells a
  caller *what* to fix, never anything about our keys); the original exception stays chained for
  the logs.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pathlib
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import keycloak
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException, JWKeyNotFound, base64url_decode
from keycloak.exceptions import KeycloakError

__all__ = [
    "DevKeySource",
    "InvalidToken",
    "KeySource",
    "KeySourceUnavailable",
    "KeycloakKeySource",
    "TokenVerifier",
    "mint_dev_token",
]

log = logging.getLogger(__name__)


class InvalidToken(Exception):
    """The bearer token was refused; `reason` is short English, safe to return to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeySourceUnavailable(Exception):
    """No signing keys could be obtained (Keycloak unreachable and nothing cached yet).

    Deliberately not an `InvalidToken`: the token may be perfectly good and the fault is ours, so
    the API should answer 503, not 401 (a 401 would make clients throw away valid sessions).
    """


class KeySource(Protocol):
    """Where the verifier gets public signing keys from."""

    def jwks(self, *, refresh: bool = False) -> jwk.JWKSet:
        """Return the current key set; `refresh=True` asks for fresh keys (may be rate limited)."""
        ...


# --------------------------------------------------------------------------------------------
# Keycloak key source
# --------------------------------------------------------------------------------------------


class KeycloakKeySource:
    """The realm's JWKS, fetched through python-keycloak (`KeycloakOpenID.certs`) and cached.

    - The cache is refetched when it is older than `ttl_seconds`, so keys Keycloak retired stop
      being trusted eventually even if nobody forces a refresh.
    - `jwks(refresh=True)` (an unknown `kid`) refetches at most once per `min_refresh_interval`
      seconds; within the interval it returns the cached set, so a flood of made-up kids costs
      Keycloak one request, not one per token.
    - If a refetch fails while keys are cached, the cached keys keep serving (an outage of Keycloak
      should not log every user out) and the next attempt waits `min_refresh_interval`.
    - One lock serialises fetches, so concurrent requests that all miss trigger a single fetch.

    `clock` exists for tests (monotonic seconds); `timeout` bounds one fetch, because it runs
    while holding the lock on a request thread.
    """

    def __init__(
        self,
        server_url: str,
        realm: str,
        client_id: str,
        *,
        ttl_seconds: int = 3600,
        min_refresh_interval: float = 10.0,
        verify_tls: bool | str = True,
        timeout: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        if min_refresh_interval < 0:
            raise ValueError("min_refresh_interval must not be negative")
        self.server_url = server_url
        self.realm = realm
        self._ttl = float(ttl_seconds)
        self._min_refresh_interval = float(min_refresh_interval)
        self._clock = clock
        # One client for the life of the source, so its HTTP session (and pooled connection to
        # Keycloak) is reused across refreshes.
        self._openid = keycloak.KeycloakOpenID(
            server_url=server_url,
            realm_name=realm,
            client_id=client_id,
            verify=verify_tls,
            timeout=timeout,
        )
        self._lock = threading.Lock()
        self._keys: jwk.JWKSet | None = None
        self._fetched_at = -math.inf
        self._last_forced = -math.inf
        self._failed_at = -math.inf

    def jwks(self, *, refresh: bool = False) -> jwk.JWKSet:
        with self._lock:
            now = self._clock()
            if self._keys is None:
                # Nothing to fall back on; still rate limit, so an outage at startup does not turn
                # every request into a (timing-out) call to Keycloak.
                if now - self._failed_at < self._min_refresh_interval:
                    raise KeySourceUnavailable(
                        "signing keys are unavailable (Keycloak unreachable)"
                    )
                self._keys = self._fetch(now)
                return self._keys

            expired = now - self._fetched_at >= self._ttl
            forced = refresh and now - self._last_forced >= self._min_refresh_interval
            if not (expired or forced):
                return self._keys
            if forced:
                self._last_forced = now
            try:
                self._keys = self._fetch(now)
            except KeySourceUnavailable as exc:
                log.warning("keeping cached signing keys: %s", exc)
                if expired:
                    # Retry after min_refresh_interval rather than on every request.
                    self._fetched_at = now - self._ttl + self._min_refresh_interval
            return self._keys

    def close(self) -> None:
        """Close the HTTP session to Keycloak (tests and orderly shutdown)."""
        self._openid.connection._s.close()  # python-keycloak exposes no public close()

    def _fetch(self, now: float) -> jwk.JWKSet:
        try:
            document = self._openid.certs()
        except (KeycloakError, TypeError, ValueError) as exc:
            self._failed_at = now
            raise KeySourceUnavailable(f"could not fetch the realm's signing keys: {exc}") from exc
        keys = _signing_keys(document)
        if not keys["keys"]:
            self._failed_at = now
            # Never replace a working cache with an empty set: it would refuse every token.
            raise KeySourceUnavailable("the realm publishes no usable signing keys")
        self._fetched_at = now
        log.info("fetched %d signing key(s) for realm %s", len(keys["keys"]), self.realm)
        return keys


def _signing_keys(document: Any) -> jwk.JWKSet:
    """Import the `use: sig` keys of a JWKS document, skipping what cannot be used.

    Keycloak also publishes its encryption key (`use: enc`), and a realm may hold key types this
    jwcrypto does not know; one odd key must not make every other key unusable.
    """
    keyset = jwk.JWKSet()
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or not entry.get("kid"):
            continue
        try:
            keyset.add(jwk.JWK(**entry))
        except (JWException, ValueError, TypeError) as exc:
            log.warning("skipping signing key %r: %s", entry.get("kid"), exc)
    return keyset


# --------------------------------------------------------------------------------------------
# Development key source (embedded mode)
# --------------------------------------------------------------------------------------------

# Namespace for dev subjects: `sub` must stay the same for the same username across restarts and
# re-minted tokens, because audit records and per-user data key on it.
_DEV_SUBJECT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://riskshare.invalid/dev-users")


class DevKeySource:
    """A local RSA key that signs tokens in embedded mode, and publishes its public half.

    The private key is generated on first run (never shipped or committed, so no two installs
    share a key) and kept at `path` with mode 0600. `kid` is the key's RFC 7638 thumbprint, so it
    is stable for the file and changes automatically if the file is replaced.
    """

    def __init__(self, path: pathlib.Path | str) -> None:
        self.path = pathlib.Path(path)
        self._private = _load_or_create_private_key(self.path)
        self.kid: str = self._private.thumbprint()
        public = self._private.export_public(as_dict=True)
        public.update(kid=self.kid, use="sig", alg="RS256")
        self._public_set = jwk.JWKSet()
        self._public_set.add(jwk.JWK(**public))

    def jwks(self, *, refresh: bool = False) -> jwk.JWKSet:
        # `refresh` is meaningless for a local key; the set never changes while we run.
        return self._public_set

    def sign(self, claims: dict) -> str:
        """Sign `claims` as an RS256 compact JWS whose header names this key's `kid`."""
        token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": self.kid}, claims=claims)
        token.make_signed_token(self._private)
        return token.serialize()


def _load_or_create_private_key(path: pathlib.Path) -> jwk.JWK:
    return load_private_key(path, create=True, purpose="development signing key")


def load_private_key(path: pathlib.Path, *, create: bool, purpose: str) -> jwk.JWK:
    """The RSA private key in ``path``; generated there first (0600) if ``create``."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        if not create:
            raise
        pem = _create_key_file(path, purpose)
    else:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning("%s %s is readable by others (mode %o)", purpose, path, mode)
    try:
        key = jwk.JWK.from_pem(pem)
    except (JWException, ValueError, TypeError) as exc:
        raise ValueError(f"{path} does not hold a PEM private key: {exc}") from exc
    if key.get("kty") != "RSA" or not key.has_private:
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


def _create_key_file(path: pathlib.Path, purpose: str) -> bytes:
    """Write a new 2048-bit RSA key to `path` (0600) and return its PEM.

    The key is written to a private temporary file and then hard-linked into place: the file is
    never visible half-written or with looser permissions, and if two processes start at once
    (API and worker) the link fails for the loser, which then uses the winner's key.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file with mode 0600
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
    finally:
        os.unlink(tmp)
    log.info("generated %s at %s", purpose, path)
    return pem


def mint_dev_token(
    source: DevKeySource,
    *,
    issuer: str,
    audience: str,
    username: str,
    tenant: str | None = None,
    roles: Sequence[str] = (),
    institution: str | None = None,
    platform_admin: bool = False,
    lifetime: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> str:
    """Mint an access token shaped like Keycloak's, signed by the development key.

    Same claims the API reads from real Keycloak tokens: per-tenant roles as group paths
    `/tenants/<tenant>/<role>` in `groups`, `platform-admin` as a realm role, and the
    `institution` attribute for institution-scoped users.
    """
    if isinstance(roles, str):
        raise TypeError("roles must be a sequence of role names, not a single string")
    if roles and not tenant:
        raise ValueError("roles are granted per tenant; pass tenant= as well")
    for part in (tenant, *roles):
        if part is not None and (not part or "/" in part):
            raise ValueError(f"invalid tenant or role name {part!r} (empty or contains '/')")
    if lifetime <= timedelta(0):
        raise ValueError("lifetime must be positive")
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")

    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "azp": audience,
        "sub": str(uuid.uuid5(_DEV_SUBJECT_NAMESPACE, username)),
        "preferred_username": username,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "groups": [f"/tenants/{tenant}/{role}" for role in roles],
    }
    if platform_admin:
        claims["realm_access"] = {"roles": ["platform-admin"]}
    if institution is not None:
        claims["institution"] = institution
    return source.sign(claims)


# --------------------------------------------------------------------------------------------
# Verifier
# --------------------------------------------------------------------------------------------

# Compact JWS only (header.payload.signature). This refuses JWE (five parts) and the JSON
# serialisation, whose extra signatures and unprotected headers are needless attack surface.
# The signature may be empty so that `alg: none` gets its precise reason below.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

# Placeholder server for the verifier's KeycloakOpenID: `decode_token` does no I/O when given a
# key, and a `.invalid` host (RFC 2606) can never resolve, so any accidental call fails loudly
# instead of reaching some real server.
_NO_IO_SERVER_URL = "https://keycloak.invalid/"


class TokenVerifier:
    """Verify bearer access tokens: signature against the key source, algorithm pinned, and
    `iss`, `aud`, `exp` (and, by default, `typ: Bearer`) required.

    The `typ` check refuses Keycloak ID tokens, which carry the same issuer and often the API's
    client id as audience, but are not meant as API credentials. Pass `token_type=None` to skip.
    """

    def __init__(
        self,
        key_source: KeySource,
        *,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = ("RS256",),
        leeway: int = 30,
        token_type: str | None = "Bearer",
        max_lifetime: int = 12 * 3600,
    ) -> None:
        if isinstance(algorithms, str):
            raise TypeError("algorithms must be a sequence of names, not a single string")
        algs = list(algorithms)
        if not algs:
            raise ValueError("at least one algorithm must be allowed")
        unsafe = [alg for alg in algs if alg == "none" or alg.startswith("HS")]
        if unsafe:
            # Symmetric or unsigned algorithms make no sense against a published (public) JWKS.
            raise ValueError(f"algorithms not allowed for public-key verification: {unsafe}")
        self._key_source = key_source
        self._issuer = issuer
        self._audience = audience
        self._algorithms = algs
        self._leeway = leeway
        self._token_type = token_type
        self._max_lifetime = max_lifetime
        self._check_claims: dict[str, Any] = {"iss": issuer, "aud": audience, "exp": None}
        if token_type is not None:
            self._check_claims["typ"] = token_type
        self._openid = keycloak.KeycloakOpenID(
            server_url=_NO_IO_SERVER_URL, realm_name="riskshare", client_id=audience
        )

    @property
    def key_source(self) -> KeySource:
        return self._key_source

    def verify(self, token: str) -> dict:
        """Return the token's claims, or raise `InvalidToken` saying why it was refused.

        May raise `KeySourceUnavailable` when no keys can be had at all (not the token's fault).
        """
        if not isinstance(token, str) or not _COMPACT_JWS.fullmatch(token):
            raise InvalidToken("malformed token")
        header = _peek_header(token)

        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise InvalidToken("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            # Keycloak always names the key; without a kid we could not tell rotation from forgery.
            raise InvalidToken("token has no key id")

        keys = self._key_source.jwks()
        if not keys.get_keys(kid):
            keys = self._key_source.jwks(refresh=True)
            if not keys.get_keys(kid):
                raise InvalidToken("unknown signing key")
        # jwcrypto ignores a key's own `alg`; honour it so one key cannot be used with another
        # (also allowed) algorithm than the one it was published for.
        if any(key.get("alg") not in (None, alg) for key in keys.get_keys(kid)):
            raise InvalidToken("algorithm not allowed for this signing key")

        try:
            claims = self._openid.decode_token(
                token,
                validate=True,
                key=keys,
                algs=list(self._algorithms),
                check_claims=self._check_claims,
                leeway=self._leeway,
            )
        except jwt.JWTExpired as exc:
            raise InvalidToken("token expired") from exc
        except jwt.JWTNotYetValid as exc:
            raise InvalidToken("token not yet valid") from exc
        except (jwt.JWTMissingClaim, jwt.JWTInvalidClaimValue) as exc:
            raise InvalidToken(self._claim_failure(token)) from exc
        except jwt.JWTInvalidClaimFormat as exc:
            raise InvalidToken("malformed claims") from exc
        except (JWKeyNotFound, jws.InvalidJWSSignature) as exc:
            # The kid is known (checked above), so "no working key" means the signature is bad.
            raise InvalidToken("invalid signature") from exc
        except jws.InvalidJWSOperation as exc:
            raise InvalidToken("algorithm not allowed") from exc
        except (JWException, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken("malformed token") from exc

        if not isinstance(claims, dict):
            raise InvalidToken("malformed claims")
        # With check_claims given, jwcrypto checks `nbf` only if asked to, and asking would make
        # it mandatory; Keycloak tokens rarely carry it, so check it here when present.
        now = time.time()
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > now + self._leeway:
            raise InvalidToken("token not yet valid")
        self._check_issued_at(claims, now)
        return claims

    def _check_issued_at(self, claims: dict, now: float) -> None:
        """A token must say when it was issued, not in the future, and live no longer than
        the configured maximum: a stolen signing key or a misconfigured realm could otherwise
        mint tokens that stay valid for years, or are dated ahead to outlive a key rotation."""
        iat = claims.get("iat")
        if iat is None:
            raise InvalidToken("missing 'iat' claim")
        if isinstance(iat, bool) or not isinstance(iat, int | float):
            raise InvalidToken("malformed claims")
        if iat > now + self._leeway:
            raise InvalidToken("token issued in the future")
        if claims["exp"] - iat > self._max_lifetime:
            raise InvalidToken(f"token lifetime exceeds {self._max_lifetime} seconds")

    def _claim_failure(self, token: str) -> str:
        """Name the claim that failed. Only called after the signature verified, so the payload
        is authentic and reading it is safe."""
        try:
            claims = json.loads(base64url_decode(token.split(".")[1]))
        except ValueError:
            return "invalid claims"
        if not isinstance(claims, dict):
            return "invalid claims"
        for name in self._check_claims:
            if name not in claims:
                return f"missing '{name}' claim"
        if claims["iss"] != self._issuer:
            return "wrong issuer"
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if self._audience not in audiences:
            return "wrong audience"
        if self._token_type is not None:
            return "not an access token"
        return "invalid claims"


def _peek_header(token: str) -> dict:
    """Parse (not verify) the protected header, so alg and kid can be checked before any key
    material is touched."""
    try:
        parsed = jws.JWS()
        parsed.deserialize(token)
        header = parsed.jose_header
    except (JWException, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(header, dict):
        raise InvalidToken("malformed token")
    return header
