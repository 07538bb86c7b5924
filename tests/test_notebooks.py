import json

import pytest

from eocic_helpers.core import paths

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_no_outputs(nb_path):
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{nb_path.name} has outputs"
            assert cell["execution_count"] is None, f"{nb_path.name} has execution counts"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_is_defined_in_a_notebook(nb_path):
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert "def " not in "".join(cell["source"]), "move functions to eocic_helpers"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_glues_in_its_first_cell_after_the_parameters_only(nb_path):
    """What a chapter publishes is one mapping, glued in one place (``pub.glue_all`` over its
    module's ``chapter_values``): the rest of the notebook reads as a document."""
    nb = json.loads(nb_path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"
            and "parameters" not in c.get("metadata", {}).get("tags", [])]
    gluing = [i for i, c in enumerate(code) if "pub.glue" in "".join(c["source"])]
    assert gluing in ([], [0]), f"{nb_path.name}: code cells {gluing} glue; glue in the first"
    if gluing:
        first = "".join(code[0]["source"])
        assert first.count("pub.glue_all(") == 1, f"{nb_path.name}: one glue_all call"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_committed_notebook_is_valid_against_its_nbformat_schema(nb_path):
    """Valid as nbformat's validator reads it, with no warning: a cell without the id that
    nbformat 4.5 requires is made up by every reader, and papermill printed a warning for it."""
    import warnings

    import nbformat

    nb = nbformat.read(nb_path, as_version=nbformat.NO_CONVERT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nbformat.validate(nb)
