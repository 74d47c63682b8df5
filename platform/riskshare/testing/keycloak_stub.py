"""A Keycloak-compatible HTTP server for tests.

Keycloak itself cannot be installed on the machines the tests run on, yet the code that talks to
it (token verification through python-keycloak, group provisioning through `KeycloakAdmin`) must
be exercised over real HTTP, unchanged. This stub serves the subset of Keycloak's endpoints that
code uses, at Keycloak's paths and with Keycloak's JSON shapes:

- `GET  /realms/{realm}/.well-known/openid-configuration`
- `GET  /realms/{realm}/protocol/openid-connect/certs`  (counted in `certs_requests`)
- `POST /realms/{realm}/protocol/openid-connect/token`  (password, client_credentials,
  refresh_token and authorization_code grants; the admin logs in to realm `master` with
  client `admin-cli`)
- `GET|POST /realms/{realm}/protocol/openid-connect/auth`  (the browser flow: a sign-in
  form, then a redirect with a one-time code; PKCE S256 is required, as the realm export's
  console client requires it, and the code is exchanged only with its verifier, by the
  client and for the redirect URI it was issued to; `nonce` goes into the ID token)
- the admin REST group API under `/admin/realms/{realm}/`: `groups` (GET, POST), `groups/count`,
  `groups/{id}` (GET, PUT, DELETE), `groups/{id}/children` (GET, POST), `group-by-path/{path}`.
- the admin REST user API the provisioning uses (`riskshare.auth.directory`): `users` (GET with
  `username`/`exact`, POST), `users/{id}` (GET, PUT), `users/{id}/groups` (GET),
  `users/{id}/groups/{groupId}` (PUT, DELETE), `users/{id}/reset-password` (PUT) and
  `users/{id}/execute-actions-email` (PUT; the stub keeps the mail in `emails` instead of
  sending it).

Users made through the admin API sign in with the password grant once their required actions
are done (`complete_required_actions`, what following the e-mailed link does); their tokens
are shaped as the realm's protocol mappers shape them (`helm/riskshare/files/
realm-riskshare.json`): `groups` holds the full paths of the groups they are in *now*, so a
removed membership is gone from the next token, `institution` is their attribute, and
`realm_access.roles` their realm roles.

Admin endpoints demand a bearer token the stub issued: a master-realm token (the admin login),
or a token of the served realm whose `resource_access.realm-management.roles` holds
`manage-users` or `realm-admin` (a provisioning service account, as a least-privilege production
setup would use). Errors carry Keycloak's shapes: OAuth errors `{"error", "error_description"}`
on the token endpoint, `{"errorMessage": ...}` on the admin API.

The server listens on 127.0.0.1 with an OS-assigned port (parallel test workers never collide)
and runs in a daemon thread, so a test that forgets `stop()` cannot hang the run.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException, json_decode
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

__all__ = ["KeycloakStub", "StubGroup", "StubUser"]

_MASTER = "master"
_ADMIN_CLIENT = "admin-cli"
_ACCESS_TOKEN_LIFETIME = 300  # Keycloak's default access token lifespan
_REFRESH_TOKEN_LIFETIME = 1800  # Keycloak's default SSO session idle timeout
_RSA_ALGS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
_ADMIN_ROLES = {"manage-users", "realm-admin"}
_BAD_CLIENT = "Invalid client or Invalid client credentials"
_NO_SERVICE_ACCOUNT = "Public client not allowed to retrieve service account"


@dataclass(eq=False)
class StubGroup:
    """One node of the stub's group tree (what Keycloak stores as a GroupModel)."""

    id: str
    name: str
    parent: StubGroup | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    children: list[StubGroup] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.parent.path if self.parent else ''}/{self.name}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def representation(self, subgroups: list[dict] | None = None) -> dict:
        """GroupRepresentation as Keycloak 23+ returns it (children by count, not inline)."""
        rep: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "path": self.path,
            "subGroupCount": len(self.children),
            "subGroups": subgroups if subgroups is not None else [],
            "attributes": {key: list(values) for key, values in self.attributes.items()},
            "realmRoles": [],
            "clientRoles": {},
            "access": {
                "view": True,
                "viewMembers": True,
                "manageMembers": True,
                "manage": True,
                "manageMembership": True,
            },
        }
        if self.parent is not None:
            rep["parentId"] = self.parent.id
        return rep


# The protocol mappers of the realm export's console client (helm/riskshare/files/
# realm-riskshare.json), which shape the access tokens of users made through the admin API;
# ``KeycloakStub.from_realm_export`` takes them from the file itself.
DEFAULT_MAPPERS: list[dict[str, Any]] = [
    {
        "name": "groups",
        "protocolMapper": "oidc-group-membership-mapper",
        "config": {"claim.name": "groups", "full.path": "true", "access.token.claim": "true"},
    },
    {
        "name": "institution",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "config": {
            "user.attribute": "institution",
            "claim.name": "institution",
            "multivalued": "false",
            "access.token.claim": "true",
        },
    },
    {
        "name": "riskshare-api audience",
        "protocolMapper": "oidc-audience-mapper",
        "config": {"included.client.audience": "riskshare-api", "access.token.claim": "true"},
    },
]


