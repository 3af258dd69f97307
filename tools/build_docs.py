"""Build the docs site offline: nbdev's processed notebooks -> Markdown pages -> MkDocs + Material in `_docs/`.

GitHub Actions builds the nbdev + Quarto site (`nbdev_docs`). Quarto does not install from PyPI, so the local site
(`make docs`, then open `_docs/index.html`) renders the same processed notebooks (`nbdev.serve.proc_nbs`: frontmatter,
`show_doc` for every exported symbol, hidden cells removed) with MkDocs, honouring what Quarto honours:
`#| echo: false` (output only), `#| hide` / `#| include: false` (no cell), `#| output: false` (no output),
`#| output: asis` and every Markdown output (rendered as Markdown), pages named as nbdev names them (`02_data.ipynb` ->
`data.html`) and linked as such, figures copied from `figures/`. Saved outputs pass through `clean_outputs.clean_text`
(no progress bars, no machine paths). Then `check_site` checks what a reader would trip on; the test command runs both.

Usage: python tools/build_docs.py [--no-check]
"""
import contextlib, html.parser, io, json, re, shutil, sys, time, unicodedata, warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_outputs import clean_text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT/'_docs'
PROC = ROOT/'_proc'
SRC = PROC/'_pages'                      # the generated Markdown (git-ignored with _proc/)
DOCS = Path(__file__).resolve().parent/'docs'

def slugify(value: str, separator: str = '-') -> str:
    "A heading's anchor as Quarto writes it (and nbdev links to it): lower case, `_` and `.` kept, spaces as `-`."
    value = unicodedata.normalize('NFKC', value).strip().lower()
    value = re.sub(r'[^\w\s.-]', '', value)
    return re.sub(r'\s+', separator, value)

# ---- reading the processed notebooks ------------------------------------------------------------------------------

def page_name(stem: str, fm: dict) -> str:
    "nbdev's page name: the frontmatter's `output-file`, else the stem without its numeric prefix."
    return fm.get('output-file') or re.sub(r'^\d+[a-z]?_', '', stem) + '.html'

def frontmatter(cells: list) -> dict:
    "Title, description and output file from nbdev's processed frontmatter cell (a raw `---` yaml block)."
    import yaml
    for c in cells:
        if c['cell_type'] == 'raw' and _src(c).startswith('---'): return yaml.safe_load(_src(c).strip().strip('-')) or {}
    return {}

def _src(c) -> str: return ''.join(c['source']) if isinstance(c['source'], list) else c['source']
def _text(x) -> str: return ''.join(x) if isinstance(x, list) else x

def directives(src: str) -> tuple[dict, str]:
    "The `#| key: value` lines at the top of a code cell, and the code without them."
    d, lines = {}, src.split('\n')
    while lines and lines[0].startswith('#|'):
        k, _, v = lines.pop(0)[2:].strip().partition(':')
        d[k.strip()] = v.strip().lower() or 'true'
    return d, '\n'.join(lines).strip('\n')

_FENCE = re.compile(r'^(\s*)(`{3,}|~{3,})')

def _outside_fences(md: str):
    "Yield (is_code, chunk) for a Markdown text, so rewrites never touch fenced code."
    chunk, code, fence = [], False, ''
    for line in md.split('\n'):
        m = _FENCE.match(line)
        if m and (not code or m.group(2).startswith(fence)):
            if not code: yield False, '\n'.join(chunk); chunk = [line]; code, fence = True, m.group(2)
            else: chunk.append(line); yield True, '\n'.join(chunk); chunk = []; code = False
            continue
        chunk.append(line)
    yield code, '\n'.join(chunk)

def headings(md: str) -> list[str]:
    "The anchors of a Markdown text's headings."
    return [slugify(re.sub(r'[`*]+', '', m.group(1)).strip())
            for code, part in _outside_fences(md) if not code
            for m in re.finditer(r'^#{1,6}\s+(.+?)\s*#*\s*$', part, re.M)]

# ---- Markdown rewrites --------------------------------------------------------------------------------------------

