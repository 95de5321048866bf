"""cffi (API mode) build script for ``rtnl._nla``: the bounds-checked walks over a run of netlink attributes
(an index of them all, and a pick of the first of each wanted type), and over a datagram's messages
(a row per message, with a pick of its attributes).

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
                "const unsigned char *slots, size_t ntypes, char *out, size_t nslots);\n"
                "long rtnl_nlmsg_rows(const char *buf, size_t size, size_t fixed, const unsigned char *slots, "
                "size_t ntypes, size_t nslots, uint32_t seq, uint32_t pid, char *out, size_t cap);")
ffibuilder.set_source(
    "rtnl._nla",
    r"""
    #include <stdint.h>
    #include <string.h>
    #include <linux/netlink.h>  /* struct nlattr, NLA_HDRLEN, NLA_ALIGN, NLA_TYPE_MASK */

    /* The attribute at buf[off:end] (off < end) into *nla; 0 if it is badly framed: a header cut
     * short (stray bytes), nla_len < NLA_HDRLEN, or nla_len past end. No alignment is assumed. */
    static int nla_at(const char *buf, size_t off, size_t end, struct nlattr *nla)
    {
        if (end - off < NLA_HDRLEN)
            return 0;
        memcpy(nla, buf + off, sizeof *nla);
        return nla->nla_len >= NLA_HDRLEN && nla->nla_len <= end - off;
    }

    /* Both walks: buf[start:end] of a buffer of size bytes; nothing outside it is read, a span outside
     * buf is bad at start. A step may pass end: the walk ends (as nla_for_each_attr). Both return
     * how many attributes there are, or -1 - the offset of the first badly framed one. */
    #define BAD_SPAN(start, end, size) ((start) > (end) || (end) > (size) || (end) > UINT32_MAX)

    /* Index the attributes: out has room for cap attributes: cap (uint32 payload start, uint32
     * payload end) pairs, then cap uint16 types with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked
     * off. Only the first cap are written (past cap, the caller retries with room for all). */
    static long rtnl_nla_index(const char *buf, size_t size, size_t start, size_t end, char *out, size_t cap)
    {
        struct nlattr nla;
        size_t off = start, n = 0;
        if (BAD_SPAN(start, end, size))
            return -1 - (long)start;
        for (; off < end; off += NLA_ALIGN(nla.nla_len), n++) {
            if (!nla_at(buf, off, end, &nla))
                return -1 - (long)off;
            if (n < cap) {
                uint32_t span[2] = {(uint32_t)(off + NLA_HDRLEN), (uint32_t)(off + nla.nla_len)};
                uint16_t type = nla.nla_type & NLA_TYPE_MASK;
                memcpy(out + 8 * n, span, sizeof span);
                memcpy(out + 8 * cap + 2 * n, &type, sizeof type);
            }
        }
        return (long)n;
    }

    /* The first attribute of each wanted type: slots[type] (for type < ntypes) is 0 for a type not
     * wanted, else 1 + the slot its span goes to. out receives nslots (uint32 payload start, uint32
     * payload end) pairs, (0, 0) for a type absent (a payload never starts at 0: its header comes
     * before it). */
    static long rtnl_nla_pick(const char *buf, size_t size, size_t start, size_t end,
                              const unsigned char *slots, size_t ntypes, char *out, size_t nslots)
    {
        struct nlattr nla;
        size_t off = start, n = 0;
        memset(out, 0, 8 * nslots);
        if (BAD_SPAN(start, end, size))
            return -1 - (long)start;
        for (; off < end; off += NLA_ALIGN(nla.nla_len), n++) {
            if (!nla_at(buf, off, end, &nla))
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
        }
        return (long)n;
    }

    /* Every message of the datagram buf[0:size], a row each: cap rows of ROW_HEAD + fixed/4 + 2 * nslots
     * uint32 words after out's first word. A row: status (0, or 1 + the offset of the first badly
     * framed attribute, the spans then all 0), nlmsg_type, nlmsg_flags, nlmsg_seq, nlmsg_pid, the
     * attributes' start and end, the fixed header's bytes (fixed, a multiple of 4; zeros for a message
     * too short to hold it or below NLMSG_MIN_TYPE), then rtnl_nla_pick's spans. out's first word
     * counts the plain rows: data messages (nlmsg_type >= NLMSG_MIN_TYPE) of sequence number seq and
     * port pid, long enough for the fixed header, not marked NLM_F_DUMP_INTR. Returns how many
     * messages there are (rows past cap are not written), or -1 - the offset of a badly framed one. */
    #define ROW_HEAD 7
    static long rtnl_nlmsg_rows(const char *buf, size_t size, size_t fixed, const unsigned char *slots,
                                size_t ntypes, size_t nslots, uint32_t seq, uint32_t pid, char *out, size_t cap)
    {
        struct nlmsghdr nlh;
        size_t off = 0, n = 0, words = ROW_HEAD + fixed / 4 + 2 * nslots;
        uint32_t plain = 0;
        if (size > UINT32_MAX || fixed % 4)
            return -1;
        for (; off < size; off += NLMSG_ALIGN(nlh.nlmsg_len), n++) {
            if (size - off < NLMSG_HDRLEN)
                return -1 - (long)off;
            memcpy(&nlh, buf + off, sizeof nlh);
            if (nlh.nlmsg_len < NLMSG_HDRLEN || nlh.nlmsg_len > size - off)
                return -1 - (long)off;
            if (n >= cap)
                continue;
            char *row = out + 4 * (1 + n * words);
            int data = nlh.nlmsg_type >= NLMSG_MIN_TYPE && nlh.nlmsg_len >= NLMSG_HDRLEN + fixed;
            size_t start = off + NLMSG_HDRLEN + fixed, end = off + nlh.nlmsg_len;
            uint32_t head[ROW_HEAD] = {0, nlh.nlmsg_type, nlh.nlmsg_flags, nlh.nlmsg_seq, nlh.nlmsg_pid,
                                       (uint32_t)start, (uint32_t)end};
            memset(row + 4 * ROW_HEAD, 0, 4 * (words - ROW_HEAD));
            if (data) {
                long found = rtnl_nla_pick(buf, size, start, end, slots, ntypes,
                                           row + 4 * (ROW_HEAD + fixed / 4), nslots);
                if (found < 0) {
                    head[0] = (uint32_t)(-found);  /* 1 + the offset */
                    memset(row + 4 * (ROW_HEAD + fixed / 4), 0, 8 * nslots);
                }
                memcpy(row + 4 * ROW_HEAD, buf + off + NLMSG_HDRLEN, fixed);
                plain += nlh.nlmsg_seq == seq && nlh.nlmsg_pid == pid && !(nlh.nlmsg_flags & NLM_F_DUMP_INTR);
            }
            memcpy(row, head, sizeof head);
        }
        memcpy(out, &plain, sizeof plain);
        return (long)n;
    }
    """,
)

if __name__ == "__main__":
    from pathlib import Path

    ffibuilder.compile(tmpdir=str(Path(__file__).parent.parent), verbose=False)
