"""Shared evaluation harness: run set-up and reporting."""

from evalkit.runtime import start_run

__all__ = ["start_run"]
