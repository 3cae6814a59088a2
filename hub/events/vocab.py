"""The shared vocabulary of the contracts: partners, domains, contact roles, urgency."""

from __future__ import annotations

from enum import StrEnum


class Partner(StrEnum):
    """A party that produces or receives events; `hub` is the hub itself (casus processor)."""

    SCHOOL = "school"
    LEERPLICHT = "leerplicht"
    JGZ = "jgz"
    BUURTTEAM = "buurtteam"
    SWV = "swv"
    GEMEENTE = "gemeente"
    HUB = "hub"


#: The partners that work with individual children (kernpartners and the school).
KERNPARTNERS: tuple[Partner, ...] = (
    Partner.SCHOOL,
    Partner.LEERPLICHT,
    Partner.JGZ,
    Partner.BUURTTEAM,
    Partner.SWV,
)


class Domein(StrEnum):
    """What a signal or an involvement is about; the routing rule maps it to a partner."""

    VERZUIM = "verzuim"
    LEREN = "leren"
    GEDRAG = "gedrag"
    GEZONDHEID = "gezondheid"
    GEZIN = "gezin"
    OPVOEDEN = "opvoeden"


class ContactRol(StrEnum):
    """The role of the professional who is the contact for an involvement (never a name)."""

    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"
    RMC_CONSULENT = "rmc_consulent"
    JEUGDARTS = "jeugdarts"
    JEUGDVERPLEEGKUNDIGE = "jeugdverpleegkundige"
    GEZINSCOACH = "gezinscoach"
    CONSULENT = "consulent"
    INTERN_BEGELEIDER = "intern_begeleider"
    ZORGCOORDINATOR = "zorgcoordinator"
    MENTOR = "mentor"
    CASUSREGISSEUR = "casusregisseur"


class Urgentie(StrEnum):
    """How soon a signal needs attention."""

    LAAG = "laag"
    NORMAAL = "normaal"
    HOOG = "hoog"
    ACUUT = "acuut"
