"""Pure tests: no root, no kernel, no sockets or namespaces."""
