// Live updates for the loket: server-sent events, then the changed part of the page is fetched
// again (same origin, same session). No inline script; the CSP allows only this file.
(function () {
  "use strict";
  var main = document.getElementById("inhoud");
  if (!main || !main.dataset.stroom || !window.EventSource) { return; }
  var scope = main.dataset.stroom; // "lijst" or the case's pseudonym
  var bezig = false;
  var nogEens = false;
  function ververs() {
    if (bezig) { nogEens = true; return; }
    bezig = true;
    var url = new URL(window.location.href);
    url.searchParams.set("deel", "1");
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        main.innerHTML = html;
        main.dataset.bijgewerkt = String(Date.now());
        var melding = document.getElementById("meldingen");
        if (melding) { melding.textContent = "De pagina is bijgewerkt."; }
      })
      .catch(function () { /* the next change or a reload tries again */ })
      .then(function () { bezig = false; if (nogEens) { nogEens = false; ververs(); } });
  }
  var bron = new EventSource("/loket/stroom" + (scope === "lijst" ? "" : "?casus=" + encodeURIComponent(scope)));
  bron.addEventListener("wijziging", ververs);
  bron.addEventListener("herladen", ververs);
  bron.addEventListener("open", function () { main.dataset.stroomOpen = "1"; });
})();