class Site:
    "The pages of the site: which notebook stem and which nbdev name map to which Markdown page, and their anchors."
    def __init__(self, cfg):
        base = cfg.doc_baseurl.strip('/')
        self.host = cfg.doc_host.rstrip('/') + '/' + (base + '/' if base else '')   # https://rat-agents.github.io/rat/
        self.git = cfg.git_url.rstrip('/')
        self.branch = cfg.get('branch', 'main')
        self.pages: dict[str, str] = {}       # 'data', '02_data', 'data.html', '02_data.ipynb' ... -> 'data.md'
        self.anchors: dict[str, set] = {}     # 'data.md' -> anchors

    def add(self, stem: str, html_name: str, anchors: set):
        md = html_name.removesuffix('.html') + '.md'
        for k in (stem, html_name.removesuffix('.html')):
            for ext in ('', '.ipynb', '.html', '.md'): self.pages[k + ext] = md
        self.anchors[md] = anchors

    def target(self, url: str, text: str) -> str | None:
        "Where a link of a notebook should point in the site (None: unlink and keep the text)."
        if url.startswith(self.host): url = url[len(self.host):]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(('#', 'mailto:')) or not parts.path: return url
        path = parts.path.removeprefix('./')
        if path.startswith('../figures/') or path.startswith('figures/'): return 'figures/' + path.split('figures/', 1)[1]
        if path in self.pages:
            md = self.pages[path]
            if not parts.fragment: return md
            if slugify(parts.fragment) in self.anchors[md]: return f'{md}#{slugify(parts.fragment)}'
            # nbdev links every backticked name it knows, private ones too, which have no entry: keep the code, no link
            return None if text.startswith('`') else md
        if path.startswith('../'):                                # a file of the repository: link to it on GitHub
            return f"{self.git}/blob/{self.branch}/{path[3:]}" + (f'#{parts.fragment}' if parts.fragment else '')
        return url

    def links(self, md: str) -> str:
        "Markdown links and images, and HTML `src`/`href`, pointed at the site's pages and files."
        def md_link(m):
            bang, text, url, title = m.group(1), m.group(2), m.group(3), m.group(4) or ''
            t = self.target(url, text)
            return text if t is None else f'{bang}[{text}]({t}{title})'
        def html_attr(m):
            t = self.target(m.group(3), '')
            return f'{m.group(1)}={m.group(2)}{t or m.group(3)}{m.group(2)}'
        out = []
        for code, part in _outside_fences(md):
            if not code:
                part = re.sub(r'(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^()\s]+)(\s+"[^"]*")?\)', md_link, part)
                part = re.sub(r'\b(src|href)=(["\'])([^"\']+)\2', html_attr, part)
            out.append(part)
        return '\n'.join(out)

_LIST_ITEM = re.compile(r'^\s*(?:[-*+]|\d+[.)])\s')

def indent_lists(md: str) -> str:
    "Nested list items written with 2 spaces (fine for Pandoc and CommonMark) get the 4 Python-Markdown needs."
    out, in_list = [], False
    for code, part in _outside_fences(md):
        if code: out.append(part); continue
        lines = []
        for line in part.split('\n'):
            if _LIST_ITEM.match(line) and not line.startswith(' '): in_list = True
            elif not line.strip(): pass
            elif not line.startswith(' '): in_list = False
            if in_list and line.startswith(' '):
                n = len(line) - len(line.lstrip(' '))
                line = ' ' * (2 * n) + line[n:]
            lines.append(line)
        out.append('\n'.join(lines))
    return '\n'.join(out)

_CALLOUT = re.compile(r'^:::+[ \t]*\{\.callout-(\w+)([^}]*)\}[ \t]*\n(.*?)^:::+[ \t]*$', re.M | re.S)

def callouts(md: str) -> str:
    "Quarto's `::: {.callout-note}` blocks as Material admonitions."
    def one(m):
        kind, attrs, body = m.group(1), m.group(2), m.group(3)
        title = re.search(r'title="([^"]*)"', attrs)
        title = title.group(1) if title else kind.capitalize()
        return f'<div class="admonition {kind}" markdown>\n<p class="admonition-title">{title}</p>\n\n{body.strip()}\n\n</div>\n'
    return _CALLOUT.sub(one, md)

_SOURCE = re.compile(r'\[source\]\((\S+?)\)\{[^}\n]*\}')

