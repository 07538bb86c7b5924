"""eocic_helpers: the library behind the EOCIC regional briefings.

Data flows one way: ``data/`` (sourced inputs and a derived snapshot) -> this package (load,
derive, model, draw) -> ``notebooks/`` (one story per briefing section) -> ``build/runs/<region>/``
-> ``book/`` templates -> ``build/site`` and ``build/pdf``.
"""

__version__ = "0.1.0"
