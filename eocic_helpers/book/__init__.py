"""Stage 5, book: assemble executed notebooks into Jupyter Book editions and build HTML and PDF."""
