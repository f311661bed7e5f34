"""The comparisons of the detection demo: for each detector family, its arms (configs).

Every arm of a family trains on the same scenes for the same number of iterations with the same
detection batches; the arms differ in one thing each, the comparison the CLIM paper makes:

* F-VLM: the frozen CLIP, before or after CLIM;
* Detic: base boxes only, + Detic's caption loss on whole captioned images, + CLIM mosaics of them;
* BARON: no distillation, distillation from the CLIP before CLIM, from the CLIP after CLIM.

Detic and BARON start from a whole detector trained on the base boxes (Detic's base-class
detector, BARON's SOCO* checkpoint in the recipes): the family's ``base`` config, trained first
for every seed; each arm continues from that seed's checkpoint (``load_from``).
"""
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

CONFIGS = 'configs/demo/'
#: where the demo configs expect the world and the CLIM demo's CLIPs; the demo maps these
#: prefixes to its own folders (``tasks.relocate``)
DEFAULT_DATA = 'work_dirs/demo_detection/data/'
DEFAULT_CLIPS = dict(before='work_dirs/demo/pretrain/clip_pretrain_tiny_clip.pt',
                     after='work_dirs/demo/clim/clim_tiny_clim.pt')


@dataclass(frozen=True)
class Arm:
    name: str    # short id, used in folder names and results.json
    label: str   # column title of the table and the picture
    config: str  # path relative to the repository root


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    arms: Tuple[Arm, ...]
    base: Optional[str] = None  # config trained first (per seed); every arm starts from it

    @property
    def reference(self) -> Arm:
        """The arm the others are compared with (the first)."""
        return self.arms[0]


FAMILIES: Dict[str, Family] = {f.name: f for f in (
    Family('fvlm', 'F-VLM: frozen CLIP before vs after CLIM', (
        Arm('pretrained', 'CLIP before CLIM', CONFIGS + 'fvlm_demo_clip_pretrained_ov_shapes.py'),
        Arm('clim', 'CLIP after CLIM', CONFIGS + 'fvlm_demo_clip_ov_shapes.py'))),
    Family('detic', 'Detic: base boxes, + image-level captions, + CLIM mosaics', (
        Arm('box', 'base boxes only', CONFIGS + 'detic_demo_clip_box_ov_shapes.py'),
        Arm('caption', '+ captions (whole images)', CONFIGS + 'detic_demo_clip_caption_ov_shapes.py'),
        Arm('mosaic', '+ CLIM mosaics', CONFIGS + 'detic_demo_clip_mosaic_ov_shapes.py')),
        base=CONFIGS + 'detic_demo_clip_box_ov_shapes.py'),
    Family('baron', 'BARON: no distillation vs teacher before / after CLIM', (
        Arm('no_kd', 'no distillation', CONFIGS + 'baron_demo_clip_base_ov_shapes.py'),
        Arm('kd_pretrained', 'teacher before CLIM', CONFIGS + 'baron_demo_clip_kd_ov_shapes.py'),
        Arm('kd_clim', 'teacher after CLIM', CONFIGS + 'baron_demo_clip_kd_clim_ov_shapes.py')),
        base=CONFIGS + 'baron_demo_clip_base_ov_shapes.py'),
)}