def api_entry(md: str) -> str:
    "A `show_doc` entry: the source link as a link (Quarto's `{target=...}` attributes dropped), set apart as a card."
    md = re.sub(r'^\s*---\s*\n', '', md)
    md = _SOURCE.sub(lambda m: f'<a class="rat-source" href="{m.group(1)}" title="source on GitHub">source</a>', md)
    return f'<div class="rat-api" markdown>\n\n{md.strip()}\n\n</div>'

def fence(text: str, lang: str = '') -> str:
    "A fenced block that no run of backticks in `text` can close; outputs (`text`) get no copy button."
    ticks = '`' * max(3, 1 + max((len(r) for r in re.findall(r'`+', text)), default=0))
    info = '{ .text .no-copy }' if lang == 'text' else lang
    return f'{ticks}{info}\n{text.rstrip()}\n{ticks}'

_TABLE_SEP = re.compile(r'^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$')

def stream_blocks(text: str) -> list[str]:
    "Printed text as text blocks, except Markdown tables (a `|` header line, then a `|---|` line), which render as tables."
    lines, out, buf, i = text.rstrip('\n').split('\n'), [], [], 0
    while i < len(lines):
        if lines[i].lstrip().startswith('|') and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith('|'): j += 1
            if buf: out.append(fence('\n'.join(buf), 'text')); buf = []
            out.append('\n'.join(lines[i:j])); i = j
        else: buf.append(lines[i]); i += 1
    if buf and '\n'.join(buf).strip(): out.append(fence('\n'.join(buf), 'text'))
    return out

# ---- one notebook -> one page --------------------------------------------------------------------------------------

class Page:
    def __init__(self, site: Site, stem: str, cells: list, fm: dict):
        self.site, self.stem, self.cells, self.fm = site, stem, cells, fm
        self.name = page_name(stem, fm).removesuffix('.html')
        self.images: dict[str, bytes] = {}

    def output(self, o: dict, echo: bool = True, asis: bool = False) -> str:
        "One saved output as Markdown (or HTML for an HTML output), cleaned; Markdown of a hidden-input cell is page text."
        import base64
        kind = o['output_type']
        if kind == 'stream':
            text = clean_text(_text(o['text']))
            if not text.strip(): return ''
            if asis and o.get('name') == 'stdout': return self.site.links(text)      # printed Markdown, as Quarto shows it
            cls = 'rat-output rat-stderr' if o.get('name') == 'stderr' else 'rat-output'
            return f'<div class="{cls}" markdown>\n\n' + '\n\n'.join(stream_blocks(text)) + '\n\n</div>'
        if kind == 'error':
            return '<div class="rat-output rat-stderr" markdown>\n\n' + fence(clean_text('\n'.join(o.get('traceback', []))), 'text') + '\n\n</div>'
        data = o.get('data', {})
        for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/svg+xml', 'svg')):
            if mime in data:
                name = f'images/{self.name}-{len(self.images) + 1}.{ext}'
                raw = _text(data[mime])
                self.images[name] = raw.encode() if ext == 'svg' else base64.b64decode(raw)
                return f'<div class="rat-output" markdown>\n\n![output]({name})\n\n</div>'
        if 'text/markdown' in data:
            md = self.site.links(clean_text(_text(data['text/markdown'])))
            if re.search(r'^\s*(---\s*)?\n*\[source\]\(', md): return api_entry(md)
            return f'<div class="{"rat-output" if echo else "rat-content"}" markdown>\n\n{md.strip()}\n\n</div>'
        if 'text/html' in data:
            return f'<div class="rat-output"><div class="rat-html">\n{clean_text(_text(data["text/html"])).strip()}\n</div></div>'
        if 'text/plain' in data:
            return '<div class="rat-output" markdown>\n\n' + fence(clean_text(_text(data['text/plain'])), 'text') + '\n\n</div>'
        return ''

    def code(self, c: dict) -> list[str]:
        d, src = directives(_src(c))
        if d.get('hide') == 'true' or d.get('include') == 'false': return []
        echo = d.get('echo', 'true') != 'false'
        blocks = [fence(src, 'python')] if echo and src.strip() else []
        if d.get('output', 'true') != 'false':
            blocks += [b for o in c.get('outputs', []) if (b := self.output(o, echo, d.get('output') == 'asis'))]
        return blocks

    def markdown(self) -> str:
        title, desc = self.fm.get('title', self.name), self.fm.get('description', '')
        head = f'---\ntitle: {json.dumps(str(title))}\n' + (f'description: {json.dumps(str(desc))}\n' if desc else '') + '---\n\n'
        blocks = [f'# {title}'] + ([f'{self.site.links(desc)}\n{{: .rat-lead }}'] if desc else [])
        for c in self.cells:
            if c['cell_type'] == 'markdown':
                src = re.sub(r'<!-- WARNING: THIS FILE WAS AUTOGENERATED!.*?-->', '', _src(c)).strip()
                if src: blocks.append(callouts(indent_lists(self.site.links(src))))
            elif c['cell_type'] == 'code': blocks += self.code(c)
        return head + '\n\n'.join(blocks) + '\n'

