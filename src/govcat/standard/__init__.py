"""The standard at run time: the model the rules, readers and generators look things up in."""

from govcat.standard.model import Element, Standard, load, normalise_name

__all__ = ["Element", "Standard", "load", "normalise_name"]
