import pytest

from ganlip.errors import GanlipError
from ganlip.registry import Registry


def test_a_name_is_registered_once_and_an_unknown_one_names_the_valid_ones():
    table: Registry[int] = Registry("widget")
    table.add("one", 1)
    with pytest.raises(ValueError, match="widget 'one' is registered twice"):
        table.add("one", 2)
    assert table["one"] == 1
    with pytest.raises(GanlipError, match="one"):
        table["two"]
