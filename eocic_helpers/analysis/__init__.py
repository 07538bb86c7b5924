"""Stage 2, analysis: one module per briefing section (indicators, composite, synthesis, costs,
action plan).
"""
