"""One GRPO step, timed and split into generation / reward / training, for any TRL `GRPOTrainer`.

Used by `bench_grpo_cpu.py` (tiny model) and `bench_grpo_gpu.py` (Qwen3-1.7B architecture). The split comes from
wrapping two methods of the trainer instance: `_generate` (tokenise prompts, generate, decode; with vLLM it includes
pushing the LoRA-merged weights to vLLM) and `_calculate_rewards` (all reward functions). A step is the wall time
from `on_step_begin` to `on_step_end` (generation, rewards, log-prob passes, forward/backward, optimizer step);
`training` is that minus generation and rewards. On CUDA every boundary synchronises the device first.
"""
from __future__ import annotations
import gc, time, warnings
from dataclasses import replace
from pathlib import Path
from statistics import mean

from transformers import TrainerCallback
from transformers.trainer_callback import PrinterCallback
from transformers.utils import logging as hf_logging

from rat.data import load_rows
from rat.grpo import grpo_dataset, grpo_prompt, grpo_trainer
from rat.models import LORA_TARGETS
from rat.registry import reward_setup, reward_weights
from rat.train import Preset
from rat.runner import build_trainer

hf_logging.set_verbosity_error(); hf_logging.disable_progress_bar()
warnings.filterwarnings('ignore', category=FutureWarning)   # transformers' gradient->activation checkpointing renames

TRAIN_ROWS = Path(__file__).resolve().parent.parent/'data'/'toyworld_train.jsonl'


def _sync():
    import torch
    if torch.cuda.is_available(): torch.cuda.synchronize()


class StepTimer(TrainerCallback):
    "Per optimizer step: seconds in total, in generation and in rewards, and completion tokens generated."
    def __init__(self, trainer):
        self.steps, self.logs, self.cur = [], {}, None
        trainer._generate = self._timed(trainer._generate, 'generation_s')
        trainer._calculate_rewards = self._timed(trainer._calculate_rewards, 'reward_s')
        trainer.add_callback(self)
        trainer.remove_callback(PrinterCallback)                   # the timer keeps what it needs from the logs

    def _timed(self, fn, key):
        def timed(*args, **kwargs):
            _sync(); t = time.perf_counter()
            out = fn(*args, **kwargs)
            _sync(); self.cur[key] += time.perf_counter() - t
            if key == 'generation_s': self.cur['tokens'] += sum(len(ids) for ids in out[1])  # out[1]: completion ids
            return out
        return timed

    def on_step_begin(self, args, state, control, **kw):
        _sync(); self.cur = {'generation_s': 0.0, 'reward_s': 0.0, 'tokens': 0, 't0': time.perf_counter()}

    def on_step_end(self, args, state, control, **kw):
        _sync(); cur = self.cur
        step = time.perf_counter() - cur.pop('t0')
        self.steps.append({'step_s': step, **cur, 'training_s': step - cur['generation_s'] - cur['reward_s']})

    def on_log(self, args, state, control, logs=None, **kw):
        self.logs.update({k: v for k, v in (logs or {}).items() if k.startswith('completions/')})


def prompt_rows(tok, n: int, target_tokens: int = 512, scan: int = 600) -> tuple[list[dict], list[int]]:
    "The `n` toy-world rows whose rendered prompt (tools included) is closest to `target_tokens` tokens."
    rows = load_rows(TRAIN_ROWS)[:scan]
    lengths = [len(tok(grpo_prompt(r, tok), add_special_tokens=False)['input_ids']) for r in rows]
    best = sorted(range(len(rows)), key=lambda i: (abs(lengths[i] - target_tokens), i))[:n]
    return [rows[i] for i in best], [lengths[i] for i in best]


def rat_trainer(preset: Preset, model_path: str | Path, rows: list[dict], out_dir: str | Path, overrides: dict):
    "The GRPOTrainer `rat.grpo.grpo` trains (`rat.runner.build_trainer` + `rat.grpo.grpo_trainer`, default rewards), not trained."
    weights = list(reward_weights(None).values())
    return build_trainer(grpo_trainer, rows, replace(preset, model=str(model_path)), 'grpo', out_dir, overrides=overrides,
                         reward_weights=weights)


