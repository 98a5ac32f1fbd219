"""Exported notebooks in a browser, offline: the CDN files their widgets need, served from npm.

An HTML export of a notebook with widget state (``jupyter nbconvert --to html``) draws its
widgets with files it loads from CDNs when opened: require.js (cdnjs), the widget manager's
embed script ``@jupyter-widgets/html-manager`` (unpkg, plus the files it loads next to itself)
and each widget's front-end module (``anywidget``, from jsdelivr), each at the version the page
names. :class:`EmbedAssets` answers exactly those URLs in a Playwright page or context from the
same files taken from the npm packages (``npm pack``, at the version or range the URL names), and
aborts every other request that would leave the machine, so a test sees what a reader gets and
can tell which URLs the page asked for. :meth:`EmbedAssets.prefetch` fetches the packages an
export will ask for before it is opened, so the page waits for no download.

npm keeps its own cache (``--prefer-offline``): after a first fetch, packs come from it without
asking the registry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import BrowserContext, Page, Route

__all__ = ["CDN_FILES", "EmbedAssets", "npm_missing"]

#: The CDN URLs an export's page loads, and the npm package and file that answer each:
#: ``(pattern, package, file)``; ``package`` and ``file`` are filled from the pattern's groups.
CDN_FILES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # the widget manager's embed script and what it loads beside itself (nbconvert's template)
    (
        re.compile(
            r"https://unpkg\.com/(?P<name>(?:@[^/@]+/)?[^/@]+)@(?P<range>[^/]+)/(?P<file>.+)"
        ),
        "{name}@{range}",
        "{file}",
    ),
    # the widgets' front-end modules (the embed script's default CDN)
    (
        re.compile(
            r"https://cdn\.jsdelivr\.net/npm/(?P<name>(?:@[^/@]+/)?[^/@]+)@(?P<range>[^/]+)/"
            r"(?P<file>.+)"
        ),
        "{name}@{range}",
        "{file}",
    ),
    # require.js, from cdnjs (nbconvert's template); npm's ``requirejs`` ships it unminified
    (
        re.compile(
            r"https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/(?P<range>[^/]+)/require(?:\.min)?\.js"
        ),
        "requirejs@{range}",
        "require.js",
    ),
)

_URL = re.compile(r"""https?://[^\s"'<>]+""")
_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">\s*(.*?)\s*</script>', re.S
)

#: Seconds one ``npm pack`` may take (a first fetch of the embed manager is ~5 MB).
NPM_TIMEOUT_S = 180.0


def npm_missing() -> str | None:
    """Why ``npm`` cannot fetch the embed files here, or None when it can."""
    if shutil.which("npm") is None:
        return (
            "npm is not installed: the export test fetches the widget manager's embed files with it"
        )
    return None


@dataclass
class Served:
    """One request the page made and what answered it."""

    url: str
    package: str  # the npm spec asked for, e.g. ``anywidget@~0.11.*``
    version: str  # the version npm chose
    file: Path
    seconds: float  # the time spent fetching the package (0 once it is cached)


@dataclass
class EmbedAssets:
    """Answer an export's CDN requests from npm packages kept in ``cache``; abort the rest.

    After a page ran, :attr:`served` lists what was answered and :attr:`aborted` the URLs that
    were refused (both in request order).
    """

    cache: Path
    #: URL prefixes let through untouched: the export itself (its ``file://`` URL); any other
    #: local file the page asks for is aborted, as it would fail for a reader.
    allow: tuple[str, ...] = ("file://",)
    served: list[Served] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    _packages: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def locate(self, url: str) -> tuple[str, str] | None:
        """The npm spec and the file inside the package that answer ``url``, or None."""
        parts = urlsplit(url)
        bare = unquote(f"{parts.scheme}://{parts.netloc}{parts.path}")
        for pattern, package, file in CDN_FILES:
            match = pattern.fullmatch(bare)
            if match:
                groups = match.groupdict()
                return package.format(**groups), file.format(**groups)
        return None

    def package(self, spec: str) -> tuple[Path, str]:
        """Fetch ``spec`` with ``npm pack`` (once) and unpack it; its folder and version."""
        if spec in self._packages:
            return self._packages[spec]
        self.cache.mkdir(parents=True, exist_ok=True)
        # a folder per spec: the same range asked twice in a session is fetched once
        slot = self.cache / re.sub(r"[^A-Za-z0-9._-]+", "_", spec)
        marker = slot / "version.txt"
        if not marker.is_file():
            if slot.exists():
                shutil.rmtree(slot)
            slot.mkdir()
            npm = shutil.which("npm") or "npm"
            result = subprocess.run(
                [npm, "pack", "--json", "--prefer-offline", "--pack-destination", str(slot), spec],
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                check=False,
                env={**os.environ, "npm_config_update_notifier": "false"},
            )
            if result.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed:\n{result.stderr[-2000:]}")
            (info,) = json.loads(result.stdout)
            with tarfile.open(slot / info["filename"]) as archive:
                archive.extractall(slot, filter="data")
            marker.write_text(info["version"], encoding="utf-8")
        found = (slot / "package", marker.read_text(encoding="utf-8"))
        self._packages[spec] = found
        return found

    def prefetch(self, html: str) -> list[str]:
        """Fetch now the packages an export's page will ask for (``html``: the page), so that
        opening it waits for no download and a failing ``npm`` fails here, by name: the CDN
        URLs the page names, and the front-end module of each widget in its saved state (from
        jsdelivr, as the embed manager asks). Returns the npm specs, fetched or cached.

        Raises:
            RuntimeError: ``npm pack`` failed (offline with an empty npm cache...).
        """
        specs = {where[0] for url in _URL.findall(html) if (where := self.locate(url))}
        for found in _STATE.finditer(html):
            for model in json.loads(found.group(1)).get("state", {}).values():
                state = model.get("state", {})
                for module, version in (
                    (model.get("model_module"), model.get("model_module_version")),
                    (state.get("_view_module"), state.get("_view_module_version")),
                ):
                    # the embed manager carries the base widgets itself
                    if module and version and not module.startswith("@jupyter-widgets/"):
                        specs.add(f"{module}@{version}")
        for spec in sorted(specs):
            self.package(spec)
        return sorted(specs)

    def file_for(self, url: str) -> tuple[Path, str, str] | None:
        """The local file that answers ``url``, with its npm spec and version, or None."""
        where = self.locate(url)
        if where is None:
            return None
        spec, inside = where
        root, version = self.package(spec)
        path = (root / inside).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return None
        return path, spec, version

    def route(self, target: Page | BrowserContext) -> None:
        """Answer ``target``'s requests: the CDN files from npm, ``allow``-ed URLs as they are,
        everything else aborted."""
        target.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.allow):
            route.continue_()
            return
        start = time.perf_counter()
        try:
            found = self.file_for(url)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as error:
            self.aborted.append(f"{url} ({error})")
            route.abort("failed")
            return
        if found is None:
            self.aborted.append(url)
            route.abort("blockedbyclient")
            return
        path, spec, version = found
        self.served.append(Served(url, spec, version, path, time.perf_counter() - start))
        # a CDN's headers: scripts must be served as JavaScript, fonts as fonts...
        route.fulfill(path=path, headers={"Access-Control-Allow-Origin": "*"})
