"""Settings of the signed-in loket: the OIDC provider, claim mapping, contact points, cookies."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.settings import HubSettings

#: Organisation claim values of the demo users, mapped to the audience whose view they read.
DEMO_ORGANISATIONS: dict[str, str] = {
    "gemeente-voorbeeld/leerplicht": "leerplicht",
    "ggd-voorbeeld/jgz": "jgz",
    "buurtteam-voorbeeld": "buurtteam",
    "swv-voorbeeld-po": "swv",
    "schoolbestuur-41000": "school",
    "gemeente-voorbeeld/beleid": "gemeente",
    "regio-voorbeeld/privacyloket": "privacyloket",
}

#: Each team's contact point: a desk, never a person's name (fact-only, issue 14 point 3).
DEMO_CONTACTS: dict[str, str] = {
    "leerplicht": "Team Leerplicht en RMC, 030 000 1001, leerplicht@gemeente.example",
    "jgz": "JGZ-team, 030 000 1002, jgz@ggd.example",
    "buurtteam": "Buurtteam, 030 000 1003, buurtteam@buurtteam.example",
    "swv": "Loket passend onderwijs, 030 000 1004, loket@swv.example",
    "school": "Zorgteam schoolbestuur, 030 000 1005, zorg@bestuur.example",
    "gemeente": "Gemeente, afdeling jeugd, 030 000 1006, jeugd@gemeente.example",
}

#: The pseudo-organisation of the region's privacy desk (no view; parents' requests only).
PRIVACY_DESK = "privacyloket"


class LoketSettings(BaseSettings):
    """Settings from the environment (prefix `HUB_LOKET_`); production sets the provider here."""

    model_config = SettingsConfigDict(env_prefix="HUB_LOKET_", extra="ignore")

    oidc_issuer: str = Field(
        default="http://127.0.0.1:9400",
        description="Issuer URL; its /.well-known/openid-configuration is read at start.",
    )
    oidc_port: int = Field(default=9400, ge=0, le=65535, description="Port of `hub oidc up`.")
    oidc_client_id: str = "hub-loket"
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Client secret; unset means the file `hub oidc up` wrote."
    )
    oidc_scope: str = "openid hub"
    organisation_claim: str = Field(
        default="organisatie", description="Claim naming the professional's organisation."
    )
    role_claim: str = Field(default="rol", description="Claim naming the professional's role.")
    organisations: dict[str, str] = Field(
        default_factory=lambda: dict(DEMO_ORGANISATIONS),
        description="Organisation claim value -> audience (view) it reads; others are refused.",
    )
    contacts: dict[str, str] = Field(
        default_factory=lambda: dict(DEMO_CONTACTS),
        description="Audience -> the team's contact point shown to other partners.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8080", description="Public URL of the hub (redirect URI base)."
    )
    session_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Signs the session cookie; unset means a new one per process.",
    )
    session_hours: float = Field(default=8.0, gt=0, le=24)
    cookie_secure: bool = Field(default=True, description="Secure flag on the session cookie.")
    page_size: int = Field(default=20, ge=5, le=200, description="Signals per page.")
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token for /metrics; unset means /metrics answers 404."
    )

    @property
    def redirect_uri(self) -> str:
        """Where the provider sends the professional back after sign-in."""
        return self.base_url.rstrip("/") + "/auth/callback"


def oidc_dir(settings: HubSettings) -> Path:
    """Directory of the local provider's configuration, key, client secret and log."""
    return settings.state_dir / "oidc"


def client_secret(loket: LoketSettings, settings: HubSettings) -> str:
    """The client secret from settings, or the one `hub oidc up` wrote."""
    if loket.oidc_client_secret is not None:
        return loket.oidc_client_secret.get_secret_value()
    path = oidc_dir(settings) / "client-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise RuntimeError(
            f"no OIDC client secret: set HUB_LOKET_OIDC_CLIENT_SECRET or run `hub oidc up` "
            f"(writes {path})"
        ) from None
