"""Single-step vs multi-turn GRPO from the shipped tiny base on the toy world (CPU).

Writes results/multiturn.json and figures/multiturn_vs_single.png. Steps:
1. the start: `rat-tiny-base`, the base that ships with rat (pretrained on a corpus disjoint from the task, `rat.pretrain`);
2. single-step GRPO (`rat.grpo.grpo`, the paper's rewards) and multi-turn GRPO (`rat.multiturn.grpo_multiturn`)
   from it, with the same preset, learning rate, steps, prompts per step, completions per prompt and length budget;
3. `rat.evaluate.evaluate_multiturn` of the base and both runs on the toy-world test split.

    OMP_NUM_THREADS=1 .venv/bin/python tools/multiturn_experiment.py
"""
import argparse, dataclasses, json, os, time
from pathlib import Path
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import torch
torch.set_num_threads(1)

from rat.core import read_jsonl, repo_root
from rat.data import load_rows
from rat.grpo import grpo
from rat.models import load_model, resolve_model, BASE_MODEL
from rat.evaluate import evaluate_multiturn
from rat.multiturn import grpo_multiturn
from rat.train import get_preset

ROOT = repo_root()


def evaluate(model_dir: Path, rows: list, a) -> dict:
    model, tok = load_model(model_dir, quantization=None, lora=None, device='cpu')
    t = time.time()
    m = evaluate_multiturn(model, tok, rows, max_turns=a.max_turns, max_new_tokens=a.eval_tokens, batch_size=16)
    return m | {'eval_s': round(time.time() - t, 1)}


def curve(run: Path) -> list:
    "(step, total reward) from a run's metrics log."
    return [(r['step'], r['reward']) for _, r in read_jsonl(run/'metrics.jsonl') if 'reward' in r]


RUNS = ('single-step GRPO', 'multi-turn GRPO')


def summarize(res: dict) -> None:
    "Per-system metrics averaged over the seeds run so far (the base is evaluated once)."
    seeds = list(res['seeds'].values())
    res['systems'] = {'base': res['warm']} if res.get('warm') else {}
    for name in RUNS:
        per = [s['systems'][name] for s in seeds if name in s['systems']]
        if per: res['systems'][name] = {k: (sum(m[k] for m in per) / len(per) if per[0][k] is not None else None) for k in per[0]}
    res['n_seeds'] = {name: sum(name in s['systems'] for s in seeds) for name in RUNS}


