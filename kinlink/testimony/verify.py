"""Checking an evidence bundle. Standard library only: a recipient can run it, or read it.

A bundle holds `manifest.json` (every other file with its SHA-256 and size) and
`SHA256SUMS` (the same hashes plus the manifest's own, in `sha256sum -c` format). The
check recomputes every hash and compares the manifest with SHA256SUMS, so a change to any
file, a file added or removed, or a damaged archive is found and named.

The SHA-256 of `manifest.json` is the bundle's *digest*. It is printed by the check and
recorded in the issuing organisation's hash-chained audit log at export: someone who
rewrote files *and* both lists could make the bundle consistent again, but not give it the
digest the organisation recorded, so a court confirms the digest with the organisation
(`--digest`).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = "kinlink-evidence/1"


@dataclass(frozen=True)
class BundleReport:
    ok: bool
    checked: int = 0
    digest: str = ""
    bad_file: str | None = None
    problem: str = ""
    manifest: dict | None = None

    def summary(self) -> str:
        if not self.ok:
            return f"{self.bad_file}: {self.problem}"
        manifest = self.manifest or {}
        return (
            f"bundle intact: {self.checked} files verified; "
            f"{manifest.get('reference', '?')} for {manifest.get('recipient', '?')} "
            f"({manifest.get('purpose', '?')}); digest (SHA-256 of {MANIFEST}) {self.digest}"
        )


class _Bad(Exception):
    def __init__(self, name: str, problem: str):
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(bundle: zipfile.ZipFile, name: str) -> bytes:
    try:
        return bundle.read(name)
    except KeyError:
        raise _Bad(name, "missing from the bundle") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _Bad(name, f"damaged in the archive ({exc})") from None


def _parse_sums(data: bytes) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise _Bad(SUMS, f"line {number} is not '<sha256>  <path>'")
        sums[name] = digest.lower()
    return sums


def _parse_manifest(data: bytes) -> tuple[dict, list[dict]]:
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        if manifest.get("format") != FORMAT:
            raise _Bad(MANIFEST, f"unknown format {manifest.get('format')!r}")
        for entry in files:
            if not isinstance(entry["path"], str) or not isinstance(entry["sha256"], str):
                raise TypeError("a file entry needs a path and a sha256")
            int(entry["size"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _Bad(MANIFEST, f"not a valid manifest ({exc})") from None
    return manifest, files


def _check_lists(sums: dict[str, str], files: list[dict], digest: str) -> None:
    if sums.get(MANIFEST) != digest:
        raise _Bad(MANIFEST, f"its SHA-256 {digest} is not the one in {SUMS}")
    listed = {entry["path"] for entry in files}
    for entry in files:
        if sums.get(entry["path"]) != entry["sha256"]:
            raise _Bad(entry["path"], f"{SUMS} and {MANIFEST} give different SHA-256")
    for name in sorted(set(sums) - listed - {MANIFEST}):
        raise _Bad(name, f"listed in {SUMS} but not in {MANIFEST}")


def _check_files(bundle: zipfile.ZipFile, files: list[dict]) -> int:
    checked = 0
    for entry in files:
        data = _read(bundle, entry["path"])
        actual = sha256_hex(data)
        if actual != entry["sha256"] or len(data) != int(entry["size"]):
            raise _Bad(
                entry["path"],
                f"SHA-256 {actual} ({len(data)} bytes), manifest says "
                f"{entry['sha256']} ({entry['size']} bytes)",
            )
        checked += 1
    listed = {entry["path"] for entry in files} | {MANIFEST, SUMS}
    for name in sorted(n for n in bundle.namelist() if not n.endswith("/")):
        if name not in listed:
            raise _Bad(name, f"in the bundle but not listed in {MANIFEST}")
    return checked


def verify_bundle(path: str | Path, expected_digest: str = "") -> BundleReport:
    """Check every hash of a bundle; name the first file that does not hold."""
    try:
        with zipfile.ZipFile(path) as bundle:
            sums = _parse_sums(_read(bundle, SUMS))
            manifest_bytes = _read(bundle, MANIFEST)
            digest = sha256_hex(manifest_bytes)
            manifest, files = _parse_manifest(manifest_bytes)
            _check_lists(sums, files, digest)
            checked = _check_files(bundle, files)
    except _Bad as bad:
        return BundleReport(False, bad_file=bad.name, problem=bad.problem)
    except (zipfile.BadZipFile, OSError) as exc:
        return BundleReport(False, bad_file=Path(path).name, problem=f"not a readable ZIP ({exc})")
    if expected_digest and expected_digest.lower() != digest:
        return BundleReport(
            False,
            checked,
            digest,
            MANIFEST,
            f"digest {digest} is not the digest the organisation recorded ({expected_digest})",
            manifest,
        )
    return BundleReport(True, checked, digest, manifest=manifest)
