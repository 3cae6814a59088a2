"""Sign-in with OpenID Connect (authorization code + PKCE, authlib) and the loket session."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import structlog
from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.requests import Request

from hub.web.loket_settings import PRIVACY_DESK, LoketSettings

log = structlog.get_logger(__name__)

SESSION_KEY = "loket"


@dataclass(frozen=True)
class Professional:
    """Who is signed in: a pseudonymous user id, the organisation, its audience and the role."""

    user: str
    organisation: str
    audience: str
    role: str
    csrf: str
    expires: float

    @property
    def privacy_desk(self) -> bool:
        """True for the region's privacy desk (parents' requests, no cases)."""
        return self.audience == PRIVACY_DESK


class NotSignedIn(Exception):
    """No valid session: pages redirect to sign-in, streams and forms answer 401."""


class NotConnected(Exception):
    """The organisation in the claims is not one the loket serves."""


def user_pseudonym(issuer: str, subject: str) -> str:
    """A stable pseudonymous id of the professional for audit and events (never the name)."""
    return "u-" + hashlib.sha256(f"{issuer}\x1f{subject}".encode()).hexdigest()[:20]


def professional_from_claims(
    claims: dict[str, Any], settings: LoketSettings, issuer: str, now: float
) -> Professional:
    """Map the ID token's claims to a professional; NotConnected for an unknown organisation."""
    organisation = str(claims.get(settings.organisation_claim) or "")
    audience = settings.organisations.get(organisation)
    if audience is None or not claims.get("sub"):
        raise NotConnected(organisation)
    return Professional(
        user=user_pseudonym(issuer, str(claims["sub"])),
        organisation=organisation,
        audience=audience,
        role=str(claims.get(settings.role_claim) or "medewerker"),
        csrf=secrets.token_urlsafe(24),
        expires=now + settings.session_hours * 3600,
    )


def current(request: Request, now: float | None = None) -> Professional:
    """The signed-in professional of this request; NotSignedIn when there is none or it expired."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        raise NotSignedIn
    try:
        professional = Professional(**stored)
    except TypeError:
        request.session.clear()
        raise NotSignedIn from None
    if professional.expires < (time.time() if now is None else now):
        request.session.clear()
        raise NotSignedIn
    return professional


class OidcClient:
    """The relying party: redirect to the provider, and take the code back (with PKCE and nonce)."""

    def __init__(self, settings: LoketSettings, client_secret: str) -> None:
        self.settings = settings
        self.oauth = OAuth()
        self.oauth.register(
            "hub",
            client_id=settings.oidc_client_id,
            client_secret=client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
        )

    @property
    def client(self) -> Any:
        """The registered authlib client."""
        return self.oauth.create_client("hub")

    async def redirect(self, request: Request) -> Any:
        """The redirect to the provider's authorization endpoint."""
        return await self.client.authorize_redirect(request, self.settings.redirect_uri)

    async def finish(self, request: Request) -> Professional:
        """Exchange the code, check the ID token, and store the professional in the session."""
        try:
            token = await self.client.authorize_access_token(request)
        except OAuthError as exc:
            log.warning("loket.signin.failed", reason=exc.error)
            raise NotSignedIn from None
        claims = dict(token.get("userinfo") or {})
        professional = professional_from_claims(
            claims, self.settings, self.settings.oidc_issuer, time.time()
        )
        request.session.clear()
        request.session[SESSION_KEY] = professional.__dict__.copy()
        log.info("loket.signin", user=professional.user, audience=professional.audience)
        return professional
