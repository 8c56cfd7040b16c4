"""The `ganlip` command line. Each command parses its options, then calls one library function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import click

from ganlip.config import DEVICES
from ganlip.errors import GanlipError, Interrupted
from ganlip.recipes import locate

DEVICE_HELP = f"Where to run: {', '.join(DEVICES)} or cuda:N."


class Listed(click.Option):
    """An option whose help ends with the names a registry holds, looked up only when help is shown (the
    registries import torch, which `ganlip --help` need not wait for)."""

    def __init__(self, *args, listing: Callable[[], Iterable[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.listing = listing

    def get_help_record(self, ctx: click.Context):
        text, self.help = self.help, f"{self.help} One of: {', '.join(self.listing())}."
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = text


def data_sets() -> list[str]:
    from ganlip.data import available_data

    return available_data()


def architectures() -> list[str]:
    from ganlip.models import available_models

    return available_models()


def strategy_names() -> list[str]:
    from ganlip.constraints import available

    return available()


def feature_networks() -> list[str]:
    from ganlip.metrics.features import available_features

    return [*available_features(), "auto"]


def score_metrics() -> list[str]:
    from ganlip.metrics.registry import available_metrics, metric

    return [f"{name} ({metric(name).summary})" for name in available_metrics()]


def fid_blocks() -> list[str]:
    from ganlip.metrics.fid import DIMS

    return [str(d) for d in DIMS]


def launch_options(command: Callable) -> Callable:
    """`--jobs`, `--launcher` and `--slurm`: how `compare` and `bench w1` train their runs."""
    options = [
        click.option(
            "--jobs",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Runs trained at once, each a process of its own: one per GPU, or sharing the CPU's cores.",
        ),
        click.option(
            "--launcher",
            type=click.Choice(["local", "slurm"]),
            default="local",
            show_default=True,
            help="slurm: one Slurm job per run through submitit (pip install 'ganlip[slurm]'); the report is "
            "written when all have finished.",
        ),
        click.option(
            "--slurm",
            "slurm_parameters",
            multiple=True,
            metavar="KEY=VALUE",
            help="A submitit parameter of every job, e.g. slurm_partition=gpu, gpus_per_node=1, timeout_min=2880.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def launch_executor(launcher: str, out: str, slurm_parameters: tuple[str, ...]):
    """None (train here), or the submitit executor `--launcher slurm` asks for, its job files under OUT/slurm."""
    if launcher != "slurm":
        return None
    from ganlip import config as config_module
    from ganlip.compare import slurm_executor

    return slurm_executor(Path(out) / "slurm", config_module.parse_assignments(slurm_parameters))


class GanlipGroup(click.Group):
    """Turns a GanlipError into one line on stderr and its exit code (2 a usage error, 3 a divergence, 4 a storage
    error), and an Interrupted run into its resume hint and the signal's exit code; `--debug` shows the traceback
    instead."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (GanlipError, Interrupted) as error:
            if ctx.params.get("debug"):
                raise
            failure = click.ClickException(str(error))
            failure.exit_code = error.exit_code  # type: ignore[misc]  # click 8.5 types it a ClassVar; per error here
            raise failure from None


