import pytest

from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json, read_json_lines, repair_torn_line


def test_a_torn_last_line_is_left_out_and_truncated_away(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"step": 1}\n{"step": 2}\n{"step": 3, "lo')
    assert read_json_lines(path) == [{"step": 1}, {"step": 2}]
    assert "cut short" in repair_torn_line(path)
    assert path.read_bytes() == b'{"step": 1}\n{"step": 2}\n'
    assert repair_torn_line(path) is None  # nothing more to mend


def test_a_bad_line_before_the_last_is_an_error_naming_the_file_and_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 1}\nnot json\n{"step": 3}\n')
    with pytest.raises(GanlipError, match=r"metrics.jsonl, line 2, is not valid JSON"):
        read_json_lines(path)


def test_a_damaged_json_file_is_named(tmp_path):
    (tmp_path / "G.json").write_text('{"format": ')
    with pytest.raises(GanlipError, match=r"G.json is not valid JSON"):
        read_json(tmp_path / "G.json")
