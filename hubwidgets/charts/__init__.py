"""DataFrame -> Altair chart builders (no widgets). Filled by the widget issues."""