@click.group(cls=GanlipGroup)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="ganlip")
def cli(debug: bool) -> None:
    """Train Wasserstein GANs whose critic is kept Lipschitz by interchangeable strategies."""


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="YAML config: a file, or the name of a bundled recipe (`ganlip recipes`), e.g. celeba64_sngan.",
)
@click.option("--data", cls=Listed, listing=data_sets, help="Data set (default digits).")
@click.option("--data-root", help="Where the data set lies (default ./data).")
@click.option("--download", is_flag=True, default=None, help="Download the data set if it is missing (needs internet).")
@click.option("--arch", cls=Listed, listing=architectures, help="Architecture (default: the data's; `ganlip models`).")
@click.option(
    "--constraint",
    multiple=True,
    cls=Listed,
    listing=strategy_names,
    help="Strategy spec, e.g. sn, gp:weight=10, sn+gp; repeatable (`ganlip strategies`).",
)
@click.option("--steps", type=int, help="Generator steps.")
@click.option("--n-critic", type=int, help="Critic steps per generator step (default: the strategy's recipe, else 5).")
@click.option("--batch-size", type=int, help="Batch size (default 64).")
@click.option("--lr", type=float, help="Learning rate of both networks (default: the strategy's paper).")
@click.option("--out", help="Run directory (default runs/DATA-CONSTRAINT).")
@click.option("--resume", "resume", type=click.Path(file_okay=False), help="Continue the run in this directory.")
@click.option("--device", help=f"{DEVICE_HELP} Default auto: a GPU when there is one.")
@click.option("--seed", type=int, help="Random seed (default 0).")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Set any config key; repeatable.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--dry-run", is_flag=True, help="Print the resolved config (every default filled in) and stop.")
def train(
    config_file,
    data,
    data_root,
    download,
    arch,
    constraint,
    steps,
    n_critic,
    batch_size,
    lr,
    out,
    resume,
    device,
    seed,
    assignments,
    quiet,
    dry_run,
) -> None:
    """Train a WGAN and write a run directory."""
    from ganlip import config as config_module
    from ganlip.train import train as run_training

    options = {
        "data": data,
        "data_root": data_root,
        "download": download,
        "arch": arch,
        "constraint": "+".join(constraint) if constraint else None,
        "steps": steps,
        "n_critic": n_critic,
        "batch_size": batch_size,
        "lr": lr,
        "out": out,
        "device": device,
        "seed": seed,
    }
    changes = {k: v for k, v in options.items() if v is not None} | config_module.parse_assignments(assignments)
    if resume and config_file:
        raise GanlipError("--config cannot be combined with --resume; the run directory holds its config.")
    base = config_module.load(locate(config_file)).to_dict() if config_file else {}
    config = config_module.Config() if resume else config_module.from_dict(base | changes)
    if dry_run:
        from ganlip.resolution import recipe_comments
        from ganlip.resume import prepare

        resolved = prepare(config, resume, changes)[0]
        click.echo(resolved.to_yaml(recipe_comments(resolved)), nl=False)
        return
    run_dir = run_training(config, resume=resume, changes=changes, quiet=quiet)
    click.echo(
        f"run finished: {run_dir} (samples in {run_dir / 'samples'}, TensorBoard: tensorboard --logdir "
        f"{run_dir / 'tb'}); export with: ganlip export {run_dir} --out G.safetensors"
    )


@cli.command()
@click.argument("source", type=click.Path())
@click.option(
    "--out", required=True, type=click.Path(), help="Output file, e.g. G.safetensors; with --format hf a folder."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["safetensors", "export", "hf"]),
    default=("safetensors",),
    help="`export` also writes a torch.export program (.pt2); `hf` writes a Hugging Face Hub folder instead "
    "(config.json, model.safetensors, a model card).",
)
def export(source: str, out: str, formats: tuple[str, ...]) -> None:
    """Export the generator of a run directory or checkpoint."""
    from ganlip.export import export_generator, export_hub_folder

    if "hf" in formats:
        if set(formats) - {"hf", "safetensors"}:
            raise GanlipError("--format hf writes a folder of its own; export the .pt2 program in another call.")
        written = export_hub_folder(source, out)
    else:
        written = export_generator(source, out, tuple({"safetensors", *formats}))
    for path in written:
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("generator", type=click.Path())
@click.option("--n", default=64, show_default=True, help="How many samples.")
@click.option("--out", default="samples.png", show_default=True, type=click.Path())
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--files",
    is_flag=True,
    help="Write each sample as its own PNG into the folder --out (what pytorch-fid and `ganlip score` read), "
    "drawn as `ganlip score` draws the generator's.",
)
@click.option(
    "--class",
    "chosen",
    type=int,
    help="A conditional generator's class to draw (default: a grid row per class; with --files, the classes in turn).",
)
def sample(generator: str, n: int, out: str, seed: int, files: bool, chosen: int | None) -> None:
    """Draw a grid of samples from an exported generator (or a run directory or checkpoint)."""
    from ganlip.sampling import sample_files, sample_grid

    if n <= 0:
        raise GanlipError(f"--n must be positive, got {n}.")
    if files:
        written = sample_files(generator, n, Path("samples" if out == "samples.png" else out), seed, chosen=chosen)
    else:
        written = sample_grid(generator, n, Path(out), seed, chosen)
    click.echo(f"wrote {written}")


