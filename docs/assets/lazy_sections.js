// A chapter's sections are drawn when the reader comes near them (site_hooks/lazy_sections.py);
// until then each takes an estimated height. When the reader goes back to a chapter, Material
// scrolls to where they were: with estimates in place of the heights the sections had been drawn
// at, that offset fell in another section. So each section's height is kept, per page and screen
// width, for the browser tab's session, and given back to the section when the page comes back;
// then the page is scrolled again to the offset Material restored.
(function () {
  var list = [];  // the page's sections
  var heights = [];  // the height each was last drawn, or estimated, at
  var path = location.pathname;  // of the page shown (the address changes before the page does)

  function key() {
    return "dlv-section-heights:" + path + ":" + window.innerWidth;
  }

  var watcher = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var index = list.indexOf(entry.target);
      if (index >= 0) heights[index] = Math.round(entry.borderBoxSize[0].blockSize);
    });
    try {
      sessionStorage.setItem(key(), JSON.stringify(heights));
    } catch (error) { /* storage full or switched off: the estimates stay */ }
  });

  function restore() {
    path = location.pathname;
    list = Array.prototype.slice.call(document.querySelectorAll("article .dlv-lazy"));
    var kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(key()) || "null");
    } catch (error) { /* unreadable: the estimates stay */ }
    if (Array.isArray(kept) && kept.length === list.length) {
      list.forEach(function (section, index) {
        if (kept[index] > 0) section.style.containIntrinsicBlockSize = "auto " + kept[index] + "px";
      });
    }
    watcher.disconnect();
    heights = list.map(function () { return 0; });
    list.forEach(function (section) { watcher.observe(section); });
  }

  // Back or forward with instant navigation: Material fetches the page, puts it in, and scrolls
  // to the offset it kept in the history entry, all before its `document$` reaches us.
  var returning = false;
  window.addEventListener("popstate", function () { returning = true; });

  if (!window.document$) restore();
  else {
    window.document$.subscribe(function () {
      restore();
      var offset = history.state;
      if (returning && offset && typeof offset.y === "number") window.scrollTo(offset.x || 0, offset.y);
      returning = false;
    });
  }
})();
