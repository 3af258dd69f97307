"""Memory and speed of one GRPO step on one GPU with the Qwen3-1.7B architecture: our presets beside the plain TRL
QLoRA recipe, all measured in the same run. Without a CUDA device it measures nothing and says so.

The model is `rat.models.qwen3_1p7b_config()` with random weights (no hub access needed), built once and saved under
`$RAT_CACHE` so every variant loads the same weights. Its tokenizer is a byte-level BPE trained on the toy-world
files (`rat.models.train_tokenizer`, splitting words as Qwen's does, so prompts take about as many tokens as with a
real tokenizer), padded with filler entries up to the config's 151,936 ids: every id the random model samples then
decodes to text (as in the real Qwen3, where tokenizer and embedding sizes agree up to padding), and vLLM's
detokeniser never meets an unknown id. Random weights almost never sample `<|im_end|>`, so completions run to the
full length: every variant generates the same number of tokens (the result records the mean length and the share cut).

Variants (each in its own process, so that peak memory is its own):
- `qlora_hf`: (a) our `1gpu-qwen3-1.7b` preset: NF4 QLoRA r=32, activation checkpointing, paged AdamW 8-bit, HF generate;
- `bf16_lora_hf`: (b) the `1gpu-qwen3-1.7b-vllm` preset with `use_vllm=False`: bf16 LoRA r=32, HF generate;
- `bf16_lora_vllm`: (c) the `1gpu-qwen3-1.7b-vllm` preset: bf16 LoRA + vLLM colocated (skipped when vLLM is not installed);
- `trl_plain_qlora`: (d) the baseline: the plain TRL QLoRA GRPO recipe (`grpo_harness.plain_trl_trainer`).
Work per step for all: 1 prompt of ~512 tokens with tools x 8 generations x 512 tokens, batch 8; one untimed step,
then `--steps` timed steps. Reported per variant: peak CUDA memory (allocated and reserved by torch's allocator, from
the end of model loading to the end of training; bitsandbytes' paged optimizer state lives in CUDA unified memory and
is not in these counts, `device_used_after_gb` is the whole device's use), seconds per step split into generation /
reward / training, generated tokens per second, and each as a ratio to the baseline. The memory target is checked
against the reserved peak, the larger of the two.

    pip install -e . bitsandbytes        # plus `pip install vllm` for variant (c)
    python bench/bench_grpo_gpu.py [--steps 3] [--variants qlora_hf,trl_plain_qlora]   # -> bench/results/grpo_gpu.json

Expect several minutes per variant (vLLM's start-up included) plus about a minute to build the model once. Where one
command may not run that long, measure a subset per command and add them up with `--merge` (kept only when the
earlier run used the same GPU model; each variant records when it was measured):

    python bench/bench_grpo_gpu.py --variants trl_plain_qlora,qlora_hf --steps 2
    python bench/bench_grpo_gpu.py --variants bf16_lora_hf,bf16_lora_vllm --steps 2 --merge
"""
import argparse, hashlib, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from _common import RESULTS, write_result, shown

HERE = Path(__file__).resolve()
BASELINE = 'trl_plain_qlora'
VARIANTS = {'qlora_hf': "(a) ours: 1gpu-qwen3-1.7b preset, QLoRA NF4 + HF generate",
            'bf16_lora_hf': "(b) bf16 LoRA + HF generate (1gpu-qwen3-1.7b-vllm preset, use_vllm=False)",
            'bf16_lora_vllm': "(c) bf16 LoRA + vLLM colocate (1gpu-qwen3-1.7b-vllm preset)",
            BASELINE: "(d) baseline: plain TRL QLoRA GRPO recipe (NF4, LoRA r=32 all projections, batch 8, paged_adamw_8bit)"}
GENERATIONS, COMPLETION_TOKENS, PROMPT_TOKENS, TARGET_GB, TARGET_SPEEDUP = 8, 512, 512, 6.0, 3.0
OUT = RESULTS/'grpo_gpu.json'


