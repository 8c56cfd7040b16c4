import ast
from pathlib import Path

from ganlip.data import available_data


def test_every_registered_data_set_has_a_loader_test():
    """A data set registered without a test in tests/data/ that names it fails here."""
    named = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
    assert sorted(set(available_data()) - named) == []
