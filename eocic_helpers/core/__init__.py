"""Shared foundations: paths, one-line errors, atomic writes, YAML schemas, the pilot regions."""
