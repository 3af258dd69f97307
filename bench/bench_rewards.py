"""Reward throughput: 10,000 completions of about 300 characters, scored by every reward in `rat.registry.REWARDS`.

Batches look like GRPO's: 8 completions per prompt, 64 per batch, dataset columns in `rat.data.to_dataset`'s storage
form (JSON strings), each reward called on the whole batch as TRL calls it. Measured in the same run:
- `cached`: the rewards as shipped (parses cached by text, JSON columns decoded once per string);
- `baseline`: the same rewards with every cache bypassed: `json.loads` on each JSON column at each use, and each
  completion parsed again by each reward.
Each mode runs 3 times from cold caches; the best time counts. Single process, single thread.

    .venv/bin/python bench/bench_rewards.py      # prints one line, writes bench/results/rewards.json
"""
import contextlib, json, random, sys, time
from collections import Counter
from unittest import mock
from _common import single_thread, write_result, shown
single_thread()

import rat.bfcl, rat.protocol, rat.replies
import rat.rewards as R
from rat.core import RatError, repo_root
from rat.data import load_rows, to_dataset
from rat.protocol import format_completion, parse_completion
from rat.registry import REWARDS

N, GROUP, BATCH, CHARS, RUNS = 10_000, 8, 64, 360, 3


def _padded(think: str, calls: list, reply: str, rng: random.Random) -> str:
    "A protocol completion whose reasoning is padded with varied filler to about CHARS characters."
    text = format_completion(think, calls, reply)
    filler = f" Checking the request once more (step {rng.randint(1, 999)})."
    while len(text) < CHARS - len(filler):
        think += filler
        text = format_completion(think, calls, reply)
    return text


def _variants(row: dict, rng: random.Random) -> list[str]:
    "GROUP completions for one row: right, wrong value, no think, reply instead of call, extra call, truncated, ..."
    think, calls, reply = row['target_think'] or 'Thinking.', row['target_tool_calls'], row['target_reply']
    other = [{'name': 'get_weather', 'arguments': {'city': rng.choice(['Oslo', 'Lima', 'Paris'])}}]
    wrong = [dict(c, arguments={k: (v + 1 if isinstance(v, (int, float)) else f'{v}x') for k, v in c['arguments'].items()})
             for c in calls]
    right = _padded(think, calls, reply, rng)
    return [right, _padded(think, calls, reply, rng), _padded(think, wrong or other, '', rng),
            right.split('</think>', 1)[-1].strip() + f' ({rng.random():.6f})', _padded(think, [], 'I think it is 42.', rng),
            _padded(think, calls + other, '', rng), right[: rng.randint(CHARS // 2, CHARS - 40)],
            _padded(think, other, '', rng)]


def make_batches(seed: int = 0) -> tuple[list[tuple[list, dict]], float]:
    "Batches of `(completions, columns)` as GRPOTrainer passes them, and the mean completion length."
    rng = random.Random(seed)
    rows = load_rows(repo_root()/'data'/'toyworld_train.jsonl')
    stored = list(to_dataset(rows))                                     # JSON-string columns, as in training
    groups = [(stored[i % len(rows)], _variants(rows[i % len(rows)], rng)) for i in range(N // GROUP)]
    batches, per = [], BATCH // GROUP
    for b in range(0, len(groups), per):
        chunk = groups[b:b + per]
        comps = [c for _, cs in chunk for c in cs]
        cols = {k: [ex[k] for ex, _ in chunk for _ in range(GROUP)] for k in chunk[0][0]}
        cols['prompts'] = cols['messages']
        batches.append((comps, cols))
    lengths = [len(c) for cs, _ in batches for c in cs]
    return batches, sum(lengths) / len(lengths)


def _clear_caches():
    for f in (R._parse_cached, R._target_keys_cached, rat.bfcl._std_short, rat.replies._mention_pattern, rat.protocol._decode):
        if hasattr(f, 'cache_clear'): f.cache_clear()


def _uncached_json(x):
    if not isinstance(x, str): return x
    try: return json.loads(x)
    except json.JSONDecodeError as e: raise RatError(f'expected a JSON string ({e.msg})') from None


@contextlib.contextmanager
def uncached():
    "Every cache bypassed: json.loads at each use, one parse per completion per reward."
    with mock.patch.object(rat.protocol, 'as_obj', _uncached_json), mock.patch.object(rat.bfcl, '_std_short', rat.bfcl.standardize_string), \
         mock.patch.multiple(R, _parse_cached=parse_completion,
                             _target_keys_cached=lambda s: Counter(R._call_key(c) for c in R._calls_of(s))):
        yield


def score_all(batches) -> float:
    _clear_caches()
    t = time.perf_counter()
    for comps, cols in batches:
        for f in REWARDS.values(): f(comps, **cols)
    return time.perf_counter() - t


def main() -> dict:
    batches, mean_chars = make_batches()
    n = sum(len(c) for c, _ in batches)
    cached = min(score_all(batches) for _ in range(RUNS))
    with uncached(): baseline = min(score_all(batches) for _ in range(RUNS))
    result = {'completions': n, 'mean_chars': round(mean_chars, 1), 'group': GROUP, 'batch': BATCH,
              'rewards': list(REWARDS), 'runs': RUNS,
              'cached_s': round(cached, 4), 'cached_completions_per_s': round(n / cached),
              'baseline_s': round(baseline, 4), 'baseline_completions_per_s': round(n / baseline),
              'speedup': round(baseline / cached, 2)}
    out = write_result('rewards', result, 'python bench/bench_rewards.py')
    print(f"{n} completions (~{mean_chars:.0f} chars) x {len(REWARDS)} rewards: {cached:.3f}s cached "
          f"({n / cached:,.0f}/s) vs {baseline:.3f}s uncached json.loads baseline ({n / baseline:,.0f}/s): "
          f"{baseline / cached:.2f}x  -> {shown(out)}")
    return result


if __name__ == '__main__':
    sys.exit(main() and 0)
