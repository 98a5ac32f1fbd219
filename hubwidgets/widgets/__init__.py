"""Thin anywidget front-ends over the core. Filled by the widget issues."""
