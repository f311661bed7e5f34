"""Where each file a recipe needs comes from: an official download or a ``prepare_data.py`` command.

:func:`how_to_get` maps a path (relative to the repository root) to one line of advice; ``check``
prints it next to every missing or wrong file and ``data/README.md`` says the same at length (each
line that sends the reader there names the section). A path no rule knows gets the config key
that names it, since only the config's author knows where it comes from.
"""
import fnmatch
import os
from typing import List, Optional, Tuple

from .embeddings import VOCABULARIES, parse_embedding_name

CLIP_RELEASE = 'https://openaipublic.azureedge.net/clip/models'
# OpenAI CLIP TorchScript archives (the official CLIP release); the long folder name is the
# file's SHA-256, so `sha256sum` verifies a download.
OPENAI_CLIP = {
    'RN50.pt': 'afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762',
    'RN101.pt': '8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599',
    'RN50x4.pt': '7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd',
    'RN50x16.pt': '52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa',
    'RN50x64.pt': 'be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c',
    'ViT-B-32.pt': '40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af',
    'ViT-B-16.pt': '5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f',
    'ViT-L-14.pt': 'b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836',
    'ViT-L-14-336px.pt': '3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02',
}
# CLIP checkpoint file of each model name (the one `embeddings` is run with); the recipes that use
# ViT-B/32 (Detic, BARON) name its OpenAI archive clip_vitb32.pth
CLIP_FILE = {'ViT-L-14-336': 'ViT-L-14-336px.pt', 'ViT-B-32': 'clip_vitb32.pth'}
MMDET_DETIC = 'https://download.openmmlab.com/mmdetection/v3.0/detic'
README_CHECKPOINTS = 'data/README.md, section 4'

COCO_ZIP = 'official: {} from cocodataset.org, unzipped in data/coco/'
LVIS_ZIP = 'official: {} from lvisdataset.org, unzipped in data/lvis_v1/annotations/'
PREPARE = 'python tools/prepare_data.py {}'

