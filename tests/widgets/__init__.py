"""Tests of hubwidgets.widgets."""
