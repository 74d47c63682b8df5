"""Keycloak as the directory of who holds which role: a tenant's groups and its users.

A role is granted by membership of the group ``/tenants/<tenant>/<role>`` (the realm's
``groups`` mapper puts the paths in every access token; ``riskshare.auth.principal`` reads
them). This module writes that side, through python-keycloak's ``KeycloakAdmin``:

- ``ensure_tenant_groups``: the tenant's groups for every role the core and the enabled
  policies declare. Each step looks before it creates and takes Keycloak's 409 for a group
  created meanwhile as found, so a retry, a half-done earlier attempt or two workers at once
  complete the tree and never duplicate a group.
- ``invite``: a user (created once, found by username afterwards) put in one role's group,
  with the ``institution`` attribute for institution users, who sets a password through
  Keycloak's required-action e-mail (UPDATE_PASSWORD, VERIFY_EMAIL) or signs in with a
  temporary password Keycloak makes them change.
- ``remove``: a user taken out of one role's group; the next token they get lacks the
  path, so the role is gone when the current token expires (its lifetime is the realm's
  access-token lifespan).

The admin calls are those of python-keycloak 7, written against the Keycloak admin REST API
its documentation cites (Keycloak 24-26); the tests run them against
``riskshare.testing.keycloak_stub``, which serves the same paths and JSON shapes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import keycloak
from keycloak.exceptions import KeycloakConnectionError, KeycloakError

from riskshare.config import Settings

TENANTS_GROUP = "tenants"
INSTITUTION_ATTRIBUTE = "institution"
EMAIL_ACTIONS = ("UPDATE_PASSWORD", "VERIFY_EMAIL")
# How long an invitation link stays good: a week, since a new office may not read mail daily.
EMAIL_LIFESPAN = 7 * 24 * 3600


class DirectoryUnavailable(RuntimeError):
    """Keycloak could not be reached or refused the call; the message says which call.

    Not the caller's fault: the API answers 503, a job fails and is retried."""


class DirectoryNotConfigured(DirectoryUnavailable):
    """No admin credentials are configured (``RISKSHARE_KEYCLOAK_ADMIN_*``)."""


class DirectoryConflict(ValueError):
    """The directory holds something that stands in the way (a username taken by a user of
    another e-mail address)."""


def group_path(tenant: str, role: str) -> str:
    return f"/{TENANTS_GROUP}/{tenant}/{role}"


@dataclass(frozen=True)
class Invitation:
    user_id: str
    username: str
    group: str
    created: bool  # False: the account existed and was put in the group
    credential: str  # "email" or "temporary_password"
    temporary_password: str | None = None  # shown once, to the operator who invited


