"""The scan's result cache: checkov's findings for a stack, reused while nothing they depend on changed.

An entry holds what checkov found in one stack (or in the product templates) before any waiver or
suppression: those apply after checkov, on every run, so they are not part of the key. The key is a
digest of the files exactly as checkov reads them and of everything else that can change a
verdict: the checkov version, the ML policy pack's files, the framework, mlplat's version and the
scan's own code, the Python version, and checkov's environment variables. The stack's name is part
of the key too, since every finding names its stack and file.

The cache is a directory of small JSON files, one per key, each written atomically. An entry that
cannot be read, or that does not hold what its name says, is a miss, and the scan overwrites it.
By default the directory is ``OUT/.mlplat/scan-cache/``, beside the stacks it describes (synth
leaves it in place, and a CI cache of the output directory carries it); at the end of each scan
the entries it did not use are removed, so the cache holds exactly the latest scan's. With
``MLPLAT_CACHE_DIR`` set, the cache is ``$MLPLAT_CACHE_DIR/scan/``, shared by every output
directory scanned with it; there an unused entry is removed only once no scan has used it for
:data:`SHARED_KEEP`, so that outputs do not evict each other's entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import mlplat
from mlplat.files import write_atomic

CACHE_FORMAT = 1
CACHE_DIR_ENV = "MLPLAT_CACHE_DIR"
OUT_CACHE = Path(".mlplat") / "scan-cache"  # under the output directory
SHARED_CACHE = "scan"  # under $MLPLAT_CACHE_DIR
SHARED_KEEP = timedelta(days=7)
# Variables checkov reads from its environment; any of them may change what it checks.
CHECKOV_ENV_PREFIXES = ("CKV_", "CHECKOV_", "BC_", "PRISMA_")
# A temporary file an interrupted write left behind is removed once it is this old.
_STALE_WRITE = timedelta(hours=1)
_ENTRY = re.compile(r"^(?P<kind>[a-z]+)-(?P<key>[0-9a-f]{64})\.json$")


def _digest(parts: Iterable[tuple[str, bytes]]) -> str:
    """A digest of named byte strings, each name and length framed so that no two sets give the same bytes."""
    hasher = hashlib.sha256()
    for name, data in parts:
        encoded = name.encode()
        hasher.update(b"%d:%s:%d:" % (len(encoded), encoded, len(data)))
        hasher.update(data)
    return hasher.hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """A digest of the files ``paths`` (under ``root``), by their path relative to ``root`` and bytes."""
    return _digest((path.relative_to(root).as_posix(), path.read_bytes()) for path in sorted(paths))


def checkov_version() -> str | None:
    """The installed checkov's version; None when checkov is not installed."""
    try:
        return metadata.version("checkov")
    except metadata.PackageNotFoundError:
        return None


def verdict_context(framework: str, checks_dir: Path, scan_code: Iterable[Path], env: Mapping[str, str]) -> str | None:
    """A digest of everything besides the scanned files that can change checkov's findings for ``framework``.

    ``checks_dir`` holds the ML policy pack, ``scan_code`` the modules that turn checkov's output into
    findings and ``env`` is the environment checkov runs with. None when checkov is not installed:
    nothing is cached then.
    """
    version = checkov_version()
    if version is None:
        return None
    code = [Path(p) for p in scan_code]
    return _digest([
        ("format", str(CACHE_FORMAT).encode()),
        ("framework", framework.encode()),
        ("checkov", version.encode()),
        ("mlplat", mlplat.__version__.encode()),
        ("python", "{}.{}".format(*sys.version_info[:2]).encode()),
        ("pack", files_digest(checks_dir.glob("*.py"), checks_dir).encode()),
        ("scan-code", _digest((p.name, p.read_bytes()) for p in sorted(code)).encode()),
        ("env", json.dumps(sorted((k, v) for k, v in env.items() if k.startswith(CHECKOV_ENV_PREFIXES))).encode()),
    ])


def cache_location(out_dir: Path, env: Mapping[str, str] | None = None) -> tuple[Path, timedelta]:
    """Where the scan of ``out_dir`` keeps its results, and how long an entry it does not use is kept."""
    env = os.environ if env is None else env
    shared = env.get(CACHE_DIR_ENV)
    if shared:
        return Path(shared) / SHARED_CACHE, SHARED_KEEP
    return Path(out_dir) / OUT_CACHE, timedelta(0)


@dataclass
class ScanCache:
    """The entries of one cache directory, and which of them the current scan used."""

    directory: Path
    keep_unused: timedelta = timedelta(0)
    used: set[str] = field(default_factory=set)

    @staticmethod
    def key(kind: str, name: str, files: Mapping[str, bytes], context: str) -> str:
        """The key of ``name``'s findings, from the files checkov reads (relative path → bytes) and the verdict context."""
        return _digest([("kind", kind.encode()), ("name", name.encode()), ("context", context.encode()),
                        *sorted((f"file:{path}", data) for path, data in files.items())])

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.json"

    def read(self, kind: str, key: str) -> dict[str, Any] | None:
        """The value stored under ``key``; None when there is none or it cannot be trusted."""
        path = self._path(kind, key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(entry, dict) and entry.get("format") == CACHE_FORMAT and entry.get("kind") == kind
                and entry.get("key") == key and isinstance(entry.get("value"), dict)):
            return None
        self.used.add(path.name)
        try:
            os.utime(path)  # its last use, for the shared cache's expiry
        except OSError:
            pass
        return entry["value"]

    def write(self, kind: str, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` under ``key``, atomically; a cache that cannot be written is skipped, not an error."""
        path = self._path(kind, key)
        entry = {"format": CACHE_FORMAT, "kind": kind, "key": key, "value": value}
        try:
            write_atomic(path, json.dumps(entry, separators=(",", ":"), sort_keys=True) + "\n")
        except OSError:
            return
        self.used.add(path.name)

    def prune(self, kinds: Iterable[str]) -> None:
        """Remove the entries of ``kinds`` this scan did not use (once unused for ``keep_unused``), and old partial writes."""
        kinds = set(kinds)
        now = time.time()
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            path = self.directory / name
            match = _ENTRY.match(name)
            try:
                if match:
                    if (match["kind"] in kinds and name not in self.used
                            and now - path.stat().st_mtime >= self.keep_unused.total_seconds()):
                        path.unlink()
                elif name.startswith(".") and now - path.stat().st_mtime >= _STALE_WRITE.total_seconds():
                    path.unlink()
            except OSError:
                continue
