/* Loaded just before the vendored @jupyter-widgets/html-manager (embed.js), on pages
 * that hold widget state. Two fixes, both for a site that works with no network:
 *
 * 1. The html-manager's stylesheet asks for its icon fonts relative to
 *    window.__jupyter_widgets_assets_path__ (else an absolute /@jupyter-widgets/... path
 *    that 404s): point it at the folder this script and embed.js are served from.
 * 2. ipywidgets' labels call the MathJax 2 API, MathJax.Hub.Queue(["Typeset", Hub, el]),
 *    which does not exist in MathJax 3 (jupyter-widgets/ipywidgets#3829) and throws.
 *    Give every object assigned to window.MathJax (the config object, then MathJax 3
 *    itself) a non-enumerable Hub whose Queue typesets through MathJax 3.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (here) {
    window.__jupyter_widgets_assets_path__ = new URL("vendor/html-manager/", here).href;
  }

  // MathJax 3 loads with `defer`, possibly after the widgets render: wait for it.
  function whenMathJax(callback, tries) {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise && mj.typesetPromise) {
      mj.startup.promise
        .then(function () { return callback(mj); })
        .catch(function (err) { console.warn("MathJax typeset failed", err); });
    } else if ((tries || 0) < 200) {
      setTimeout(function () { whenMathJax(callback, (tries || 0) + 1); }, 50);
    }
  }
  function typeset(el) {
    if (el) whenMathJax(function (mj) { return mj.typesetPromise([el]); });
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") typeset(job[2]);
      }
    }
  };
  function withHub(obj) {
    if (obj && typeof obj === "object" && !Object.prototype.hasOwnProperty.call(obj, "Hub")) {
      Object.defineProperty(obj, "Hub", { value: hub, enumerable: false, configurable: true });
    }
    return obj;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
})();
