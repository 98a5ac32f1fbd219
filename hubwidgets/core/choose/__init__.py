"""Choosing a model: compare side by side, recommend, memory and hardware fit, license classes."""
