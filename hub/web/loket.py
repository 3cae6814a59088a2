"""The loket page: one row per case, for the professional at the desk (pseudonyms only)."""

from __future__ import annotations

from html import escape

from hub.casus.loket import LoketRow

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .4rem .6rem; vertical-align: top; text-align: left; }
th { background: #f0f4f8; }
td.casus { font-family: monospace; }
.verstreken { color: #b00020; font-weight: bold; }
p.note { color: #555; }
"""


def _cell(lines: list[str]) -> str:
    return "<br>".join(escape(line) for line in lines) or "-"


def render_page(rows: list[LoketRow], *, refresh_seconds: int = 5) -> str:
    """The whole HTML page; every value is escaped, nothing but pseudonyms identifies a child."""
    body = "".join(
        "<tr>"
        f"<td class='casus'>{escape(r.casus)}</td>"
        f"<td>{escape(r.status)}<br>sinds {escape(str(r.sinds))}</td>"
        f"<td>{_cell(r.betrokken)}</td>"
        f"<td>{escape(r.regie)}</td>"
        f"<td class='{'verstreken' if 'VERSTREKEN' in r.thuiszitter else ''}'>"
        f"{escape(r.thuiszitter)}</td>"
        f"<td>{_cell(r.signalen)}</td>"
        "</tr>"
        for r in rows
    )
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{refresh_seconds}'>"
        "<title>loket: één casus per kind</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Loket: één casus per kind</h1>"
        f"<p class='note'>{len(rows)} casus(sen). Kinderen staan er alleen als pseudoniem; "
        "inhoud blijft bij de partner die haar heeft.</p>"
        "<table><thead><tr><th>casus</th><th>status</th><th>betrokken</th><th>regie</th>"
        "<th>thuiszitter</th><th>signalen</th></tr></thead>"
        f"<tbody>{body}</tbody></table></body></html>"
    )
