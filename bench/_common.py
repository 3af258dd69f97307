"""What every benchmark script shares: machine facts, best-of timing, and writing `results/<name>.json`.

Import this module before torch: it pins CPU benchmarks to one thread (`single_thread()`), because on a busy
machine two OpenMP threads per process can make a run many times slower than one.
"""
import json, os, platform, subprocess, sys, time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent/'results'


def single_thread() -> None:
    "Run CPU math on one thread (call before importing torch; torch is told too when already imported)."
    os.environ['OMP_NUM_THREADS'] = os.environ['MKL_NUM_THREADS'] = '1'
    if 'torch' in sys.modules: sys.modules['torch'].set_num_threads(1)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=Path(__file__).parent, capture_output=True, text=True)
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=Path(__file__).parent,
                               capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + ('+uncommitted' if dirty else '') if out.returncode == 0 else None
    except OSError: return None


def machine_info() -> dict:
    "Where and when a number was measured: CPUs, load average, library versions, GPU (if any), commit."
    import torch
    cuda = torch.cuda.is_available()
    return {'when': datetime.now(timezone.utc).isoformat(timespec='seconds'), 'python': platform.python_version(),
            'platform': f'{platform.system()} {platform.machine()}', 'cpus_visible': os.cpu_count(),
            'torch_threads': torch.get_num_threads(), 'load_average_1_5_15': [round(x, 2) for x in os.getloadavg()],
            'torch': torch.__version__, 'cuda': cuda, 'gpu': torch.cuda.get_device_name(0) if cuda else None,
            'commit': _git_commit()}


def best_time(fn, runs: int = 3, min_seconds: float = 0.2, max_calls: int = 100_000) -> float:
    "Seconds per call of `fn()`: calls are repeated until a run lasts `min_seconds`; the best of `runs` runs counts."
    calls, t = 1, 0.0
    while True:                                   # find how many calls make one run long enough
        t0 = time.perf_counter()
        for _ in range(calls): fn()
        t = time.perf_counter() - t0
        if t >= min_seconds or calls >= max_calls: break
        calls = min(max_calls, max(calls * 2, int(calls * min_seconds / max(t, 1e-9) * 1.2)))
    best = t / calls
    for _ in range(runs - 1):
        t0 = time.perf_counter()
        for _ in range(calls): fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def write_result(name: str, result: dict, command: str) -> Path:
    "Write `results/<name>.json` with the machine facts and the command that measured it."
    out = RESULTS/f'{name}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({'benchmark': name, 'command': command, 'machine': machine_info(), **result}, indent=1) + '\n')
    return out


def shown(path: Path) -> str:
    "`path` relative to the working directory when it is below it."
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
