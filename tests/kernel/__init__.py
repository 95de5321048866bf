"""Kernel tests: the real kernel in throwaway namespaces (marked ``kernel`` by this folder)."""