@cli.command()
def models() -> None:
    """List the architectures with their parameter counts at the papers' sizes (3-channel images), then the critic
    families that strategies bring (`--constraint sll`), whose generator is the architecture's."""
    from ganlip.models import available_critics, available_models
    from ganlip.models.registry import critic_parameter_counts, parameter_counts

    click.echo(f"{'arch':<8} {'px':>4} {'G params':>12} {'D params':>12}")
    for name in available_models():
        for resolution, generator, critic in parameter_counts(name):
            click.echo(f"{name:<8} {resolution or '2-D':>4} {generator:>12,} {critic:>12,}")
    for name in available_critics():
        for resolution, critic in critic_parameter_counts(name):
            click.echo(f"{name:<8} {resolution or '2-D':>4} {'-':>12} {critic:>12,}")


@cli.group()
def stats() -> None:
    """Reference statistics: build a data set's, with how they were made embedded; verify a file against them."""


@stats.command("build")
@click.argument("data")
@click.option("--features", required=True, cls=Listed, listing=feature_networks, help="Feature network.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The .npz to write.")
@click.option("--data-root", default="data", show_default=True, help="Where the data set lies.")
@click.option("--split", default="train", show_default=True)
@click.option("--resolution", type=int, help="Resize the images to this size (default: the data set's).")
@click.option("--n", type=int, help="Images used, the first N of the split (default: up to 50,000).")
@click.option("--inception-weights", type=click.Path(dir_okay=False), help="pytorch-fid's FID Inception weights.")
@click.option("--batch-size", default=50, show_default=True)
@click.option("--device", default="auto", show_default=True, help=DEVICE_HELP)
def stats_build(data, features, out, data_root, split, resolution, n, inception_weights, batch_size, device) -> None:
    """Write DATA's reference statistics (pytorch-fid's .npz: mu, sigma; the features for KID and precision/recall;
    the protocol) to --out."""
    from ganlip.reference import build_statistics

    reference = build_statistics(
        out,
        data,
        features,
        root=data_root,
        split=split,
        resolution=resolution,
        n=n,
        inception_weights=inception_weights,
        batch_size=batch_size,
        device=device,
    )
    assert reference.protocol is not None
    click.echo(f"wrote {out}: {reference.protocol.describe()}")


@stats.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--data-root", default="data", show_default=True, help="Where the data set lies.")
@click.option("--inception-weights", type=click.Path(dir_okay=False), help="pytorch-fid's FID Inception weights.")
@click.option("--batch-size", default=50, show_default=True)
@click.option("--device", default="auto", show_default=True, help=DEVICE_HELP)
def stats_verify(file, data_root, inception_weights, batch_size, device) -> None:
    """Recompute FILE's statistics from the protocol it carries and compare; exits 1 when they disagree."""
    from pathlib import Path

    from ganlip.reference import AGREEMENT, verify_statistics

    found = verify_statistics(Path(file), data_root, inception_weights, batch_size, device)
    click.echo(f"protocol: {found.stored.describe()}")
    click.echo(
        f"recomputed: Fréchet distance to the stored statistics {found.frechet:.3g}, max |Δμ| {found.mean_gap:.3g}, "
        f"max |ΔΣ| {found.covariance_gap:.3g}; feature weights {'match' if found.weights_match else 'DIFFER'}"
    )
    if not found.agrees:
        raise click.ClickException(
            f"{file} does not match what its protocol recomputes (Fréchet distance above {AGREEMENT:g}, or other "
            f"feature weights); rebuild it with `ganlip stats build`."
        )
    click.echo("verified: the file is what its protocol says.")


@cli.command()
def recipes() -> None:
    """List the papers' recipes shipped with ganlip, for `--config NAME`, with the source each cites."""
    from ganlip.recipes import available_recipes, recipe

    click.echo(f"{'recipe':<22} {'kind':<8} source")
    for name in available_recipes():
        found = recipe(name)
        click.echo(f"{name:<22} {found.kind:<8} {found.summary}")
    click.echo(
        "ganlip train --config NAME trains one (ganlip compare --config NAME for a comparison); the files "
        "are in ganlip/recipes/ (configs/ in a checkout)."
    )


