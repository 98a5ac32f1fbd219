"""Catalogs of Hub models: the one schema, its sources (live Hub, snapshots, the local cache),
the search index and search over it."""

from .catalog import Catalog, UnknownModelError

__all__ = ["Catalog", "UnknownModelError"]
