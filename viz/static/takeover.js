/* Dash takes over a server-drawn page (docs/pages.md): loaded by the page's inline
   loader (loader.js) when the page needs Dash, it fetches Dash's scripts, lets Dash
   draw the same page in a hidden root and then swaps the two, keeping what the
   visitor typed and where the focus was. */
(function (d, w) {
  function go() {
    var first = d.getElementById("react-entry-point"), root = d.createElement("div");
    // Dash draws into a fresh, hidden root; the server's drawing stays until Dash's
    // shows the same page.
    first.id = "sm-first";
    root.id = "react-entry-point";
    root.hidden = true;
    first.parentNode.insertBefore(root, first.nextSibling);
    var f = w.fetch;
    // The layout request names the page, so the server answers it with the page
    // already in place: Dash's router then has nothing to fetch again.
    w.fetch = function (u, o) {
      if (typeof u == "string" && /_dash-layout$/.test(u)) {
        w.fetch = f;
        u += "?page=" + encodeURIComponent(location.pathname + location.search);
      }
      return f.call(w, u, o);
    };
    new MutationObserver(function (m, obs) {
      var c = root.querySelector("#_pages_content");
      if (c && c.firstElementChild) { obs.disconnect(); swap(first, root); }
    }).observe(root, {childList: true, subtree: true});
    f("/_dash-boot", {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : Promise.reject(r.status);
    }).then(function (text) {
      var t = d.createElement("template"), s = [], inline = [], last;
      t.innerHTML = text;
      t.content.querySelectorAll("script").forEach(function (o) {
        var n = d.createElement("script");
        for (var i = 0; i < o.attributes.length; i++) n.setAttribute(o.attributes[i].name, o.attributes[i].value);
        if (o.src) { n.async = false; s.push(n); last = n; } else { n.text = o.text; inline.push(n); }
      });
      // External scripts download together and run in order; the inline ones
      // (clientside functions, the renderer's start) run after the last of them.
      function rest() { inline.forEach(function (n) { d.body.appendChild(n); }); }
      if (last) last.onload = rest;
      s.forEach(function (n) { d.body.appendChild(n); });
      if (!last) rest();
    }).catch(function () {});  // no Dash: the server's page stays, and works
  }
  function swap(first, root) {
    var a = d.activeElement, id = a && first.contains(a) && a.id,
        q = first.querySelector("#search-q"), v = q && q.value,
        s0 = q && q.selectionStart, s1 = q && q.selectionEnd, n,
        // Where the visitor had panned and zoomed each map (map.js) stays so.
        maps = [].map.call(first.querySelectorAll("[id] > svg.sm-map"), function (m) {
          return [m.parentNode.id, m.getAttribute("viewBox"), m.getAttribute("class")];
        });
    first.remove();
    root.hidden = false;
    maps.forEach(function (m) {
      var p = d.getElementById(m[0]), svg = p && p.querySelector("svg.sm-map");
      if (svg) { svg.setAttribute("viewBox", m[1]); svg.setAttribute("class", m[2]); }
    });
    n = d.getElementById("search-q");
    if (q && n && n.value !== v) {
      // What the visitor typed while Dash loaded, handed to Dash's input as typing.
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(n, v);
      n.dispatchEvent(new Event("input", {bubbles: true}));
    }
    if (id && (a = d.getElementById(id))) {
      a.focus();
      if (a === n && s0 != null) n.setSelectionRange(s0, s1);
    }
    d.documentElement.setAttribute("data-dash", "1");
    d.addEventListener("submit", nav);
  }
  // With Dash in charge, a GET form navigates inside the page as a link does. Dash's
  // debounced input (the search box's, search_box.SUGGEST_DEBOUNCE = 0.35 s) reads its
  // element when its timer fires: navigating sooner unmounts the element first (a
  // TypeError in dcc's Input), so a submit right after typing waits the debounce out.
  var typed = 0, DEBOUNCE = 400;
  d.addEventListener("input", function () { typed = Date.now(); }, true);
  function nav(e) {
    var f = e.target, u = new URL(f.action, location.href), p = new URLSearchParams();
    if (f.method != "get" || (f.target && f.target != "_self") || u.origin != location.origin) return;
    e.preventDefault();
    new FormData(f).forEach(function (v, k) { if (v !== "") p.append(k, v); });
    u.search = p.toString();
    setTimeout(function () {
      history.pushState({}, "", u.pathname + u.search);
      w.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      w.scrollTo(0, 0);
    }, Math.max(0, typed + DEBOUNCE - Date.now()));
  }
  go();
})(document, window);
