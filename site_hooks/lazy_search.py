"""Fetch the search index when the reader reaches for search, not with every page (MkDocs hook).

Material's JavaScript requests `search/search_index.json` as soon as a page opens. The index
holds the prose of the whole book (210 KB compressed with 31 chapters) and grows with every
chapter, so it was the largest download of every page although most readers never search.
This hook puts a small script at the end of each page's <head>, before Material's bundle, that holds
back that one request until the reader opens search (focus on the search field, or the
search toggle), or arrives from a search result or a shared search (`?h=` or `?q=` in the
address). Search then works as before: Material shows "Initializing search" while the
index loads, then runs the query typed so far.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

SCRIPT = """<script>
(function () {
  var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  var released = /[?&][hq]=/.test(location.search), held = [];
  function release() {
    if (released) return;
    released = true;
    held.splice(0).forEach(function (call) { send.apply(call[0], call[1]); });
  }
  XMLHttpRequest.prototype.open = function (method, url) {
    this.dlvSearchIndex = /search\\/search_index\\.json(\\?|$)/.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.dlvSearchIndex && !released) { held.push([this, arguments]); return; }
    return send.apply(this, arguments);
  };
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input")) release();
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search") release();
  });
})();
</script>"""
HEAD_END = "</head>"


def on_post_page(output, page, config):
    if HEAD_END not in output:
        raise PluginError(f"{page.file.src_uri}: no </head> to hold back the search index in (site_hooks/lazy_search.py)")
    return output.replace(HEAD_END, SCRIPT + HEAD_END, 1)
