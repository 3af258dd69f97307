"""Run every benchmark (CPU hot paths, then the GPU GRPO step, which says it was skipped without CUDA) and write
`bench/results/summary.md` from the JSON files they wrote. Each script runs in its own process, one thread.

    .venv/bin/python bench/run_all.py                  # all benchmarks, then the summary (about 5 minutes on CPU)
    .venv/bin/python bench/run_all.py --summary-only   # only rebuild summary.md from bench/results/*.json
    .venv/bin/python bench/run_all.py --only parse,bfcl
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE/'results'
SCRIPTS = {'rewards': 'bench_rewards.py', 'parse': 'bench_parse.py', 'bfcl': 'bench_bfcl.py',
           'grpo_cpu': 'bench_grpo_cpu.py', 'grpo_gpu': 'bench_grpo_gpu.py'}


def run(names: list[str]) -> dict[str, float]:
    "Run the scripts one after the other; seconds each took, or raise after all ran when one failed."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', HF_HUB_OFFLINE='1', PYTHONUNBUFFERED='1')
    took, failed = {}, []
    for n in names:
        print(f'== {SCRIPTS[n]}', flush=True)
        t = time.perf_counter()
        if subprocess.run([sys.executable, str(HERE/SCRIPTS[n])], env=env, cwd=HERE.parent).returncode: failed.append(n)
        took[n] = round(time.perf_counter() - t, 1)
    if failed: raise SystemExit(f"failed: {', '.join(failed)} (the summary was not rewritten)")
    return took


def _num(x, digits=3) -> str:
    if x is None: return '–'
    if isinstance(x, bool): return 'yes' if x else 'no'
    if isinstance(x, int) or (isinstance(x, float) and abs(x) >= 1000): return f'{x:,.0f}'
    return f'{x:.{digits}g}'


def _dur(seconds: float) -> str:
    "A duration in the unit that keeps it between 1 and 1000."
    for unit, scale in (('s', 1), ('ms', 1e-3), ('µs', 1e-6)):
        if seconds >= scale: return f'{seconds / scale:.3g} {unit}'
    return f'{seconds * 1e9:.3g} ns'


def table(head: list[str], rows: list[list]) -> str:
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    return '\n'.join(lines + ['| ' + ' | '.join(c if isinstance(c, str) else _num(c) for c in r) + ' |' for r in rows])


def machine_line(r: dict) -> str:
    m = r['machine']
    gpu = f"CUDA: {m['gpu']}" if m['cuda'] else 'no CUDA device'
    return (f"*Measured {m['when']} by `{r['command']}`: {m['platform']}, {m['cpus_visible']} CPUs visible, {m['torch_threads']} "
            f"torch thread(s), Python {m['python']}, torch {m['torch']}, {gpu}, load average {'/'.join(map(str, m['load_average_1_5_15']))} "
            f"(1/5/15 min), commit {m['commit']}.*")


def rewards_md(r: dict) -> str:
    return table(['mode', 'seconds', 'completions/s', 'speedup'],
                 [['cached (as shipped)', r['cached_s'], r['cached_completions_per_s'], r['speedup']],
                  ['baseline: json.loads per use, no parse cache', r['baseline_s'], r['baseline_completions_per_s'], 1.0]]) + \
        f"\n\n{r['completions']:,} completions of ~{r['mean_chars']:.0f} characters, batches of {r['batch']} " \
        f"({r['group']} per prompt), all rewards: {', '.join(r['rewards'])}; best of {r['runs']} runs."


def parse_md(r: dict) -> str:
    rows = []
    for name, f in r['families'].items():
        s = f['sizes']
        common = [x for x in s if 'naive_s' in x][-1]
        naive = (f"{_dur(common['naive_s'])} at {common['size'] // 1024} KiB" +
                 (f" (1 MiB predicted: {f['naive_1MiB_predicted_s']:,} s)" if f['naive_1MiB_predicted_s'] else ''))
        rows.append([name.replace('<', '&lt;'), _dur(s[0]['parse_s']), _dur(s[-1]['parse_s']), f"{f['parse_1MiB_over_1KiB']:g}x",
                     f['parse_loglog_slope'], f['parse_MB_per_s_at_1MiB'], naive, f['naive_loglog_slope'],
                     f"{_num(common['speedup_vs_naive'])}x"])
    return table(['input', 'parse 1 KiB', 'parse 1 MiB', 'time 1 MiB / 1 KiB (size x1024)', 'log-log slope', 'MB/s at 1 MiB',
                  'naive parser, largest size measured', 'naive slope', 'parse speedup at that size'], rows) + \
        f"\n\nSlope 1 = linear time, 2 = quadratic. Naive parser: `{r['naive_parser']}`; it is stopped after the first size where one " \
        f"call takes more than {r['naive_limit_s']} s."


def bfcl_md(r: dict) -> str:
    rows = [[n, f['entries'], f['correct'], f['matches_expected'], f['entries_per_s'], f['python_syntax_entries_per_s']]
            for n, f in r['files'].items()]
    rows.append(['**all**', r['score_file']['entries'], sum(f['correct'] for f in r['files'].values()), r['all_match_expected'],
                 r['score_file']['entries_per_s'], r['python_syntax']['entries_per_s']])
    return table(['conformance file', 'entries', 'correct', 'matches expected.json', 'entries/s (bfcl_score)',
                  'entries/s (Python-syntax predictions)'], rows) + \
        f"\n\n`bfcl_match` alone, entries in memory: {r['match_only']['entries_per_s']:,} entries/s. No baseline: BFCL's own checker is not installed."


def _variant_rows(r: dict, gpu: bool) -> list[list]:
    rows = []
    for name, v in r['variants'].items():
        label = r.get('descriptions', {}).get(name, name)
        if 'step_s' not in v:
            rows.append([label, v.get('skipped') or v.get('error')] + [''] * (8 if gpu else 6)); continue
        q = r['ratio_to_baseline'].get(name, {})
        row = [label, v['step_s'], v['generation_s'], v['reward_s'], v['training_s'], v['generated_tokens_per_s'],
               f"{q.get('step_s', 0):.3g}x" if q else '–', f"{1 / q['step_s']:.3g}x" if q.get('step_s') else '–']
        rows.append(row + ([v.get('peak_allocated_gb'), v.get('peak_reserved_gb')] if gpu else []))
    return rows


def grpo_md(r: dict, gpu: bool) -> str:
    if r.get('skipped'):
        return f"**Skipped: {r['skipped']}.** Planned variants: " + '; '.join(f'`{k}` {v}' for k, v in r['planned_variants'].items()) + '.'
    w = r['workload']
    head = ['variant', 'step s', 'generation s', 'reward s', 'training s', 'generated tokens/s', 'step time vs baseline',
            'speedup vs baseline'] + (['peak allocated GB', 'peak reserved GB'] if gpu else [])
    text = table(head, _variant_rows(r, gpu)) + \
        f"\n\nModel: {r['model']}. Per step: {w['prompts_per_step']} prompt(s) x {w['num_generations']} generations x up to " \
        f"{w['max_completion_length']} tokens; mean of {w['steps_timed']} timed steps after one untimed step; baseline `{r['baseline']}`."
    if gpu and r.get('targets'):
        t = r['targets']
        text += (f"\n\nTargets: QLoRA preset peak {_num(t['qlora_peak_allocated_gb'])} GB allocated, {_num(t['qlora_peak_reserved_gb'])} GB "
                 f"reserved (target <= {t['memory_target_gb']} GB reserved: {_num(t['memory_target_met'])}); fastest variant "
                 f"`{t['fastest_variant']}` is {_num(t['fastest_speedup_vs_baseline'])}x the baseline's speed (target >= "
                 f"{t['speedup_target']}x: {_num(t['speed_target_met'])}). Largest part of each step: "
                 + ', '.join(f'`{k}` {v[:-2]}' for k, v in t['dominant_part'].items()) + '.')
    return text


SECTIONS = [('rewards', 'Reward scoring throughput', rewards_md), ('parse', '`parse_completion` on adversarial inputs', parse_md),
            ('bfcl', 'BFCL scoring throughput', bfcl_md), ('grpo_cpu', 'GRPO step on CPU (tiny model)', lambda r: grpo_md(r, False)),
            ('grpo_gpu', 'GRPO step on GPU (Qwen3-1.7B architecture)', lambda r: grpo_md(r, True))]


def summary() -> Path:
    "Write `results/summary.md`: one table per benchmark result present, each with where and when it was measured."
    parts = ['# Benchmarks', '',
             'Written by `python bench/run_all.py` from `bench/results/*.json`; every number below was measured by the command named '
             'under its table. Ratios compare runs made in the same process and minutes, so they are steadier than absolute times.']
    results = {n: json.loads((RESULTS/f'{n}.json').read_text()) for n, *_ in SECTIONS if (RESULTS/f'{n}.json').exists()}
    busy = [n for n, r in results.items() if r['machine']['load_average_1_5_15'][0] > 0.75 * r['machine']['cpus_visible']]
    if busy:
        parts.append(f"\n**The machine was shared with other work during {', '.join(busy)}** (1-minute load average above 3/4 of the "
                     'CPU count, see each table): absolute times there are noisy and likely slower than on an idle machine.')
    for name, title, render in SECTIONS:
        if name in results: parts += ['', f'## {title}', '', render(results[name]), '', machine_line(results[name])]
    out = RESULTS/'summary.md'
    out.write_text('\n'.join(parts) + '\n')
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--summary-only', action='store_true', help='only rebuild summary.md from the JSON results')
    ap.add_argument('--only', help=f"comma-separated subset of {', '.join(SCRIPTS)}")
    a = ap.parse_args(argv)
    names = [n.strip() for n in (a.only or ','.join(SCRIPTS)).split(',') if n.strip()]
    if bad := [n for n in names if n not in SCRIPTS]: ap.error(f"unknown benchmark(s) {bad}: choose from {', '.join(SCRIPTS)}")
    if not a.summary_only: print('took (s):', run(names))
    print('->', summary())


if __name__ == '__main__':
    main()
