"""`parse_completion` on adversarial inputs from 1 KiB to 1 MiB, beside a naive regex parser measured in the same run.

Linear time means that 1024x the text takes about 1024x the time (a log-log slope of 1); the naive parser
(`re.findall(r'<tool_call>(.*?)</tool_call>', text, re.S)` + `json.loads`, and the same for `<think>`) rescans the
rest of the text from every unclosed tag, so on those inputs it grows as the square of the size. It is timed until
one call exceeds 0.3 s; larger sizes would take minutes and are not measured (the result gives the time at 1 MiB
that the fitted slope predicts, marked as a prediction). Slopes are fitted from 2 KiB on. Each time is the best of 3
runs, each repeating the call for at least 0.1 s. Single process, single thread.

    .venv/bin/python bench/bench_parse.py      # writes bench/results/parse.json
"""
import json, math, re, sys
from _common import best_time, single_thread, write_result, shown
single_thread()

from rat.protocol import parse_completion

SIZES = [2**k for k in range(10, 21)]          # 1 KiB, 2 KiB, .. 1 MiB
NAIVE_LIMIT_S = 0.3
THINK = '<think>\nChecking the request.\n</think>\n\n'
CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo", "days": 3}}\n</tool_call>\n'

_NAIVE_THINK = re.compile(r'<think>(.*?)</think>', re.S)
_NAIVE_CALL = re.compile(r'<tool_call>(.*?)</tool_call>', re.S)


def naive_parse(text: str) -> tuple[str | None, list[dict]]:
    "The regex parser one writes first: the think block, then every `<tool_call>` body that json.loads accepts."
    think = _NAIVE_THINK.search(text)
    calls = []
    for raw in _NAIVE_CALL.findall(text):
        try: obj = json.loads(raw)
        except ValueError: continue
        if isinstance(obj, dict) and 'name' in obj: calls.append(obj)
    return (think.group(1) if think else None), calls


def _repeat(head: str, unit: str, size: int) -> str:
    return head + unit * max(1, (size - len(head)) // len(unit))

FAMILIES = {  # name: size -> text of about that many characters
    'valid calls': lambda n: _repeat(THINK, CALL, n),
    'unclosed <tool_call>': lambda n: _repeat(THINK, '<tool_call>', n),
    'unclosed <think>': lambda n: _repeat('', '<think>', n),
    'malformed JSON calls': lambda n: _repeat(THINK, '<tool_call>{"name": x}</tool_call>', n),
    'tags inside strings': lambda n: _repeat(THINK, '<tool_call>{"a": "</tool_call>', n),
    'one huge argument': lambda n: THINK + '<tool_call>{"name": "f", "arguments": {"text": "' + 'x' * max(1, n - 90) + '"}}</tool_call>',
}


def slope(points: list[tuple[int, float]]) -> float | None:
    "Least-squares slope of log(time) against log(size): 1 is linear, 2 quadratic."
    if len(points) < 2: return None
    xs, ys = [math.log(s) for s, _ in points], [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs), 2)


def measure_family(make) -> dict:
    rows, naive_on = [], True
    for size in SIZES:
        text = make(size)
        row = {'size': size, 'chars': len(text), 'parse_s': best_time(lambda: parse_completion(text), min_seconds=0.1)}
        if naive_on:
            row['naive_s'] = best_time(lambda: naive_parse(text), min_seconds=0.1)
            row['speedup_vs_naive'] = round(row['naive_s'] / row['parse_s'], 2)
            naive_on = row['naive_s'] < NAIVE_LIMIT_S
        rows.append(row)
    first, last = rows[0], rows[-1]
    fit = [(r['chars'], r['parse_s']) for r in rows if r['size'] >= 2**11]   # from 2 KiB on, fixed costs matter less
    naive_fit = [(r['chars'], r['naive_s']) for r in rows if 'naive_s' in r and r['size'] >= 2**11]
    naive_last = [r for r in rows if 'naive_s' in r][-1]
    k = slope(naive_fit)
    predicted = None if naive_last is last or k is None else round(naive_last['naive_s'] * (last['chars'] / naive_last['chars']) ** k, 1)
    return {'sizes': rows, 'parse_1MiB_over_1KiB': round(last['parse_s'] / first['parse_s'], 1),
            'chars_1MiB_over_1KiB': round(last['chars'] / first['chars'], 1),
            'parse_MB_per_s_at_1MiB': round(last['chars'] / last['parse_s'] / 1e6, 2),
            'parse_loglog_slope': slope(fit), 'naive_loglog_slope': k,
            'naive_largest_measured': naive_last['size'], 'naive_1MiB_predicted_s': predicted}


def check_agreement() -> None:
    "Both parsers read the well-formed family the same way (so the race is fair)."
    text = FAMILIES['valid calls'](2**14)
    p, (think, calls) = parse_completion(text), naive_parse(text)
    assert p.well_formed and p.think == think.strip() and p.tool_calls == calls and len(calls) == text.count('<tool_call>')


def main() -> dict:
    check_agreement()
    families = {}
    for name, make in FAMILIES.items():
        families[name] = f = measure_family(make)
        print(f"{name:22} parse: 1 MiB in {f['sizes'][-1]['parse_s'] * 1e3:8.2f} ms ({f['parse_MB_per_s_at_1MiB']:6.1f} MB/s), "
              f"1MiB/1KiB time x{f['parse_1MiB_over_1KiB']:7.1f}, slope {f['parse_loglog_slope']}; naive slope "
              f"{f['naive_loglog_slope']} (measured to {f['naive_largest_measured'] // 1024} KiB"
              + (f", 1 MiB predicted {f['naive_1MiB_predicted_s']} s)" if f['naive_1MiB_predicted_s'] else ')'), flush=True)
    result = {'sizes': SIZES, 'naive_limit_s': NAIVE_LIMIT_S,
              'naive_parser': "re.findall(r'<tool_call>(.*?)</tool_call>', re.S) + json.loads; re.search(r'<think>(.*?)</think>', re.S)",
              'families': families}
    out = write_result('parse', result, 'python bench/bench_parse.py')
    print(f'-> {shown(out)}')
    return result


if __name__ == '__main__':
    sys.exit(main() and 0)