def page_anchors(cells: list) -> set:
    "Every heading anchor a page will have: its Markdown headings and its `show_doc` entries."
    texts = [_src(c) for c in cells if c['cell_type'] == 'markdown']
    texts += [_text(o['data']['text/markdown']) for c in cells if c['cell_type'] == 'code'
              for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]
    return {a for t in texts for a in headings(t)}

# ---- the site ------------------------------------------------------------------------------------------------------

def build() -> list[tuple[str, str]]:
    "Process the notebooks, write the Markdown pages and build the site; returns (notebook, page) in reading order."
    from nbdev.serve import proc_nbs
    from nbdev.config import get_config
    from mkdocs.config import load_config
    from mkdocs.commands.build import build as mkdocs_build
    import logging
    cfg = get_config()
    nbs = sorted((cfg.config_path/cfg.nbs_path).glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.stem))
    log = io.StringIO()
    try:                             # nbdev prints every cell that mixes imports and code: keep it for a failure only
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            proc_nbs(n_workers=0, force=True)
    except Exception as e:
        tail = '\n'.join(clean_text(log.getvalue()).strip().splitlines()[-12:])
        hint = ('\n(nbdev runs every cell holding an import, and every show_doc, to render the docs: an import cell must '
                'run on its own, so keep imports out of cells that use names defined elsewhere)') if isinstance(e.__cause__, NameError) else ''
        sys.exit(f'{tail}\ndocs: nbdev could not process the notebooks: {str(e).splitlines()[0]} {e.__cause__!r}{hint}')
    site = Site(cfg)
    nb_cells = {p.stem: json.loads((PROC/p.name).read_text(encoding='utf-8'))['cells'] for p in nbs}
    pages = []
    for p in nbs:
        fm = frontmatter(nb_cells[p.stem])
        page = Page(site, p.stem, [c for c in nb_cells[p.stem] if c['cell_type'] != 'raw'], fm)
        site.add(p.stem, page.name + '.html', page_anchors(nb_cells[p.stem]))
        pages.append(page)
    shutil.rmtree(SRC, ignore_errors=True)
    (SRC/'images').mkdir(parents=True); (SRC/'stylesheets').mkdir()
    for page in pages:
        (SRC/f'{page.name}.md').write_text(page.markdown(), encoding='utf-8')
        for name, data in page.images.items(): (SRC/name).write_bytes(data)
    if (ROOT/'figures').is_dir(): shutil.copytree(ROOT/'figures', SRC/'figures')
    shutil.copy(DOCS/'extra.css', SRC/'stylesheets'/'extra.css')
    (SRC/'javascripts').mkdir(); shutil.copy(DOCS/'iframe-worker-shim.js', SRC/'javascripts'/'iframe-worker-shim.js')
    nav = [{str(p.fm.get('title', p.name)) if p.name != 'index' else 'Home': f'{p.name}.md'} for p in pages]
    logging.getLogger('mkdocs').setLevel(logging.ERROR)
    conf = load_config(str(DOCS/'mkdocs.yml'), docs_dir=str(SRC), site_dir=str(OUT), nav=nav, site_name=cfg.title,
                       site_description=cfg.description, repo_url=cfg.git_url)
    mkdocs_build(conf)
    return [(f'{nb.stem}.ipynb', f'{page.name}.html') for nb, page in zip(nbs, pages)]

