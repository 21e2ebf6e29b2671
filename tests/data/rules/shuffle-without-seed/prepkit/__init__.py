"""Data preparation toolkit."""

from prepkit.session import Session

__all__ = ["Session"]
