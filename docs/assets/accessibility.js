// Accessibility for parts of the page that Material's JavaScript creates (checked by
// axe-core in tests/test_browser.py; the static markup is fixed by site_hooks/accessibility.py).
// - Each code block's copy button sits in a <nav>: a page of 30 code blocks had 30 unnamed
//   navigation landmarks, which a screen reader cannot tell apart. Each gets its own name.
// - A display formula or a table wider than the screen scrolls sideways: keyboard users must
//   be able to focus it to scroll it.
(function () {
  function mend() {
    document.querySelectorAll(".md-code__nav").forEach(function (nav, index) {
      var name = "Code block " + (index + 1) + " actions";
      if (nav.getAttribute("aria-label") !== name) nav.setAttribute("aria-label", name);
    });
    document.querySelectorAll("div.arithmatex, .md-typeset__scrollwrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else if (box.hasAttribute("tabindex")) box.removeAttribute("tabindex");
    });
  }
  // At most once a frame, after Material (instant navigation included) has changed the page.
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; mend(); });
  }
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", schedule);
  schedule();
})();
