"""Tiny-model GRPO step on CPU, split into generation / reward / training: our `cpu-tiny` preset beside the plain
TRL recipe on the same model, prompts and work per step, measured in the same run.

Both variants train the tiny offline Qwen3 (`rat.models.tiny_model`, random weights) on the same toy-world prompts
(those closest to 512 tokens), `--generations` completions per prompt of `--tokens` tokens (default: the preset's 4 x 96),
batch 8, one untimed step then `--steps` timed steps, one CPU thread. Our variant is wired as `rat.grpo.grpo` wires it
(LoRA r=16, no activation checkpointing); the plain recipe is TRL's defaults with LoRA r=32 on all projections
(activation checkpointing on, TRL's default optimizer, float32).

    .venv/bin/python bench/bench_grpo_cpu.py      # writes bench/results/grpo_cpu.json
"""
import argparse, sys, tempfile
from _common import single_thread, write_result, shown
single_thread()

from grpo_harness import prompt_rows, rat_trainer, plain_trl_trainer, run_variant, ratios, workload
from rat.train import get_preset

BASELINE = 'trl_plain_lora'
DESCRIPTIONS = {'rat_cpu_tiny': 'ours: cpu-tiny preset, wired as rat.grpo.grpo (LoRA r=16, no activation checkpointing)',
                BASELINE: "baseline: plain TRL recipe (LoRA r=32 all projections; TRL defaults: activation checkpointing, "
                          "adamw_torch_fused, float32)"}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--steps', type=int, default=3, help='timed steps after one untimed step')
    ap.add_argument('--generations', type=int, default=None, help="completions per prompt (default: the cpu-tiny preset's)")
    ap.add_argument('--tokens', type=int, default=None, help="max completion tokens (default: the cpu-tiny preset's)")
    a = ap.parse_args(argv)
    from transformers import AutoTokenizer
    preset = get_preset('cpu-tiny')
    path = preset.model_path()
    gens, tokens = a.generations or preset.grpo['num_generations'], a.tokens or preset.grpo['max_completion_length']
    rows, lengths = prompt_rows(AutoTokenizer.from_pretrained(path), n=(a.steps + 1) * 8 // gens)
    work = workload(gens, tokens, a.steps)
    with tempfile.TemporaryDirectory() as tmp:
        builds = {'rat_cpu_tiny': lambda: rat_trainer(preset, path, rows, f'{tmp}/rat', work),
                  BASELINE: lambda: plain_trl_trainer(path, rows, f'{tmp}/plain', work, gpu=False)}
        variants = {name: run_variant(build, a.steps) for name, build in builds.items()}
    result = {'model': 'tiny offline Qwen3 (rat.models.tiny_model, random weights)', 'baseline': BASELINE, 'descriptions': DESCRIPTIONS,
              'workload': {'prompts_per_step': 8 // gens, 'num_generations': gens, 'max_completion_length': tokens,
                           'prompt_tokens_mean': round(sum(lengths) / len(lengths), 1), 'steps_timed': a.steps},
              'variants': variants, 'ratio_to_baseline': ratios(variants, BASELINE)}
    out = write_result('grpo_cpu', result, 'python bench/bench_grpo_cpu.py')
    for name, v in variants.items():
        print(f"{name:16} step {v['step_s']:.2f}s = generation {v['generation_s']:.2f}s + reward {v['reward_s']:.3f}s + "
              f"training {v['training_s']:.2f}s  ({v['generated_tokens_per_s']:.0f} tokens/s generated)")
    print(f'-> {shown(out)}')
    return result


if __name__ == '__main__':
    sys.exit(main() and 0)
