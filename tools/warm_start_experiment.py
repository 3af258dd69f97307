"""Warm-start learning curve on the tiny fixture: full fine-tuning like `rat.demo.warm_start`, checkpoints evaluated.

Each checkpoint is evaluated greedily on the toy-world test split in both thinking modes (64 new tokens); one JSON line
per (checkpoint, mode) is printed with the prefix EVAL. The runs behind the numbers in the sft notebook (measured with
an earlier scratch script of the same recipe: rows, seed and trainer overrides) are:

    OMP_NUM_THREADS=1 .venv/bin/python tools/warm_start_experiment.py --loss_on action --conversations 600    # B
    OMP_NUM_THREADS=1 .venv/bin/python tools/warm_start_experiment.py --loss_on all --conversations 600       # C
    OMP_NUM_THREADS=1 .venv/bin/python tools/warm_start_experiment.py --loss_on all --conversations 2500      # D
"""
import argparse, dataclasses, json, os
from pathlib import Path
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import torch
torch.set_num_threads(1)
from rat.data import load_rows
from rat.demo import DemoConfig, warm_start, warm_start_rows
from rat.evaluate import System, evaluate
from rat.toyworld import toyworld_dir
from rat.train import checkpoint_step

KEYS = ('valid', 'tool_name_acc', 'call_exact', 'arg_f1', 'answer', 'no_tool_acc', 'overall')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=1000); ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--every', type=int, default=200, help='checkpoint interval')
    ap.add_argument('--loss_on', default='all', choices=['action', 'all'])
    ap.add_argument('--conversations', type=int, default=DemoConfig().warm_conversations)
    ap.add_argument('--out', default='/tmp/rat_warm_start')
    a = ap.parse_args()
    cfg = dataclasses.replace(DemoConfig(), warm_steps=a.steps, warm_lr=a.lr, warm_loss_on=a.loss_on,
                              warm_conversations=a.conversations)
    train, test = load_rows(toyworld_dir()/'toyworld_train.jsonl'), load_rows(toyworld_dir()/'toyworld_test.jsonl')
    out = Path(a.out)
    warm_start(warm_start_rows(cfg, exclude=train + test), out, cfg, save_strategy='steps', save_steps=a.every)
    for ck in sorted(out.glob('checkpoint-*'), key=checkpoint_step):
        for think in (True, False):
            r = evaluate(System(ck.name, str(ck), think=think), test, max_new_tokens=64, batch_size=32)['all']
            print('EVAL', json.dumps({'checkpoint': ck.name, 'think': think, **{k: round(r[k], 3) for k in KEYS}}), flush=True)

if __name__ == '__main__':
    main()