@dataclass(eq=False)
class StubUser:
    """A realm user made through the admin API (what Keycloak stores as a UserModel)."""

    id: str
    username: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""
    enabled: bool = True
    email_verified: bool = False
    attributes: dict[str, list[str]] = field(default_factory=dict)
    required_actions: list[str] = field(default_factory=list)
    realm_roles: list[str] = field(default_factory=list)
    groups: list[StubGroup] = field(default_factory=list)
    password: str | None = None
    created: int = field(default_factory=lambda: int(time.time() * 1000))

    def representation(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "enabled": self.enabled,
            "emailVerified": self.email_verified,
            "attributes": {key: list(values) for key, values in self.attributes.items()},
            "requiredActions": list(self.required_actions),
            "createdTimestamp": self.created,
            "totp": False,
            "disableableCredentialTypes": [],
            "notBefore": 0,
            "access": {"manage": True, "impersonate": False, "mapRoles": True},
        }


@dataclass
class _SigningKey:
    private: jwk.JWK
    public_entry: dict


@dataclass
class _Code:
    """An authorization code waiting for its exchange (one use, 60 s as Keycloak's)."""

    realm: str
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    scope: str
    claims: dict
    expires_at: float


@dataclass
class _Session:
    """What a refresh token stands for: who, in which realm, through which client."""

    realm: str
    client_id: str
    claims: dict
    expires_at: float


