"""cffi (API mode) build script for ``rtnl._nla``: the bounds-checked walk over a run of netlink attributes.

Compiled by the package build (``cffi_modules`` in setup.py). Python walks attributes at ~0.3 us each on
a slow machine, which puts a 1.5 KB link message (~40 attributes) over the codec's time budget before
any value is decoded; this loop does the walk in C and Python only reads the offsets it reports.
rtnl.codec.attr_index is its one caller and turns a framing error into DecodeError.
"""

from cffi import FFI

ffibuilder = FFI()
ffibuilder.cdef("long rtnl_nla_index(const char *buf, size_t size, size_t start, size_t end, char *out, "
                "size_t cap);\n"
                "long rtnl_nla_pick(const char *buf, size_t size, size_t start, size_t end, "
                "const unsigned char *slots, size_t ntypes, char *out, size_t nslots);")
ffibuilder.set_source(
    "rtnl._nla",
    r"""
    #include <stdint.h>
    #include <string.h>
    #include <linux/netlink.h>  /* struct nlattr, NLA_HDRLEN, NLA_ALIGN, NLA_TYPE_MASK */

    /* Index the attributes in buf[start:end] (buf is size bytes). out has room for cap attributes:
     * cap (uint32 payload start, uint32 payload end) pairs, then cap uint16 types with NLA_F_NESTED
     * and NLA_F_NET_BYTEORDER masked off. Returns how many attributes there are, also when that is
     * more than cap (only the first cap are written: the caller retries with room for all), or
     * -1 - the offset of the first badly framed one: a header cut short (stray bytes), nla_len <
     * NLA_HDRLEN, or nla_len past end. Nothing outside buf[start:end] is read; a span outside buf is
     * bad at start. */
    static long rtnl_nla_index(const char *buf, size_t size, size_t start, size_t end, char *out, size_t cap)
    {
        const unsigned char *p = (const unsigned char *)buf;
        size_t off = start, n = 0;
        if (start > end || end > size || end > UINT32_MAX)
            return -1 - (long)start;
        while (off < end) {
            struct nlattr nla;
            if (end - off < NLA_HDRLEN)
                return -1 - (long)off;
            memcpy(&nla, p + off, sizeof nla);  /* no alignment is assumed, of buf or out */
            if (nla.nla_len < NLA_HDRLEN || nla.nla_len > end - off)
                return -1 - (long)off;
            if (n < cap) {
                uint32_t span[2] = {(uint32_t)(off + NLA_HDRLEN), (uint32_t)(off + nla.nla_len)};
                uint16_t type = nla.nla_type & NLA_TYPE_MASK;
                memcpy(out + 8 * n, span, sizeof span);
                memcpy(out + 8 * cap + 2 * n, &type, sizeof type);
            }
            n++;
            off += NLA_ALIGN(nla.nla_len);  /* may step past end: the walk ends (as nla_for_each_attr) */
        }
        return (long)n;
    }

    /* The first attribute of each wanted type in buf[start:end], framing checked as rtnl_nla_index
     * does: slots[type] (for type < ntypes) is 0 for a type not wanted, else 1 + the slot its span
     * goes to. out receives nslots (uint32 payload start, uint32 payload end) pairs, (0, 0) for a
     * type absent (a payload never starts at 0: its header comes before it). Returns the number of
     * attributes, or -1 - the offset of the first badly framed one. */
    static long rtnl_nla_pick(const char *buf, size_t size, size_t start, size_t end,
                              const unsigned char *slots, size_t ntypes, char *out, size_t nslots)
    {
        const unsigned char *p = (const unsigned char *)buf;
        size_t off = start, n = 0;
        memset(out, 0, 8 * nslots);
        if (start > end || end > size || end > UINT32_MAX)
            return -1 - (long)start;
        while (off < end) {
            struct nlattr nla;
            if (end - off < NLA_HDRLEN)
                return -1 - (long)off;
            memcpy(&nla, p + off, sizeof nla);
            if (nla.nla_len < NLA_HDRLEN || nla.nla_len > end - off)
                return -1 - (long)off;
            uint16_t type = nla.nla_type & NLA_TYPE_MASK;
            if (type < ntypes && slots[type] && slots[type] <= nslots) {
                char *slot = out + 8 * (size_t)(slots[type] - 1);
                uint32_t span[2];
                memcpy(span, slot, sizeof span);
                if (span[0] == 0) {  /* the first of its type only */
                    span[0] = (uint32_t)(off + NLA_HDRLEN);
                    span[1] = (uint32_t)(off + nla.nla_len);
                    memcpy(slot, span, sizeof span);
                }
            }
            n++;
            off += NLA_ALIGN(nla.nla_len);
        }
        return (long)n;
    }
    """,
)

if __name__ == "__main__":
    from pathlib import Path

    ffibuilder.compile(tmpdir=str(Path(__file__).parent.parent), verbose=False)
