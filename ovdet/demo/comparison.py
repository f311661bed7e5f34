"""The demo's plan and its read-out: the trainings of each family, then its table and picture.

:func:`plan` lists the tasks (:mod:`.tasks`): per family and seed, the base run (Detic, BARON)
and each arm, starting from that seed's base checkpoint. :func:`family_section` turns a family's
results into its markdown section (table, objects per box, mechanism measures) and its picture.
"""
import os.path as osp
from typing import Dict, List, Sequence

from . import mechanisms, picture, report
from .families import FAMILIES, Family
from .world import CAPTION_JSON, HELDOUT, SCENES, test_scenes


def plan(families: Sequence[str], seeds: Sequence[int], iters: Dict[str, int],
         base_iters: Dict[str, int], work_dir: str, data_root: str, clips: Dict[str, str],
         threads: int, root: str) -> List[dict]:
    tasks = []
    heldout = osp.join(data_root, HELDOUT)
    for name in families:
        family = FAMILIES[name]
        for seed in seeds:
            common = dict(family=name, seed=seed, data_root=data_root, clips=clips,
                          threads=threads)
            base = None
            if family.base:
                base = len(tasks)
                tasks.append(dict(common, arm='base', config=osp.join(root, family.base),
                                  iters=base_iters[name],
                                  work_dir=osp.join(work_dir, name, f'seed{seed}', 'base')))
            for arm in family.arms:
                tasks.append(dict(
                    common, arm=arm.name, config=osp.join(root, arm.config), iters=iters[name],
                    after=base, work_dir=osp.join(work_dir, name, f'seed{seed}', arm.name),
                    measure_tiles=(osp.join(heldout, CAPTION_JSON), osp.join(heldout, 'train2017'))
                    if name == 'detic' else None,
                    measure_naming=name in ('detic', 'baron'),
                    measure_bags=osp.join(data_root, SCENES, 'annotations',
                                          'instances_train2017.json') if name == 'baron' else None))
    return tasks


def clip_measures(family: str, clips: Dict[str, str], class_names: Sequence[str],
                  novel: Sequence[str], data_root: str) -> Dict[str, dict]:
    """The measures that need a CLIP only: F-VLM's region scores, BARON's teacher, for the CLIP
    before and after CLIM -> {'before': {...}, 'after': {...}}."""
    measure = dict(fvlm=mechanisms.clip_region_top1, baron=mechanisms.teacher_agreement).get(family)
    if measure is None:
        return {}
    from ovdet.clip import build_clip
    ann, images = test_scenes(data_root)
    return {side: measure(build_clip('ovdet-ViT-demo', path), class_names, novel, ann, images)
            for side, path in clips.items()}


# which CLIP measure belongs to which arm (the CLIP it was trained on or taught by)
CLIP_OF_ARM = dict(pretrained='before', clim='after', kd_pretrained='before', kd_clim='after')


def family_section(family: Family, runs: List[dict], clip_stats: Dict[str, dict],
                   novel: Sequence[str], data_root: str, work_dir: str, num_seeds: int,
                   picture_scenes: int = 4) -> dict:
    """{'markdown', 'summary', 'density', 'picture'} of one family's finished runs."""
    ann, images = test_scenes(data_root)
    arms = [a.name for a in family.arms]
    arm_runs = [r for r in runs if r['arm'] in arms]
    summary = report.summarise(arm_runs, arms, family.reference.name)
    img_ids = picture.picture_scenes(ann, novel, picture_scenes)
    predictions = {id(r): picture.load_predictions(r['predictions']) for r in arm_runs}
    for r in arm_runs:
        preds = predictions[id(r)]
        r['boxes_per_object'] = picture.boxes_per_object(preds, ann, img_ids)
        r['boxes_per_object_all_scenes'] = picture.boxes_per_object(preds, ann, sorted(preds))
        r['naming'] = mechanisms.naming(r['predictions'], ann, novel)

    def per_arm(getter):
        """{arm: (mean, sd)} of getter(run) over the arm's runs; arms without values left out."""
        out = {}
        for a in arms:
            values = [getter(r) for r in arm_runs if r['arm'] == a]
            if all(v is not None for v in values):
                out[a] = report.mean_sd(values)
        return out

    density = per_arm(lambda r: r['boxes_per_object'])
    rows = [(f'boxes with score ≥ {picture.SCORE_THR} per object, the picture\'s '
             f'{len(img_ids)} scenes', density, 2),
            (f'same, all {len(predictions[id(arm_runs[0])])} test scenes',
             per_arm(lambda r: r['boxes_per_object_all_scenes']), 2),
            ('novel objects found (a box of any class at IoU ≥ 0.5), %',
             per_arm(lambda r: 100 * r['naming']['novel_found']), 1),
            ('novel objects named right (best box at IoU ≥ 0.5), % of found',
             per_arm(lambda r: 100 * r['naming']['novel_named']), 1)]
    if clip_stats:
        who = 'CLIP region scores' if family.name == 'fvlm' else 'teacher'
        for split in ('novel', 'base'):
            rows.append((f'{who}: top-1 on {split} ground-truth boxes, %',
                         {a: 100 * clip_stats[CLIP_OF_ARM[a]][f'{split}_top1']
                          for a in arms if a in CLIP_OF_ARM}, 1))
        rows.append((f'{who}: cos(own class) - max cos(other class), novel boxes',
                     {a: clip_stats[CLIP_OF_ARM[a]]['novel_margin'] for a in arms
                      if a in CLIP_OF_ARM}, 3))
    if all('naming_gt' in r for r in arm_runs):
        for key, title in (
                ('novel_top1_among_novel', 'novel ground-truth boxes: own class the top novel class'),
                ('novel_top1', 'novel ground-truth boxes: own class the top class of all'),
                ('base_top1', 'base ground-truth boxes: own class the top class of all')):
            rows.append((f'{title}, %', per_arm(lambda r, key=key: 100 * r['naming_gt'][key]), 1))
        rows.append(('novel ground-truth boxes: mean score of their class',
                     per_arm(lambda r: r['naming_gt']['novel_own_score']), 4))
    if family.name == 'baron':
        for split in ('novel', 'base'):
            key = f'{split}_in_bags'
            rows.append((f'{split} objects of the training scenes inside a bag, %',
                         per_arm(lambda r, key=key: 100 * r['bags'][key] if 'bags' in r else None),
                         1))
    if family.name == 'detic':
        for g in (1, 2, 3, 4):
            key = f'tiles_{g}x{g}'
            if all(key in r.get('tiles', {}) for r in arm_runs):
                what = 'whole held-out images' if g == 1 else f'{g}x{g} mosaic tiles'
                rows.append((f'{what} retrieving their own caption, %',
                             per_arm(lambda r, key=key: 100 * r['tiles'][key]), 1))
    labels = [(a.name, a.label) for a in family.arms]
    table = report.format_table(summary, labels, novel, num_seeds, rows)
    first = min(r['seed'] for r in arm_runs)
    columns = [(a.label, next(predictions[id(r)] for r in arm_runs
                              if r['arm'] == a.name and r['seed'] == first))
               for a in family.arms]
    path = picture.save_picture(osp.join(work_dir, f'detections_{family.name}.png'), images, ann,
                                img_ids, columns, novel)
    return dict(markdown=f'### {family.title}\n\n{table}\n', summary=summary, picture=path,
                density={a: density[a][0] for a in arms})
