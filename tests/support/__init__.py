"""Code only the tests use: the measure of runs of words shared with the seed briefing, the
print checks of a built PDF and the legibility checks of a drawn figure (the package holds what
a user runs)."""