@cli.command()
def datasets() -> None:
    """List the data sets with their kind and the defaults a run takes from them."""
    from ganlip.data import available_data, data_spec

    click.echo(f"{'data':<14} {'kind':<7} {'px':>4}  {'classes':>7}  {'arch':<6} sizes")
    for name in available_data():
        spec = data_spec(name)
        sizes = ", ".join(f"{key}={value}" for key, value in spec.sizes.items()) or "-"
        classes = "subdirs" if spec.classes is None else spec.classes or "-"
        click.echo(f"{name:<14} {spec.kind:<7} {spec.resolution or '2-D':>4}  {classes:>7}  {spec.arch:<6} {sizes}")


@cli.command()
def strategies() -> None:
    """List the Lipschitz strategies with their parameters and costs."""
    from ganlip.constraints import describe

    rows = describe()
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['kind']:<17}  {row['parameters']}")
        click.echo(f"{'':<{width}}  {'':<17}  cost: {row['cost']}")
        if row["recipe"] != "-":
            click.echo(f"{'':<{width}}  {'':<17}  recipe: {row['recipe']}")
    click.echo("\nCompose with +, e.g. sn+gp:weight=10; parameters as name:key=value,key=value.")


@cli.command()
@click.argument("source", type=click.Path())
@click.option("--n", default=256, show_default=True, help="Samples for the gradient-norm lower bound.")
def inspect(source: str, n: int) -> None:
    """Print a critic's per-layer spectra and Lipschitz bounds."""
    from ganlip.inspection import format_report, inspect_critic

    click.echo(format_report(*inspect_critic(source, n)))


@cli.command()
@click.argument("first", type=click.Path())
@click.argument("second", type=click.Path())
@click.option(
    "--n",
    type=int,
    help="Samples drawn from a generator (default 50,000: FID-50k, the count papers report).",
)
@click.option("--dims", type=int, cls=Listed, listing=fid_blocks, help="Inception block (default: its pool, 2048).")
@click.option("--inception-weights", type=click.Path(dir_okay=False), help="pytorch-fid's FID Inception weights.")
@click.option("--batch-size", default=50, show_default=True)
@click.option("--resolution", type=int, help="Resize folder images to this size (default: the first image's).")
@click.option("--device", default="auto", show_default=True, help=DEVICE_HELP)
def fid(first, second, n, dims, inception_weights, batch_size, resolution, device) -> None:
    """FID between two of: image folders, .npz statistics, generators (exported file or run directory)."""
    from ganlip.evaluate import fid_between
    from ganlip.metrics.fid import DEFAULT_DIMS

    dims = dims or DEFAULT_DIMS
    click.echo(f"{fid_between(first, second, n, dims, inception_weights, batch_size, device, resolution):.4f}")


