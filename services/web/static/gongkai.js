// Small touches for the pages, each of which works without it. A file of its own:
// the pages' Content-Security-Policy runs no inline script (docs/web.md).
"use strict";

// 返回上一页: go back in the browser's history; without it the link leads home.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
