"""Build the docs site without Quarto: nbdev's processed notebooks -> nbconvert HTML in `_docs/`, with a sidebar.

GitHub Actions builds the Quarto site (`nbdev_docs`); this builds an honest local equivalent from the same
processed notebooks (nbdev's `proc_nbs`: frontmatter, `show_doc` for every exported symbol, hidden cells removed),
so docs can be read offline and the test command can check that every notebook has a page.
"""
import html, json, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT/'_docs'

def page_name(nb: Path) -> str: return nb.stem + '.html'

def frontmatter(nb) -> dict:
    "Title and description from nbdev's processed frontmatter cell (a raw `---` yaml block)."
    import yaml
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):
            return yaml.safe_load(c.source.strip('-\n')) or {}
    return {}

def render(nb_path: Path, pages: list[tuple[str, str]]) -> str:
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(nb_path, as_version=4)
    fm = frontmatter(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != 'raw']
    exp = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nb)
    title = fm.get('title', nb_path.stem)
    nav = ''.join(f'<li{" class=current" if page_name(nb_path) == href else ""}><a href="{href}">{html.escape(t)}</a></li>'
                  for href, t in pages)
    head = (f'<header><h1>{html.escape(title)}</h1><p class="desc">{html.escape(fm.get("description", ""))}</p></header>')
    side = f'<nav class="rat-nav"><a class="home" href="index.html">rat docs</a><ul>{nav}</ul></nav>'
    style = ('<style>body{margin:0} .rat-nav{position:fixed;top:0;left:0;width:15rem;height:100%;overflow:auto;'
             'padding:1rem;background:#f6f8fa;border-right:1px solid #ddd;font-family:sans-serif} .rat-nav ul{padding-left:1rem}'
             ' .rat-nav li.current a{font-weight:bold} .rat-main{margin-left:17rem;padding:1rem 2rem}'
             ' header .desc{color:#555;font-style:italic}</style>')
    body = body.replace('<body', '<body', 1)
    body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + style + side + '<main class="rat-main">' + head, body, count=1)
    body = body.replace('</body>', '</main></body>')
    return body.replace('../figures/', 'figures/').replace(f'<title>Notebook</title>', f'<title>{html.escape(title)}</title>')

def build() -> list[Path]:
    from nbdev.serve import proc_nbs
    from nbdev.config import get_config
    cfg = get_config()
    nbs = sorted((cfg.config_path/cfg.nbs_path).glob('*.ipynb'))
    proc_nbs(n_workers=0, force=True)
    proc = cfg.config_path/'_proc'
    shutil.rmtree(OUT, ignore_errors=True); OUT.mkdir()
    import nbformat
    titles = {p.stem: frontmatter(nbformat.read(proc/p.name, as_version=4)).get('title', p.stem) for p in nbs}
    order = sorted(nbs, key=lambda p: (p.stem != 'index', p.stem))
    pages = [(page_name(p), titles[p.stem]) for p in order]
    for p in order: (OUT/page_name(p)).write_text(render(proc/p.name, pages), encoding='utf-8')
    if (ROOT/'figures').exists(): shutil.copytree(ROOT/'figures', OUT/'figures')
    missing = [p.name for p in nbs if not (OUT/page_name(p)).exists()]
    if missing: sys.exit(f'docs: no page for {missing}')
    print(f'docs: {len(nbs)} pages in {OUT.relative_to(ROOT)}/ (open {OUT.relative_to(ROOT)}/index.html)')
    return nbs

if __name__ == '__main__':
    build()
