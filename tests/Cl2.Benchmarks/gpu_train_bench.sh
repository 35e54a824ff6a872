#!/usr/bin/env bash
# The GPU run of `./cl2 bench train` (docs/benchmarks.md, "On a GPU machine"): our Trainer against PyTorch on the same
# libtorch, SegResNet at 96³ (and the 2-D U-Net), in float32 and with bf16 autocast, with the card and versions printed.
#
#   tests/Cl2.Benchmarks/gpu_train_bench.sh /path/to/python-with-cuda-torch [steps (50)] [edge (96)]
#
# The Python's torch/lib goes first on LD_LIBRARY_PATH, so TorchSharp loads that libtorch (with CUDA) instead of the
# CPU-only one beside the build: both sides then run one libtorch. Build first (./cl2 build all) on the same machine.
set -euo pipefail
python=${1:?usage: $0 PYTHON [steps] [edge]}
steps=${2:-50}
edge=${3:-96}
root=$(cd "$(dirname "$0")/../.." && pwd)
torch_lib=$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
"$python" -c 'import torch; assert torch.cuda.is_available(), "this PyTorch has no CUDA"; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "on", torch.cuda.get_device_name(0))'
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CL2_BENCH_DEVICE=cuda CL2_BENCH_PYTHON="$python" CL2_SKIP_SETUP=1
for precision in float32 bf16-autocast; do
  echo "== precision $precision"
  CL2_BENCH_PRECISION=$precision "$root/cl2" bench train "$steps" "$edge"
done
