"""The values layer: what users hand to rtnl and what they get back, with no I/O.

- ``rtnl.values.check``: argument validation, one home (``ValueError``/``TypeError`` before
  anything is sent)
- ``rtnl.values.enums``: the enumerated types (``MacvlanMode``, ``Scope``...), whose ``str()``
  is their name
- ``rtnl.values.links``: :class:`~rtnl.Link` and what a link's kind reports
- ``rtnl.values.specs``: what to create (:class:`~rtnl.Macvlan`, :class:`~rtnl.Veth`...)
- ``rtnl.values.addresses``, ``rtnl.values.routes``: :class:`~rtnl.Address`, :class:`~rtnl.Route`

Values read from the kernel are lazy views of its messages, so this layer stands on the wire
format (``rtnl.wire``); it knows no sockets, namespaces or operations.
"""
