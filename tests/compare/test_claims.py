from ganlip.compare.claims import judge
from ganlip.compare.results import QUALITY_WITHOUT_FEATURES, RunHistory, label, quality_keys, strategy_rows
from ganlip.compare.suite import PlannedRun
from ganlip.config import Config


def history(constraint: str, swd: list[float], sec_per_step: float = 1.0, seed: int = 0, **final: float) -> RunHistory:
    """A run measured every 10 steps: SWD as given, the final line carrying the other measurements."""
    lines = [{"step": 10 * (i + 1), "time/sec_per_step": sec_per_step, "swd": value} for i, value in enumerate(swd)]
    lines[-1] |= final
    return RunHistory(PlannedRun("p", constraint, seed, Config(out="unused")), lines)


def seeds(constraint: str, swd: list[float], sec_per_step: float = 1.0, jitter: float = 0.0, **final: float):
    """Three seeds of one strategy: the same curve, with each seed's final numbers and step time moved by
    −jitter, 0 and +jitter (relative)."""
    return [
        history(
            constraint,
            swd,
            sec_per_step * (1 + shift),
            seed,
            **{key: value * (1 + shift) for key, value in final.items()},
        )
        for seed, shift in enumerate((-jitter, 0.0, jitter))
    ]


def verdicts(*groups) -> list[str]:
    histories = [h for group in groups for h in (group if isinstance(group, list) else [group])]
    return [v.verdict for v in judge(strategy_rows(histories, QUALITY_WITHOUT_FEATURES), QUALITY_WITHOUT_FEATURES)]


CRITIC = {"wasserstein_eval": 1.0, "tightness": 0.5, "lipschitz/lower": 1.0, "w1_exact": 2.0}


def test_sn_faster_needs_less_training_time_to_the_target_beyond_the_seeds_noise():
    # target: gp's best, 0.5; sn first reaches it at step 20 (20 s at 1 s a step), gp at step 30 (48 s)
    sn, gp = [0.9, 0.5, 0.3], [0.9, 0.7, 0.5]
    assert verdicts(seeds("sn", sn, 1.0, 0.05), seeds("gp", gp, 1.6, 0.05))[0] == "confirmed"
    assert verdicts(seeds("sn", sn, 2.6, 0.05), seeds("gp", gp, 1.6, 0.05))[0] == "refuted"  # 52 s against 48 s
    assert verdicts(seeds("sn", gp, 1.0, 0.05), seeds("gp", sn, 1.0, 0.05))[0] == "refuted"  # more steps: 30 s to 20
    assert verdicts(seeds("sn", sn, 2.3, 0.3), seeds("gp", gp, 1.6, 0.3))[0] == "inconclusive"  # 46 s ± 30%, 48 s
    assert verdicts(history("sn", sn, 1.0), history("gp", gp, 1.6))[0] == "inconclusive"  # one seed: no noise known


def test_fn_over_constrains_against_sn():
    sn = seeds("sn", [0.5], jitter=0.05, **CRITIC)
    tight = seeds("fn", [0.5], jitter=0.05, **{**CRITIC, "wasserstein_eval": 0.1, "lipschitz/lower": 0.2})
    loose = seeds("fn", [0.5], jitter=0.05, **{**CRITIC, "wasserstein_eval": 0.1, "lipschitz/lower": 1.2})
    assert verdicts(sn, tight)[1] == "confirmed"
    assert verdicts(sn, loose)[1] == "refuted"  # its gradients exceed 1: not over-constrained
    assert verdicts(tight)[1] == "not measured"


def test_clip_under_uses_capacity_when_its_rescaled_tightness_is_below_each_others():
    # tightness / Lip lower: clip 0.01 / 0.05 = 0.2; gp 0.5 / 1 = 0.5
    clip = seeds("clip", [0.5], jitter=0.05, **{**CRITIC, "tightness": 0.01, "lipschitz/lower": 0.05})
    assert verdicts(clip, seeds("gp", [0.5], jitter=0.05, **CRITIC))[2] == "confirmed"
    assert verdicts(clip, seeds("gp", [0.5], jitter=0.05, **{**CRITIC, "tightness": 0.1}))[2] == "refuted"
    # clip's 0.2 ± 50% against gp's 0.3 ± 50%: the seeds overlap
    wide = seeds("clip", [0.5], jitter=0.5, **{**CRITIC, "tightness": 0.01, "lipschitz/lower": 0.05})
    gp = [history("gp", [0.5], seed=i, **{**CRITIC, "tightness": t}) for i, t in enumerate((0.15, 0.3, 0.45))]
    assert verdicts(wide, gp)[2] == "inconclusive"


