"""BFCL scoring throughput on the conformance suite (`../shared/data/bfcl_v3/conformance`, 8 prediction files).

Three numbers, each the best of 3 runs, single thread:
- `score_file`: `rat.bfcl_score.bfcl_score` on each file, end to end (reading predictions and the BFCL question and answer
  files, AST matching), in entries per second; each file's result is checked against the suite's `expected.json`;
- `python_syntax`: the same with every prediction written as BFCL's Python-syntax string (`[f(a=1)]`), which adds
  `parse_python_calls`;
- `match_only`: `rat.bfcl.bfcl_match` on entries already in memory.
There is no baseline to race here (BFCL's own checker is not installed); the ratio reported is against the
suite's expected scores, which must match exactly.

    .venv/bin/python bench/bench_bfcl.py      # writes bench/results/bfcl.json
"""
import json, sys, tempfile, time
from pathlib import Path
from _common import single_thread, write_result, shown
single_thread()

from rat.core import read_jsonl, shared_data_dir
from rat.bfcl import bfcl_match
from rat.bfcl_score import bfcl_score

RUNS = 3


def python_syntax(calls: list[dict]) -> str:
    "Calls as BFCL writes them: `[name(arg=value, ...), ...]` with Python literals."
    return '[' + ', '.join(f"{c['name']}({', '.join(f'{k}={v!r}' for k, v in c['arguments'].items())})" for c in calls) + ']'


def best(fn) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)


def main() -> dict:
    data = shared_data_dir()/'bfcl_v3'
    suite = data/'conformance'
    expected = json.loads((suite/'expected.json').read_text())
    files, total = {}, {'entries': 0, 'score_s': 0.0, 'python_s': 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(expected):
            path = suite/f'{name}.jsonl'
            preds = [o for _, o in read_jsonl(path)]
            py = Path(tmp)/f'{name}.jsonl'
            py.write_text(''.join(json.dumps({'id': o['id'], 'calls': python_syntax(o['calls'])}) + '\n' for o in preds))
            got, got_py = bfcl_score(data, path), bfcl_score(data, py)
            cat = next(iter(got['categories'].values()))
            want = expected[name]
            ok = (cat['correct'], cat['incorrect_ids']) == (want['correct'], want['incorrect_ids'])
            same_py = next(iter(got_py['categories'].values()))['incorrect_ids'] == cat['incorrect_ids']
            n = cat['entries']
            s, s_py = best(lambda: bfcl_score(data, path)), best(lambda: bfcl_score(data, py))
            files[name] = {'entries': n, 'predictions': len(preds), 'correct': cat['correct'], 'matches_expected': ok,
                           'python_syntax_same_result': same_py, 'score_s': round(s, 4), 'entries_per_s': round(n / s),
                           'python_syntax_entries_per_s': round(n / s_py)}
            total['entries'] += n; total['score_s'] += s; total['python_s'] += s_py
            print(f"{name:26} {n:4} entries  {n / s:8,.0f}/s  python-syntax {n / s_py:8,.0f}/s  matches expected: {ok}", flush=True)
    pairs = []
    for name in sorted(expected):
        cat = name.split('.')[0]
        functions = {o['id']: o['function'] for _, o in read_jsonl(data/f'BFCL_v3_{cat}.json')}
        truth = {o['id']: o['ground_truth'] for _, o in read_jsonl(data/'possible_answer'/f'BFCL_v3_{cat}.json')}
        pairs += [(o['calls'], truth[o['id']], functions[o['id']], cat) for _, o in read_jsonl(suite/f'{name}.jsonl')]
    match_s = best(lambda: [bfcl_match(*p) for p in pairs])
    result = {'files': files, 'all_match_expected': all(f['matches_expected'] for f in files.values()),
              'score_file': {'entries': total['entries'], 'seconds': round(total['score_s'], 4),
                             'entries_per_s': round(total['entries'] / total['score_s'])},
              'python_syntax': {'entries': total['entries'], 'seconds': round(total['python_s'], 4),
                                'entries_per_s': round(total['entries'] / total['python_s'])},
              'match_only': {'entries': len(pairs), 'seconds': round(match_s, 4), 'entries_per_s': round(len(pairs) / match_s)},
              'baseline': None, 'runs': RUNS}
    out = write_result('bfcl', result, 'python bench/bench_bfcl.py')
    print(f"all files: {result['score_file']['entries_per_s']:,}/s scored end to end, {result['python_syntax']['entries_per_s']:,}/s "
          f"from Python syntax, {result['match_only']['entries_per_s']:,}/s matched in memory -> {shown(out)}")
    return result


if __name__ == '__main__':
    sys.exit(main() and 0)