class KeycloakDirectory:
    """The realm's groups and users, through ``KeycloakAdmin`` with configured credentials."""

    def __init__(self, admin: keycloak.KeycloakAdmin, *, console_client_id: str) -> None:
        self._admin = admin
        self._console_client_id = console_client_id

    @classmethod
    def from_settings(cls, settings: Settings) -> KeycloakDirectory:
        """The directory of the configured realm; raises ``DirectoryNotConfigured`` without
        admin credentials."""
        common: dict[str, Any] = {
            "server_url": settings.oidc_server_url,
            "realm_name": settings.oidc_realm,
            "verify": settings.oidc_verify_tls,
            "timeout": 15,
        }
        if settings.keycloak_admin_client_secret:
            # The least-privilege setup: the realm's own service account, whose token carries
            # only the realm-management roles it was given.
            admin = keycloak.KeycloakAdmin(
                **common,
                client_id=settings.keycloak_admin_client_id,
                client_secret_key=settings.keycloak_admin_client_secret,
            )
        elif settings.keycloak_admin_username and settings.keycloak_admin_password:
            admin = keycloak.KeycloakAdmin(
                **common,
                username=settings.keycloak_admin_username,
                password=settings.keycloak_admin_password,
                user_realm_name="master",
            )
        else:
            raise DirectoryNotConfigured(
                "Keycloak provisioning needs RISKSHARE_KEYCLOAK_ADMIN_CLIENT_SECRET (with"
                " RISKSHARE_KEYCLOAK_ADMIN_CLIENT_ID) or RISKSHARE_KEYCLOAK_ADMIN_USERNAME and"
                " RISKSHARE_KEYCLOAK_ADMIN_PASSWORD"
            )
        return cls(admin, console_client_id=settings.keycloak_console_client_id)

    def close(self) -> None:
        # python-keycloak keeps a requests session per connection; tests open many.
        for connection in (getattr(self._admin, "connection", None),):
            session = getattr(connection, "_s", None)
            if session is not None:
                session.close()

    # ------------------------------------------------------------------ groups

    def ensure_tenant_groups(self, tenant: str, roles: Iterable[str]) -> dict[str, list[str]]:
        """Make ``/tenants/<tenant>/<role>`` for each role; return the paths ``created`` and
        those ``found`` (already there)."""
        created: list[str] = []
        found: list[str] = []
        tenant_id = self._ensure_path([TENANTS_GROUP, tenant], created, found)
        for role in sorted(set(roles)):
            self._ensure_child(tenant_id, group_path(tenant, role), role, created, found)
        return {"created": created, "found": found}

    def _ensure_path(self, names: list[str], created: list[str], found: list[str]) -> str:
        parent: str | None = None
        path = ""
        for name in names:
            path = f"{path}/{name}"
            parent = self._ensure_child(parent, path, name, created, found)
        assert parent is not None
        return parent

    def _ensure_child(
        self, parent: str | None, path: str, name: str, created: list[str], found: list[str]
    ) -> str:
        existing = self._group_id(path)
        if existing is not None:
            found.append(path)
            return existing
        made = self._call(
            "create group " + path,
            lambda: self._admin.create_group({"name": name}, parent=parent, skip_exists=True),
        )
        if made is not None:
            created.append(path)
            return str(made)
        # 409: made meanwhile by another attempt; take it.
        existing = self._group_id(path)
        if existing is None:
            raise DirectoryUnavailable(f"Keycloak says {path} exists but does not return it")
        found.append(path)
        return existing

    def _group_id(self, path: str) -> str | None:
        try:
            return str(self._admin.get_group_by_path(path)["id"])
        except keycloak.KeycloakGetError as exc:
            if exc.response_code == 404:
                return None
            raise DirectoryUnavailable(f"Keycloak refused to look up {path}: {exc}") from exc
        except KeycloakConnectionError as exc:
            raise DirectoryUnavailable(f"Keycloak cannot be reached: {exc}") from exc
        except KeycloakError as exc:
            raise DirectoryUnavailable(f"Keycloak refused to look up {path}: {exc}") from exc
        except OSError as exc:  # requests' ConnectionError and timeouts are OSErrors
            raise DirectoryUnavailable(f"Keycloak cannot be reached: {exc}") from exc

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except KeycloakConnectionError as exc:
            raise DirectoryUnavailable(f"Keycloak cannot be reached: {exc}") from exc
        except KeycloakError as exc:
            raise DirectoryUnavailable(f"Keycloak refused to {what}: {exc}") from exc
        except OSError as exc:
            raise DirectoryUnavailable(f"Keycloak cannot be reached: {exc}") from exc

    # ------------------------------------------------------------------ users

    def invite(
        self,
        *,
        tenant: str,
        role: str,
        username: str,
        email: str,
        first_name: str = "",
        last_name: str = "",
        institution: str | None = None,
        credential: str = "email",
    ) -> Invitation:
        """Put ``username`` in the role's group, creating the user first if Keycloak has none.

        A second invitation of the same person (a retried request) finds them and adds
        nothing twice (one who has not yet signed in gets a fresh e-mail or temporary
        password: the first may have been lost with a failed attempt); a username held by
        someone of another e-mail address is refused, so an invitation never hands a
        stranger's account a role.
        """
        path = group_path(tenant, role)
        group_id = self._ensure_child(
            self._ensure_path([TENANTS_GROUP, tenant], [], []), path, role, [], []
        )
        user_id, created = self._find_or_create_user(
            {
                "username": username,
                "email": email,
                "firstName": first_name,
                "lastName": last_name,
                "enabled": True,
                "emailVerified": False,
                "requiredActions": list(EMAIL_ACTIONS)
                if credential == "email"
                else ["UPDATE_PASSWORD"],
                "attributes": {INSTITUTION_ATTRIBUTE: [institution]} if institution else {},
            }
        )
        # An account not yet set up (an earlier invitation whose mail or password was lost
        # with a failed attempt) gets its credential again; one in use is never touched.
        pending = created
        if not created:
            user = self._call("read user " + username, lambda: self._admin.get_user(user_id))
            if (user.get("email") or "").lower() != email.lower():
                raise DirectoryConflict(
                    f"The username '{username}' belongs to an account with another e-mail"
                    " address; choose another username."
                )
            pending = bool(user.get("requiredActions"))
            held = ((user.get("attributes") or {}).get(INSTITUTION_ATTRIBUTE) or [None])[0]
            if institution and held != institution:
                if held:
                    raise DirectoryConflict(
                        f"The account '{username}' acts for institution '{held}', not"
                        f" '{institution}'; invite another account."
                    )
                attributes = {
                    **(user.get("attributes") or {}),
                    INSTITUTION_ATTRIBUTE: [institution],
                }
                self._call(
                    "set the institution of " + username,
                    lambda: self._admin.update_user(user_id, {"attributes": attributes}),
                )
        self._call(
            f"add {username} to {path}", lambda: self._admin.group_user_add(user_id, group_id)
        )
        password = None
        if pending and credential == "temporary_password":
            password = secrets.token_urlsafe(12)
            self._call(
                "set the temporary password of " + username,
                lambda: self._admin.set_user_password(user_id, password, temporary=True),
            )
        elif pending:
            self._call(
                "send the invitation e-mail to " + username,
                lambda: self._admin.send_update_account(
                    user_id,
                    list(EMAIL_ACTIONS),
                    client_id=self._console_client_id,
                    lifespan=EMAIL_LIFESPAN,
                ),
            )
        return Invitation(user_id, username, path, created, credential, password)

    def _find_or_create_user(self, payload: dict[str, Any]) -> tuple[str, bool]:
        """The user's id, and whether this call made the account."""
        username = payload["username"]
        found = self._call("look up user " + username, lambda: self._admin.get_user_id(username))
        if found is not None:
            return str(found), False
        try:
            return str(self._admin.create_user(payload)), True
        except keycloak.KeycloakPostError as exc:
            if exc.response_code != 409:
                raise DirectoryUnavailable(f"Keycloak refused to create {username}: {exc}") from exc
        except KeycloakConnectionError as exc:
            raise DirectoryUnavailable(f"Keycloak cannot be reached: {exc}") from exc
        except KeycloakError as exc:
            raise DirectoryUnavailable(f"Keycloak refused to create {username}: {exc}") from exc
        # 409: a concurrent invitation made it, or the e-mail address is another account's.
        found = self._call("look up user " + username, lambda: self._admin.get_user_id(username))
        if found is None:
            raise DirectoryConflict(
                f"The e-mail address {payload['email']} belongs to another account."
            )
        return str(found), False

    def remove(self, *, tenant: str, role: str, username: str) -> bool:
        """Take ``username`` out of the role's group; False if they were not in it."""
        path = group_path(tenant, role)
        group_id = self._group_id(path)
        user_id = self._call("look up user " + username, lambda: self._admin.get_user_id(username))
        if group_id is None or user_id is None:
            return False
        groups = self._call(
            "read the groups of " + username, lambda: self._admin.get_user_groups(user_id)
        )
        if not any(g.get("id") == group_id for g in groups):
            return False
        self._call(
            f"remove {username} from {path}",
            lambda: self._admin.group_user_remove(user_id, group_id),
        )
        return True