def plain_trl_trainer(model_path: str | Path, rows: list[dict], out_dir: str | Path, overrides: dict, gpu: bool):
    """The plain TRL QLoRA GRPO recipe, built as `trl grpo` builds it (`ModelConfig` -> `get_quantization_config`,
    `get_peft_config`; the model loaded by the trainer from its path): LoRA r=32 on all projections, per-device batch
    8, paged_adamw_8bit, NF4 with bf16 compute on GPU; on CPU no quantization, float32 and TRL's default optimizer."""
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer, ModelConfig, get_peft_config, get_quantization_config
    margs = ModelConfig(model_name_or_path=str(model_path), dtype='bfloat16' if gpu else 'float32', load_in_4bit=gpu,
                        use_peft=True, lora_r=32, lora_target_modules=list(LORA_TARGETS))
    recipe = dict(per_device_train_batch_size=8, **(dict(optim='paged_adamw_8bit') if gpu else dict(use_cpu=True, bf16=False)))
    funcs, weights = reward_setup(None)
    cfg = GRPOConfig(output_dir=str(out_dir), model_init_kwargs={'dtype': margs.dtype}, reward_weights=weights, **(recipe | overrides))
    tok = AutoTokenizer.from_pretrained(str(model_path), padding_side='left')
    return GRPOTrainer(model=str(model_path), reward_funcs=funcs, args=cfg, train_dataset=grpo_dataset(rows, tok),
                       processing_class=tok, quantization_config=get_quantization_config(margs), peft_config=get_peft_config(margs))


def workload(num_generations: int, max_completion_length: int, steps: int, batch: int = 8) -> dict:
    "GRPOConfig fields every variant shares: the work per step, the number of steps, no checkpoints or loggers, seed 0."
    return dict(num_generations=num_generations, max_completion_length=max_completion_length, per_device_train_batch_size=batch,
                max_steps=steps + 1, save_strategy='no', logging_steps=1, disable_tqdm=True, seed=0, report_to=[])


def _gb(x: int) -> float: return round(x / 2**30, 3)


def run_variant(build, steps: int) -> dict:
    "Build a trainer with `build()`, run one untimed step and `steps` timed ones; times, tokens and CUDA memory."
    import torch
    cuda = torch.cuda.is_available()
    if cuda: torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    trainer = build()
    setup_s = time.perf_counter() - t
    mem = {}
    if cuda:
        mem['load_peak_allocated_gb'] = _gb(torch.cuda.max_memory_allocated())
        torch.cuda.reset_peak_memory_stats()
    timer = StepTimer(trainer)
    trainer.train()
    if cuda:
        free, total = torch.cuda.mem_get_info()
        mem.update(peak_allocated_gb=_gb(torch.cuda.max_memory_allocated()), peak_reserved_gb=_gb(torch.cuda.max_memory_reserved()),
                   device_used_after_gb=_gb(total - free))
    first, timed = timer.steps[0], timer.steps[1:]
    avg = {k: round(mean(s[k] for s in timed), 4) for k in ('step_s', 'generation_s', 'reward_s', 'training_s', 'tokens')}
    out = {'setup_s': round(setup_s, 2), 'first_step_s': round(first['step_s'], 4), 'steps_timed': len(timed), **avg,
           'generated_tokens_per_s': round(avg['tokens'] / avg['generation_s'], 1),
           'completion_mean_length': timer.logs.get('completions/mean_length'),
           'clipped_ratio': timer.logs.get('completions/clipped_ratio'),
           'trainable_params': sum(p.numel() for p in trainer.model.parameters() if p.requires_grad), **mem,
           'per_step': [{k: round(v, 4) for k, v in s.items()} for s in timer.steps]}
    del trainer, timer; gc.collect()
    if cuda: torch.cuda.empty_cache()
    return out


def ratios(variants: dict, baseline: str, keys=('step_s', 'generation_s', 'reward_s', 'training_s', 'generated_tokens_per_s',
                                                 'peak_allocated_gb', 'peak_reserved_gb')) -> dict:
    "Each measured variant's value divided by the baseline's, per key (absent when either side was not measured)."
    base = variants.get(baseline, {})
    return {name: {k: round(v[k] / base[k], 3) for k in keys if v.get(k) and base.get(k)}
            for name, v in variants.items() if 'error' not in v and 'skipped' not in v}
