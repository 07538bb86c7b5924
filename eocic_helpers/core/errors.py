"""User-facing errors: one line that names the problem and the fix."""

from __future__ import annotations


class EocicError(Exception):
    """An error caused by input the user can fix. The CLI prints it as one line, exit 2."""

    exit_code = 2
    #: Longest message kept: a safety net for values echoed whole (callers cut them to ~80).
    max_chars = 1000

    def __init__(self, message: str) -> None:
        # Keep the message on one line whatever the cause carried, and keep it short.
        text = " ".join(str(message).split())
        if len(text) > self.max_chars:
            text = f"{text[:700]} … {text[-250:]}"
        super().__init__(text)


class ConfigError(EocicError):
    """A YAML or parameter file is malformed or invalid."""


class DataError(EocicError):
    """A data file is missing, corrupt, or fails validation."""


class ParameterError(EocicError):
    """A notebook parameter is unknown, of the wrong type, or out of range."""


class SchedulerLost(EocicError):
    """The Dask scheduler went away during a run: one line, exit 1 (not an input error)."""

    exit_code = 1
