/* shelfmap.MapSvg (viz/components/map_svg.py): Dash's renderer finds a component as
   window[namespace][type]. The markup was drawn and escaped on the server. */
(function () {
  "use strict";
  var ns = (window.shelfmap = window.shelfmap || {});
  ns.MapSvg = function MapSvg(props) {
    return window.React.createElement("div", {
      id: props.id, className: props.className,
      dangerouslySetInnerHTML: { __html: props.markup || "" }
    });
  };
})();
