"""Stage 4, run: notebook parameters, cache keys and the parallel papermill runner."""