class _ApiError(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(body)
        self.status = status
        self.body = body


class _AnyPathConverter(BaseConverter):
    """Matches everything, leading slashes included: python-keycloak requests
    `group-by-path//tenants/x` (the group path keeps its leading slash)."""

    regex = ".*"
    part_isolating = False


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug logs every request at INFO; in a test run that is noise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class KeycloakStub:
    """In-process Keycloak stand-in serving one realm (plus `master` for the admin login)."""

    def __init__(
        self,
        realm: str = "riskshare",
        *,
        client_id: str = "riskshare-api",
        admin_username: str = "admin",
        admin_password: str = "admin",
        mappers: list[dict[str, Any]] | None = None,
    ) -> None:
        self.realm = realm
        self.client_id = client_id
        self.mappers = DEFAULT_MAPPERS if mappers is None else mappers
        self.url = ""
        self.certs_requests = 0
        self.token_requests = 0
        self.groups: list[StubGroup] = []
        self.accounts: list[StubUser] = []
        # Mails Keycloak would send (execute-actions-email): to, user_id, actions, client_id,
        # lifespan.
        self.emails: list[dict[str, Any]] = []
        self._admin = (admin_username, admin_password)
        self._lock = threading.RLock()
        self._keys: dict[str, _SigningKey] = {}
        # Keycloak also publishes an encryption key in the same JWKS; serving one too proves
        # clients skip it rather than choke on it.
        self._enc_entry = self._public_entry(self._new_rsa_key(), use="enc", alg="RSA-OAEP")
        # client_id -> secret (None: public client)
        self._clients: dict[str, str | None] = {client_id: None}
        self._client_claims: dict[str, dict] = {}
        self._users: dict[str, tuple[str, dict]] = {}
        self._sessions: dict[str, _Session] = {}
        self._codes: dict[str, _Code] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._current_kid = self.rotate_key()
        self._url_map = Map(
            [
                Rule("/realms/<realm>/.well-known/openid-configuration", endpoint="discovery"),
                Rule("/realms/<realm>/protocol/openid-connect/certs", endpoint="certs"),
                Rule(
                    "/realms/<realm>/protocol/openid-connect/token",
                    endpoint="token",
                    methods=["POST"],
                ),
                Rule(
                    "/realms/<realm>/protocol/openid-connect/auth",
                    endpoint="auth",
                    methods=["GET", "POST"],
                ),
                Rule("/admin/realms/<realm>/groups", endpoint="groups", methods=["GET", "POST"]),
                Rule("/admin/realms/<realm>/groups/count", endpoint="groups_count"),
                Rule(
                    "/admin/realms/<realm>/groups/<group_id>",
                    endpoint="group",
                    methods=["GET", "PUT", "DELETE"],
                ),
                Rule(
                    "/admin/realms/<realm>/groups/<group_id>/children",
                    endpoint="children",
                    methods=["GET", "POST"],
                ),
                Rule("/admin/realms/<realm>/group-by-path/<anypath:path>", endpoint="by_path"),
                Rule("/admin/realms/<realm>/users", endpoint="users", methods=["GET", "POST"]),
                Rule(
                    "/admin/realms/<realm>/users/<user_id>",
                    endpoint="user",
                    methods=["GET", "PUT"],
                ),
                Rule("/admin/realms/<realm>/users/<user_id>/groups", endpoint="user_groups"),
                Rule(
                    "/admin/realms/<realm>/users/<user_id>/groups/<group_id>",
                    endpoint="membership",
                    methods=["PUT", "DELETE"],
                ),
                Rule(
                    "/admin/realms/<realm>/users/<user_id>/reset-password",
                    endpoint="reset_password",
                    methods=["PUT"],
                ),
                Rule(
                    "/admin/realms/<realm>/users/<user_id>/execute-actions-email",
                    endpoint="actions_email",
                    methods=["PUT"],
                ),
            ],
            converters={"anypath": _AnyPathConverter},
            merge_slashes=False,
            strict_slashes=False,
        )

    @classmethod
    def from_realm_export(cls, realm: dict[str, Any], *, secrets: dict[str, str]) -> KeycloakStub:
        """A stub serving the realm of a Keycloak realm export (``--import-realm``'s file):
        its name, its bearer-only client as the audience, its public clients, its
        confidential clients with ``secrets[clientId]`` (the export names them by
        placeholder), their service accounts' realm-management roles, and the protocol
        mappers of its public browser client shaping users' tokens."""
        clients = realm.get("clients") or []
        audience = next(c["clientId"] for c in clients if c.get("bearerOnly"))
        browser = next(c for c in clients if c.get("publicClient") and c.get("standardFlowEnabled"))
        stub = cls(realm["realm"], client_id=audience, mappers=browser.get("protocolMappers", []))
        for client in clients:
            if client.get("bearerOnly"):
                continue
            if client.get("publicClient"):
                stub.add_client(client["clientId"])
                continue
            account: dict[str, Any] = next(
                (
                    u
                    for u in realm.get("users") or []
                    if u.get("serviceAccountClientId") == client["clientId"]
                ),
                {},
            )
            roles = {
                name: {"roles": list(values)}
                for name, values in (account.get("clientRoles") or {}).items()
            }
            stub.add_client(
                client["clientId"], secrets[client["clientId"]], {"resource_access": roles}
            )
        return stub

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> KeycloakStub:
        if self._server is not None:
            raise RuntimeError("the stub is already running")
        server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_port}/"
        self._thread = threading.Thread(
            target=server.serve_forever, name="keycloak-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> KeycloakStub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        return self._issuer_of(self.realm)

    def _issuer_of(self, realm: str) -> str:
        if not self.url:
            raise RuntimeError("start the stub first: the issuer contains its port")
        return f"{self.url.rstrip('/')}/realms/{realm}"

    # ---------------------------------------------------------------- test controls

    def rotate_key(self) -> str:
        """Add a new signing key, make it the current one, keep older keys published."""
        private = self._new_rsa_key()
        kid = private.thumbprint()
        with self._lock:
            self._keys[kid] = _SigningKey(private, self._public_entry(private, kid=kid))
            self._current_kid = kid
        return kid

    def issue_token(self, claims: dict, *, kid: str | None = None, alg: str = "RS256") -> str:
        """Sign `claims` with the current (or the named) key.

        Defaults are filled in for what a Keycloak access token always carries: `iss` (this
        realm), `iat`, `exp` (+300 s), `jti`, `typ: Bearer`, and `aud`/`azp` (the API client id).
        A claim given as None is left out of the token (e.g. `{"exp": None}`).
        """
        now = int(time.time())
        full = {
            "iss": self.issuer,
            "iat": now,
            "exp": now + _ACCESS_TOKEN_LIFETIME,
            "jti": str(uuid.uuid4()),
            "typ": "Bearer",
            "aud": self.client_id,
            "azp": self.client_id,
        }
        full.update(claims)
        return self._sign({k: v for k, v in full.items() if v is not None}, kid=kid, alg=alg)

    def add_user(self, username: str, password: str, claims: dict | None = None) -> None:
        """A realm user for the password grant; `claims` go into their access tokens."""
        with self._lock:
            self._users[username] = (password, dict(claims or {}))

    def add_client(
        self, client_id: str, secret: str | None = None, claims: dict | None = None
    ) -> None:
        """A realm client; with a secret it is confidential and may use client_credentials
        (its service-account tokens carry `claims`)."""
        with self._lock:
            self._clients[client_id] = secret
            self._client_claims[client_id] = dict(claims or {})

    def account(self, username: str) -> StubUser | None:
        """The admin-made user of that username (Keycloak keeps usernames lowercase)."""
        with self._lock:
            return next((u for u in self.accounts if u.username == username.lower()), None)

    def complete_required_actions(self, username: str, password: str) -> None:
        """What the user does through the e-mailed link or at the first sign-in: set a
        password (replacing a temporary one), verify the address; then they may sign in."""
        with self._lock:
            user = self.account(username)
            if user is None:
                raise KeyError(username)
            user.password = password
            if "VERIFY_EMAIL" in user.required_actions:
                user.email_verified = True
            user.required_actions = []

    def group_paths(self) -> list[str]:
        with self._lock:
            return [g.path for top in self.groups for g in top.walk()]

    def find_group(self, path: str) -> StubGroup | None:
        with self._lock:
            return self._by_path(path)

    # ---------------------------------------------------------------- keys and signing

    @staticmethod
    def _new_rsa_key() -> jwk.JWK:
        return jwk.JWK.generate(kty="RSA", size=2048)

    def _public_entry(
        self, private: jwk.JWK, *, kid: str | None = None, use: str = "sig", alg: str = "RS256"
    ) -> dict[str, Any]:
        """The key as Keycloak's certs endpoint lists it, self-signed certificate included."""
        key = serialization.load_pem_private_key(
            private.export_to_pem(private_key=True, password=None), password=None
        )
        assert isinstance(key, rsa.RSAPrivateKey)  # _new_rsa_key makes only RSA keys
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.realm)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256())
        )
        der = cert.public_bytes(serialization.Encoding.DER)

        def b64url(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        entry = private.export_public(as_dict=True)
        entry.update(
            kid=kid or private.thumbprint(),
            use=use,
            alg=alg,
            x5c=[base64.b64encode(der).decode()],
            x5t=b64url(hashlib.sha1(der).digest()),  # RFC 7517 defines x5t as SHA-1
            **{"x5t#S256": b64url(hashlib.sha256(der).digest())},
        )
        return entry

    def _sign(self, claims: dict, *, kid: str | None = None, alg: str = "RS256") -> str:
        if alg not in _RSA_ALGS:
            raise ValueError(f"the stub signs with RSA keys only, not {alg!r}")
        with self._lock:
            kid = kid or self._current_kid
            if kid not in self._keys:
                raise KeyError(f"no signing key {kid!r}")
            private = self._keys[kid].private
        token = jwt.JWT(header={"alg": alg, "typ": "JWT", "kid": kid}, claims=claims)
        token.make_signed_token(private)
        return token.serialize()

    def _verify_own(self, token: str) -> dict | None:
        """Claims of a valid, unexpired token this stub signed, else None."""
        try:
            parsed = jws.JWS()
            parsed.deserialize(token)
            kid = parsed.jose_header.get("kid")
            with self._lock:
                signing = self._keys.get(kid)
            if signing is None:
                return None
            parsed.allowed_algs = sorted(_RSA_ALGS)
            parsed.verify(jwk.JWK(**signing.public_entry))
            claims = json_decode(parsed.payload)
        except (JWException, ValueError, TypeError, KeyError):
            return None
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int | float):
            return None
        return claims if claims["exp"] > time.time() else None

    # ---------------------------------------------------------------- WSGI plumbing

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, args = self._url_map.bind_to_environ(environ).match()
            response = getattr(self, f"_ep_{endpoint}")(request, **args)
        except _ApiError as exc:
            response = _json(exc.body, exc.status)
        except HTTPException as exc:
            response = _json({"error": exc.name}, exc.code or 500)
        return response(environ, start_response)

    def _require_realm(self, realm: str, *, allow_master: bool = True) -> None:
        if realm != self.realm and not (allow_master and realm == _MASTER):
            raise _ApiError(404, {"error": "Realm does not exist"})

    def _require_admin(self, request: Request, realm: str) -> None:
        if realm != self.realm:
            raise _ApiError(404, {"error": "Realm not found."})
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        claims = self._verify_own(token) if scheme.lower() == "bearer" else None
        if claims is None or claims.get("typ") != "Bearer":
            raise _ApiError(401, {"error": "HTTP 401 Unauthorized"})
        if claims.get("iss") == self._issuer_of(_MASTER):
            return
        roles = claims.get("resource_access", {}).get("realm-management", {}).get("roles", [])
        if claims.get("iss") == self.issuer and _ADMIN_ROLES & set(roles):
            return
        raise _ApiError(403, {"error": "HTTP 403 Forbidden"})

    # ---------------------------------------------------------------- OIDC endpoints

    def _ep_discovery(self, request: Request, realm: str) -> Response:
        self._require_realm(realm)
        issuer = self._issuer_of(realm)
        oidc = f"{issuer}/protocol/openid-connect"
        return _json(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{oidc}/auth",
                "token_endpoint": f"{oidc}/token",
                "introspection_endpoint": f"{oidc}/token/introspect",
                "userinfo_endpoint": f"{oidc}/userinfo",
                "end_session_endpoint": f"{oidc}/logout",
                "jwks_uri": f"{oidc}/certs",
                "grant_types_supported": [
                    "authorization_code",
                    "password",
                    "client_credentials",
                    "refresh_token",
                ],
                "code_challenge_methods_supported": ["S256"],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "scopes_supported": ["openid", "profile", "email"],
            }
        )

    def _ep_certs(self, request: Request, realm: str) -> Response:
        self._require_realm(realm)
        with self._lock:
            self.certs_requests += 1
            keys = [dict(key.public_entry) for key in self._keys.values()]
        return _json({"keys": [*keys, dict(self._enc_entry)]})

    def _ep_token(self, request: Request, realm: str) -> Response:
        self._require_realm(realm)
        with self._lock:
            self.token_requests += 1
        form = request.form
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if request.authorization and request.authorization.type == "basic":
            client_id = request.authorization.username
            secret = request.authorization.password
        grant = form.get("grant_type")

        if realm == _MASTER:
            known_clients: dict[str, str | None] = {_ADMIN_CLIENT: None}
        else:
            with self._lock:
                known_clients = dict(self._clients)
        if client_id not in known_clients:
            raise _oauth_error(401, "invalid_client", _BAD_CLIENT)
        expected_secret = known_clients[client_id]
        if expected_secret is not None and secret != expected_secret:
            raise _oauth_error(401, "unauthorized_client", _BAD_CLIENT)

        if grant == "password":
            claims = self._password_claims(realm, form.get("username"), form.get("password"))
        elif grant == "client_credentials":
            if expected_secret is None:
                raise _oauth_error(401, "unauthorized_client", _NO_SERVICE_ACCOUNT)
            claims = self._service_account_claims(client_id)
        elif grant == "authorization_code":
            code = self._redeem(realm, client_id, form)
            return _json(
                self._token_response(realm, client_id, code.claims, code.scope, code.nonce)
            )
        elif grant == "refresh_token":
            with self._lock:
                session = self._sessions.get(form.get("refresh_token", ""))
            if session is None or session.expires_at < time.time():
                raise _oauth_error(400, "invalid_grant", "Token is not active")
            if session.realm != realm or session.client_id != client_id:
                raise _oauth_error(400, "invalid_grant", "Invalid refresh token")
            claims = session.claims
        else:
            raise _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
        return _json(self._token_response(realm, client_id, claims, form.get("scope") or ""))

    def _password_claims(self, realm: str, username: str | None, password: str | None) -> dict:
        account = self.account(username or "") if realm != _MASTER else None
        if account is not None:
            return self._account_claims(realm, account, password)
        if realm == _MASTER:
            ok = (username, password) == self._admin
            extra: dict = {"realm_access": {"roles": ["admin", "create-realm"]}}
        else:
            with self._lock:
                stored = self._users.get(username or "")
            ok = stored is not None and stored[0] == password
            extra = stored[1] if stored else {}
        if not ok:
            raise _oauth_error(401, "invalid_grant", "Invalid user credentials")
        return {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{realm}/users/{username}")),
            "preferred_username": username,
            **extra,
        }

    def _account_claims(self, realm: str, user: StubUser, password: str | None) -> dict:
        """An admin-made user's claims, as the realm's mappers make them at each sign-in."""
        with self._lock:
            if not user.enabled or user.password is None or user.password != password:
                raise _oauth_error(401, "invalid_grant", "Invalid user credentials")
            if user.required_actions:
                # Keycloak's answer to a direct grant while required actions are pending.
                raise _oauth_error(400, "invalid_grant", "Account is not fully set up")
            # What Keycloak's default scopes add (profile, email, roles), then the mappers.
            claims: dict[str, Any] = {
                "sub": user.id,
                "preferred_username": user.username,
                "email": user.email,
                "email_verified": user.email_verified,
                "realm_access": {"roles": list(user.realm_roles)},
                # Only an audience mapper names the API: without one the token is not for it.
                "aud": [],
            }
            for mapper in self.mappers:
                _apply_mapper(mapper, user, claims)
        if len(claims["aud"]) == 1:
            claims["aud"] = claims["aud"][0]  # Keycloak writes a single audience as a string
        return claims

    def _service_account_claims(self, client_id: str) -> dict:
        with self._lock:
            extra = self._client_claims.get(client_id, {})
        return {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.realm}/clients/{client_id}")),
            "preferred_username": f"service-account-{client_id}",
            "clientId": client_id,
            **extra,
        }

    def _ep_auth(self, request: Request, realm: str) -> Response:
        """The browser's sign-in: GET shows the form (the request's parameters carried in
        hidden fields), POST checks the password and redirects back with a code."""
        self._require_realm(realm, allow_master=False)
        params = request.args if request.method == "GET" else request.form
        client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
        with self._lock:
            public = client_id in self._clients and self._clients[client_id] is None
        if not public or not redirect_uri or params.get("response_type") != "code":
            return _html("Invalid client or request", 400)
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return _html("Missing parameter: code_challenge_method", 400)
        carried = {
            k: params[k]
            for k in (
                "client_id",
                "redirect_uri",
                "response_type",
                "scope",
                "state",
                "nonce",
                "code_challenge",
                "code_challenge_method",
            )
            if params.get(k)
        }
        error = ""
        if request.method == "POST":
            try:
                claims = self._password_claims(
                    realm, params.get("username"), params.get("password")
                )
            except _ApiError:
                error = "Invalid username or password."
            else:
                code = secrets.token_urlsafe(32)
                with self._lock:
                    self._codes[code] = _Code(
                        realm,
                        str(client_id),
                        str(redirect_uri),
                        params["code_challenge"],
                        params.get("nonce"),
                        params.get("scope") or "",
                        claims,
                        time.time() + 60,
                    )
                back = {"code": code, "session_state": str(uuid.uuid4())}
                if params.get("state"):
                    back["state"] = params["state"]
                glue = "&" if "?" in redirect_uri else "?"
                return Response(
                    status=302, headers={"Location": redirect_uri + glue + urlencode(back)}
                )
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in carried.items()
        )
        form = (
            f'<form method="post"><p>{html.escape(error)}</p>{hidden}'
            '<label>Username <input name="username" id="username"></label>'
            '<label>Password <input name="password" id="password" type="password"></label>'
            '<button type="submit" id="kc-login">Sign In</button></form>'
        )
        return _html(form, 401 if error else 200)

    def _redeem(self, realm: str, client_id: str, form: Any) -> _Code:
        """An authorization code exchanged once, by its client, for its redirect URI, with
        the verifier whose S256 is the challenge it was issued for."""
        with self._lock:
            code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.expires_at < time.time() or code.realm != realm:
            raise _oauth_error(400, "invalid_grant", "Code not valid")
        if code.client_id != client_id or code.redirect_uri != form.get("redirect_uri"):
            raise _oauth_error(400, "invalid_grant", "Incorrect redirect_uri")
        verifier = form.get("code_verifier") or ""
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != code.challenge:
            raise _oauth_error(400, "invalid_grant", "PKCE verification failed")
        return code

    def _token_response(
        self, realm: str, client_id: str, claims: dict, scope: str, nonce: str | None = None
    ) -> dict:
        now = int(time.time())
        sid = str(uuid.uuid4())
        scopes = " ".join(dict.fromkeys(["openid", "profile", "email", *scope.split()]))
        access = {
            "exp": now + _ACCESS_TOKEN_LIFETIME,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self._issuer_of(realm),
            # An audience mapper puts the API's client id into realm tokens, as the production
            # realm export does; admin tokens are for the master realm's management client.
            "aud": self.client_id if realm == self.realm else "master-realm",
            "typ": "Bearer",
            "azp": client_id,
            "sid": sid,
            "scope": scopes,
            **claims,
        }
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[refresh] = _Session(
                realm, client_id, dict(claims), now + _REFRESH_TOKEN_LIFETIME
            )
        response = {
            "access_token": self._sign(access),
            "expires_in": _ACCESS_TOKEN_LIFETIME,
            "refresh_expires_in": _REFRESH_TOKEN_LIFETIME,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": sid,
            "scope": scopes,
        }
        if "openid" in scope.split():
            # Keycloak answers an openid scope with an ID token too: same issuer, the client as
            # audience, but `typ: ID`; verifiers must not accept it as an access token.
            id_claims = {**access, "jti": str(uuid.uuid4()), "aud": client_id, "typ": "ID"}
            if nonce:
                id_claims["nonce"] = nonce
            response["id_token"] = self._sign(id_claims)
        return response

    # ---------------------------------------------------------------- admin: groups

    def _ep_groups(self, request: Request, realm: str) -> Response:
        self._require_admin(request, realm)
        if request.method == "POST":
            return self._create_group(request, parent=None)
        search = request.args.get("search")
        exact = request.args.get("exact", "false").lower() == "true"
        with self._lock:
            if search is None:
                reps = [group.representation() for group in self.groups]
            else:
                reps = [
                    rep
                    for group in self.groups
                    if (rep := _search_tree(group, search, exact)) is not None
                ]
        return _json(_page(reps, request))

    def _ep_groups_count(self, request: Request, realm: str) -> Response:
        self._require_admin(request, realm)
        top = request.args.get("top", "false").lower() == "true"
        search = (request.args.get("search") or "").lower()
        with self._lock:
            pool = self.groups if top else [g for top_g in self.groups for g in top_g.walk()]
            count = sum(1 for group in pool if search in group.name.lower())
        return _json({"count": count})

    def _ep_group(self, request: Request, realm: str, group_id: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            group = self._by_id(group_id)
            if request.method == "GET":
                return _json(group.representation())
            if request.method == "DELETE":
                siblings = group.parent.children if group.parent else self.groups
                siblings.remove(group)
                gone = set(group.walk())
                for user in self.accounts:
                    user.groups = [g for g in user.groups if g not in gone]
                return Response(status=204)
            body = _json_body(request)
            name = body.get("name", group.name)
            self._check_name(name, group.parent, exclude=group)
            group.name = name
            if "attributes" in body:
                group.attributes = _attributes(body["attributes"])
            return Response(status=204)

    def _ep_children(self, request: Request, realm: str, group_id: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            parent = self._by_id(group_id)
            if request.method == "POST":
                return self._create_group(request, parent=parent)
            reps = [child.representation() for child in parent.children]
        return _json(_page(reps, request))

    def _ep_by_path(self, request: Request, realm: str, path: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            group = self._by_path(path)
            if group is None:
                raise _ApiError(404, {"errorMessage": "Group path does not exist"})
            return _json(group.representation())

    def _create_group(self, request: Request, parent: StubGroup | None) -> Response:
        body = _json_body(request)
        with self._lock:
            siblings = parent.children if parent else self.groups
            if body.get("id"):
                # Keycloak moves an existing group when its id is posted here.
                group = self._by_id(body["id"])
                self._check_name(group.name, parent, exclude=group)
                (group.parent.children if group.parent else self.groups).remove(group)
                group.parent = parent
                siblings.append(group)
                return Response(status=204)
            name = body.get("name")
            if not isinstance(name, str) or not name.strip():
                raise _ApiError(400, {"errorMessage": "Group name is missing"})
            self._check_name(name, parent)
            group = StubGroup(
                id=str(uuid.uuid4()),
                name=name,
                parent=parent,
                attributes=_attributes(body.get("attributes") or {}),
            )
            siblings.append(group)
        location = f"{self.url}admin/realms/{self.realm}/groups/{group.id}"
        return _json(group.representation(), 201, headers={"Location": location})

    def _check_name(
        self, name: Any, parent: StubGroup | None, exclude: StubGroup | None = None
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise _ApiError(400, {"errorMessage": "Group name is missing"})
        if "/" in name:
            # Real Keycloak escapes '/' in names; the stub's path lookup does not, so refuse.
            raise _ApiError(400, {"errorMessage": "The stub does not support '/' in group names"})
        siblings = parent.children if parent else self.groups
        if any(s.name == name and s is not exclude for s in siblings):
            where = "Sibling" if parent else "Top level"
            raise _ApiError(409, {"errorMessage": f"{where} group named '{name}' already exists."})

    def _by_id(self, group_id: str) -> StubGroup:
        for top in self.groups:
            for group in top.walk():
                if group.id == group_id:
                    return group
        raise _ApiError(404, {"errorMessage": "Could not find group by id"})

    def _by_path(self, path: str) -> StubGroup | None:
        names = [part for part in path.split("/") if part]
        level, found = self.groups, None
        for name in names:
            found = next((g for g in level if g.name == name), None)
            if found is None:
                return None
            level = found.children
        return found

    # ---------------------------------------------------------------- admin: users

    def _ep_users(self, request: Request, realm: str) -> Response:
        self._require_admin(request, realm)
        if request.method == "POST":
            return self._create_user(request)
        username = request.args.get("username")
        exact = request.args.get("exact", "false").lower() == "true"
        with self._lock:
            found = [
                user.representation()
                for user in self.accounts
                if username is None
                or (
                    user.username == username.lower()
                    if exact
                    else username.lower() in user.username
                )
            ]
        return _json(_page(found, request))

    def _create_user(self, request: Request) -> Response:
        body = _json_body(request)
        username = body.get("username")
        if not isinstance(username, str) or not username.strip():
            raise _ApiError(400, {"errorMessage": "User name is missing"})
        with self._lock:
            if self.account(username) is not None:
                raise _ApiError(409, {"errorMessage": "User exists with same username"})
            email = body.get("email")
            if email and any(u.email == email for u in self.accounts):
                raise _ApiError(409, {"errorMessage": "User exists with same email"})
            user = StubUser(
                id=str(uuid.uuid4()),
                username=username.lower(),
                email=email,
                first_name=body.get("firstName") or "",
                last_name=body.get("lastName") or "",
                enabled=bool(body.get("enabled", False)),
                email_verified=bool(body.get("emailVerified", False)),
                attributes=_attributes(body.get("attributes") or {}),
                required_actions=list(body.get("requiredActions") or []),
            )
            for path in body.get("groups") or []:
                group = self._by_path(path)
                if group is None:
                    raise _ApiError(400, {"errorMessage": f"Group {path} not found"})
                user.groups.append(group)
            self.accounts.append(user)
        location = f"{self.url}admin/realms/{self.realm}/users/{user.id}"
        return Response(status=201, headers={"Location": location})

    def _ep_user(self, request: Request, realm: str, user_id: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            user = self._user_by_id(user_id)
            if request.method == "GET":
                return _json(user.representation())
            body = _json_body(request)
            # Keycloak updates the fields given; attributes, when given, replace all of them.
            for key, attr in (
                ("email", "email"),
                ("firstName", "first_name"),
                ("lastName", "last_name"),
                ("enabled", "enabled"),
                ("emailVerified", "email_verified"),
            ):
                if key in body:
                    setattr(user, attr, body[key])
            if "attributes" in body:
                user.attributes = _attributes(body["attributes"] or {})
            if "requiredActions" in body:
                user.required_actions = list(body["requiredActions"] or [])
        return Response(status=204)

    def _ep_user_groups(self, request: Request, realm: str, user_id: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            reps = [group.representation() for group in self._user_by_id(user_id).groups]
        return _json(_page(reps, request))

    def _ep_membership(self, request: Request, realm: str, user_id: str, group_id: str) -> Response:
        self._require_admin(request, realm)
        with self._lock:
            user = self._user_by_id(user_id)
            group = self._by_id(group_id)
            if request.method == "PUT":
                if group not in user.groups:  # joining twice is a no-op, as in Keycloak
                    user.groups.append(group)
            elif group in user.groups:
                user.groups.remove(group)
        return Response(status=204)

    def _ep_reset_password(self, request: Request, realm: str, user_id: str) -> Response:
        self._require_admin(request, realm)
        body = _json_body(request)
        value = body.get("value")
        if body.get("type", "password") != "password" or not isinstance(value, str) or not value:
            raise _ApiError(400, {"errorMessage": "Invalid password"})
        with self._lock:
            user = self._user_by_id(user_id)
            user.password = value
            if body.get("temporary", True) and "UPDATE_PASSWORD" not in user.required_actions:
                user.required_actions.append("UPDATE_PASSWORD")
        return Response(status=204)

    def _ep_actions_email(self, request: Request, realm: str, user_id: str) -> Response:
        self._require_admin(request, realm)
        actions = request.get_json(force=True, silent=True)
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise _ApiError(400, {"errorMessage": "Required actions must be a list of names"})
        client_id = request.args.get("client_id")
        with self._lock:
            user = self._user_by_id(user_id)
            if not user.email:
                raise _ApiError(400, {"errorMessage": "User email missing"})
            if not user.enabled:
                raise _ApiError(400, {"errorMessage": "User is disabled"})
            if client_id is not None and client_id not in self._clients:
                raise _ApiError(400, {"errorMessage": "Client doesn't exist"})
            lifespan = request.args.get("lifespan")
            self.emails.append(
                {
                    "to": user.email,
                    "user_id": user.id,
                    "actions": actions,
                    "client_id": client_id,
                    "lifespan": int(lifespan) if lifespan else None,
                }
            )
        return Response(status=204)

    def _user_by_id(self, user_id: str) -> StubUser:
        user = next((u for u in self.accounts if u.id == user_id), None)
        if user is None:
            raise _ApiError(404, {"error": "User not found"})
        return user


# -------------------------------------------------------------------- helpers


def _html(body: str, status: int = 200) -> Response:
    return Response(
        f"<!DOCTYPE html><html><head><title>Sign in</title></head><body>{body}</body></html>",
        status=status,
        mimetype="text/html",
    )


def _json(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )


def _json_body(request: Request) -> dict:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise _ApiError(400, {"errorMessage": "Request body must be a JSON object"})
    return body


def _oauth_error(status: int, error: str, description: str) -> _ApiError:
    return _ApiError(status, {"error": error, "error_description": description})


def _attributes(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise _ApiError(400, {"errorMessage": "attributes must be an object"})
    return {
        str(key): [str(v) for v in (values if isinstance(values, list) else [values])]
        for key, values in raw.items()
    }


def _page(items: list, request: Request) -> list:
    """Keycloak's `first`/`max` paging (python-keycloak always pages, 100 at a time)."""
    try:
        first = int(request.args.get("first", 0))
        given = request.args.get("max")
        limit = int(given) if given is not None else None
    except ValueError as exc:
        raise _ApiError(400, {"errorMessage": "first and max must be integers"}) from exc
    first = max(first, 0)
    return items[first:] if limit is None or limit < 0 else items[first : first + limit]


def _apply_mapper(mapper: dict[str, Any], user: StubUser, claims: dict[str, Any]) -> None:
    """One protocol mapper of the types the realm export uses, on an access token; any other
    type fails loudly rather than be silently skipped (the stub would then lie about tokens)."""
    config = mapper.get("config") or {}
    if config.get("access.token.claim", "true") != "true":
        return
    kind = mapper.get("protocolMapper")
    if kind == "oidc-group-membership-mapper":
        full = config.get("full.path", "true") == "true"
        claims[config["claim.name"]] = [g.path if full else g.name for g in user.groups]
    elif kind == "oidc-usermodel-attribute-mapper":
        values = user.attributes.get(config["user.attribute"]) or []
        if values:
            multi = config.get("multivalued", "false") == "true"
            claims[config["claim.name"]] = list(values) if multi else values[0]
    elif kind == "oidc-audience-mapper":
        claims["aud"].append(config["included.client.audience"])
    else:
        raise ValueError(f"the stub does not implement the protocol mapper {kind!r}")


def _search_tree(group: StubGroup, term: str, exact: bool) -> dict | None:
    """Keycloak's group search: the top-level group is returned if it or a descendant matches,
    with `subGroups` pruned to the branches that lead to matches."""

    def matches(name: str) -> bool:
        return name == term if exact else term.lower() in name.lower()

    branches = [rep for child in group.children if (rep := _search_tree(child, term, exact))]
    if not matches(group.name) and not branches:
        return None
    return group.representation(subgroups=branches)
