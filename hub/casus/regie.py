"""Who coordinates: the routing rule of the kernpartneraanpak, with a documented tie-break."""

from __future__ import annotations

from collections.abc import Iterable

#: Signal domains as the contracts name them.
VERZUIM = "verzuim"
GEZONDHEID = "gezondheid"
OPVOEDEN = "opvoeden"
GEZIN = "gezin"
LEREN = "leren"
GEDRAG = "gedrag"

#: Which partner the rule points to for each domain ("welke partner bij welk signaal").
#: `opvoeden` alone is a single (enkelvoudige) parenting question for JGZ; together with
#: another domain it is a parenting and growing-up problem for the buurtteam.
ROUTERING: dict[str, str] = {
    VERZUIM: "leerplicht",
    GEZONDHEID: "jgz",
    GEZIN: "buurtteam",
    LEREN: "swv",
    GEDRAG: "swv",
}

#: Tie-break when several partners apply, strongest first:
#: 1. leerplicht: verzuim carries a legal duty and the thuiszitter deadline;
#: 2. buurtteam: family problems need one plan for the whole gezin (één gezin, één plan);
#: 3. swv: the school career (learning, behaviour);
#: 4. jgz: health and single parenting questions.
#: Within one rank, the partner that was involved first keeps it.
RANGORDE: tuple[str, ...] = ("leerplicht", "buurtteam", "swv", "jgz")


def routering(domeinen: Iterable[str]) -> dict[str, str]:
    """For each known domain of a case, the partner the routing rule points to."""
    found = set(domeinen)
    routed = {d: ROUTERING[d] for d in found if d in ROUTERING}
    if OPVOEDEN in found:
        routed[OPVOEDEN] = "jgz" if found <= {OPVOEDEN} else "buurtteam"
    return routed


def partner_voor(domeinen: Iterable[str]) -> set[str]:
    """The partners the routing rule points to for these domains."""
    return set(routering(domeinen).values())


def stel_regie_voor(domeinen: Iterable[str], betrokken: list[str]) -> tuple[str, str] | None:
    """Propose (partner, reason) for regie among the involved partners, in order of joining.

    Only an involved partner can take regie: if the rule points to a partner that is not
    involved yet, the strongest involved partner the rule allows is chosen, else the first one.
    """
    if not betrokken:
        return None
    routed = routering(domeinen)
    wanted = set(routed.values())
    candidates = [p for p in betrokken if p in wanted] or [p for p in betrokken if p in RANGORDE]
    if not candidates:
        return None
    rank = {p: i for i, p in enumerate(RANGORDE)}
    chosen = min(candidates, key=lambda p: (rank.get(p, len(RANGORDE)), betrokken.index(p)))
    if chosen in wanted:
        domains = sorted(d for d, p in routed.items() if p == chosen)
        reason = "routeringsregel: " + ", ".join(domains) + f" → {chosen}"
    else:
        reason = f"geen betrokken partner volgens de routeringsregel; rangorde → {chosen}"
    return chosen, reason
