"""The wire layer: rtnetlink bytes to messages and back, with no I/O.

Modules, lowest first: ``rtnl.wire.headers`` (fixed structs), ``rtnl.wire.codecs`` (attribute
payloads), ``rtnl.wire.attrs`` (schemas and attribute sets), ``rtnl.wire.schemas`` (the
tables), ``rtnl.wire.message`` (messages and datagrams). :mod:`rtnl.codec` re-exports them as
one public namespace. This layer knows bytes and the kernel's numbers (``rtnl.uapi``): not
sockets, typed values (``Link``...) or operations.
"""
