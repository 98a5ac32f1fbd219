"""Tests of hubwidgets.charts."""