def full_vocab_tokenizer(vocab_size: int):
    """`rat.models.train_tokenizer` on the toy-world corpus, its BPE vocabulary padded with filler tokens so that ids
    `0..vocab_size-1` all decode; the protocol tokens (`<think>`, `<tool_call>`, ...) keep the last ids."""
    import itertools
    from tokenizers import AddedToken, Tokenizer, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from rat.models import PROTOCOL_TOKENS, train_tokenizer, _default_corpus
    tok = train_tokenizer(_default_corpus(), vocab_size=32_768, split_words=True)   # word-split, like Qwen's; saturates early
    spec = json.loads(tok.backend_tokenizer.to_str())
    spec['added_tokens'] = [t for t in spec['added_tokens'] if t['content'] not in PROTOCOL_TOKENS]
    vocab = spec['model']['vocab']
    fillers = (s for s in map(''.join, itertools.product(sorted(pre_tokenizers.ByteLevel.alphabet()), repeat=3)) if s not in vocab)
    vocab.update({next(fillers): i for i in range(len(vocab), vocab_size - len(PROTOCOL_TOKENS))})
    padded = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(spec)), eos_token=tok.eos_token,
                                     pad_token=tok.pad_token, additional_special_tokens=['<|im_start|>'])
    padded.add_tokens([AddedToken(t, special=False, normalized=False) for t in PROTOCOL_TOKENS])
    padded.chat_template = tok.chat_template
    assert len(padded) == vocab_size, (len(padded), vocab_size)
    return padded


def build_model(out: Path, device: str = 'cuda') -> Path:
    "Random-weight Qwen3-1.7B (bf16, initialised on `device`) + full-vocabulary tokenizer, saved once to `out`."
    import torch
    from transformers import AutoModelForCausalLM
    from rat.models import qwen3_1p7b_config
    if (out/'config.json').exists(): return out
    cfg = qwen3_1p7b_config()
    tok = full_vocab_tokenizer(cfg.vocab_size)
    cfg.eos_token_id, cfg.pad_token_id, cfg.bos_token_id = tok.eos_token_id, tok.pad_token_id, None
    torch.manual_seed(0)
    with torch.device(device): model = AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = tok.eos_token_id, tok.pad_token_id
    tmp = out.with_name(out.name + '.tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp); tok.save_pretrained(tmp)
    tmp.rename(out)
    return out


def run_child(variant: str, model: Path, steps: int, out: Path) -> None:
    "Measure one variant in this process and write its numbers to `out`."
    import torch
    from transformers import AutoTokenizer
    from grpo_harness import prompt_rows, rat_trainer, plain_trl_trainer, run_variant, workload
    from rat.train import get_preset
    rows, lengths = prompt_rows(AutoTokenizer.from_pretrained(model), n=steps + 1, target_tokens=PROMPT_TOKENS)
    work = workload(GENERATIONS, COMPLETION_TOKENS, steps)
    with tempfile.TemporaryDirectory() as tmp:
        builds = {'qlora_hf': lambda: rat_trainer(get_preset('1gpu-qwen3-1.7b'), model, rows, tmp, work),
                  'bf16_lora_hf': lambda: rat_trainer(get_preset('1gpu-qwen3-1.7b-vllm'), model, rows, tmp, work | {'use_vllm': False}),
                  'bf16_lora_vllm': lambda: rat_trainer(get_preset('1gpu-qwen3-1.7b-vllm'), model, rows, tmp, work),
                  BASELINE: lambda: plain_trl_trainer(model, rows, tmp, work, gpu=True)}
        result = run_variant(builds[variant], steps)
    result['prompt_tokens_mean'] = round(sum(lengths) / len(lengths), 1)
    result['gpu'] = torch.cuda.get_device_name(0)
    out.write_text(json.dumps(result))


def measure(variant: str, model: Path, steps: int, timeout: int) -> dict:
    "Run one variant in a fresh process; its numbers, or why there are none."
    if variant == 'bf16_lora_vllm':
        from importlib.util import find_spec
        if find_spec('vllm') is None: return {'skipped': 'vLLM is not installed (pip install vllm)'}
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)/'result.json'
        cmd = [sys.executable, str(HERE), '--child', variant, '--model', str(model), '--steps', str(steps), '--out', str(out)]
        try: p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired: return {'error': f'timed out after {timeout}s'}
        if p.returncode != 0 or not out.exists():
            return {'error': f'exit code {p.returncode}', 'stderr_tail': p.stderr[-3000:]}
        return json.loads(out.read_text())


def verdict(variants: dict) -> dict:
    "Where the targets stand: QLoRA peak memory <= 6 GB, and the fastest variant's step >= 3x faster than the baseline."
    ours, base = variants.get('qlora_hf', {}), variants.get(BASELINE, {})
    timed = {n: v['step_s'] for n, v in variants.items() if 'step_s' in v}
    fastest = min(timed, key=timed.get) if timed else None
    v = {'qlora_peak_allocated_gb': ours.get('peak_allocated_gb'), 'qlora_peak_reserved_gb': ours.get('peak_reserved_gb'),
         'memory_target_gb': TARGET_GB,
         'memory_target_met': ours['peak_reserved_gb'] <= TARGET_GB if 'peak_reserved_gb' in ours else None,
         'fastest_variant': fastest, 'speedup_target': TARGET_SPEEDUP,
         'fastest_speedup_vs_baseline': round(base['step_s'] / timed[fastest], 3) if fastest and 'step_s' in base else None}
    v['speed_target_met'] = None if v['fastest_speedup_vs_baseline'] is None else v['fastest_speedup_vs_baseline'] >= TARGET_SPEEDUP
    v['dominant_part'] = {n: max(('generation_s', 'reward_s', 'training_s'), key=lambda k: x[k]) for n, x in variants.items() if 'step_s' in x}
    return v


