"""Runner hooks of CLIM: logit-scale clamp, weight-space ensembling, baseline eval, export, and the
count of captions cut to the text context."""
import math
import os.path as osp
from contextlib import contextmanager, nullcontext
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdet.registry import HOOKS


def _unwrap(runner):
    return runner.model.module if is_model_wrapper(runner.model) else runner.model


def _encoder(runner):
    model = _unwrap(runner)
    return getattr(model, 'encoder', model)


@HOOKS.register_module()
class LogitScaleClampHook(Hook):
    """After every optimiser step: ``logit_scale <- clamp(logit_scale, min, max)`` in place
    (default [0, ln 100], i.e. the temperature ``exp(logit_scale)`` stays <= 100)."""

    priority = 'ABOVE_NORMAL'

    def __init__(self, min_value: float = 0.0, max_value: float = math.log(100)) -> None:
        self.min_value, self.max_value = min_value, max_value

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        with torch.no_grad():
            _encoder(runner).logit_scale.clamp_(self.min_value, self.max_value)


@HOOKS.register_module()
class WeightEnsembleHook(Hook):
    """Weight-space ensembling: evaluate and save ``alpha * theta + (1 - alpha) * theta_0``.

    ``theta_0`` are the trainable parameters when training starts (the pretrained CLIP), ``theta``
    the live ones. Frozen parameters are untouched (they equal ``theta_0``). Training always
    continues from the unblended ``theta``:

    * ``before_val_epoch``/``before_test_epoch`` load the blend, ``after_*_epoch`` restore ``theta``;
    * a saved checkpoint holds the blend in ``state_dict`` (what ``tools/test.py`` and
      ``build_clip`` read), plus ``clim_live_weights`` (``theta``) and
      ``clim_original_weights`` (``theta_0``) of the trainable entries;
    * on resume, ``after_load_checkpoint`` puts ``theta`` back into ``state_dict`` before it is
      loaded and restores ``theta_0``, so a resumed run continues exactly.

    ``alpha >= 1`` disables the blend.
    """

    priority = 'HIGH'  # capture theta_0 before any other before_train hook evaluates
    LIVE_KEY = 'clim_live_weights'
    ORIGINAL_KEY = 'clim_original_weights'

    def __init__(self, alpha: float = 0.7) -> None:
        self.alpha = float(alpha)
        self.original: Optional[Dict[str, torch.Tensor]] = None
        self._ctx = None  # the open ``swapped`` context during val/test

    @property
    def enabled(self) -> bool:
        return self.alpha < 1 and self.original is not None

    def _trainable(self, runner) -> Dict[str, torch.nn.Parameter]:
        return {n: p for n, p in _unwrap(runner).named_parameters() if p.requires_grad}

    def before_train(self, runner) -> None:
        if self.original is None:
            self.original = {n: p.detach().clone() for n, p in self._trainable(runner).items()}

    def blended(self, live: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """{name: alpha * live + (1 - alpha) * original} for the trainable entries."""
        return {n: (self.alpha * live[n].detach().float() +
                    (1 - self.alpha) * self.original[n].to(live[n].device).float()
                    ).to(live[n].dtype) for n in self.original}

    @contextmanager
    def swapped(self, runner):
        """Temporarily load the blended weights into the model (no-op when disabled)."""
        if not self.enabled:
            yield
            return
        params = self._trainable(runner)
        live = {n: params[n].detach().clone() for n in self.original}
        with torch.no_grad():
            for n, value in self.blended(live).items():
                params[n].copy_(value)
        try:
            yield
        finally:
            with torch.no_grad():
                for n, value in live.items():
                    params[n].copy_(value)

    def _swap_in(self, runner) -> None:
        if self.enabled and self._ctx is None:
            self._ctx = self.swapped(runner)
            self._ctx.__enter__()

    def _swap_out(self, runner) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(None, None, None)
            self._ctx = None

    def before_val_epoch(self, runner) -> None:
        self._swap_in(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._swap_out(runner)

    def before_test_epoch(self, runner) -> None:
        self._swap_in(runner)

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._swap_out(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.enabled:
            return
        state = checkpoint['state_dict']
        live = {n: state[n] for n in self.original}
        checkpoint[self.LIVE_KEY] = live
        checkpoint[self.ORIGINAL_KEY] = {n: v.detach().cpu() for n, v in self.original.items()}
        state.update({n: v.cpu() for n, v in self.blended(live).items()})

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.ORIGINAL_KEY not in checkpoint or not getattr(runner, '_resume', False):
            return  # plain load_from: the blended weights become the new starting point
        checkpoint['state_dict'].update(checkpoint[self.LIVE_KEY])
        device = next(_unwrap(runner).parameters()).device
        self.original = {n: v.to(device) for n, v in checkpoint[self.ORIGINAL_KEY].items()}


@HOOKS.register_module()
class ValidateBeforeTrainHook(Hook):
    """Run the validation loop once before the first training step (the baseline in the log);
    skipped when resuming past iteration 0 or when no val loop is configured."""

    priority = 'LOW'

    def before_train(self, runner) -> None:
        if runner.iter == 0 and getattr(runner, '_val_loop', None) is not None:
            runner.logger.info('evaluating the model before training (baseline)')
            runner.val_loop.run()
            runner.model.train()


@HOOKS.register_module()
class ExportCLIPHook(Hook):
    """After training, save the final (ensembled, when ``WeightEnsembleHook`` is on) CLIP as a
    plain OpenAI-key state dict ``<work_dir>/<name>_clim.pt`` (``name`` defaults to the config
    file name); loadable by ``ovdet.clip.build_clip`` and open_clip."""

    priority = 'LOW'

    def __init__(self, name: Optional[str] = None, suffix: str = '_clim.pt') -> None:
        self.name, self.suffix = name, suffix
        self.path: Optional[str] = None

    def _name(self, runner) -> str:
        if self.name:
            return self.name
        filename = getattr(runner.cfg, 'filename', None)
        return osp.splitext(osp.basename(filename))[0] if filename else runner.experiment_name

    def after_train(self, runner) -> None:
        ensemble = next((h for h in runner.hooks if isinstance(h, WeightEnsembleHook)), None)
        with (ensemble.swapped(runner) if ensemble else nullcontext()):
            state = {k: v.cpu() for k, v in _encoder(runner).export_state_dict().items()}
        self.path = osp.join(runner.work_dir, self._name(runner) + self.suffix)
        if is_main_process():
            torch.save(state, self.path)
            runner.logger.info(f'exported the CLIP weights to {self.path}')


@HOOKS.register_module()
class CaptionTruncationHook(Hook):
    """Count the training captions longer than the CLIP's text context during the first epoch of
    a run and report the count once, at its end (all ranks summed), e.g.
    ``12 of 118,272 training captions (0.01%) in epoch 1 were longer than the 77-token text context
    and were cut (end-of-text token kept)``.

    ``TokenizeCaption`` marks each sample ``caption_truncated`` in its metainfo; the count is taken
    here, in the main process, because the tokenising happens in dataloader workers.
    """

    priority = 'LOW'

    def __init__(self) -> None:
        self.seen = 0
        self.cut = 0
        self.context_length: Optional[int] = None
        self.reported = False

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.reported or not isinstance(data_batch, dict):
            return
        for sample in data_batch.get('data_samples') or []:
            flag = sample.metainfo.get('caption_truncated')
            if flag is None:
                continue
            self.seen += 1
            self.cut += bool(flag)
            if self.context_length is None and 'tokens' in sample:
                self.context_length = int(sample.tokens.shape[-1])

    def after_train_epoch(self, runner) -> None:
        self._report(runner)

    def after_train(self, runner) -> None:
        self._report(runner)

    def _report(self, runner) -> None:
        if self.reported:
            return
        self.reported = True
        counts = torch.tensor([self.seen, self.cut], dtype=torch.float64)
        all_reduce(counts)  # a no-op in a single process
        seen, cut = int(counts[0]), int(counts[1])
        if not seen:
            return
        runner.logger.info(
            f'{cut:,} of {seen:,} training captions ({100 * cut / seen:.2f}%) in epoch '
            f'{runner.epoch + 1} were longer than the {self.context_length}-token text context and '
            'were cut (end-of-text token kept)')