def test_the_semantic_metric_judges_where_it_was_measured():
    """With fd/NAME logged, quality is FD and KID in that space (not SWD), and precision/recall sit beside."""

    def scored(constraint: str, fd: list[float], sec_per_step: float) -> RunHistory:
        run = history(constraint, [0.1] * len(fd), sec_per_step, **CRITIC)  # SWD alone would call it a tie
        for line, value in zip(run.lines, fd, strict=True):
            line |= {"fd/fashion-cnn": value, "kid/fashion-cnn": value / 100, "precision/fashion-cnn": 0.5}
        return run

    runs = [scored("sn", [9.0, 5.0, 3.0], 1.0), scored("gp", [9.0, 7.0, 5.0], 1.6)]
    runs += [scored("sn", [9.0, 5.0, 3.0], 1.1), scored("gp", [9.0, 7.0, 5.0], 1.7)]
    quality = quality_keys(runs)
    assert quality == ("fd/fashion-cnn", "kid/fashion-cnn")
    assert [label(key) for key in quality] == ["FD (fashion-cnn)", "KID (fashion-cnn)"]
    verdict = judge(strategy_rows(runs, quality), quality)[0]
    assert (
        verdict.verdict == "confirmed"
        and "FD (fashion-cnn) 5 first reached by the seed means at step 20 (sn) and 30" in verdict.evidence
    )
    assert strategy_rows(runs, quality)[0].intervals["precision"].mean == 0.5
    assert label("fd/inception") == "FID"


def rows_of(*groups):
    histories = [h for group in groups for h in group]
    return strategy_rows(histories, QUALITY_WITHOUT_FEATURES)


def final_swd(constraint: str, values: list[float]):
    return [history(constraint, [value], seed=seed) for seed, value in enumerate(values)]


def test_gp_degrades_in_conditional_generation_when_its_gap_to_sn_grows_beyond_the_seeds_noise():
    from ganlip.compare.claims import gp_conditional

    # unconditional: gp 10% worse than sn; conditional: gp twice as bad (log gap 0.69 against 0.10)
    plain = rows_of(final_swd("gp", [1.1, 1.12, 1.08]), final_swd("sn", [1.0, 1.02, 0.98]))
    worse = rows_of(final_swd("gp", [2.0, 2.05, 1.95]), final_swd("sn", [1.0, 1.01, 0.99]))
    assert gp_conditional(worse, plain, "swd").verdict == "confirmed"
    # the same gap in both: the contrast's interval straddles zero
    same = rows_of(final_swd("gp", [1.1, 1.2, 1.0]), final_swd("sn", [1.0, 1.1, 0.9]))
    assert gp_conditional(same, plain, "swd").verdict == "inconclusive"
    # gp relatively better when conditional: refuted; the scale of a part cancels (a log ratio)
    better = rows_of(final_swd("gp", [5.0, 5.1, 4.9]), final_swd("sn", [10.0, 10.2, 9.8]))
    assert gp_conditional(better, plain, "swd").verdict == "refuted"
    # gp:pairs=any beside gp is reported as the second explanation's evidence
    across = rows_of(
        final_swd("gp", [2.0, 2.05, 1.95]),
        final_swd("sn", [1.0, 1.01, 0.99]),
        final_swd("gp:pairs=any", [3.0, 3.1, 2.9]),
    )
    assert "gp:pairs=any − gp" in gp_conditional(across, plain, "swd").evidence
    assert gp_conditional(rows_of(final_swd("sn", [1.0, 1.1])), plain, "swd").verdict == "not measured"