# ---- checks --------------------------------------------------------------------------------------------------------

class _Scan(html.parser.HTMLParser):
    "Links, image sources, element ids, the text of <pre> blocks and the other text of one page."
    def __init__(self):
        super().__init__(); self.links, self.srcs, self.ids, self.pre, self.text, self._pre = [], [], set(), [], [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('href'): self.links.append(a['href'])
        if tag in ('img', 'script') and a.get('src'): self.srcs.append(a['src'])
        if tag == 'link' and a.get('href'): self.srcs.append(a['href'])
        if tag == 'pre': self._pre += 1; self.pre.append('')
    def handle_endtag(self, tag):
        if tag == 'pre': self._pre -= 1
    def handle_data(self, data):
        if self._pre: self.pre[-1] += data
        else: self.text.append(data)

def check_site(expected: list[tuple[str, str]], host: str, stats: dict | None = None) -> list[str]:
    "What a reader would trip on, one line each: missing pages, raw directives, leaked attributes, dead links."
    problems, scans, stats = [], {}, {} if stats is None else stats
    for nb, page in expected:
        if not (OUT/page).exists(): problems.append(f'{nb}: no page {page}')
    for f in sorted(OUT.glob('*.html')):
        if f.name == '404.html': continue           # served by a web server for any missing path: absolute links
        s = _Scan(); s.feed(f.read_text(encoding='utf-8')); scans[f.name] = s
    machine = [p for p in {str(ROOT), str(Path.home())} if len(p) > 1]
    for name, s in scans.items():
        text = ''.join(s.text)
        for block in s.pre:
            if re.search(r'^\s*#\|\s*[\w-]+\s*:', block, re.M): problems.append(f'{name}: raw directive in a code block: {block.strip()[:60]!r}')
            if 'show_doc(' in block: problems.append(f'{name}: raw show_doc( call shown')
            if re.search(r'\d+%\|.*\|.*(it|s)/s\]|it/s\]', block): problems.append(f'{name}: progress bar in an output')
        if any(t in text for t in ('{target=', '{: ', '{ .', '::: {')): problems.append(f'{name}: leaked attribute text ({{target= / {{: / {{ . / ::: {{)')
        for m in machine:
            if m in text: problems.append(f'{name}: machine path {m!r} in the page')
        for url in s.srcs:
            if urlsplit(url).scheme in ('http', 'https'): problems.append(f'{name}: loads {url} from the network (the site must work offline)')
        for url in s.links + s.srcs:
            if url.startswith(host) or url.startswith(host.replace('https://', 'http://')):
                problems.append(f'{name}: off-site link to the project\'s own docs: {url}'); continue
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(('mailto:', 'data:', 'javascript:')): continue
            target = name                                          # every page sits at the top of the site
            if parts.path:
                path = (OUT/unquote(parts.path)).resolve()
                if path.is_dir(): path = path/'index.html'
                target = path.relative_to(OUT.resolve()).as_posix() if path.is_relative_to(OUT.resolve()) else None
            stats['internal links'] = stats.get('internal links', 0) + 1
            if target is None or not (OUT/target).is_file(): problems.append(f'{name}: dead link {url}'); continue
            if parts.fragment and target in scans and parts.fragment not in scans[target].ids:
                problems.append(f'{name}: no anchor #{parts.fragment} in {target}')
    return problems

def main(check: bool = True) -> int:
    from nbdev.config import get_config
    t = time.time()
    expected = build()
    built = time.time() - t
    host = Site(get_config()).host
    stats = {}
    problems = check_site(expected, host, stats) if check else []
    for p in problems[:50]: print(p)
    if len(problems) > 50: print(f'... and {len(problems) - 50} more')
    n = len(list(OUT.glob('*.html')))
    print(f'docs: {len(expected)} notebooks -> {n} pages in {OUT.relative_to(ROOT)}/ in {built:.0f}s; '
          f"{stats.get('internal links', 0)} internal links and images checked, {len(problems)} problem(s) "
          f'(open {OUT.relative_to(ROOT)}/index.html)')
    return 1 if problems else 0

if __name__ == '__main__':
    sys.exit(main(check='--no-check' not in sys.argv[1:]))
