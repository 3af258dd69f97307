"""Data flows one way: each notebook imports only from modules exported by earlier notebooks (file-name order).

`python tools/import_graph.py` prints every import that points forward (or to an unknown rat module) and exits 1 if any.
Code and test cells both count: a test that needs a later module belongs in that later notebook.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_EXP = re.compile(r'^#\|\s*default_exp\s+(\S+)', re.M)
_IMP = re.compile(r'^\s*(?:from\s+(?:rat\.|\.)(\w+)\s+import|import\s+rat\.(\w+)|from\s+rat\s+import\s+([\w, ]+))', re.M)

def cells(nb: Path) -> list[str]:
    return [''.join(c['source']) for c in json.loads(nb.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'code']

def exporters(nbs: list[Path]) -> dict[str, int]:
    "Module name -> position of the notebook that exports it."
    out = {}
    for i, nb in enumerate(nbs):
        for src in cells(nb):
            if m := _EXP.search(src): out[m.group(1)] = i
    return out

def imported(src: str) -> set[str]:
    mods = set()
    for a, b, c in _IMP.findall(src):
        mods |= {a or b} if (a or b) else {n.strip() for n in c.split(',')}
    return mods

def forward_imports(nbs_dir: Path = ROOT/'nbs') -> list[str]:
    "One line per import of a module from a later notebook (or of no notebook's module)."
    nbs = sorted(nbs_dir.glob('*.ipynb'))
    at, problems = exporters(nbs), []
    for i, nb in enumerate(nbs):
        for mod in sorted(set().union(*map(imported, cells(nb)))):
            if mod not in at: problems.append(f'{nb.name}: imports rat.{mod}, which no notebook exports')
            elif at[mod] > i: problems.append(f'{nb.name}: imports rat.{mod} from the later {nbs[at[mod]].name}')
    return problems

if __name__ == '__main__':
    problems = forward_imports()
    print('\n'.join(problems) or 'imports flow one way')
    sys.exit(1 if problems else 0)
