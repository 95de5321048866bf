"""Build hook: setuptools reads the metadata from pyproject.toml; this file only adds the cffi extensions."""

from setuptools import setup

setup(cffi_modules=["csrc/build_ns.py:ffibuilder", "csrc/build_nla.py:ffibuilder"])