@cli.command()
@click.argument("first", type=click.Path())
@click.argument("second", type=click.Path())
@click.option(
    "--metrics",
    cls=Listed,
    listing=score_metrics,
    help="Comma-separated metrics (default: all but those marked not by default).",
)
@click.option(
    "--features",
    default="auto",
    show_default=True,
    cls=Listed,
    listing=feature_networks,
    help="Feature network; auto: Inception when its weights are here, else the network named after --data.",
)
@click.option(
    "--data",
    help="With --features auto and no Inception weights: the data set whose network to use (default: the "
    "data a run directory or exported generator among the sources was trained on).",
)
@click.option(
    "--n",
    type=int,
    help="Samples drawn from a generator (default 50,000 for FID on Inception's features, else 10,000).",
)
@click.option("--inception-weights", type=click.Path(dir_okay=False), help="pytorch-fid's FID Inception weights.")
@click.option("--batch-size", default=50, show_default=True)
@click.option("--resolution", type=int, help="Resize folder images to this size (default: the first image's).")
@click.option("--device", default="auto", show_default=True, help=DEVICE_HELP)
def score(first, second, metrics, features, data, n, inception_weights, batch_size, resolution, device) -> None:
    """Scores of SECOND against FIRST (the real set): each an image folder, .npz statistics, or a generator
    (exported file or run directory)."""
    from ganlip.evaluate import score_between
    from ganlip.metrics.features import choose_features
    from ganlip.trained import trained_on

    chosen = choose_features(features, data or trained_on(first, second) or "", inception_weights)
    if chosen is None:
        raise GanlipError(
            "--features auto found no Inception weights here; name a shipped network (--features fashion-cnn "
            "or digits-cnn), say which data the images are (--data fashion-mnist), or add Inception's weights."
        )
    from ganlip.metrics.registry import available_metrics, default_metrics

    wanted = tuple(m.strip() for m in metrics.split(",") if m.strip()) if metrics else tuple(default_metrics())
    if unknown := sorted(set(wanted) - set(available_metrics())):
        raise GanlipError(f"--metrics: unknown metric '{unknown[0]}'; valid: {', '.join(available_metrics())}.")
    values = score_between(
        first,
        second,
        wanted,
        chosen,
        n,
        weights=inception_weights,
        batch_size=batch_size,
        device=device,
        resolution=resolution,
    )
    from ganlip.evaluate import default_score_samples, samples_label

    generators = [p for p in map(Path, (first, second)) if p.suffix == ".safetensors" or (p / "checkpoints").is_dir()]
    count = n if n is not None else default_score_samples(chosen, wanted)
    drawn = f"  ({samples_label(count)} generated samples)" if generators else ""
    for key, value in values.items():
        click.echo(f"{key:<24} {value:.6g}{drawn if key.startswith('fd/') else ''}")
    from ganlip.reference import protocol_lines

    for line in protocol_lines((first, second), chosen, inception_weights, count if generators else None):
        click.echo(line, err=True)  # beside the scores, not among them: stdout stays one `key value` per line


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Comparison file: a config with a `compare:` block, or a suite of `parts:`, or a bundled one's name "
    "(`ganlip recipes`) (default: the built-in CPU suite, 2-D toys and Fashion-MNIST 32 px).",
)
@click.option(
    "--data",
    cls=Listed,
    listing=data_sets,
    help="A one-part comparison on this data set, named after it (default: the file's or the suite's).",
)
@click.option("--arch", help="Architecture of every run (default: the file's, else the data's).")
@click.option("--batch-size", type=int, help="Batch size of every run.")
@click.option("--n-critic", type=int, help="Critic steps per generator step of every run.")
@click.option("--resolution", type=int, help="Image resolution of every run.")
@click.option("--constraints", help="Comma-separated strategy specs, e.g. clip,gp,lp,sn,fn (default: the file's).")
@click.option("--seeds", type=int, help="Seeds per strategy (default: the file's).")
@click.option("--steps", type=int, help="Generator steps per run (default: the file's).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Comparison directory.")
@click.option("--data-root", help="Where the data sets lie (default ./data).")
@click.option("--device", help=f"{DEVICE_HELP} Default auto: a GPU when there is one.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Set a config key of every run.")
@launch_options
@click.option(
    "--bench",
    type=click.Path(file_okay=False),
    help="A `ganlip bench w1` output directory: the report shows its results for the same strategies.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("--dry-run", is_flag=True, help="Print the plan of runs (each new, resumed or complete) and stop.")
def compare(
    config_file,
    data,
    arch,
    batch_size,
    n_critic,
    resolution,
    constraints,
    seeds,
    steps,
    out,
    data_root,
    device,
    assignments,
    jobs,
    launcher,
    slurm_parameters,
    bench,
    quiet,
    dry_run,
) -> None:
    """Train strategies side by side (skipping complete runs, resuming unfinished ones) and write
    OUT/report.html and OUT/report.md."""
    import sys

    from ganlip import config as config_module
    from ganlip.compare import compare as run_comparison

    options = {
        "device": device,
        "data_root": data_root,
        "arch": arch,
        "batch_size": batch_size,
        "n_critic": n_critic,
        "resolution": resolution,
    }
    # as in `train`: --set, given last, wins over a flag that names the same key
    changes = {k: v for k, v in options.items() if v is not None} | config_module.parse_assignments(assignments)
    executor = None if dry_run else launch_executor(launcher, out, slurm_parameters)
    for path in run_comparison(
        out,
        locate(config_file) if config_file else None,
        constraints,
        seeds,
        steps,
        changes,
        quiet,
        say=click.echo,
        argv=sys.argv[1:],
        data=data,
        jobs=jobs,
        executor=executor,
        bench=bench,
        dry_run=dry_run,
    ):
        click.echo(f"wrote {path}")


@cli.group()
def bench() -> None:
    """Benchmarks with a known answer."""


def _integers(option: str, text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise GanlipError(f"{option} takes comma-separated integers, e.g. 2,16,64; got '{text}'.") from None
    if not values:
        raise GanlipError(f"{option} names no value; give comma-separated integers, e.g. 2,16,64.")
    return values


@bench.command("w1")
@click.option(
    "--constraints",
    default="all",
    show_default=True,
    help="Comma-separated strategy specs, e.g. clip,gp,lp,sn,bjorck; all: every strategy of `ganlip strategies` "
    "and sn+gp.",
)
@click.option("--dims", default="2,16", show_default=True, help="Dimensions of the pairs (published: 2 to 128).")
@click.option("--funnels", default="4,16", show_default=True, help="Funnel counts of the pairs (published: 4 to 256).")
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(min=1), help="Critic seeds per pair.")
@click.option(
    "--iterations",
    default="500",
    show_default=True,
    help="Critic iterations per run (the most, with --patience), or `paper`: the paper's count per strategy "
    "(clip 5,000, gp and lp 60,000, sn 10,000, bjorck and ctransform 25,000, the others 10,000).",
)
@click.option(
    "--patience",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Stop a run once its held-out cosine has not risen by 0.005 in this many evaluations (every 250 "
    "iterations) in a row; 0 runs every iteration.",
)
@click.option("--pair-seed", type=int, help="Draw new pairs with this seed (any size) instead of the published ones.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Benchmark directory.")
@click.option("--device", default="auto", show_default=True, help=DEVICE_HELP)
@launch_options
def bench_w1(
    constraints, dims, funnels, seeds, iterations, patience, pair_seed, out, device, jobs, launcher, slurm_parameters
) -> None:
    """Train each strategy's critic alone on the Wasserstein-1 benchmark pairs (Korotin et al. 2022), whose
    optimal potential is known, and write OUT/results.json, OUT/report.md and OUT/report.html. Complete runs are
    skipped and unfinished ones resumed."""
    import sys

    from ganlip.bench import bench_w1 as run_benchmark
    from ganlip.bench.plan import every_strategy

    specs = every_strategy() if constraints == "all" else [c.strip() for c in constraints.split(",") if c.strip()]
    if not (iterations == "paper" or (iterations.isdigit() and int(iterations) > 0)):
        raise GanlipError(f"--iterations takes a positive integer or `paper`, got '{iterations}'.")
    count = None if iterations == "paper" else int(iterations)
    executor = launch_executor(launcher, out, slurm_parameters)
    for path in run_benchmark(
        out,
        specs,
        _integers("--dims", dims),
        _integers("--funnels", funnels),
        seeds,
        count,
        patience,
        pair_seed,
        device,
        jobs,
        executor,
        say=click.echo,
        argv=sys.argv[1:],
    ):
        click.echo(f"wrote {path}")


@bench.command("critic", hidden=True)
@click.argument("settings", type=click.Path(dir_okay=False, exists=True))
@click.argument("run_dir", type=click.Path(file_okay=False))
def bench_critic(settings, run_dir) -> None:
    """One benchmark run from its planned settings (what `ganlip bench w1 --jobs` starts)."""
    from ganlip.bench import train_one
    from ganlip.bench.critic_run import CriticRun
    from ganlip.bench.plan import BenchRun
    from ganlip.jsonlines import read_json

    planned = CriticRun.from_dict(read_json(Path(settings)))
    train_one(BenchRun(planned, Path(run_dir), str(run_dir)))


def main() -> None:
    cli(prog_name="ganlip")
