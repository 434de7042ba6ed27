/* Inlined into every server-drawn page: when to bring Dash (docs/pages.md). On a wide
   screen, once the page has loaded; on a phone (or with Save-Data), only when the
   visitor types in the search box, the one control that needs Dash (suggestions).
   Everything else works without it: links and GET forms. TAKEOVER is the
   fingerprinted URL of takeover.js. */
(function (d, w) {
  var s = 0, c = navigator.connection;
  function go() {
    if (s) return;
    s = 1;
    var e = d.createElement("script");
    e.src = "TAKEOVER";
    d.head.appendChild(e);
  }
  if (w.matchMedia && w.matchMedia("(min-width: 48rem)").matches && !(c && c.saveData)) {
    if (d.readyState == "complete") go(); else w.addEventListener("load", go);
  }
  d.addEventListener("input", function (e) { if (e.target.id == "search-q") go(); }, true);
})(document, window);
