"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without Quarto); `--check` only compares.

Hidden cells (`#| hide`) are dropped, `#|` directive lines removed, saved outputs kept, and figure paths made
relative to the repository root.
"""
import re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def readme_text() -> str:
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    nb = nbformat.read(ROOT/'nbs'/'index.ipynb', as_version=4)
    keep = []
    for c in nb.cells:
        lines = c.source.splitlines()
        direcs = [l.split()[1:] for l in lines if l.startswith('#|')]
        if any(d[:1] in (['hide'], ['default_exp']) for d in direcs): continue
        if ['echo:', 'false'] in direcs: c.metadata['tags'] = ['remove_input']
        c.source = '\n'.join(l for l in lines if not l.startswith('#|'))
        keep.append(c)
    nb.cells = keep
    nb.metadata['language_info'] = {'name': 'python'}
    exp = MarkdownExporter()
    exp.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    body, _ = exp.from_notebook_node(nb)
    body = re.sub(r'\]\((\w+)\.(?:html|ipynb)(#[\w-]+)?\)', r'](nbs/\1.ipynb\2)', body.replace('](../', ']('))
    return '<!-- generated from nbs/index.ipynb by tools/build_readme.py: edit the notebook, not this file -->\n\n' + body.strip() + '\n'

if __name__ == '__main__':
    text, path = readme_text(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not path.exists() or path.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of sync with nbs/index.ipynb: run `make export` (tools/build_readme.py) and commit')
        print('README.md in sync')
    else:
        path.write_text(text, encoding='utf-8'); print('wrote README.md')
