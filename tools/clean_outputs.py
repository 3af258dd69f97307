"""Clean saved notebook outputs: progress bars out, machine paths replaced by portable ones.

Usage: python tools/clean_outputs.py NAME ...   (notebook stems or paths; rewrites those notebooks in place)
       python tools/clean_outputs.py --check NAME ...   (exit 1 and list the notebooks that would change)
The docs build (`tools/build_docs.py`) applies the same `clean_text` to every output it renders, so a notebook
executed on another machine never shows that machine's paths or a wall of progress bars.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One tqdm bar: `desc: 42%|####  | 21/50 [00:01<00:02, 9.87it/s, postfix]` (desc optional).
_BAR = re.compile(r'(?:[^\r\n|]*?:\s*)?\s*\d{1,3}%\|[^|\r\n]*\|\s*[\d.]+[kMG]?(?:/[\d.?]+[kMG]?)?\s*\[[^\]\r\n]*\]')
_ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
# Lines a library prints depending on the machine, not on the notebook: bitsandbytes on a CPU with AVX512-BF16.
_MACHINE_NOISE = re.compile(r'^Failed to load CPU gemm_4bit_forward from kernels-community\b.*$')

def _path_rules() -> list[tuple[re.Pattern, str]]:
    "Absolute paths of this machine -> portable spellings, most specific first."
    rules = [(re.compile(r'(?:/[\w.+-]+)+/(site|dist)-packages/'), r'\1-packages/'),         # .../lib/python3.11/site-packages/
             (re.compile(re.escape(str(ROOT.parent/'shared'/'data'))), '$RAT_SHARED_DATA'),
             (re.compile(re.escape(str(ROOT)) + r'/?'), ''),                               # the checkout: repo-relative
             (re.compile(r'(?<![\w.~/])/work/[\w.-]+/'), ''),                              # another checkout on the build machine
             (re.compile(r'(?:/private)?/(?:tmp|var/folders/[\w/+-]+?/T)/tmp[\w-]{6,}'), '$TMPDIR')]
    home = str(Path.home())
    if home not in ('/', ''): rules.append((re.compile(re.escape(home) + r'(?=/|\b)'), '~'))
    rules.append((re.compile(r'(?<![\w.~/])/(?:home|Users)/[\w.-]+(?=/)'), '~'))
    return rules

_PATHS = _path_rules()

def clean_text(s: str) -> str:
    "`s` without ANSI colours or progress bars (the text a terminal would end with, minus the bars), with portable paths."
    s = _ANSI.sub('', s)
    lines = []
    for line in s.split('\n'):
        parts = [_BAR.sub('', seg) for seg in line.split('\r')]          # a `\r` rewrites the line: keep what is not a bar
        kept = [p for p in parts if p.strip()]
        if _MACHINE_NOISE.match(line): continue
        if kept or not ('\r' in line or _BAR.search(line)): lines.append(kept[-1] if kept else line)
    s = '\n'.join(lines)
    for pat, rep in _PATHS: s = pat.sub(rep, s)
    return s

def clean_output(o: dict) -> dict | None:
    "One saved output cleaned; None when nothing is left of it (a stream of progress bars only)."
    o = dict(o)
    if o.get('output_type') == 'stream':
        o['text'] = clean_text(''.join(o['text']) if isinstance(o['text'], list) else o['text'])
        return o if o['text'].strip() else None
    if o.get('output_type') == 'error':
        o['traceback'] = [clean_text(t) for t in o.get('traceback', [])]
        return o
    data = dict(o.get('data', {}))
    for k in ('text/plain', 'text/markdown'):
        if k in data: data[k] = clean_text(''.join(data[k]) if isinstance(data[k], list) else data[k])
    o['data'] = data
    return o

def _split_lines(text: str) -> list[str]: return text.splitlines(keepends=True)

def clean_notebook(path: Path, write: bool = True) -> bool:
    "Clean every output of the notebook at `path`; returns whether anything changed (written back when `write`)."
    nb = json.loads(path.read_text(encoding='utf-8'))
    changed = False
    for c in nb['cells']:
        if c['cell_type'] != 'code' or not c.get('outputs'): continue
        new = []
        for o in c['outputs']:
            n = clean_output(o)
            if n is None: continue
            # keep the notebook's own storage form (lists of lines) so an unchanged output compares equal
            if 'text' in n and isinstance(o.get('text'), list): n['text'] = _split_lines(n['text'])
            for k in ('text/plain', 'text/markdown'):
                if k in n.get('data', {}) and isinstance(o['data'][k], list): n['data'][k] = _split_lines(n['data'][k])
            new.append(n)
        if new != c['outputs']: c['outputs'], changed = new, True
    if changed and write:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    return changed

def _nb_path(name: str) -> Path:
    p = Path(name)
    return p if p.suffix == '.ipynb' else ROOT/'nbs'/f'{p.stem}.ipynb'

if __name__ == '__main__':
    args = sys.argv[1:]
    check = '--check' in args
    names = [a for a in args if a != '--check']
    if not names or {'-h', '--help'} & set(names): sys.exit(__doc__)
    changed = [n for n in names if clean_notebook(_nb_path(n), write=not check)]
    for n in changed: print(f"{'would clean' if check else 'cleaned'} {n}")
    sys.exit(1 if check and changed else 0)
