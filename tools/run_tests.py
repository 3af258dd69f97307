"""The test command (`make test`, also what CI runs): sync and cleanliness checks, every notebook, the docs build.

Ends with one line `N passed, N failed`, where each check and each notebook counts once.
`python tools/run_tests.py NAME ...` runs only those notebooks (no checks).
"""
import multiprocessing, os, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.environ.update(HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1', HF_DATASETS_OFFLINE='1', TOKENIZERS_PARALLELISM='false')
# Two notebooks run at once on two cores: one math thread each. Two spinning OpenMP threads per process on a busy
# machine made a tiny-model generate() 60x slower (25 s instead of 0.4 s).
os.environ.setdefault('OMP_NUM_THREADS', '1')

def sh(*cmd) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)

def unchanged(paths) -> tuple[bool, str]:
    "No tracked change and no untracked file under `paths` (what a fresh clone would show)."
    out = sh('git', 'status', '--porcelain', '--', *paths).stdout
    return not out.strip(), out

def check_export():
    r = sh(str(BIN/'nbdev_export'))
    if r.returncode: return False, r.stderr
    ok, out = unchanged(['rat'])
    return ok, 'rat/ differs from the notebooks (run `make export` and commit):\n' + out

def check_clean():
    r = sh(str(BIN/'nbdev_clean'))
    if r.returncode: return False, r.stderr
    ok, out = unchanged(['nbs'])
    return ok, 'notebooks are not clean (run `make export` and commit):\n' + out

def check_readme():
    r = sh(sys.executable, 'tools/build_readme.py', '--check')
    return r.returncode == 0, r.stdout + r.stderr

def check_docs():
    r = sh(sys.executable, 'tools/build_docs.py')
    return r.returncode == 0, r.stdout + r.stderr

def run_notebook(path: str):
    from nbdev.config import get_config
    from nbdev.test import test_nb
    import io, contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ok, secs = test_nb(Path(path), skip_flags=get_config().tst_flags.split(), showerr=True)
    return ok, secs, err.getvalue()

def main(names):
    results = []
    def record(name, ok, detail='', secs=None):
        results.append(ok)
        t = f' ({secs:.0f}s)' if secs is not None else ''
        print(f"{'PASS' if ok else 'FAIL'} {name}{t}", flush=True)
        if not ok and detail: print(detail.rstrip(), flush=True)

    nbs = sorted((ROOT/'nbs').glob('*.ipynb'))
    if names: nbs = [p for p in nbs if p.stem in names]
    else:
        for name, check in [('export in sync', check_export), ('notebooks clean', check_clean), ('README in sync', check_readme)]:
            t = time.time(); ok, detail = check(); record(name, ok, detail, time.time() - t)
    workers = int(os.environ.get('RAT_TEST_WORKERS', '2'))
    # a fresh process per notebook, as nbdev_test does: notebooks share no interpreter state
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context('spawn'), max_tasks_per_child=1) as ex:
        for p, (ok, secs, err) in zip(nbs, ex.map(run_notebook, map(str, nbs))):
            record(f'nbs/{p.name}', ok, err, secs)
    if not names:
        t = time.time(); ok, detail = check_docs(); record('docs build', ok, detail, time.time() - t)
    passed = sum(results); failed = len(results) - passed
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
