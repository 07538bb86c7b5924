"""Code only the tests use: the measure of runs of words shared with the seed briefing, the
print checks of a built PDF and the legibility checks of a drawn figure (the package holds what
a user runs), and where the tests find the shared raw files."""

from eocic_helpers.core import paths

#: The shared raw files next to the project, when present.
RAW_SHARED = paths.ROOT.parent / "shared" / "data" / "raw"
