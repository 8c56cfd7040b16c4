#!/usr/bin/env bash
# Everything ganlip claims about a GPU, checked in one command (under 20 minutes on one H100), with its figures in
# one JSON file and a short summary:
#   1. the `cuda` tests (pytest -m cuda);
#   2. benchmarks/step_time.py on CUDA: DCGAN-32 and SNGAN-64, batch 64, in float32 and bf16;
#   3. a 2,000-step Fashion-MNIST comparison of the core strategies, scored with the shipped feature network.
# It installs nothing and needs no network. Fashion-MNIST travels with the working tree: copy its four .gz files
# into data/FashionMNIST/raw/ (ignored by git) first, e.g. from Debian's dataset-fashion-mnist:
#     mkdir -p data/FashionMNIST/raw && cp /usr/share/datasets/fashion-mnist/*.gz data/FashionMNIST/raw/
#
#     scripts/gpu_check.sh [--out runs/gpu_check]      # on the GPU machine
#     scripts/gpu_check.sh --dry-run                    # the same steps, tiny, on the CPU (the cuda tests skip)
set -euo pipefail
cd "$(dirname "$0")/.."
out=runs/gpu_check
dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --out) out="$2"; shift ;;
        *) echo "usage: scripts/gpu_check.sh [--dry-run] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$out"
python=${PYTHON:-python}
if [ "$dry_run" = 1 ]; then
    device=cpu
    bench=(--rounds 1 --iterations 1 --warmup 0 --strategies none,sn --n-critic 1 --batch-size 8)
    models=("dcgan 32")
    comparison=(--steps 4 --seeds 1 --set width=8 --set batch_size=8 --set n_critic=1 --set score_every=4
                --set score_samples=64 --set measure_samples=64 --set log_every=2 --set checkpoint_every=4)
else
    device=cuda
    "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA GPU here; use --dry-run')"
    bench=(--rounds 5 --iterations 2 --strategies none,clip,gp,lp,sn,fn)
    models=("dcgan 32" "sngan 64")
    comparison=(--steps 2000 --seeds 1 --set score_every=500 --set score_samples=10000)
fi
if [ -d data/FashionMNIST/raw ] || [ "$dry_run" = 1 ]; then data_root=data; else
    echo "Fashion-MNIST is not in data/FashionMNIST/raw; copy its .gz files there (see the top of this script)." >&2
    exit 2
fi

echo "== 1. cuda tests"
"$python" -m pytest -m cuda -q -p no:cacheprovider --junitxml "$out/cuda_tests.xml" | tail -3

echo "== 2. step time on $device"
for model in "${models[@]}"; do
    set -- $model
    for amp in off bf16; do
        "$python" benchmarks/step_time.py --device "$device" --arch "$1" --resolution "$2" --batch-size 64 \
            --amp "$amp" "${bench[@]}" --json > "$out/step_time_$1$2_$amp.json"
    done
done

echo "== 3. Fashion-MNIST comparison"
"$python" -m ganlip compare --data fashion-mnist --data-root "$data_root" --constraints clip,gp,lp,sn,fn \
    --device "$device" --set resolution=32 --set features=fashion-cnn "${comparison[@]}" --out "$out/fashion" --quiet

"$python" scripts/gpu_summary.py "$out" --device "$device"
