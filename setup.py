"""Build hook: setuptools reads the metadata from pyproject.toml; this file only adds the cffi extensions.

cffi builds them against the stable ABI (``*.abi3.so``); ``py_limited_api`` tags the wheel to match, so
one wheel serves CPython 3.10 and every later version.
"""

from setuptools import setup

setup(
    cffi_modules=["csrc/build_ns.py:ffibuilder", "csrc/build_nla.py:ffibuilder"],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
