"""cffi (API mode) build script for ``rtnl._ns``: setns, unshare, mount, umount2 and prctl with errno kept.

Compiled by the package build (``cffi_modules`` in setup.py). Constants are read from the C headers
by the compiler (``#define X ...``), so no number is copied by hand.
"""

from pathlib import Path

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef((Path(__file__).parent / "ns.h").read_text())
ffibuilder.set_source(
    "rtnl._ns",
    """
    #ifndef _GNU_SOURCE  /* pyconfig.h, included first by cffi, already defines it */
    #define _GNU_SOURCE
    #endif
    #include <sched.h>
    #include <sys/mount.h>
    #include <sys/prctl.h>
    #include <linux/nsfs.h>
    """,
)

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=str(Path(__file__).parent.parent), verbose=False)
