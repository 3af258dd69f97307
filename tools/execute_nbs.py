"""Execute notebooks in place so their saved outputs (shown by the docs) come from a real run.

Usage: python tools/execute_nbs.py [NAME ...]   (default: every notebook in nbs/)
Cells flagged with a test flag from settings.ini (`slow`, `gpu`) or `#| eval: false` are not run; they keep no output.
The notebook is executed from nbdev's processed copy (which parses the `#|` directives) and only the outputs are
written back into the original cells, so the directives stay in the source.
"""
import contextlib, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.process import NBProcessor

def _skip(flags):
    def preproc(cell):
        if cell.cell_type != 'code' or 'nbdev_export(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return bool(flags & direc.keys())
    return preproc

def execute(path: Path, flags: set) -> None:
    raw = read_nb(path)
    nb = NBProcessor(path, process=True).nb  # parses `#|` directives (and strips them from its copy's sources)
    sh = CaptureShell(path)
    sh.set_path(path.parent.resolve())
    start = time.time()
    try:
        with contextlib.chdir(path.parent): sh.run_all(nb, exc_stop=True, preproc=_skip(flags))  # notebooks use paths relative to nbs/
    except Exception: sys.exit(sh.prettytb(fname=path))
    assert len(raw.cells) == len(nb.cells)
    for r, c in zip(raw.cells, nb.cells):
        if r.cell_type == 'code': r.outputs, r.execution_count = c.get('outputs', []), c.get('execution_count')
    write_nb(raw, path)
    print(f'executed {path.name} in {time.time() - start:.0f}s')

if __name__ == '__main__':
    cfg = get_config()
    nbs = cfg.config_path/cfg.nbs_path
    names = sys.argv[1:] or [p.stem for p in sorted(nbs.glob('*.ipynb'))]
    flags = set(cfg.tst_flags.split())
    for n in names: execute(nbs/f'{Path(n).stem}.ipynb', flags)
