"""Code only the tests use: the measure of runs of words shared with the seed briefing, and
the print checks of a built PDF (the package holds what a user runs)."""
