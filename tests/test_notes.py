"""What a run says as it starts, and in its config.yaml."""

from ganlip import notes
from ganlip.config import load
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import train
from tests.conftest import tiny_config


def test_the_run_says_what_its_recipe_set_in_config_yaml_and_as_it_starts(tmp_path):
    run_dir = train(tiny_config(tmp_path, constraint="r1", n_critic=None, steps=2), quiet=True)
    text = (run_dir / "config.yaml").read_text()
    assert "loss: ns  # the recipe of r1 (GAN_stability" in text and "n_critic: 1  # the recipe of r1" in text
    assert load(run_dir / "config.yaml").loss == "ns"
    note = notes.recipe_note(load(run_dir / "config.yaml"))
    assert note and "loss=ns, n_critic=1" in note[0]
    explicit = train(tiny_config(tmp_path / "own", constraint="r1", n_critic=2, loss="wasserstein"), quiet=True)
    assert "n_critic: 2\n" in (explicit / "config.yaml").read_text()


def test_scoring_settings_without_score_every_are_said_to_do_nothing(tmp_path):
    idle = build_run(resolve(tiny_config(tmp_path, features="digits-cnn", score_metrics=["is"])))
    assert "features=digits-cnn and score_metrics=is do nothing while score_every is 0" in " ".join(idle.notes)
    plain = build_run(resolve(tiny_config(tmp_path)))
    assert not any("do nothing" in note for note in plain.notes)