def figure(res: dict, out: Path) -> None:
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    keys = ['answer_accuracy', 'first_turn_calls', 'first_call_accuracy', 'first_call_partial', 'abstain_accuracy', 'invalid_call_rate',
            'step_tool_call_partial_reward', 'step_answer_reward', 'step_reward']
    labels = ['end-to-end\nanswer acc.', 'first turn\ncalls', 'first turn\nexact call', 'first turn\npartial call', 'abstain\nacc.',
              'invalid\ncall rate', 'step call\npartial', 'step\nanswer', 'step reward\n(paper, /2.2)']
    scale = lambda k, v: (v or 0) / (2.2 if k == 'step_reward' else 1)
    systems = list(res['systems'])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(14, 4.4), gridspec_kw={'width_ratios': [3, 2]})
    w = 0.8 / len(systems)
    for i, s in enumerate(systems):
        xs = [j + (i - (len(systems) - 1) / 2) * w for j in range(len(keys))]
        bars = ax.bar(xs, [scale(k, res['systems'][s][k]) for k in keys], w, label=s)
        ax.bar_label(bars, fmt='%.2f', fontsize=6)
        for seed in res['seeds'].values():  # one dot per seed
            if s in seed['systems']: ax.plot(xs, [scale(k, seed['systems'][s][k]) for k in keys], 'k.', ms=3)
    ax.set_xticks(range(len(keys)), labels, fontsize=8); ax.set_ylim(0, 1.05); ax.legend(fontsize=8, loc='upper left')
    first = res['systems'][systems[0]]
    ax.set_title(f"toy-world test split: {first['tool_call_episodes']} tool-call episodes, {first['episodes']} episodes, "
                 f"{first['rows']} rows; bars = mean of {max(res['n_seeds'].values())} seed(s), dots = seeds", fontsize=9)
    for c, name in zip(('C1', 'C2'), RUNS):
        for n, seed in enumerate(res['seeds'].values()):
            pts = seed['curves'].get(name)
            if not pts: continue
            k = max(1, len(pts) // 10)
            smooth = [sum(v for _, v in pts[max(0, j - k + 1):j + 1]) / len(pts[max(0, j - k + 1):j + 1]) for j in range(len(pts))]
            bx.plot([p for p, _ in pts], smooth, c, lw=1.2, label=name if n == 0 else None)
    bx.set(xlabel='step', ylabel='weighted training reward (moving mean)', title='training reward (each run its own rewards)')
    bx.title.set_fontsize(9); bx.legend(fontsize=8); bx.grid(alpha=.3)
    fig.tight_layout(); fig.savefig(out, dpi=110); plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cache', default=str(ROOT/'runs'/'multiturn'), help='runs live here')
    ap.add_argument('--steps', type=int, default=100, help='GRPO steps of each run')
    ap.add_argument('--batch', type=int, default=16, help='completions per step')
    ap.add_argument('--generations', type=int, default=4, help='completions per prompt')
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--temperature', type=float, default=0.7, help='sampling temperature of both runs')
    ap.add_argument('--max_len', type=int, default=160, help='max_completion_length of both runs (tool results count in it)')
    ap.add_argument('--max_turns', type=int, default=2, help='rounds of tool results per episode (training and evaluation)')
    ap.add_argument('--eval_tokens', type=int, default=96, help='max new tokens per turn in evaluation')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--call_reward', default='tool_call_partial', help='call reward of both runs: tool_call (binary) or tool_call_partial')
    ap.add_argument('--only', default='warm,single,multi', help='stages to run; `eval` re-evaluates runs already trained')
    a = ap.parse_args()
    cache = Path(a.cache); cache.mkdir(parents=True, exist_ok=True)
    train, test = load_rows(ROOT/'data/toyworld_train.jsonl'), load_rows(ROOT/'data/toyworld_test.jsonl')
    warm = Path(resolve_model(BASE_MODEL))
    preset = dataclasses.replace(get_preset('cpu-tiny'), model=str(warm), lora=None)
    overrides = {'max_steps': a.steps, 'learning_rate': a.lr, 'per_device_train_batch_size': a.batch, 'num_generations': a.generations,
                 'max_completion_length': a.max_len, 'temperature': a.temperature, 'save_steps': 10_000, 'logging_steps': 1, 'seed': a.seed}
    res_path = ROOT/'results'/'multiturn.json'
    res = json.loads(res_path.read_text()) if res_path.exists() else {}
    res.setdefault('seeds', {})
    mine = res['seeds'].setdefault(str(a.seed), {'systems': {}, 'curves': {}, 'train_s': {}})
    single_rewards = f'format:0.2,{a.call_reward}:1,answer:1'
    multi_rewards = single_rewards + ',invalid_call:1,turn_limit:1'
    runs = {'single': lambda out: grpo(train, out, rewards=single_rewards, preset=preset, overrides=overrides),
            'multi': lambda out: grpo_multiturn(train, out, rewards=multi_rewards, preset=preset, overrides=overrides,
                                                max_turns=a.max_turns)}
    res['settings'] = {k: v for k, v in vars(a).items() if k not in ('seed', 'only', 'cache')} | {
        'start': f'{BASE_MODEL} (rat.pretrain: pretrained on the pretraining world, disjoint from the task)',
        'grpo': 'full fine-tune, beta 0, cpu-tiny preset otherwise',
        'single_step_rewards': single_rewards, 'multi_turn_rewards': multi_rewards,
        'single_step_prompts': 'all train rows', 'multi_turn_prompts': 'train rows of kinds tool_call, clarify, no_tool'}
    def save():
        summarize(res); res_path.parent.mkdir(exist_ok=True); res_path.write_text(json.dumps(res, indent=1))
    if 'warm' in a.only: res['warm'] = evaluate(warm, test, a); print('base', res['warm'], flush=True); save()
    for (key, train_fn), name in zip(runs.items(), RUNS):
        run = cache/f'{key}_s{a.seed}'
        if key in a.only: train_fn(run)
        elif not ('eval' in a.only and (run/'model').exists()): continue
        mine['train_s'][name] = round(next(r['train_runtime'] for _, r in read_jsonl(run/'metrics.jsonl') if 'train_runtime' in r))
        mine['curves'][name] = curve(run)
        mine['systems'][name] = evaluate(run/'model', test, a)
        print(name, f'seed {a.seed}', mine['systems'][name], flush=True)
        save()
    save()
    if all(name in res['systems'] for name in RUNS): figure(res, ROOT/'figures'/'multiturn_vs_single.png')


if __name__ == '__main__':
    main()
