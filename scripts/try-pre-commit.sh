#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml as a user gets them: pre-commit
# (from PyPI) clones this repository, builds dockfix with cargo (release,
# a few minutes) and runs both hooks on a temporary git repository.
# Not part of CI (the build is slow); tests/pre_commit.rs runs the same
# hook entries against the test build.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pre-commit >/dev/null || pip install pre-commit
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q .
printf 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n' > Dockerfile
git add Dockerfile
if pre-commit try-repo "$repo" dockfix-check --all-files; then
  echo "dockfix-check passed on a file it should fix" >&2; exit 1
fi
pre-commit try-repo "$repo" dockfix --all-files || true
grep -q 'rm -rf /var/lib/apt/lists' Dockerfile
pre-commit try-repo "$repo" dockfix-check --all-files
echo "pre-commit hooks: OK"
