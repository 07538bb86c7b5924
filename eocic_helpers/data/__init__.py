"""Stage 1, data: parse raw Eurostat files, catalogue sources, build and verify the snapshot, look
values up.
"""
