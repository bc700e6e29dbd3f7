"""Check every URL of data/further-reading.yml online with lychee and name the item of each
broken one: the weekly workflow .github/workflows/further-reading.yml runs

    python -m site_hooks.further_reading_online

and the build (site_hooks/further_reading.py, offline) never does. On GitHub each broken link
is also an annotation on its line of the data file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import lychee  # noqa: E402
from site_hooks.further_reading import DATA, Item, load  # noqa: E402

# Hosts that answer robots with 403 or 429 are reported, not failed: the link may be fine.
INCONCLUSIVE = {403, 429}


@dataclass(frozen=True)
class LinkProblem:
    item: Item | None
    url: str
    reason: str

    def __str__(self) -> str:
        what = (f"{DATA}:{self.item.line}: {self.item.title!r} ({', '.join(self.item.chapters)})" if self.item
                else f"{DATA}: an item")
        return f"{what}: {self.url}: {self.reason}"


def check_online(items: list[Item], retries: int = 3) -> tuple[list[LinkProblem], list[LinkProblem]]:
    """(broken, inconclusive): the URLs of `items` that lychee could not reach, with their items.
    A timeout counts as broken (after `retries` retries): a dead host often just times out."""
    by_url = {item.url: item for item in items if item.url}
    if not by_url:
        return [], []
    command = [lychee.executable(), "--no-progress", "--format", "json", "--max-retries", str(retries), "--timeout", "30", "-"]
    done = subprocess.run(command, input="\n".join(by_url) + "\n", capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"lychee failed ({done.returncode}): {done.stderr[-2000:]}") from None
    broken, inconclusive = [], []
    for key in ("error_map", "timeout_map"):
        for errors in (report.get(key) or {}).values():
            for error in errors:
                url, status = error["url"], error.get("status") or {}
                item = by_url.get(url) or next((i for u, i in by_url.items() if u.rstrip("/") == url.rstrip("/")),
                                               None)
                reason = status.get("details") or status.get("text") or ("timed out" if key == "timeout_map"
                                                                         else "unreachable")
                problem = LinkProblem(item, url, reason)
                (inconclusive if status.get("code") in INCONCLUSIVE else broken).append(problem)

    def order(problem):
        return (problem.item.line if problem.item else 0, problem.url)

    return sorted(broken, key=order), sorted(inconclusive, key=order)


def main(argv: list[str]) -> int:
    if argv:
        print("usage: python -m site_hooks.further_reading_online", file=sys.stderr)
        return 2
    items = load(ROOT / DATA)
    try:
        broken, inconclusive = check_online(items)
    except lychee.LycheeMissing as error:
        print(error, file=sys.stderr)
        return 2
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in inconclusive:
        print(f"could not check (the host refused the checker): {problem}")
    for problem in broken:
        print(f"BROKEN: {problem}")
        if on_github:  # an annotation on the item's line of the data file
            line = problem.item.line if problem.item else 1
            message = str(problem).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::error file={DATA},line={line}::broken link: {message}")
    print(f"{len([i for i in items if i.url])} URLs checked: {len(broken)} broken, {len(inconclusive)} inconclusive")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