def earlier_variants(gpu: str) -> dict:
    "Variants measured by an earlier run on the same GPU model (for `--merge`), else nothing."
    if not OUT.exists(): return {}
    old = json.loads(OUT.read_text())
    return old.get('variants', {}) if old.get('machine', {}).get('gpu') == gpu else {}


def no_gpu() -> dict:
    "Record that nothing was measured, keeping GPU numbers measured before (a CPU-only run must not erase them)."
    if OUT.exists() and json.loads(OUT.read_text()).get('variants'):
        print(f'GPU part skipped: no CUDA device; keeping the GPU results already in {shown(OUT)}')
        return json.loads(OUT.read_text())
    result = {'skipped': 'no CUDA device', 'variants': {}, 'planned_variants': VARIANTS, 'baseline': BASELINE}
    out = write_result('grpo_gpu', result, 'python bench/bench_grpo_gpu.py')
    print(f'GPU part skipped: no CUDA device -> {shown(out)}')
    return result


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--steps', type=int, default=3, help='timed steps after one untimed step')
    ap.add_argument('--variants', default=','.join(VARIANTS), help=f"comma-separated subset of {', '.join(VARIANTS)}")
    ap.add_argument('--timeout', type=int, default=1200, help='seconds allowed per variant')
    ap.add_argument('--rebuild', action='store_true', help='build the random-weight model and tokenizer again (after rat changes)')
    ap.add_argument('--merge', action='store_true',
                    help='keep the variants of the last run on the same GPU model that this run does not measure')
    ap.add_argument('--child', help=argparse.SUPPRESS); ap.add_argument('--model', help=argparse.SUPPRESS)
    ap.add_argument('--out', help=argparse.SUPPRESS); ap.add_argument('--build', help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.build: return build_model(Path(a.build))
    if a.child: return run_child(a.child, Path(a.model), a.steps, Path(a.out))
    import torch
    if not torch.cuda.is_available(): return no_gpu()
    names = [n.strip() for n in a.variants.split(',') if n.strip()]
    if bad := [n for n in names if n not in VARIANTS]: ap.error(f"unknown variant(s) {bad}: choose from {', '.join(VARIANTS)}")
    from grpo_harness import ratios
    from rat.core import cache_dir
    from rat.models import qwen3_1p7b_config
    t = time.perf_counter()
    model = cache_dir()/f"bench-qwen3-1.7b-random-{hashlib.sha256(qwen3_1p7b_config().to_json_string().encode()).hexdigest()[:10]}"
    if a.rebuild: shutil.rmtree(model, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE), '--build', str(model)], check=True)   # in its own process: frees its GPU memory
    print(f'model ready in {time.perf_counter() - t:.0f}s: {model}', flush=True)
    variants = earlier_variants(torch.cuda.get_device_name(0)) if a.merge else {}
    for n in names:
        variants[n] = measure(n, model, a.steps, a.timeout) | {'measured_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
        print(n, json.dumps({k: v for k, v in variants[n].items() if k != 'per_step'})[:600], flush=True)
    variants = {n: variants[n] for n in VARIANTS if n in variants}
    result = {'model': 'Qwen3-1.7B architecture (rat.models.qwen3_1p7b_config), random weights, bf16 checkpoint',
              'baseline': BASELINE, 'descriptions': {n: VARIANTS[n] for n in variants},
              'workload': {'prompts_per_step': 8 // GENERATIONS, 'num_generations': GENERATIONS,
                           'max_completion_length': COMPLETION_TOKENS, 'prompt_tokens_target': PROMPT_TOKENS, 'steps_timed': a.steps},
              'variants': variants, 'ratio_to_baseline': ratios(variants, BASELINE), 'targets': verdict(variants)}
    out = write_result('grpo_gpu', result, 'python bench/bench_grpo_gpu.py' + (f' --variants {a.variants}' if len(names) < len(VARIANTS) else '')
                       + (' --merge' if a.merge else ''))
    print(json.dumps(result['targets'], indent=1), f'\n-> {shown(out)}')
    return result


if __name__ == '__main__':
    main()
