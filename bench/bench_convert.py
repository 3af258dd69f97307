"""`rat.convert.convert` on N synthetic chat-format conversations: items per second and peak memory, for several N.

Each conversation has 11 messages and 5 assistant messages (a call with JSON-text arguments, an answer, a
clarifying question, a call with dict arguments, an answer), so it makes 5 rows; cities and units vary with the
conversation, so the validation caches see realistic traffic. For each N the file is written first, then converted
in a fresh process (`convert(..., progress=False)` into a temporary folder) whose peak resident set size
(`ru_maxrss`) is the memory measured; the memory right after the imports is reported beside it. Streaming means
the peak does not grow with N once the validation caches of `rat.data` are full (their sizes are capped: the
verdicts on distinct (schema, arguments) pairs hold at most 65,536 entries, reported as `validation_cache_entries`).
Single process, single thread.

    .venv/bin/python bench/bench_convert.py                      # N = 10k, 100k and 250k; writes bench/results/convert.json
    .venv/bin/python bench/bench_convert.py --sizes 1000000      # the million (about 20 minutes on one busy core)
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path
from _common import single_thread, write_result, shown
single_thread()

CITIES = ['Oslo', 'Lisbon', 'Porto', 'Bergen', 'Madrid', 'Rome', 'Paris', 'Berlin', 'Vienna', 'Prague']
TOOLS = [{'type': 'function', 'function': {'name': 'get_weather', 'description': 'Current weather in a city.', 'parameters': {
             'type': 'object', 'properties': {'city': {'type': 'string'}, 'unit': {'type': 'string', 'enum': ['C', 'F']}}, 'required': ['city']}}},
         {'type': 'function', 'function': {'name': 'get_time', 'description': 'Local time in a city.', 'parameters': {
             'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']}}}]


def conversation(i: int) -> dict:
    "The i-th synthetic conversation (5 assistant messages, 2 calls)."
    a, b = CITIES[i % 10], f'{CITIES[(i // 10) % 10]} {i}'
    call = lambda name, args: {'type': 'function', 'function': {'name': name, 'arguments': args}}
    return {'tools': TOOLS, 'messages': [
        {'role': 'system', 'content': 'You are a helpful assistant.'},
        {'role': 'user', 'content': f'What is the weather in {a} in {"CF"[i % 2]}?'},
        {'role': 'assistant', 'content': '', 'reasoning_content': f'One call for {a}.',
         'tool_calls': [call('get_weather', json.dumps({'city': a, 'unit': 'CF'[i % 2]}))]},
        {'role': 'tool', 'content': json.dumps({'temp': i % 35})},
        {'role': 'assistant', 'content': f'It is {i % 35} degrees in {a}.'},
        {'role': 'user', 'content': 'And what time is it there?'},
        {'role': 'assistant', 'content': 'Which city do you mean?'},
        {'role': 'user', 'content': f'{b}, please.'},
        {'role': 'assistant', 'content': '', 'tool_calls': [call('get_time', {'city': b})]},
        {'role': 'tool', 'content': json.dumps({'time': f'{i % 24:02d}:00'})},
        {'role': 'assistant', 'content': f'It is {i % 24:02d}:00 in {b}.'}]}


def child(src: str) -> None:
    "Convert `src` in this (fresh) process and print the measurement as JSON."
    from rat.convert import convert
    from rat.data import _arguments_problem
    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        rep = convert(src, Path(d)/'rows.jsonl', progress=False)
        seconds = time.perf_counter() - t0
        out_bytes = (Path(d)/'rows.jsonl').stat().st_size
    print(json.dumps({'items': rep.counts['items'], 'rows': rep.counts['rows'], 'seconds': round(seconds, 1),
                      'items_per_s': round(rep.counts['items'] / seconds), 'rows_per_s': round(rep.counts['rows'] / seconds),
                      'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      'rss_after_imports_mb': round(rss_imports, 1), 'out_mb': round(out_bytes / 2**20, 1),
                      'validation_cache_entries': _arguments_problem.cache_info().currsize}))


def measure(n: int) -> dict:
    "Write n conversations, convert them in a fresh process."
    with tempfile.TemporaryDirectory() as d:
        src = Path(d)/'chat.jsonl'
        with open(src, 'w') as f:
            for i in range(n): f.write(json.dumps(conversation(i)) + '\n')
        in_mb = src.stat().st_size / 2**20
        out = subprocess.run([sys.executable, __file__, '--child', str(src)], capture_output=True, text=True, env=os.environ)
        if out.returncode: raise SystemExit(out.stderr)
        return {'n': n, 'in_mb': round(in_mb, 1), **json.loads(out.stdout.strip().splitlines()[-1])}


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--sizes', default='10000,100000,250000', help='comma-separated numbers of conversations')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: child(a.child); sys.exit(0)
    runs = []
    for n in map(int, a.sizes.split(',')):
        runs.append(measure(n)); print(runs[-1], flush=True)
    rate = runs[-1]['items_per_s']
    result = {'runs': runs, 'extrapolated_1M_minutes': round(1e6 / rate / 60, 1),
              'peak_rss_growth_mb': round(runs[-1]['peak_rss_mb'] - runs[0]['peak_rss_mb'], 1)}
    print(f"1M conversations at {rate:,} items/s: about {result['extrapolated_1M_minutes']} min; "
          f"peak RSS {runs[0]['peak_rss_mb']} MB at n={runs[0]['n']:,}, {runs[-1]['peak_rss_mb']} MB at n={runs[-1]['n']:,}")
    print(shown(write_result('convert', result, 'python bench/bench_convert.py ' + ' '.join(sys.argv[1:]))))