# (glob pattern, advice); the first match wins
RULES: List[Tuple[str, str]] = [
    ('data/coco/annotations/instances_*2017.json', COCO_ZIP.format('annotations_trainval2017.zip')),
    ('data/coco/annotations/captions_train2017_clim.json', PREPARE.format('coco')),
    ('data/coco/annotations/captions_*2017.json', COCO_ZIP.format('annotations_trainval2017.zip')),
    ('data/coco/annotations/panoptic_*2017.json',
     COCO_ZIP.format('panoptic_annotations_trainval2017.zip')),
    ('data/coco/annotations/panoptic_*2017',
     COCO_ZIP.format('panoptic_annotations_trainval2017.zip') + ', then unzip its '
     'annotations/panoptic_val2017.zip inside data/coco/annotations/'),
    ('data/coco/train2017', COCO_ZIP.format('train2017.zip')),
    ('data/coco/val2017', COCO_ZIP.format('val2017.zip')),
    ('data/coco/wusize/*', PREPARE.format('coco')),
    ('data/metadata/coco_panoptic_classes.txt', PREPARE.format('coco')),
    ('data/coco', COCO_ZIP.format('train2017.zip, val2017.zip and annotations_trainval2017.zip')),
    ('data/lvis_v1/annotations/lvis_v1_train_norare.json', PREPARE.format('lvis')),
    ('data/lvis_v1/annotations/lvis_v1_train.json', LVIS_ZIP.format('lvis_v1_train.json.zip')),
    ('data/lvis_v1/annotations/lvis_v1_val.json', LVIS_ZIP.format('lvis_v1_val.json.zip')),
    ('data/lvis_v1/wusize/*', PREPARE.format('lvis')),
    ('data/metadata/lvis_v1_train_cat*_info.json', PREPARE.format('lvis')),
    ('data/lvis_v1', 'LVIS v1 annotations in data/lvis_v1/annotations/; its images are COCO '
                     "2017's: ln -s ../coco/train2017 data/lvis_v1/train2017 (and val2017)"),
    ('data/cc3m/cc3m_captions_train.json', PREPARE.format('cc3m') + ' (after the image download '
                                                                    'in data/README.md)'),
    ('data/cc3m/annotations/train_image_info_tags.json', PREPARE.format('cc3m')),
    ('data/cc3m*', 'official: Train_GCC-training.tsv (ai.google.com/research/ConceptualCaptions), '
                   'images with img2dataset (data/README.md)'),
    ('checkpoints/openai_vitb16_coco_clim.pt',
     'CLIM training: tools/train.py configs/clip_based/clim_vitb16.py, then copy '
     '<work_dir>/clim_vitb16_clim.pt here'),
    ('checkpoints/openai_vitb16_cc3m_clim.pt',
     'CLIM training: tools/train.py configs/clip_based/clim_vitb16_cc3m.py, then copy '
     '<work_dir>/clim_vitb16_cc3m_clim.pt here'),
    ('checkpoints/openai_rn50x64_cc3m_clim.pt',
     'CLIM training: tools/train.py configs/clip_based/clim_rn50x64_cc3m.py, then copy '
     '<work_dir>/clim_rn50x64_cc3m_clim.pt here'),
    ('checkpoints/*_clim.pt', 'CLIM training writes <work_dir>/<config>_clim.pt; copy it here'),
    ('checkpoints/resnet50_msra-5891d200.pth',
     'OpenMMLab model zoo (open-mmlab://detectron2/resnet50_caffe): '
     'https://download.openmmlab.com/pretrain/third_party/resnet50_msra-5891d200.pth'),
    ('checkpoints/clip_vitb32.pth', f'OpenAI CLIP: {CLIP_RELEASE}/{OPENAI_CLIP["ViT-B-32.pt"]}/'
                                    'ViT-B-32.pt (any CLIP format loads: save or link it under '
                                    'this name)'),
    ('checkpoints/resnet50_miil_21k.pth',
     'ImageNet-21K-P ResNet-50 of Alibaba-MIIL (github.com/Alibaba-MIIL/ImageNet21K): '
     'https://miil-public-eu.oss-eu-central-1.aliyuncs.com/model-zoo/ImageNet_21K_P/models/'
     f'resnet50_miil_21k.pth ({README_CHECKPOINTS})'),
    ('checkpoints/detic_centernet2_r50_fpn_4x_lvis-base_boxsup_*.pth',
     f'mmdet\'s Detic release: {MMDET_DETIC}/detic_centernet2_r50_fpn_4x_lvis-base_boxsup/'
     'detic_centernet2_r50_fpn_4x_lvis-base_boxsup_20230921_180638-c1685ee2.pth, or train '
     f'configs/detic/detic_centernet2_r50_fpn_4x_lvis-base_boxsup.py ({README_CHECKPOINTS})'),
    ('checkpoints/detic_coco_base.pth',
     'Detic OV-COCO step 1: tools/train.py configs/detic/faster_rcnn_r50_caffe_c4_90k_ovcoco.py, '
     f'then copy <work_dir>/iter_90000.pth here ({README_CHECKPOINTS})'),
    ('checkpoints/res50_fpn_soco_star_400.pth',
     'SoCo* R50-FPN (400 epochs) of github.com/hologerry/SoCo as an mmdet detector state dict, '
     f'as the BARON authors share it ({README_CHECKPOINTS})'),
    ('data/metadata/lvis_v1_clip_detpro.npy',
     'python tools/generate_text_embeddings.py --detpro DETPRO_EMBEDDINGS.pth --model ViT-B-32 '
     '--ann data/lvis_v1/annotations/lvis_v1_val.json --out data/metadata/lvis_v1_clip_detpro.npy '
     '(DetPro\'s learned-prompt embeddings: data/README.md, section 5)'),
]


def clip_url(file_name: str) -> str:
    """Official download address of an OpenAI CLIP archive such as ``ViT-B-16.pt``."""
    return f'{CLIP_RELEASE}/{OPENAI_CLIP[file_name]}/{file_name}'


def how_to_get(path: str, key: Optional[str] = None) -> str:
    """One line: the official download or the command that makes ``path`` (``key``: where the
    config names it, for paths outside the rules)."""
    rel = os.path.normpath(path).replace(os.sep, '/')
    base = os.path.basename(rel)
    if rel.startswith('checkpoints/') and base in OPENAI_CLIP:
        return f'official OpenAI CLIP: {clip_url(base)}'
    for pattern, advice in RULES:
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rstrip('/'), pattern):
            return advice
    if rel.endswith('.npy'):
        name = parse_embedding_name(rel)
        if name is None:
            return ('python tools/generate_text_embeddings.py --model MODEL --checkpoint CKPT '
                    f'--ann CLASS_JSON --out {rel} (add --unprojected for a pseudo-word '
                    'classifier with projected=False)')
        model = name.model or 'MODEL'
        ckpt = f'checkpoints/{CLIP_FILE.get(model, model + ".pt")}' if name.model else 'CKPT'
        cmd = (f'python tools/prepare_data.py embeddings --model {model} --checkpoint {ckpt} '
               f'--vocab {name.vocabulary}')
        folder = os.path.dirname(rel)
        if folder != 'data/metadata':
            cmd += f' --out-dir {folder}'
        if name.model is None:
            cmd += f' --tag {name.tag}'
        return cmd + f' (needs {VOCABULARIES[name.vocabulary].source})'
    where = f' at {key}' if key else ''
    return (f'not a file ovdet\'s tools make or download: the config names it{where}; get it '
            'where the config\'s author says, or point that key at your copy')
