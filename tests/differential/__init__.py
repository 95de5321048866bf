"""Differential tests: rtnl against iproute2, the reference CNI plugin... (marked ``kernel``)."""
