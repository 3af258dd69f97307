"""Execute notebooks in place so their saved outputs (shown by the docs) come from a real run.

Usage: python tools/execute_nbs.py [NAME ...]   (default: every notebook in nbs/)
Cells flagged with a test flag from settings.ini (`slow`, `gpu`) are not run; they keep no output.
"""
import sys, time
from pathlib import Path
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
    nb = NBProcessor(path, process=True).nb  # parses `#|` directives so flagged cells can be skipped
    sh = CaptureShell(path)
    sh.set_path(path.parent.resolve())
    start = time.time()
    try: sh.run_all(nb, exc_stop=True, preproc=_skip(flags))
    except Exception: sys.exit(sh.prettytb(fname=path))
    from execnb.nbio import write_nb
    for c in nb.cells: c.pop('directives_', None)
    write_nb(nb, path)
    print(f'executed {path.name} in {time.time() - start:.0f}s')

if __name__ == '__main__':
    cfg = get_config()
    nbs = cfg.config_path/cfg.nbs_path
    names = sys.argv[1:] or [p.stem for p in sorted(nbs.glob('*.ipynb'))]
    flags = set(cfg.tst_flags.split())
    for n in names: execute(nbs/f'{Path(n).stem}.ipynb', flags)
