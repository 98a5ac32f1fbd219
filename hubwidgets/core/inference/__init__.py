"""Running models: backends (local, remote, fallback), the benchmark engine, the playground
session, quality metrics and built-in samples."""
