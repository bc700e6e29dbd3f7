// Accessibility for parts of the page that Material's JavaScript creates or that depend on the
// screen's width (checked by axe-core in tests/test_browser.py; the static markup is fixed by
// site_hooks/accessibility.py).
// - Each code block's copy button sits in a <nav>: a page of 30 code blocks had 30 unnamed
//   navigation landmarks, which a screen reader cannot tell apart. Each gets its own name.
// - A display formula or a table wider than the screen scrolls sideways: keyboard users must be
//   able to focus it to scroll it. Formulas are built focusable and tables are made focusable as
//   Material wraps them; a box that turns out not to scroll loses its tab stop once it is drawn.
//   Only drawn boxes are measured: measuring one in a part of the page not yet drawn
//   (content-visibility, site_hooks/lazy_sections.py) would make the browser lay that part out,
//   and a long chapter's load spent most of its time doing so.
(function () {
  var BOXES = "div.arithmatex, .md-typeset__scrollwrap";

  function drawn(box) {
    return box.checkVisibility ? box.checkVisibility({ contentVisibilityAuto: true }) : true;
  }

  var measured = new WeakSet();  // at the window's current width

  function measure(box) {
    measured.add(box);
    if (box.scrollWidth > box.clientWidth) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    } else if (box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
    }
  }

  function fit(box) {
    if (drawn(box)) measure(box);
    // Not drawn, and not measured at this width: a tab stop until it is.
    else if (!measured.has(box) && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
  }

  function mend(root) {
    document.querySelectorAll(".md-code__nav").forEach(function (nav, index) {
      var name = "Code block " + (index + 1) + " actions";
      if (nav.getAttribute("aria-label") !== name) nav.setAttribute("aria-label", name);
    });
    root.querySelectorAll(BOXES).forEach(fit);
  }

  // At most once a frame, after Material (instant navigation included) has changed the page.
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; mend(document); });
  }
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", function () {
    measured = new WeakSet();  // a box may scroll sideways at one width and not at another
    schedule();
  });
  // A part of the page drawn (the reader scrolled near it): measure its boxes, even if a fast
  // scroll has taken it out of view again by now (then the browser lays out that part alone).
  document.addEventListener("contentvisibilityautostatechange", function (event) {
    if (!event.skipped) event.target.querySelectorAll(BOXES).forEach(measure);
  }, true);
  schedule();
})();
