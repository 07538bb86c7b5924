"""Stage 3, outputs: what a notebook hands on (glued values, figures, tables, results fragments)
and the figure style.
"""
