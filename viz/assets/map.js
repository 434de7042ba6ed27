/* Pan and zoom for the map views (viz/svg.py), an enhancement: without this file the
   map reads at zoom 1 (band 0). Wheel, pinch, drag and the +/- buttons change the SVG's
   viewBox; the zoom band (sm-z0..sm-z3: zoom 1, 2, 4, 8) shows the labels computed for
   it. Events are delegated to the document, so maps Dash draws later work too. */
(function () {
  "use strict";
  var SIZE = 1000, MAX = 12, STEP = 1.6;
  document.documentElement.classList.add("sm-js");

  function mapOf(el) { return el && el.closest ? el.closest("svg.sm-map") : null; }
  function box(svg) { var v = svg.viewBox.baseVal; return [v.x, v.y, v.width]; }
  function set(svg, x, y, w) {
    w = Math.max(SIZE / MAX, Math.min(SIZE, w));
    x = Math.max(0, Math.min(SIZE - w, x));
    y = Math.max(0, Math.min(SIZE - w, y));
    svg.setAttribute("viewBox", x.toFixed(2) + " " + y.toFixed(2) + " " + w.toFixed(2) + " " + w.toFixed(2));
    var band = Math.max(0, Math.min(3, Math.floor(Math.log2(SIZE / w) + 1e-6)));
    for (var b = 0; b < 4; b++) svg.classList.toggle("sm-z" + b, b === band);
  }
  function zoomAt(svg, factor, px, py) {
    var v = box(svg), w = v[2] / factor;
    w = Math.max(SIZE / MAX, Math.min(SIZE, w));
    var f = v[2] / w;
    set(svg, px - (px - v[0]) / f, py - (py - v[1]) / f, w);
  }
  function toMap(svg, cx, cy) {
    var r = svg.getBoundingClientRect(), v = box(svg);
    return [v[0] + (cx - r.left) / r.width * v[2], v[1] + (cy - r.top) / r.height * v[2]];
  }

  document.addEventListener("wheel", function (e) {
    var svg = mapOf(e.target);
    if (!svg) return;
    e.preventDefault();
    var p = toMap(svg, e.clientX, e.clientY);
    zoomAt(svg, e.deltaY < 0 ? 1.25 : 0.8, p[0], p[1]);
  }, { passive: false });

  var pointers = {}, moved = false;
  document.addEventListener("pointerdown", function (e) {
    if (!mapOf(e.target)) return;
    pointers[e.pointerId] = [e.clientX, e.clientY];
    moved = false;
  });
  document.addEventListener("pointermove", function (e) {
    var prev = pointers[e.pointerId], svg = mapOf(e.target);
    if (!prev || !svg) return;
    var ids = Object.keys(pointers), r = svg.getBoundingClientRect(), v = box(svg);
    if (ids.length === 1) {
      var dx = e.clientX - prev[0], dy = e.clientY - prev[1];
      if (Math.abs(dx) + Math.abs(dy) > 2) moved = true;
      set(svg, v[0] - dx / r.width * v[2], v[1] - dy / r.height * v[2], v[2]);
    } else if (ids.length === 2) {
      var other = pointers[ids[0] == e.pointerId ? ids[1] : ids[0]];
      var before = Math.hypot(prev[0] - other[0], prev[1] - other[1]);
      var after = Math.hypot(e.clientX - other[0], e.clientY - other[1]);
      if (before > 0) {
        var m = toMap(svg, (e.clientX + other[0]) / 2, (e.clientY + other[1]) / 2);
        zoomAt(svg, after / before, m[0], m[1]);
        moved = true;
      }
    }
    pointers[e.pointerId] = [e.clientX, e.clientY];
  });
  function up(e) { delete pointers[e.pointerId]; }
  document.addEventListener("pointerup", up);
  document.addEventListener("pointercancel", up);
  // A drag that ends on a link is not a click on it.
  document.addEventListener("click", function (e) {
    if (moved && mapOf(e.target)) { e.preventDefault(); e.stopPropagation(); }
    moved = false;
  }, true);

  // Where Dash's client runs, a map link navigates as its dcc.Link does (the page is
  // drawn again from the new address, without reloading the scripts); otherwise, and
  // for a new tab or window, the browser follows it.
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("svg.sm-map a") : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (!document.getElementById("_pages_location")) return;
    var href = a.getAttribute("href");
    if (!href || href.charAt(0) !== "/") return;
    e.preventDefault();
    window.history.pushState({}, "", href);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-zoom]") : null;
    if (!button) return;
    var holder = button.closest(".sm-mapbox"), svg = holder && holder.querySelector("svg.sm-map");
    if (!svg) return;
    var v = box(svg), mid = [v[0] + v[2] / 2, v[1] + v[2] / 2], how = button.getAttribute("data-zoom");
    if (how === "reset") set(svg, 0, 0, SIZE);
    else zoomAt(svg, how === "in" ? STEP : 1 / STEP, mid[0], mid[1]);
  });
  // The keyboard can reach what is outside the zoomed view: the view follows focus.
  document.addEventListener("focusin", function (e) {
    var svg = mapOf(e.target);
    if (!svg || !e.target.getBBox) return;
    var b = e.target.getBBox(), v = box(svg), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    if (cx < v[0] || cy < v[1] || cx > v[0] + v[2] || cy > v[1] + v[2])
      set(svg, cx - v[2] / 2, cy - v[2] / 2, v[2]);
  });
})();
