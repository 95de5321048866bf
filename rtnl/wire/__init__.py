"""The wire layer: rtnetlink bytes to messages and back, with no I/O.

Modules, lowest first: :mod:`~rtnl.wire.headers` (fixed structs), :mod:`~rtnl.wire.codecs` (attribute
payloads), :mod:`~rtnl.wire.attrs` (schemas and attribute sets), :mod:`~rtnl.wire.schemas` (the
tables), :mod:`~rtnl.wire.message` (messages and datagrams). :mod:`rtnl.codec` re-exports them as
one public namespace. This layer knows bytes and the kernel's numbers (:mod:`rtnl.uapi`): not
sockets, typed values (``Link``...) or operations.
"""
